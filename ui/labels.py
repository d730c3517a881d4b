"""Portuguese names of stored fields, for the audit trail and the record histories.

The trail stores field names as the code knows them (`mother_name`); people read "mãe". One map
for every screen that shows which fields an entry touched.
"""

from __future__ import annotations

from collections.abc import Iterable

FIELD_LABELS = {
    # citizens
    "name": "nome", "social_name": "nome social", "cns": "CNS", "cpf": "CPF",
    "birth_date": "nascimento", "sex": "sexo", "race": "raça/cor", "ethnicity": "etnia",
    "mother_name": "mãe",
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
    # attendances (the keys of ValidationError.errors on the entry screen)
    "citizen_id": "cidadão", "professional_id": "profissional", "attended_on": "data",
    "icd10": "CID-10", "procedures": "procedimentos", "place": "local de atendimento",
    "attendance_type": "tipo de atendimento", "conduct": "conduta/desfecho",
    "reason": "motivo", "competence": "competência",
    # BPA fields (BpaProblem.field, prefixed "bpa."), as the problems dialog names them
    "bpa.competence": "Competência", "bpa.provider_cnpj_cpf": "CNPJ/CPF do órgão de origem",
    "bpa.origin_name": "Nome do órgão de origem", "bpa.origin_acronym": "Sigla do órgão",
    "bpa.destination_name": "Órgão de destino", "bpa.destination_kind": "Tipo de destino",
    "bpa.system_version": "Versão do sistema", "bpa.lines": "Linhas do arquivo",
    "bpa.cnes": "CNES da unidade", "bpa.cbo": "CBO do profissional",
    "bpa.procedure": "Procedimento", "bpa.age": "Idade", "bpa.quantity": "Quantidade",
    "bpa.origin": "Origem", "bpa.professional_cns": "CNS do profissional",
    "bpa.citizen_cns": "CNS do cidadão", "bpa.citizen_cpf": "CPF do cidadão",
    "bpa.sex": "Sexo", "bpa.ibge": "Município de residência", "bpa.icd10": "CID-10",
    "bpa.character": "Caráter de atendimento", "bpa.birth_date": "Data de nascimento",
    "bpa.attendance_date": "Data do atendimento", "bpa.citizen_name": "Nome do cidadão",
    "bpa.race": "Raça/cor", "bpa.ethnicity": "Etnia", "bpa.nationality": "Nacionalidade",
    "bpa.cnpj_opm": "CNPJ (OPM)", "bpa.situacao_rua": "Situação de rua",
    "bpa.cep": "CEP", "bpa.street": "Logradouro", "bpa.number": "Número",
    "bpa.district": "Bairro", "bpa.phone": "Telefone", "bpa.email": "E-mail",
}  # fmt: skip


def field_names(fields: Iterable[object]) -> str:
    """["name", "cns"] → "nome, CNS" (unknown names shown as stored)."""
    return ", ".join(FIELD_LABELS.get(str(name), str(name)) for name in fields)
