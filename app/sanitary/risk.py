"""Pure rules of the sanitary risk classification (RDC 153/2017 amended by RDC 418/2020; IN
66/2020).

No database here: callers pass what the CNAE risk table says of each activity (`CnaeInfo`) and the
establishment's answers to the "depende de informação" questions. The rules:

- a municipal rule (`CnaeRiskOverride`) prevails over the active version of the table;
- a table rule I/II/III gives that level;
- "depende de informação" (IN 66/2020, Anexos III and IV) gives III when any question was answered
  yes and II when all were answered no;
- while a question is unanswered the risk cannot be determined, so the activity is treated as III
  *até responder* (the safe side: risk III requires prior inspection and licence) and the reason
  says which questions are pending (`ActivityRisk.pending`);
- an establishment's risk is the highest level among its activities (RDC 153/2017 art. 5º §3º);
  the reason names the deciding CNAE and why.

CNAE codes are stored as 7 digits ("5620104") and shown as "5620-1/04".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.sanitary.enums import RiskLevel, RiskRule

ANNEX_IV = "IN 66/2020, Anexo IV"
REASON_MAX = 500
_QUESTION_SHOWN = 110


@dataclass(frozen=True)
class CnaeInfo:
    """What the risk table (and the municipal rules) say of one CNAE.

    `rule` is the effective rule: the override's level when `overridden`, else the table's rule.
    `table_rule` is None when the CNAE exists only as a municipal rule.
    """

    cnae: str
    description: str
    rule: RiskRule
    questions: tuple[str, ...] = ()
    overridden: bool = False
    override_reason: str = ""
    table_rule: RiskRule | None = None

    @property
    def label(self) -> str:
        return format_cnae(self.cnae)


@dataclass(frozen=True)
class ActivityRisk:
    """The level of one activity and why; `pending` lists unanswered question numbers (1-based)."""

    cnae: str
    level: RiskLevel
    reason: str
    pending: tuple[int, ...] = ()


@dataclass(frozen=True)
class RiskResult:
    """An establishment's risk: level (None without activities), reason, whether all is answered."""

    level: RiskLevel | None
    reason: str
    activities: tuple[ActivityRisk, ...] = ()

    @property
    def complete(self) -> bool:
        return all(not activity.pending for activity in self.activities)

    @property
    def label(self) -> str:
        """`III – alto risco` (or a dash when nothing is known)."""
        return self.level.label if self.level else "—"


def clean_cnae(text: str) -> str:
    """The digits of a typed CNAE ("5620-1/04" → "5620104")."""
    return "".join(ch for ch in text if ch.isascii() and ch.isdigit())


def cnae_error(text: str) -> str | None:
    """Why `text` is not a CNAE subclass code (7 digits, punctuation allowed), or None."""
    digits = clean_cnae(text)
    if not digits:
        return "Informe o código CNAE."
    if len(digits) != 7 or len(digits) != len([ch for ch in text if ch.isalnum()]):
        return "O CNAE deve ter 7 dígitos (ex.: 5620-1/04)."
    return None


def format_cnae(cnae: str) -> str:
    """`5620104` → `5620-1/04`; anything that is not 7 digits is returned unchanged."""
    if len(cnae) != 7 or not cnae.isdigit():
        return cnae
    return f"{cnae[:4]}-{cnae[4]}/{cnae[5:]}"


def _shorten(text: str, size: int = _QUESTION_SHOWN) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _numbers(pending: Sequence[int]) -> str:
    """[1] → "1"; [1, 2, 3] → "1, 2 e 3"."""
    texts = [str(n) for n in pending]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " e " + texts[-1]


def answer_of(answers: Mapping[str, bool], position: int) -> bool | None:
    """The answer to question `position` (1-based), None when unanswered."""
    value = answers.get(str(position))
    return value if isinstance(value, bool) else None


def activity_risk(info: CnaeInfo, answers: Mapping[str, bool]) -> ActivityRisk:
    """The level of one activity and the sentence that explains it."""
    head = f"CNAE {info.label}"
    if info.overridden:
        level = RiskLevel(info.rule.value)
        why = f": {info.override_reason}" if info.override_reason else ""
        return ActivityRisk(info.cnae, level, f"{head}: Regra municipal → risco {level}{why}")
    if info.rule is not RiskRule.DEPENDS:
        level = RiskLevel(info.rule.value)
        return ActivityRisk(info.cnae, level, f"{head}: risco {level} pela tabela de risco vigente")
    return _depends_risk(head, info, answers)


def _depends_risk(head: str, info: CnaeInfo, answers: Mapping[str, bool]) -> ActivityRisk:
    """IN 66/2020: any yes → III; all no → II; unanswered → III until answered (safe side)."""
    if not info.questions:
        reason = (
            f"{head}: depende de informação, mas a tabela não traz as perguntas → tratado como "
            "risco III até a tabela ser corrigida"
        )
        return ActivityRisk(info.cnae, RiskLevel.HIGH, reason, pending=(0,))
    positions = range(1, len(info.questions) + 1)
    for position, question in zip(positions, info.questions, strict=True):
        if answer_of(answers, position) is True:
            reason = f"{head}: respondeu SIM a '{_shorten(question)}' → risco III ({ANNEX_IV})"
            return ActivityRisk(info.cnae, RiskLevel.HIGH, reason)
    pending = tuple(p for p in positions if answer_of(answers, p) is None)
    if pending:
        which = "pergunta" if len(pending) == 1 else "perguntas"
        verb = "sem resposta" if len(pending) == 1 else "sem respostas"
        reason = (
            f"{head}: {which} {_numbers(pending)} {verb} → tratado como risco III até "
            f"responder ({ANNEX_IV})"
        )
        return ActivityRisk(info.cnae, RiskLevel.HIGH, reason, pending=pending)
    count = len(info.questions)
    every = "à pergunta" if count == 1 else f"às {count} perguntas"
    reason = f"{head}: respondeu NÃO {every} → risco II ({ANNEX_IV})"
    return ActivityRisk(info.cnae, RiskLevel.MEDIUM, reason)


def establishment_risk(
    activities: Sequence[tuple[CnaeInfo, Mapping[str, bool]]],
) -> RiskResult:
    """The highest level among the activities (the first one given wins a tie: list the main
    CNAE first), with the deciding activity's reason."""
    if not activities:
        return RiskResult(None, "Nenhuma atividade (CNAE) informada.")
    risks = tuple(activity_risk(info, answers) for info, answers in activities)
    deciding = max(risks, key=lambda risk: (risk.level.rank, -risks.index(risk)))
    reason = deciding.reason
    if len(risks) > 1:
        reason += f" — maior grau entre as {len(risks)} atividades"
    others = [risk for risk in risks if risk.pending and risk is not deciding]
    if others:
        labels = ", ".join(format_cnae(risk.cnae) for risk in others)
        reason += f". Perguntas sem resposta também em: CNAE {labels}"
    return RiskResult(deciding.level, _shorten(reason + ".", REASON_MAX), risks)
