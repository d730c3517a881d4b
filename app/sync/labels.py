"""Portuguese labels for what sync shows a person: the kinds of record, the fields, a stored value.

The sync center, the conflict screens and the CLI name a synced table ("Cidadãos"), one record of
it ("Cidadão") and a column ("Nascimento") in Portuguese, and write a stored (JSON) value as a
clerk reads it (dates as dd/mm/aaaa, booleans as sim/não). Nothing here reads the database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

TABLE_LABELS = {
    "citizen": "Cidadãos",
    "attendance": "Atendimentos",
    "attendance_procedure": "Procedimentos dos atendimentos",
    "health_unit": "Unidades de saúde",
    "professional": "Profissionais",
    "professional_bond": "Vínculos de profissionais",
    "district": "Bairros",
    "agenda_template": "Modelos de agenda",
    "agenda_slot": "Vagas da agenda",
    "agenda_block": "Bloqueios de agenda",
    "appointment": "Agendamentos",
    "waiting_list_entry": "Lista de espera",
    "municipal_holiday": "Feriados municipais",
    "competence_closing": "Fechamentos de competência",
    "issued_document": "Documentos emitidos",
    "reference_version": "Tabelas de referência",
    "icd10_code": "CID-10",
    "sigtap_procedure": "Procedimentos SIGTAP",
    "sigtap_procedure_cbo": "SIGTAP: procedimento × ocupação",
    "sigtap_procedure_cid": "SIGTAP: procedimento × CID",
    "sigtap_procedure_instrument": "SIGTAP: instrumentos de registro",
    "occupation": "Ocupações (CBO)",
    "numbering_range": "Faixas de numeração",
    "legal_number": "Números de documentos",
    "sanitary_config": "Parâmetros da VISA",
    "cnae_risk_table": "Tabelas de risco (CNAE)",
    "cnae_risk": "Riscos por CNAE",
    "cnae_risk_question": "Perguntas de risco (CNAE)",
    "cnae_risk_override": "Regras municipais de risco",
    "sanitary_inspector": "Fiscais sanitários",
    "establishment": "Estabelecimentos",
    "establishment_activity": "Atividades (CNAE) dos estabelecimentos",
    "checklist": "Roteiros de inspeção",
    "checklist_version": "Versões de roteiros",
    "checklist_item": "Itens de roteiros",
    "inspection": "Inspeções",
    "inspection_answer": "Respostas das inspeções",
    "inspection_attachment": "Anexos das inspeções",
    "sanitary_document": "Termos e autos",
    "sanitary_licence": "Licenças sanitárias",
    "sanitary_process": "Processos sanitários",
    "sanitary_process_step": "Andamentos de processos",
    "sanitary_complaint": "Denúncias",
}
RECORD_LABELS = {
    "citizen": "Cidadão",
    "attendance": "Atendimento",
    "health_unit": "Unidade de saúde",
    "professional": "Profissional",
    "district": "Bairro",
    "appointment": "Agendamento",
    "establishment": "Estabelecimento",
    "inspection": "Inspeção",
    "sanitary_process": "Processo sanitário",
    "sanitary_licence": "Licença sanitária",
    "sanitary_inspector": "Fiscal sanitário",
    "checklist": "Roteiro de inspeção",
}
FIELD_LABELS = {
    "name": "Nome",
    "social_name": "Nome social",
    "cns": "CNS",
    "cpf": "CPF",
    "birth_date": "Nascimento",
    "sex": "Sexo",
    "race": "Raça/cor",
    "ethnicity": "Etnia",
    "mother_name": "Nome da mãe",
    "cep": "CEP",
    "street": "Logradouro",
    "number": "Número",
    "complement": "Complemento",
    "district_id": "Bairro",
    "municipality_ibge": "Município (IBGE)",
    "phone": "Telefone",
    "unit_cnes": "Unidade (CNES)",
    "deleted_at": "Excluído em",
    "cnes": "CNES",
    "code": "Código",
    "description": "Descrição",
    "status": "Situação",
    "stage": "Fase",
    "outcome": "Resultado",
    "findings": "Constatações",
    "due_on": "Prevista para",
    "performed_on": "Realizada em",
    "started_at": "Iniciada em",
    "finished_at": "Concluída em",
    "cancel_reason": "Motivo do cancelamento",
    "reason": "Motivo",
    "team": "Equipe",
    "inspector_id": "Fiscal",
    "establishment_id": "Estabelecimento",
    "legal_name": "Razão social",
    "trade_name": "Nome fantasia",
    "document": "CNPJ/CPF",
    "risk": "Grau de risco",
    "correction_days": "Prazo para correções (dias)",
    "correction_due_on": "Correções até",
    "received_by": "Recebido por",
    "next_inspection_on": "Próxima inspeção",
    "companion_ids": "Fiscais acompanhantes",
    "checklist_version_id": "Roteiro (versão)",
    "complaint_id": "Denúncia",
}
EMPTY = "(vazio)"


def table_label(name: str) -> str:
    return TABLE_LABELS.get(name, name)


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " "))


def show_value(value: Any) -> str:
    """A stored (JSON) value as a clerk reads it."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "sim" if value else "não"
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            if len(value) == 10:
                return date.fromisoformat(value).strftime("%d/%m/%Y")
            return datetime.fromisoformat(value).strftime("%d/%m/%Y %H:%M")
        except ValueError:
            return value
    return str(value)
