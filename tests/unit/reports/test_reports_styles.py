"""Brazilian formatting of dates, instants, numbers and money on printouts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from app.reports.styles import (
    age_in_years,
    date_in_words,
    format_date,
    format_datetime_local,
    format_int,
    format_money,
    plural,
)

NOON_UTC = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_dates_are_day_month_year() -> None:
    assert format_date(date(2026, 3, 2)) == "02/03/2026"
    assert format_date(None) == ""


def test_instants_are_shown_in_the_municipality_time_zone() -> None:
    assert format_datetime_local(NOON_UTC, "America/Sao_Paulo") == "02/03/2026 09:00"
    assert format_datetime_local(NOON_UTC, "America/Manaus") == "02/03/2026 08:00"
    assert format_datetime_local(NOON_UTC, "America/Rio_Branco") == "02/03/2026 07:00"
    assert format_datetime_local(NOON_UTC, "America/Noronha") == "02/03/2026 10:00"


def test_an_instant_near_midnight_falls_on_the_local_day() -> None:
    late = datetime(2026, 3, 3, 2, 30, tzinfo=UTC)
    assert format_datetime_local(late, "America/Sao_Paulo") == "02/03/2026 23:30"


def test_unknown_zone_falls_back_to_brasilia_time() -> None:
    assert format_datetime_local(NOON_UTC, "Nowhere/Unknown") == "02/03/2026 09:00"


def test_dates_in_words() -> None:
    assert date_in_words(date(2026, 3, 2)) == "2 de março de 2026"
    assert date_in_words(date(2026, 12, 25)) == "25 de dezembro de 2026"
    assert date_in_words(date(2026, 1, 1)) == "1º de janeiro de 2026"


def test_numbers_and_money() -> None:
    assert format_int(1234) == "1.234"
    assert format_int(1234567) == "1.234.567"
    assert format_money(Decimal("1234.5")) == "R$ 1.234,50"
    assert format_money(Decimal("-0.125")) == "-R$ 0,13"
    assert format_money(Decimal("0")) == "R$ 0,00"
    assert plural(1, "cidadão", "cidadãos") == "1 cidadão"
    assert plural(1500, "cidadão", "cidadãos") == "1.500 cidadãos"


def test_age_counts_completed_years() -> None:
    birth = date(1985, 8, 15)
    assert age_in_years(birth, date(2026, 8, 14)) == 40
    assert age_in_years(birth, date(2026, 8, 15)) == 41
    assert age_in_years(date(2026, 1, 10), date(2026, 3, 2)) == 0
