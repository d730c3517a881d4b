"""Portuguese names of stored fields, for the audit trail and the record histories.

The trail stores field names as the code knows them (`mother_name`); people read "mãe". One map
for every screen that shows which fields an entry touched.
"""

from __future__ import annotations

from collections.abc import Iterable

FIELD_LABELS = {
    # citizens
    "name": "nome", "social_name": "nome social", "cns": "CNS", "cpf": "CPF",
    "birth_date": "nascimento", "sex": "sexo", "race": "raça/cor", "mother_name": "mãe",
    "cep": "CEP", "street": "logradouro", "number": "número", "complement": "complemento",
    "district_id": "bairro", "municipality_ibge": "município", "phone": "telefone",
    "unit_cnes": "unidade",
    # accounts and roles
    "username": "usuário", "full_name": "nome completo", "active": "ativa",
    "role_ids": "perfis", "roles": "perfis", "unit_restriction": "unidades",
    "must_change_password": "troca de senha obrigatória", "password_hash": "senha",
    "description": "descrição", "permissions": "permissões",
    # municipality
    "timezone": "fuso horário", "brasao_png": "brasão",
}  # fmt: skip


def field_names(fields: Iterable[object]) -> str:
    """["name", "cns"] → "nome, CNS" (unknown names shown as stored)."""
    return ", ".join(FIELD_LABELS.get(str(name), str(name)) for name in fields)
