"""The working calendar with real 2026 dates: national holidays, business days, deadlines in words.

Carnaval (16 and 17/02/2026) is a "ponto facultativo", not a national holiday, in the `holidays`
package: it is listed by `optional_days` and becomes a holiday only where the municipality says so.
"""

from __future__ import annotations

from datetime import date

import pytest

from app.brazil.calendar import (
    add_business_days,
    days_in_words,
    holiday_name,
    is_business_day,
    national_holidays,
    number_in_words,
    optional_days,
)


def test_national_holidays_of_2026_in_portuguese() -> None:
    found = national_holidays(2026)
    assert found[date(2026, 4, 21)] == "Tiradentes"
    assert found[date(2026, 4, 3)] == "Sexta-feira Santa"
    assert found[date(2026, 11, 20)] == "Dia Nacional de Zumbi e da Consciência Negra"
    assert date(2026, 12, 25) in found and date(2026, 1, 1) in found
    assert len(found) == 10


def test_carnaval_is_optional_not_national() -> None:
    assert date(2026, 2, 17) not in national_holidays(2026)
    assert optional_days(2026)[date(2026, 2, 17)] == "Carnaval"
    assert is_business_day(date(2026, 2, 17))  # Tuesday of Carnaval, national rules only
    municipal = {date(2026, 2, 16): "Carnaval", date(2026, 2, 17): "Carnaval"}
    assert not is_business_day(date(2026, 2, 17), municipal)
    assert holiday_name(date(2026, 2, 16), municipal) == "Carnaval"


def test_business_days_skip_weekends_and_holidays() -> None:
    assert not is_business_day(date(2026, 4, 21))  # Tiradentes, a Tuesday
    assert not is_business_day(date(2026, 4, 25))  # Saturday
    assert is_business_day(date(2026, 4, 22))
    # Friday 17/04 + 3 business days: Mon 20, (Tue 21 holiday), Wed 22, Thu 23.
    assert add_business_days(date(2026, 4, 17), 3) == date(2026, 4, 23)
    assert add_business_days(date(2026, 4, 23), -3) == date(2026, 4, 17)
    assert add_business_days(date(2026, 4, 21), 0) == date(2026, 4, 21)
    # A municipal holiday on Wed 22/04 moves the deadline one more day.
    assert add_business_days(date(2026, 4, 17), 3, {date(2026, 4, 22): "Aniversário"}) == date(
        2026, 4, 24
    )


@pytest.mark.parametrize(
    ("count", "words"),
    [
        (1, "1 (um) dia"),
        (15, "15 (quinze) dias"),
        (21, "21 (vinte e um) dias"),
        (30, "30 (trinta) dias"),
        (100, "100 (cem) dias"),
        (120, "120 (cento e vinte) dias"),
        (365, "365 (trezentos e sessenta e cinco) dias"),
    ],
)
def test_days_in_words(count: int, words: str) -> None:
    assert days_in_words(count) == words


def test_numbers_and_business_days_in_words() -> None:
    assert days_in_words(5, business=True) == "5 (cinco) dias úteis"
    assert days_in_words(1, business=True) == "1 (um) dia útil"
    assert number_in_words(1000) == "mil"
    assert number_in_words(1500) == "mil e quinhentos"
    assert number_in_words(2026) == "dois mil e vinte e seis"
    assert number_in_words(1310) == "mil trezentos e dez"
    with pytest.raises(ValueError):
        number_in_words(-1)
