"""Verification codes: their printed shape, the check symbol, and what a clerk may type."""

from __future__ import annotations

import random
import re

from app.reports.codes import (
    ALPHABET,
    CHECK_ALPHABET,
    canonical,
    check_symbol,
    format_code,
    is_well_formed,
    new_code,
    normalize_code,
)

SHAPE = re.compile(
    r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z][0-9A-HJKMNP-TV-Z*~$=U]$"
)


def test_new_codes_are_grouped_without_ambiguous_letters_and_check_themselves() -> None:
    rng = random.Random(1)
    for _ in range(500):
        code = new_code(rng)
        assert SHAPE.match(code), code
        assert not set(code[:-1]) & set("ILOU")
        assert is_well_formed(code)


def test_a_seeded_generator_gives_the_same_code() -> None:
    assert new_code(random.Random(42)) == new_code(random.Random(42))


def test_default_generator_does_not_repeat() -> None:
    assert len({new_code() for _ in range(1000)}) == 1000


def test_any_single_mistyped_symbol_is_caught() -> None:
    code = normalize_code(new_code(random.Random(3)))
    for position in range(len(code)):
        alphabet = ALPHABET if position < 9 else CHECK_ALPHABET
        for symbol in alphabet:
            if symbol != code[position]:
                altered = code[:position] + symbol + code[position + 1 :]
                assert not is_well_formed(altered), altered


def test_swapping_two_neighbours_is_caught() -> None:
    rng = random.Random(5)
    for _ in range(200):
        code = normalize_code(new_code(rng))
        for i in range(8):
            if code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
                assert not is_well_formed(swapped), swapped


def test_what_a_clerk_types_is_accepted() -> None:
    code = new_code(random.Random(8))
    typed = f"  {code.lower().replace('-', ' ')} "
    assert normalize_code(typed) == code.replace("-", "")
    assert canonical(typed) == code


def test_look_alike_letters_read_as_digits() -> None:
    assert normalize_code("o1l-Io") == "01110"
    body = "0011ABCDE"
    code = format_code(body + check_symbol(body))
    typed = code.replace("0", "O", 1).replace("1", "l", 1)
    assert canonical(typed) == code


def test_wrong_length_or_foreign_symbols_are_not_well_formed() -> None:
    assert not is_well_formed("")
    assert not is_well_formed("7K3Q-M9XD")
    assert not is_well_formed("7K3Q-M9XD-2F9")
    assert not is_well_formed("7K3Q-M9XD-#F")
    assert canonical("nada") is None
