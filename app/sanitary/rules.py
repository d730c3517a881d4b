"""Pure rules of Vigilância Sanitária: deadlines, the next routine inspection, fines in words.

No database here: the callers pass the parameters (`app.sanitary.config.ConfigValues`) and the
municipal holidays. Deadlines are counted as Brazilian administrative law counts them: the day of
the notification is excluded; in calendar days a deadline ending on a weekend or holiday moves to
the next business day; in business days only business days count.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from app.brazil.calendar import (
    NO_MUNICIPAL,
    add_business_days,
    days_in_words,
    is_business_day,
)
from app.errors import ValidationError


@dataclass(frozen=True)
class Deadline:
    """A deadline as documents print it: `15 (quinze) dias`, ending on a date."""

    days: int
    business: bool
    ends_on: date

    @property
    def words(self) -> str:
        return days_in_words(self.days, business=self.business)

    def sentence(self) -> str:
        """`15 (quinze) dias, até 14/12/2026`."""
        return f"{self.words}, até {self.ends_on:%d/%m/%Y}"


def deadline(
    start: date,
    days: int,
    *,
    business: bool,
    municipal: Mapping[date, str] = NO_MUNICIPAL,
) -> Deadline:
    """The deadline of `days` (calendar or business days) counted from `start`."""
    if days < 1:
        raise ValidationError({"deadline_days": "O prazo deve ser de pelo menos um dia."})
    if business:
        return Deadline(days, True, add_business_days(start, days, municipal))
    end = start + timedelta(days=days)
    while not is_business_day(end, municipal):
        end += timedelta(days=1)
    return Deadline(days, False, end)


def check_future(ends_on: date, today: date, field: str = "deadline_on") -> None:
    """Refuse a deadline that has already passed."""
    if ends_on < today:
        raise ValidationError(
            {field: f"O prazo termina em {ends_on:%d/%m/%Y}, que já passou: confira a data."}
        )


def next_inspection(last: date | None, months: int, today: date) -> date:
    """When the next routine inspection is due: `months` after the last one, or today if none."""
    if last is None:
        return today
    return add_months(last, months)


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the month's end (31/01 + 1 month = 28/02)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def money(value: Decimal) -> str:
    """`R$ 75.000,00`."""
    text = f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"R$ {text}"


def fine_range_text(low: Decimal, high: Decimal) -> str:
    """`de R$ 2.000,00 a R$ 75.000,00`."""
    return f"de {money(low)} a {money(high)}"
