"""The closed vocabularies of Vigilância Sanitária, stored as short strings with Portuguese labels.

Each enum's `label` is what screens and documents print. The risk levels follow RDC 153/2017 as
amended by RDC 418/2020 (`shared/reference/br-health.md` §2.4); the gravity of an infraction
follows Lei 6.437/1977 art. 4º; everything else names the steps of the department's own work.
"""

from __future__ import annotations

from enum import StrEnum


class RiskLevel(StrEnum):
    """Grau de risco of an activity or establishment (I baixo, II médio, III alto)."""

    LOW = "I"
    MEDIUM = "II"
    HIGH = "III"

    @property
    def label(self) -> str:
        return {"I": "I – baixo risco", "II": "II – médio risco", "III": "III – alto risco"}[
            self.value
        ]

    @property
    def rank(self) -> int:
        return {"I": 1, "II": 2, "III": 3}[self.value]


class RiskRule(StrEnum):
    """What the CNAE risk table says of one activity: a level, or "depends on information"."""

    LOW = "I"
    MEDIUM = "II"
    HIGH = "III"
    DEPENDS = "depende"

    @property
    def label(self) -> str:
        if self is RiskRule.DEPENDS:
            return "Depende de informação"
        return RiskLevel(self.value).label


class HolderKind(StrEnum):
    """Whether an establishment is held by a company (CNPJ) or a person (CPF)."""

    CNPJ = "cnpj"
    CPF = "cpf"


class EstablishmentStatus(StrEnum):
    ACTIVE = "ativo"
    INTERDICTED = "interditado"
    CLOSED = "baixado"

    @property
    def label(self) -> str:
        return {"ativo": "Ativo", "interditado": "Interditado", "baixado": "Baixado"}[self.value]


class ItemClass(StrEnum):
    """Classification of a roteiro item."""

    ESSENTIAL = "I"
    NECESSARY = "N"
    RECOMMENDED = "R"

    @property
    def label(self) -> str:
        return {"I": "Imprescindível", "N": "Necessário", "R": "Recomendável"}[self.value]


class Answer(StrEnum):
    """The inspector's answer to one roteiro item."""

    COMPLIANT = "C"
    NON_COMPLIANT = "NC"
    NOT_APPLICABLE = "NA"

    @property
    def label(self) -> str:
        return {"C": "Conforme", "NC": "Não conforme", "NA": "Não se aplica"}[self.value]


class InspectionReason(StrEnum):
    ROUTINE = "rotina"
    LICENSING = "licenciamento"
    COMPLAINT = "denuncia"
    RETURN = "retorno"

    @property
    def label(self) -> str:
        return {
            "rotina": "Rotina (programada)",
            "licenciamento": "Licenciamento",
            "denuncia": "Denúncia",
            "retorno": "Retorno (verificar correções)",
        }[self.value]


class InspectionStatus(StrEnum):
    """Planned → in progress → done, or planned → cancelled; it only moves forward, also when two
    nodes change it: the order below makes work done in the field win over a cancellation made at
    the office while the laptop was offline (the inspection happened; its record must stay)."""

    PLANNED = "planejada"
    IN_PROGRESS = "em_andamento"
    DONE = "concluida"
    CANCELLED = "cancelada"

    @property
    def label(self) -> str:
        return {
            "planejada": "Planejada",
            "em_andamento": "Em andamento",
            "concluida": "Concluída",
            "cancelada": "Cancelada",
        }[self.value]


INSPECTION_STATUS_ORDER: tuple[str, ...] = ("planejada", "cancelada", "em_andamento", "concluida")


class InspectionOutcome(StrEnum):
    SATISFACTORY = "satisfatoria"
    CORRECTIONS = "exigencias"
    INFRACTION = "infracao"
    INTERDICTION = "interdicao"

    @property
    def label(self) -> str:
        return {
            "satisfatoria": "Satisfatória",
            "exigencias": "Exigências a cumprir (com prazo)",
            "infracao": "Infração sanitária",
            "interdicao": "Interdição",
        }[self.value]


class DocumentKind(StrEnum):
    """Legal documents of VISA; the value is also the numbering series."""

    INSPECTION_REPORT = "TI"
    SUMMONS = "TN"
    INFRACTION = "AI"
    SAMPLE = "AC"
    INTERDICTION = "TD"

    @property
    def label(self) -> str:
        return {
            "TI": "Termo de Inspeção",
            "TN": "Termo de Intimação/Notificação",
            "AI": "Auto de Infração Sanitária",
            "AC": "Auto de Coleta de Amostra",
            "TD": "Termo de Interdição",
        }[self.value]


# Numbering series of the other numbered papers of the department (DocumentKind values are series).
LICENCE_SERIES = "LS"
PROCESS_SERIES = "PAS"
COMPLAINT_SERIES = "DEN"


class Gravity(StrEnum):
    """Classification of an infraction (Lei 6.437/1977 art. 4º)."""

    LIGHT = "leve"
    SERIOUS = "grave"
    VERY_SERIOUS = "gravissima"

    @property
    def label(self) -> str:
        return {"leve": "Leve", "grave": "Grave", "gravissima": "Gravíssima"}[self.value]


class ProcessStage(StrEnum):
    """Stages of the processo administrativo sanitário, in the only order they may follow."""

    DEFENCE = "defesa"  # waiting for the defence (prazo de defesa)
    REPLY = "manifestacao"  # the autuante's reply to the defence
    JUDGEMENT = "julgamento"  # waiting for the first-instance decision
    APPEAL = "recurso"  # decided; the appeal period runs
    APPEAL_JUDGEMENT = "julgamento_recurso"
    CLOSED = "encerrado"

    @property
    def label(self) -> str:
        return {
            "defesa": "Prazo de defesa",
            "manifestacao": "Manifestação do autuante",
            "julgamento": "Aguardando julgamento",
            "recurso": "Prazo de recurso",
            "julgamento_recurso": "Julgamento do recurso",
            "encerrado": "Encerrado",
        }[self.value]


PROCESS_STAGE_ORDER: tuple[str, ...] = tuple(stage.value for stage in ProcessStage)


class ComplaintStatus(StrEnum):
    OPEN = "aberta"
    ROUTED = "encaminhada"
    ANSWERED = "respondida"
    ARCHIVED = "arquivada"

    @property
    def label(self) -> str:
        return {
            "aberta": "Aberta",
            "encaminhada": "Encaminhada para inspeção",
            "respondida": "Respondida",
            "arquivada": "Arquivada",
        }[self.value]


COMPLAINT_STATUS_ORDER: tuple[str, ...] = tuple(status.value for status in ComplaintStatus)
