"""The Brazilian working calendar: national holidays, business days and deadlines written out.

National holidays come from the `holidays` package (category "public", Brazilian Portuguese names):
in 2026 that is 1º/1, Sexta-feira Santa (3/4), 21/4, 1º/5, 7/9, 12/10, 2/11, 15/11, 20/11 and 25/12.
Carnaval (16–17/2/2026), Quarta-feira de Cinzas and Corpus Christi are *not* national holidays in
the package: they are "pontos facultativos" (its "optional" category, listed by `optional_days`),
so each municipality decides and registers them, with its own holidays (the anniversary of the
city, the patron saint), as municipal holidays — passed in to these pure functions as a mapping
of dates to names. Weekends are never business days.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays

NO_MUNICIPAL: Mapping[date, str] = MappingProxyType({})
_SATURDAY = 5

_UNITS = (
    "zero", "um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove", "dez",
    "onze", "doze", "treze", "quatorze", "quinze", "dezesseis", "dezessete", "dezoito",
    "dezenove",
)  # fmt: skip
_TENS = (
    "", "", "vinte", "trinta", "quarenta", "cinquenta", "sessenta", "setenta", "oitenta",
    "noventa",
)  # fmt: skip
_HUNDREDS = (
    "", "cento", "duzentos", "trezentos", "quatrocentos", "quinhentos", "seiscentos",
    "setecentos", "oitocentos", "novecentos",
)  # fmt: skip


@lru_cache(maxsize=64)
def _national(year: int) -> Mapping[date, str]:
    found = holidays.country_holidays("BR", years=year, language="pt_BR")
    return MappingProxyType(dict(sorted(found.items())))


def national_holidays(year: int) -> Mapping[date, str]:
    """The national holidays of `year`, date → Portuguese name, in date order."""
    return _national(year)


def optional_days(year: int) -> Mapping[date, str]:
    """The federal "pontos facultativos" of `year` (Carnaval, Cinzas, Corpus Christi, …)."""
    found = holidays.country_holidays("BR", years=year, language="pt_BR", categories=("optional",))
    return MappingProxyType(dict(sorted(found.items())))


def holiday_name(day: date, municipal: Mapping[date, str] = NO_MUNICIPAL) -> str | None:
    """The name of the national or municipal holiday on `day`, None on an ordinary day."""
    return _national(day.year).get(day) or municipal.get(day)


def is_business_day(day: date, municipal: Mapping[date, str] = NO_MUNICIPAL) -> bool:
    """Monday to Friday and neither a national nor a municipal holiday."""
    return day.weekday() < _SATURDAY and holiday_name(day, municipal) is None


def add_business_days(
    start: date, count: int, municipal: Mapping[date, str] = NO_MUNICIPAL
) -> date:
    """The date `count` business days after `start` (before it for a negative count).

    The start day itself is not counted, as deadlines are counted ("exclui-se o dia do começo");
    zero returns `start` unchanged.
    """
    step = timedelta(days=1 if count >= 0 else -1)
    day, left = start, abs(count)
    while left:
        day += step
        if is_business_day(day, municipal):
            left -= 1
    return day


def _below_thousand(number: int) -> str:
    if number < 20:
        return _UNITS[number]
    if number < 100:
        tens, unit = divmod(number, 10)
        return _TENS[tens] + (f" e {_UNITS[unit]}" if unit else "")
    if number == 100:
        return "cem"
    hundreds, rest = divmod(number, 100)
    return _HUNDREDS[hundreds] + (f" e {_below_thousand(rest)}" if rest else "")


def number_in_words(number: int) -> str:
    """A non-negative integer below one million written out in Portuguese (`21` → `vinte e um`)."""
    if not 0 <= number < 1_000_000:
        raise ValueError("number_in_words handles 0 to 999,999")
    thousands, rest = divmod(number, 1000)
    if not thousands:
        return _below_thousand(rest)
    head = "mil" if thousands == 1 else f"{_below_thousand(thousands)} mil"
    if not rest:
        return head
    # "mil e quinhentos", "mil e vinte", but "mil, trezentos e dez" is written "mil trezentos e dez"
    joiner = " e " if rest < 100 or rest % 100 == 0 else " "
    return head + joiner + _below_thousand(rest)


def days_in_words(count: int, *, business: bool = False) -> str:
    """`15 (quinze) dias`, `1 (um) dia`, `5 (cinco) dias úteis`: deadlines as documents write."""
    noun = "dia" if count == 1 else "dias"
    if business:
        noun += " útil" if count == 1 else " úteis"
    return f"{count} ({number_in_words(count)}) {noun}"
