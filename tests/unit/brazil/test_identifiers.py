"""Brazilian identifiers: the reference's worked examples, messages, formats and generators.

The CNS, CPF, CNPJ and IBGE examples come from official e-SUS XML samples, the CADSUS specification
and the Receita's alphanumeric CNPJ example (br-health.md §1); properties are checked with
hypothesis against generated values.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from validate_docbr import CNPJ as DocbrCNPJ
from validate_docbr import CNS as DocbrCNS
from validate_docbr import CPF as DocbrCPF

from app.brazil import identifiers as ids

seeds = st.integers(min_value=0, max_value=2**32 - 1)


# --- CNS ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cns",
    [
        "192308788760001",  # routine 1, plain "000" branch
        "279573698530018",  # routine 1, dv == 10 → "001" branch
        "295508550560000",  # routine 1, dv == 11 → 0
        "700609923387762",  # routine 2
        "999999999000000",  # routine 2: the e-SUS placeholder professional CNS
        "192 3087 8876 0001",  # as shown on the card
        "192.3087.8876.0001",
    ],
)
def test_cns_accepted(cns: str) -> None:
    assert ids.is_valid_cns(cns)
    assert ids.cns_error(cns) is None


@pytest.mark.parametrize(
    "cns",
    [
        "192308788760109",  # weighted sum is 0 mod 11, but routine 1 expects ...760001
        "767273769570019",  # from the official Vacinacao.esus.xml, yet its sum is 1 mod 11
        "898001160660004",
        "279573698530008",  # right PIS, but "000" where the dv == 10 branch demands "001"
    ],
)
def test_cns_with_wrong_check_digits_refused_with_message(cns: str) -> None:
    assert not ids.is_valid_cns(cns)
    assert ids.cns_error(cns) == "CNS inválido: os dígitos verificadores não conferem."


def test_cns_messages_tell_length_characters_and_first_digit_apart() -> None:
    assert ids.cns_error("1111111") == "O CNS deve ter 15 dígitos."
    assert ids.cns_error("1923087887600011") == "O CNS deve ter 15 dígitos."
    assert ids.cns_error("19230878876000A") == "O CNS deve conter somente números."
    assert ids.cns_error("592308788760001") == (
        "CNS inválido: o número deve começar com 1, 2, 7, 8 ou 9."
    )
    assert not ids.is_valid_cns("092308788760001")


@pytest.mark.parametrize("digit", "0123456789")
def test_cns_made_of_one_repeated_digit_refused(digit: str) -> None:
    assert not ids.is_valid_cns(digit * 15)


def test_cns_non_ascii_digits_refused() -> None:
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in "192308788760001")
    assert DocbrCNS().validate(arabic_indic)  # why we guard the library's input
    assert not ids.is_valid_cns(arabic_indic)
    assert ids.cns_error(arabic_indic) == "O CNS deve conter somente números."


def test_empty_cns_has_no_message_but_is_not_valid() -> None:
    assert ids.cns_error("") is None
    assert ids.cns_error("   ") is None
    assert not ids.is_valid_cns("")


@given(seeds, st.booleans())
def test_generated_cns_always_valid_for_us_and_for_validate_docbr(
    seed: int, provisional: bool
) -> None:
    cns = ids.generate_cns(random.Random(seed), provisional=provisional)
    assert ids.is_valid_cns(cns)
    assert DocbrCNS().validate(cns)
    assert cns[0] in ("789" if provisional else "12")


def test_generated_cns_follow_the_seed() -> None:
    first = [ids.generate_cns(random.Random(7)) for _ in range(3)]
    again = [ids.generate_cns(random.Random(7)) for _ in range(3)]
    assert first == again


def test_format_cns() -> None:
    assert ids.format_cns("192308788760001") == "192 3087 8876 0001"
    assert ids.format_cns("1923087887") == "1923087887"  # wrong length: left as typed


# --- CPF ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cpf", ["111.444.777-35", "11144477735", " 111 444 777 35 "])
def test_cpf_worked_example_accepted(cpf: str) -> None:
    assert ids.is_valid_cpf(cpf)
    assert ids.cpf_error(cpf) is None


@pytest.mark.parametrize("digit", "0123456789")
def test_cpf_with_all_digits_equal_refused(digit: str) -> None:
    # CADSUS RN001 names 22222222222 explicitly: it passes the arithmetic but is refused.
    assert not ids.is_valid_cpf(digit * 11)
    assert ids.cpf_error(digit * 11) == "CPF inválido: todos os dígitos são iguais."


def test_cpf_messages_tell_length_characters_and_check_digits_apart() -> None:
    assert ids.cpf_error("111.444.777-36") == "CPF inválido: os dígitos verificadores não conferem."
    assert ids.cpf_error("1114447773") == "O CPF deve ter 11 dígitos."
    assert ids.cpf_error("111444777355") == "O CPF deve ter 11 dígitos."
    assert ids.cpf_error("111.444.777-3X") == "O CPF deve conter somente números."
    assert ids.cpf_error("") is None


def test_short_cpf_not_zero_padded() -> None:
    # validate-docbr left-pads "9380826044" into a valid CPF; CADSUS wants exactly 11 digits.
    assert DocbrCPF().validate("9380826044")
    assert not ids.is_valid_cpf("9380826044")
    assert ids.is_valid_cpf("09380826044")


@given(seeds)
def test_generated_cpf_always_valid(seed: int) -> None:
    cpf = ids.generate_cpf(random.Random(seed))
    assert len(cpf) == 11
    assert ids.is_valid_cpf(cpf)
    assert DocbrCPF().validate(cpf)


@given(seeds, st.integers(min_value=0, max_value=10), st.integers(min_value=1, max_value=9))
def test_cpf_with_one_digit_changed_refused(seed: int, position: int, shift: int) -> None:
    cpf = ids.generate_cpf(random.Random(seed))
    # The Receita rule maps remainder 10 to check digit 0, so when the first check digit is 0 a
    # few changes to the first or sixth digit go unnoticed (see the test below); everywhere else any
    # single wrong digit is caught.
    assume(not (cpf[9] == "0" and position in (0, 5)))
    changed = cpf[:position] + str((int(cpf[position]) + shift) % 10) + cpf[position + 1 :]
    assert not ids.is_valid_cpf(changed)


def test_cpf_typo_the_official_rule_cannot_catch() -> None:
    # Both pass the Receita algorithm: the screen must show the citizen's name to confirm a CPF.
    assert ids.is_valid_cpf("43856611703")
    assert ids.is_valid_cpf("33856611703")


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_cpf_agrees_with_validate_docbr_on_eleven_digits(cpf: str) -> None:
    assert ids.is_valid_cpf(cpf) == DocbrCPF().validate(cpf)


def test_format_cpf() -> None:
    assert ids.format_cpf("11144477735") == "111.444.777-35"
    assert ids.format_cpf("111.444.777-35") == "111.444.777-35"
    assert ids.format_cpf("1114447773") == "1114447773"


# --- CNPJ -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cnpj",
    [
        "12.ABC.345/01DE-35",  # the Receita's alphanumeric example
        "12ABC34501DE35",
        "12.aBc.345/01dE-35",  # typed in lower case
        "XPB30AW3000184",
        "11.222.333/0001-81",  # numeric
    ],
)
def test_cnpj_accepted(cnpj: str) -> None:
    assert ids.is_valid_cnpj(cnpj)
    assert ids.cnpj_error(cnpj) is None


@pytest.mark.parametrize("cnpj", ["00000000000000", "11111111111111", "00.000.000/0000-00"])
def test_cnpj_all_equal_refused(cnpj: str) -> None:
    assert not ids.is_valid_cnpj(cnpj)
    assert ids.cnpj_error(cnpj) == "CNPJ inválido: todos os caracteres são iguais."


def test_cnpj_messages() -> None:
    assert ids.cnpj_error("12.ABC.345/01DE-36") == (
        "CNPJ inválido: os dígitos verificadores não conferem."
    )
    assert ids.cnpj_error("12.ABC.345/01DE-3") == "O CNPJ deve ter 14 caracteres."
    assert ids.cnpj_error("12ABC34501DE3A") == (
        "CNPJ inválido: os dois últimos caracteres devem ser números."
    )
    assert ids.cnpj_error(" 12.ABC.345/01DE-35 ") is None  # pasted with spaces around
    assert ids.cnpj_error(" ") is None


def test_cnpj_non_ascii_digit_refused_although_validate_docbr_takes_it() -> None:
    # IN RFB 2.229/2024 allows A–Z and 0–9 only; validate-docbr's \d filter lets "١" through.
    docbr = DocbrCNPJ()
    body = "\u06612ABC34501DE"  # starts with ARABIC-INDIC DIGIT ONE
    accepted = body + docbr._generate_first_digit(body)
    accepted += docbr._generate_second_digit(accepted)
    assert docbr.validate(accepted)
    assert not ids.is_valid_cnpj(accepted)
    assert ids.cnpj_error(accepted) == "O CNPJ deve conter somente letras e números."


def test_cnpj_accented_letter_refused() -> None:
    assert ids.cnpj_error("12ABC34501DÉ35") == "O CNPJ deve conter somente letras e números."


def test_clean_cnpj() -> None:
    assert ids.clean_cnpj(" 12.abc.345/01de-35 ") == "12ABC34501DE35"


@given(seeds, st.booleans())
def test_generated_cnpj_always_valid(seed: int, alphanumeric: bool) -> None:
    cnpj = ids.generate_cnpj(random.Random(seed), alphanumeric=alphanumeric)
    assert len(cnpj) == 14
    assert ids.is_valid_cnpj(cnpj)
    assert DocbrCNPJ().validate(cnpj)
    if not alphanumeric:
        assert cnpj.isdigit()


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=12, max_size=12))
def test_cnpj_check_digits_agree_with_validate_docbr(body: str) -> None:
    docbr = DocbrCNPJ()
    full = body + docbr._generate_first_digit(body)
    full += docbr._generate_second_digit(full)
    assert ids.is_valid_cnpj(full) == docbr.validate(full)
    assert ids.is_valid_cnpj(full) == (len(set(full)) > 1)


def test_format_cnpj() -> None:
    assert ids.format_cnpj("12abc34501de35") == "12.ABC.345/01DE-35"
    assert ids.format_cnpj("11222333000181") == "11.222.333/0001-81"
    assert ids.format_cnpj("1122233300018") == "1122233300018"


# --- CNES, CBO ------------------------------------------------------------------------------------


def test_cnes_keeps_leading_zero_and_checks_length_only() -> None:
    assert ids.is_valid_cnes("0019615")
    assert ids.is_valid_cnes("5444430")
    assert ids.cnes_error("19615") == "O CNES deve ter 7 dígitos."
    assert ids.cnes_error("001961A") == "O CNES deve conter somente números."
    assert ids.cnes_error("") is None
    assert not ids.is_valid_cnes("")


def test_cbo_format() -> None:
    assert ids.is_valid_cbo("515105")
    assert ids.is_valid_cbo("2251-42")
    assert ids.cbo_error("51510") == "O código CBO deve ter 6 dígitos."
    assert ids.cbo_error("5151O5") == "O código CBO deve conter somente números."


# --- IBGE -----------------------------------------------------------------------------------------


def test_ibge_worked_example() -> None:
    assert ids.is_valid_ibge_municipality("3550308")  # São Paulo
    assert not ids.is_valid_ibge_municipality("3550309")
    assert ids.ibge_error("3550309") == "Código IBGE inválido: o dígito verificador não confere."


@pytest.mark.parametrize(
    "code",
    ["2201919", "2201988", "2202251", "2611533", "3117836", "3152131", "4305871", "5203939",
     "5203962"],
)  # fmt: skip
def test_ibge_nine_real_exceptions_accepted(code: str) -> None:
    assert ids.is_valid_ibge_municipality(code)


def test_ibge_messages() -> None:
    assert ids.ibge_error("355030") == "O código IBGE deve ter 7 dígitos."
    assert ids.ibge_error("355030A") == "O código IBGE deve conter somente números."
    assert ids.ibge_error("0550308") == (
        "Código IBGE inválido: nenhum código de município começa com 0."
    )
    assert ids.ibge_error("") is None


# --- CEP ------------------------------------------------------------------------------------------


def test_cep() -> None:
    assert ids.is_valid_cep("88390-000")
    assert ids.is_valid_cep("99999999")
    assert not ids.is_valid_cep("8839000")  # no zero padding
    assert ids.cep_error("8839000") == "O CEP deve ter 8 dígitos."
    assert ids.cep_error("88390-00O") == "O CEP deve conter somente números."
    assert ids.format_cep("01310100") == "01310-100"
    assert ids.format_cep("1310100") == "1310100"


# --- telephone ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone", ["(11) 98765-4321", "11987654321", "(48) 3222-1234", "6132221234"]
)
def test_phone_accepted(phone: str) -> None:
    assert ids.phone_error(phone) is None


def test_phone_messages() -> None:
    length = "Informe o telefone com DDD: 10 ou 11 dígitos, sem 0 nem +55 na frente."
    assert ids.phone_error("98765-4321") == length
    assert ids.phone_error("+55 11 98765-4321") == "O telefone deve conter somente números."
    assert ids.phone_error("5511987654321") == length
    assert ids.phone_error("(20) 98765-4321") == "DDD inexistente: 20."
    assert ids.phone_error("(11) 88765-4321") == (
        "Celular inválido: após o DDD, o número começa com 9."
    )
    assert ids.phone_error("(11) 8765-4321") == (
        "Celular sem o nono dígito: acrescente 9 após o DDD."
    )
    assert ids.phone_error("(11) 1234-5678") == (
        "Telefone fixo inválido: após o DDD, o número começa com 2, 3, 4 ou 5."
    )
    assert ids.phone_error("") is None


def test_format_phone() -> None:
    assert ids.format_phone("11987654321") == "(11) 98765-4321"
    assert ids.format_phone("4832221234") == "(48) 3222-1234"
    assert ids.format_phone("987654321") == "987654321"


# --- masks ----------------------------------------------------------------------------------------


def test_input_masks_hold_as_many_slots_as_the_identifier_has_characters() -> None:
    slots = {"cpf": 11, "cns": 15, "cnpj": 14, "cep": 8, "phone": 11, "phone_landline": 10}
    for key, count in slots.items():
        mask = ids.INPUT_MASKS[key].split(";")[0]
        assert sum(ch in "9N" for ch in mask) == count, key
    assert ids.INPUT_MASKS["cnpj"].startswith(">")  # letters typed in lower case come out upper
