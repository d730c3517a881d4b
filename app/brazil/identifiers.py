"""Brazilian document numbers: validation, form messages, display formats, masks and test data.

Covers CNS (Cartão Nacional de Saúde), CPF, CNPJ (numeric and the alphanumeric form of IN RFB
2.229/2024), CNES, CBO, IBGE municipality code, CEP and telephone numbers. Each identifier has an
`is_valid_*` predicate, a `*_error` function that returns the Portuguese message a form shows beside
the field (None when the value is acceptable or empty: the caller decides whether a field is
required), a `format_*` function for display and, for CPF, CNS and CNPJ, a generator of valid test
values driven by a seeded `random.Random`. The rules follow the official sources (e-SUS APS LEDI,
CADSUS PIX-PDQ specification, IN RFB 2.229/2024); where validate-docbr implements the official
routine exactly (CNS) we call it, elsewhere we compute the check digits here and say why.
"""

from __future__ import annotations

import random
import string

from validate_docbr import CNS as _DocbrCNS

# --- shared helpers -------------------------------------------------------------------------------

_DIGITS = "0123456789"
_CNPJ_CHARACTERS = frozenset(string.digits + string.ascii_uppercase)


def only_digits(value: str) -> str:
    """The ASCII digits of `value`, in order (the storage form of digit-only identifiers)."""
    return "".join(ch for ch in value if ch in _DIGITS)


def clean_cnpj(value: str) -> str:
    """CNPJ storage form: mask punctuation and spaces removed, ASCII letters upper-cased.

    Any other character is kept so that validation can refuse it instead of silently dropping it.
    """
    kept = (ch for ch in value if ch not in "./-" and not ch.isspace())
    return "".join(ch.upper() if ch.isascii() else ch for ch in kept)


def _compact(value: str, separators: str) -> str:
    """`value` without surrounding whitespace and without the separators a mask or paste adds."""
    return "".join(ch for ch in value.strip() if ch not in separators)


def _is_digits(text: str) -> bool:
    # str.isdigit alone would accept "²" and Arabic-Indic digits; identifiers are ASCII only.
    return text.isascii() and text.isdigit()


def _shape_error(text: str, label: str, length: int) -> str | None:
    """Message for a digit-only field whose characters or length are wrong, else None."""
    if not _is_digits(text):
        return f"{label} deve conter somente números."
    if len(text) != length:
        return f"{label} deve ter {length} dígitos."
    return None


def _is_repeated(text: str) -> bool:
    return len(set(text)) == 1


# --- CNS ------------------------------------------------------------------------------------------

# validate-docbr's CNS routine is the official LEDI "Validar CNS" algorithm (both routines, the
# "001" branch included). We only guard its input: its own filter uses \d and str.isdigit, which
# accept non-ASCII digits, and it does not accept dots.
_DOCBR_CNS = _DocbrCNS()
_CNS_SEPARATORS = " ."
_CNS_FIRST_DIGITS = "12789"


def cns_error(value: str) -> str | None:
    """Why `value` is not a valid CNS (15 digits, spaces and dots allowed), or None."""
    digits = _compact(value, _CNS_SEPARATORS)
    if not digits:
        return None
    shape = _shape_error(digits, "O CNS", 15)
    if shape:
        return shape
    if digits[0] not in _CNS_FIRST_DIGITS:
        return "CNS inválido: o número deve começar com 1, 2, 7, 8 ou 9."
    if not _DOCBR_CNS.validate(digits):
        return "CNS inválido: os dígitos verificadores não conferem."
    return None


def is_valid_cns(value: str) -> bool:
    """True when `value` is a CNS accepted by the official routine for its first digit."""
    return bool(_compact(value, _CNS_SEPARATORS)) and cns_error(value) is None


def _cns_from_pis(pis: str) -> str:
    """The CNS that routine 1 expects for an 11-digit PIS/NIS prefix (first digit 1 or 2)."""
    total = sum(int(d) * (15 - i) for i, d in enumerate(pis))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        total += 2
        return f"{pis}001{11 - total % 11}"
    return f"{pis}000{check}"


def _provisional_cns(rng: random.Random) -> str:
    """A 7/8/9 CNS: 13 random digits, then the last two chosen so the weighted sum is 0 mod 11."""
    head = rng.choice("789") + "".join(rng.choices(_DIGITS, k=12))
    missing = -sum(int(d) * (15 - i) for i, d in enumerate(head)) % 11
    # The last two weights are 2 and 1: find a, b in 0..9 with 2a + b ≡ missing (mod 11).
    for a in rng.sample(range(10), 10):
        b = (missing - 2 * a) % 11
        if b < 10:
            return f"{head}{a}{b}"
    raise AssertionError("unreachable: a = 0 or a = 1 always works")


def generate_cns(rng: random.Random, provisional: bool = False) -> str:
    """A valid CNS for test and demo data (first digit 1/2, or 7/8/9 when `provisional`)."""
    if provisional:
        return _provisional_cns(rng)
    return _cns_from_pis(rng.choice("12") + "".join(rng.choices(_DIGITS, k=10)))


def format_cns(value: str) -> str:
    """CNS as "### #### #### ####"; `value` unchanged unless it holds exactly 15 digits."""
    digits = _compact(value, _CNS_SEPARATORS)
    if len(digits) != 15 or not _is_digits(digits):
        return value
    return f"{digits[:3]} {digits[3:7]} {digits[7:11]} {digits[11:]}"


# --- CPF ------------------------------------------------------------------------------------------

# Written here rather than delegated: validate-docbr left-pads short input with zeros (so a
# 10-digit typo would pass), while CADSUS RN001 requires exactly 11 digits. The arithmetic is the
# Receita módulo-11 rule; the generators below need it anyway.
_CPF_SEPARATORS = ".- "


def _cpf_check_digit(body: str) -> str:
    """Receita CPF check digit over 9 (first DV) or 10 (second DV) digits; remainder 10 → 0."""
    top_weight = len(body) + 1
    total = sum(int(d) * (top_weight - i) for i, d in enumerate(body))
    return str(total * 10 % 11 % 10)


def _cpf_with_check_digits(body: str) -> str:
    first = body + _cpf_check_digit(body)
    return first + _cpf_check_digit(first)


def cpf_error(value: str) -> str | None:
    """Why `value` is not a valid CPF (exactly 11 digits, "." and "-" allowed), or None."""
    digits = _compact(value, _CPF_SEPARATORS)
    if not digits:
        return None
    shape = _shape_error(digits, "O CPF", 11)
    if shape:
        return shape
    if _is_repeated(digits):
        # CADSUS RN001: repeated digits are refused even though they pass the arithmetic.
        return "CPF inválido: todos os dígitos são iguais."
    if _cpf_with_check_digits(digits[:9]) != digits:
        return "CPF inválido: os dígitos verificadores não conferem."
    return None


def is_valid_cpf(value: str) -> bool:
    """True when `value` is an 11-digit CPF with correct check digits and not all digits equal."""
    return bool(_compact(value, _CPF_SEPARATORS)) and cpf_error(value) is None


def generate_cpf(rng: random.Random) -> str:
    """A valid CPF (11 digits, no mask) for test and demo data."""
    while True:
        cpf = _cpf_with_check_digits("".join(rng.choices(_DIGITS, k=9)))
        if not _is_repeated(cpf):
            return cpf


def format_cpf(value: str) -> str:
    """CPF as "000.000.000-00"; `value` unchanged unless it holds exactly 11 digits."""
    digits = _compact(value, _CPF_SEPARATORS)
    if len(digits) != 11 or not _is_digits(digits):
        return value
    return f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"


# --- CNPJ -----------------------------------------------------------------------------------------

# Written here rather than delegated: the seeded generators need the check-digit function anyway,
# and validate-docbr 2.0.1 filters input with \d, so non-ASCII digits ("١" counts as ord − 48 =
# 1584) can pass, while IN RFB 2.229/2024 allows only A–Z and 0–9. It also refuses surrounding
# spaces. Rule (art. 3º-B): módulo 11 with each character worth ord(c) − 48, so digits keep their
# value and A=17 … Z=42; the two check digits are always numeric. Tests compare both on A–Z/0–9.
_CNPJ_WEIGHTS = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)


def _cnpj_check_digit(body: str) -> str:
    """CNPJ check digit over 12 (first DV) or 13 (second DV) characters."""
    weights = _CNPJ_WEIGHTS[-len(body) :]
    total = sum((ord(ch) - 48) * w for ch, w in zip(body, weights, strict=True))
    remainder = total % 11
    return "0" if remainder < 2 else str(11 - remainder)


def _cnpj_with_check_digits(body: str) -> str:
    first = body + _cnpj_check_digit(body)
    return first + _cnpj_check_digit(first)


def _cnpj_shape_error(cnpj: str) -> str | None:
    """Message for a cleaned CNPJ with wrong characters or length, else None."""
    if not set(cnpj) <= _CNPJ_CHARACTERS:
        return "O CNPJ deve conter somente letras e números."
    if len(cnpj) != 14:
        return "O CNPJ deve ter 14 caracteres."
    if not _is_digits(cnpj[12:]):
        return "CNPJ inválido: os dois últimos caracteres devem ser números."
    return None


def cnpj_error(value: str) -> str | None:
    """Why `value` is not a valid CNPJ (numeric or alphanumeric, masked or not), or None."""
    cnpj = clean_cnpj(value)
    if not cnpj:
        return None
    shape = _cnpj_shape_error(cnpj)
    if shape:
        return shape
    if _is_repeated(cnpj):
        # 00000000000000 passes the arithmetic; no real CNPJ is a single repeated character.
        return "CNPJ inválido: todos os caracteres são iguais."
    if _cnpj_with_check_digits(cnpj[:12]) != cnpj:
        return "CNPJ inválido: os dígitos verificadores não conferem."
    return None


def is_valid_cnpj(value: str) -> bool:
    """True when `value` is a numeric or alphanumeric CNPJ with correct check digits."""
    return bool(clean_cnpj(value)) and cnpj_error(value) is None


def generate_cnpj(rng: random.Random, alphanumeric: bool = False) -> str:
    """A valid head-office CNPJ (order "0001") for test and demo data; letters when asked."""
    alphabet = string.digits + string.ascii_uppercase if alphanumeric else _DIGITS
    while True:
        cnpj = _cnpj_with_check_digits("".join(rng.choices(alphabet, k=8)) + "0001")
        if not _is_repeated(cnpj):
            return cnpj


def format_cnpj(value: str) -> str:
    """CNPJ as "XX.XXX.XXX/XXXX-99"; `value` unchanged unless it holds exactly 14 characters."""
    cnpj = clean_cnpj(value)
    if len(cnpj) != 14 or not set(cnpj) <= _CNPJ_CHARACTERS:
        return value
    return f"{cnpj[:2]}.{cnpj[2:5]}.{cnpj[5:8]}/{cnpj[8:12]}-{cnpj[12:]}"


# --- CNES and CBO (format only) -------------------------------------------------------------------

# CNES: no public check-digit algorithm exists (br-health §1.4); real validation is a lookup in the
# CNES base. CBO 2002: six digits, written "2251-42" in the official tables, no known check digit.


def cnes_error(value: str) -> str | None:
    """Why `value` is not a CNES code (exactly 7 digits, leading zeros kept), or None."""
    digits = _compact(value, "")
    return _shape_error(digits, "O CNES", 7) if digits else None


def is_valid_cnes(value: str) -> bool:
    """True when `value` has the CNES format (7 digits); existence needs the CNES base."""
    return bool(value.strip()) and cnes_error(value) is None


def cbo_error(value: str) -> str | None:
    """Why `value` is not a CBO 2002 code (6 digits, "2251-42" allowed), or None."""
    digits = _compact(value, "-.")
    return _shape_error(digits, "O código CBO", 6) if digits else None


def is_valid_cbo(value: str) -> bool:
    """True when `value` has the CBO 2002 format (6 digits); existence needs the CBO table."""
    return bool(_compact(value, "-.")) and cbo_error(value) is None


# --- IBGE municipality code -----------------------------------------------------------------------

# Real municipalities whose seventh digit does not follow the rule (brazilnum "SHIM", confirmed
# against the 5,570 codes of the bundled table: exactly these fail the arithmetic).
IBGE_CHECK_DIGIT_EXCEPTIONS = frozenset(
    {
        "2201919",  # Bom Princípio do Piauí/PI
        "2201988",  # Brejo do Piauí/PI
        "2202251",  # Canavieira/PI
        "2611533",  # Quixaba/PE
        "3117836",  # Cônego Marinho/MG
        "3152131",  # Ponto Chique/MG
        "4305871",  # Coronel Barros/RS
        "5203939",  # Buriti de Goiás/GO
        "5203962",  # Buritinópolis/GO
    }
)


def _ibge_check_digit(body: str) -> str:
    """Check digit of a 6-digit municipality code (SEFAZ NT2008.004): weights 1,2,1,2,1,2."""
    total = 0
    for index, digit in enumerate(body):
        product = int(digit) * (1 + index % 2)
        total += product if product < 10 else 1 + product % 10
    return str(-total % 10)


def ibge_error(value: str) -> str | None:
    """Why `value` is not a well-formed 7-digit IBGE municipality code, or None."""
    code = value.strip()
    if not code:
        return None
    shape = _shape_error(code, "O código IBGE", 7)
    if shape:
        return shape
    if code[0] == "0":
        return "Código IBGE inválido: nenhum código de município começa com 0."
    if code not in IBGE_CHECK_DIGIT_EXCEPTIONS and _ibge_check_digit(code[:6]) != code[6]:
        return "Código IBGE inválido: o dígito verificador não confere."
    return None


def is_valid_ibge_municipality(code: str) -> bool:
    """True when `code` is a 7-digit IBGE code with a correct check digit (or a known exception)."""
    return bool(code.strip()) and ibge_error(code) is None


# --- CEP ------------------------------------------------------------------------------------------

# CADSUS RN023: exactly 8 digits, no check digit. No zero-padding of short input: a 7-digit CEP is
# a typo far more often than a CEP whose leading zero was dropped.
_CEP_SEPARATORS = "-. "


def cep_error(value: str) -> str | None:
    """Why `value` is not a CEP (exactly 8 digits, "00000-000" allowed), or None."""
    digits = _compact(value, _CEP_SEPARATORS)
    return _shape_error(digits, "O CEP", 8) if digits else None


def is_valid_cep(value: str) -> bool:
    """True when `value` has exactly 8 digits (existence needs the Correios base)."""
    return bool(_compact(value, _CEP_SEPARATORS)) and cep_error(value) is None


def format_cep(value: str) -> str:
    """CEP as "00000-000"; `value` unchanged unless it holds exactly 8 digits."""
    digits = _compact(value, _CEP_SEPARATORS)
    if len(digits) != 8 or not _is_digits(digits):
        return value
    return f"{digits[:5]}-{digits[5:]}"


# --- telephone ------------------------------------------------------------------------------------

# Anatel numbering plan: the 67 area codes (DDD); mobile numbers have 9 digits starting with 9
# (nono dígito, nationwide since Nov 2016); fixed lines have 8 digits starting with 2 to 5.
_PHONE_SEPARATORS = "()-. "
_AREA_CODES = frozenset(
    "11 12 13 14 15 16 17 18 19 21 22 24 27 28 31 32 33 34 35 37 38 41 42 43 44 45 46 47 48 49 "
    "51 53 54 55 61 62 63 64 65 66 67 68 69 71 73 74 75 77 79 81 82 83 84 85 86 87 88 89 "
    "91 92 93 94 95 96 97 98 99".split()
)


def _subscriber_error(number: str) -> str | None:
    """Message for a subscriber number (after the DDD) of a wrong kind, else None."""
    if len(number) == 9:
        return None if number[0] == "9" else "Celular inválido: após o DDD, o número começa com 9."
    if number[0] in "2345":
        return None
    if number[0] in "6789":
        return "Celular sem o nono dígito: acrescente 9 após o DDD."
    return "Telefone fixo inválido: após o DDD, o número começa com 2, 3, 4 ou 5."


def phone_error(value: str) -> str | None:
    """Why `value` is not a Brazilian phone number with DDD (10 or 11 digits), or None."""
    digits = _compact(value, _PHONE_SEPARATORS)
    if not digits:
        return None
    if not _is_digits(digits):
        return "O telefone deve conter somente números."
    if len(digits) not in (10, 11):
        return "Informe o telefone com DDD: 10 ou 11 dígitos, sem 0 nem +55 na frente."
    if digits[:2] not in _AREA_CODES:
        return f"DDD inexistente: {digits[:2]}."
    return _subscriber_error(digits[2:])


def format_phone(value: str) -> str:
    """Phone as "(DD) 9XXXX-XXXX" (11 digits) or "(DD) XXXX-XXXX" (10); else `value` unchanged."""
    digits = _compact(value, _PHONE_SEPARATORS)
    if len(digits) not in (10, 11) or not _is_digits(digits):
        return value
    return f"({digits[:2]}) {digits[2:-4]}-{digits[-4:]}"


# --- input masks ----------------------------------------------------------------------------------

# Qt QLineEdit.inputMask strings (kept as plain text so app/ never imports Qt). "9" = required
# digit, "N" = required ASCII letter or digit, ">" = upper-case what follows, ";_" = blank shown as
# "_". A phone mask cannot serve 10 and 11 digits with the hyphen in the right place, so the widget
# switches to "phone_landline" when the first digit after the DDD is 2 to 5.
INPUT_MASKS: dict[str, str] = {
    "cpf": "999.999.999-99;_",
    "cns": "999 9999 9999 9999;_",
    "cnpj": ">NN.NNN.NNN/NNNN-99;_",
    "cep": "99999-999;_",
    "phone": "(99) 99999-9999;_",
    "phone_landline": "(99) 9999-9999;_",
    "cnes": "9999999;_",
    "cbo": "9999-99;_",
    "ibge": "9999999;_",
}
