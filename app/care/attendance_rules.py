"""Pure rules of attendances and monthly production: competences (AAAAMM), the month an
attendance is presented in, ages, and the e-SUS codes the entry screen offers.

No database here. A competence is the production month "AAAAMM". An attendance belongs to the
competence of its day; when that month is already closed for the unit, it goes to the first open
month after it, as SIA does with late production. How many months late production may still be
presented is a federal rule we could not confirm in a primary source [UNVERIFIED], so it is the
`late_months` parameter (default `DEFAULT_LATE_MONTHS`), not a constant of law.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date

DEFAULT_LATE_MONTHS = 3
MAX_QUANTITY = 999
MAX_PROCEDURES = 20

# LEDI 7.2.1 dictionary codes offered on the screen. Codes 1 (UBS), tipo 2 and 4, condutas 1 and 9
# appear in the official examples beside the XSDs; the other labels come from the LEDI dictionary
# as we recall it and must be checked against the PEC before relying on them [UNVERIFIED].
# TipoDeAtendimento (Ficha de Atendimento Individual):
ATTENDANCE_TYPES: dict[int, str] = {
    1: "Consulta agendada programada / cuidado continuado",
    2: "Consulta agendada",
    4: "Escuta inicial / orientação",
    5: "Consulta no dia",
    6: "Atendimento de urgência",
}
# LocalDeAtendimento, the ones a municipal unit uses:
PLACES: dict[int, str] = {
    1: "UBS",
    2: "Unidade móvel",
    4: "Domicílio",
    5: "Escola / creche",
    7: "Polo (academia da saúde)",
}

# CondutaEncaminhamento, the outcomes a clerk copies from the paper form most often:
CONDUCTS: dict[int, str] = {
    1: "Retorno para consulta agendada",
    2: "Retorno para cuidado continuado / programado",
    9: "Alta do episódio",
}
DEFAULT_CONDUCT = 9


def competence_of(day: date) -> str:
    """The competence (AAAAMM) of a day: 2026-11-26 → "202611"."""
    return f"{day.year:04d}{day.month:02d}"


def next_competence(competence: str) -> str:
    """The month after an AAAAMM competence: "202612" → "202701"."""
    year, month = int(competence[:4]), int(competence[4:])
    return f"{year + month // 12:04d}{month % 12 + 1:02d}"


def months_between(first: str, last: str) -> int:
    """How many months `last` is after `first` (negative when before)."""
    return (int(last[:4]) - int(first[:4])) * 12 + int(last[4:]) - int(first[4:])


def competence_label(competence: str) -> str:
    """ "202603" → "03/2026"."""
    return f"{competence[4:]}/{competence[:4]}"


def is_competence(text: str) -> bool:
    """Whether `text` is a valid AAAAMM competence."""
    return len(text) == 6 and text.isascii() and text.isdigit() and 1 <= int(text[4:]) <= 12


def presented_in(day: date, closed: Container[str], latest: str) -> str | None:
    """The competence an attendance of `day` is presented in, or None when every month from its
    own up to `latest` (normally the current month) is closed."""
    competence = competence_of(day)
    while months_between(competence, latest) >= 0:
        if competence not in closed:
            return competence
        competence = next_competence(competence)
    return None


def lateness_error(
    day: date, competence: str, late_months: int = DEFAULT_LATE_MONTHS
) -> str | None:
    """Why an attendance of `day` can no longer be presented in `competence`, or None."""
    late = months_between(competence_of(day), competence)
    if late <= late_months:
        return None
    return (
        f"O atendimento de {day:%d/%m/%Y} só poderia ser apresentado até "
        f"{late_months} competência(s) depois da sua; a competência aberta agora é "
        f"{competence_label(competence)}."
    )


def age_on(birth: date, day: date) -> int:
    """Whole years of age on `day`."""
    years = day.year - birth.year
    return years - ((day.month, day.day) < (birth.month, birth.day))
