"""Person names: search keys, tidying and the CADSUS/PEC rules (e-SUS LEDI "Validar nome")."""

from __future__ import annotations

import pytest

from app.brazil.names import name_error, normalize_key, tidy_name


def test_search_key_ignores_accents_case_apostrophes_and_hyphens() -> None:
    assert normalize_key("  João   D'Ávila ") == "JOAO D AVILA"
    assert normalize_key("JOÃO D’ÁVILA") == "JOAO D AVILA"
    assert normalize_key("Ana-Lúcia Gonçalves") == "ANA LUCIA GONCALVES"
    assert normalize_key("maria da conceição") == normalize_key("MARIA DA CONCEICAO")


def test_search_key_of_decomposed_input_matches_composed() -> None:
    decomposed = "Jose\u0301"
    assert normalize_key(decomposed) == normalize_key("José") == "JOSE"


def test_tidy_name_keeps_what_the_user_typed_but_the_spaces() -> None:
    assert tidy_name("  Maria   da\tPaz ") == "Maria da Paz"
    assert tidy_name("João D'Ávila") == "João D'Ávila"


@pytest.mark.parametrize(
    "name",
    [
        "Maria da Paz",
        "JOÃO D’ÁVILA",  # the example of the rule itself
        "João D'Ávila",
        "Conceição Gonçalves",
        "Antônio Müller Assunção",
        "Kátia Wyllie",
        "Li Wang",  # two terms, only one with two letters
        "A Silva",
        "  Maria da Paz  ",  # outer spaces are trimmed on save
    ],
)
def test_names_accepted(name: str) -> None:
    assert name_error(name) is None


def test_empty_name_left_to_the_caller() -> None:
    assert name_error("") is None
    assert name_error("   ") is None


def test_single_term_refused() -> None:
    assert name_error("Joaquim") == "Informe nome e sobrenome."


def test_double_space_refused() -> None:
    assert name_error("Maria  da Paz") == "O nome não pode ter espaços duplicados."


def test_first_two_terms_of_one_letter_refused() -> None:
    expected = "O primeiro e o segundo termos do nome não podem ter uma letra só cada um."
    assert name_error("A A da Silva") == expected
    assert name_error("a b") == expected


def test_only_two_terms_of_two_letters_refused() -> None:
    assert name_error("Li Wu") == "Nome com apenas dois termos de duas letras cada não é aceito."
    assert name_error("Li Wu Chen") is None


def test_short_name_refused() -> None:
    assert name_error("Jo") == "O nome deve ter pelo menos 3 caracteres."


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Maria-Clara Souza", "-"),
        ("José 2º Silva", "2"),
        ("Maria. Silva", "."),
        ("Àgata Silva", "À"),  # grave accent is not among the rule's accents
        ("José´ Silva", "´"),
    ],
)
def test_forbidden_characters_named_in_message(name: str, shown: str) -> None:
    message = name_error(name)
    assert message is not None
    assert message.startswith(f'Caractere não permitido no nome: "{shown}".')
