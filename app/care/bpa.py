"""BPA-Magnético export: the BPA-C (consolidated) and BPA-I (individual) file SIA takes each month.

Pure core: the caller hands in plain rows (`BpaHeader`, `BpaConsolidatedLine`, `BpaIndividualLine`)
and gets a fixed-width ASCII file exactly as br-health.md §4.1 transcribes DATASUS
`Layout_Exportacao_BPA.pdf` (header `01` 130 chars, BPA-C `02` 48, BPA-I `03` 350, each + CR+LF;
numeric fields zero-padded on the left, alphanumeric left-aligned and space-padded, upper case
without accents, empty = spaces). The layout is data (`LAYOUTS`), rendered by one generic `render`.
Every row is checked first (`check_lines`) and the problems are listed in Portuguese with the source
attendance, the field and the reason; `write_bpa` refuses to write while any problem exists and
writes atomically (temporary file in the same folder, fsync, `os.replace`). Two points the sources
do not settle are parameters, not silent choices: how BPA sheets (folhas) break (`SheetBreak`) and
the file name (`bpa_file_name`'s `template`); see their docstrings.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO, Literal

from app.atomicfile import atomic_writer
from app.brazil.identifiers import (
    is_valid_cnes,
    is_valid_cnpj,
    is_valid_cns,
    is_valid_cpf,
    is_valid_ibge_municipality,
    only_digits,
)
from app.care.attendance_rules import DEFAULT_LATE_MONTHS
from app.errors import ValidationError
from app.registry.enums import Race, Sex

# --- layout (br-health.md §4.1) -------------------------------------------------------------------

FieldKind = Literal["N", "A"]
LayoutField = tuple[str, int, int, FieldKind]  # (name, 1-based start, length, kind)
RecordType = Literal["01", "02", "03"]

HEADER_LAYOUT: tuple[LayoutField, ...] = (
    ("cbc-hdr", 1, 2, "N"),
    ("cbc-hdr-bpa", 3, 5, "A"),  # "#BPA#"; the PDF calls it "cbc-hdr" too
    ("cbc-mvm", 8, 6, "N"),
    ("cbc-lin", 14, 6, "N"),
    ("cbc-flh", 20, 6, "N"),
    ("cbc-smt-vrf", 26, 4, "N"),
    ("cbc-rsp", 30, 30, "A"),
    ("cbc-sgl", 60, 6, "A"),
    ("cbc-cgccpf", 66, 14, "N"),
    ("cbc-dst", 80, 40, "A"),
    ("cbc-dst-in", 120, 1, "A"),
    ("cbc_versao", 121, 10, "A"),
)

CONSOLIDATED_LAYOUT: tuple[LayoutField, ...] = (
    ("prd-ident", 1, 2, "N"),
    ("prd-cnes", 3, 7, "N"),
    ("prd-cmp", 10, 6, "N"),
    ("prd_cbo", 16, 6, "A"),
    ("prd-flh", 22, 3, "N"),
    ("prd-seq", 25, 2, "N"),
    ("prd-pa", 27, 10, "N"),
    ("prd-idade", 37, 3, "N"),
    ("prd-qt", 40, 6, "N"),
    ("prd-org", 46, 3, "A"),
)

INDIVIDUAL_LAYOUT: tuple[LayoutField, ...] = (
    ("prd-ident", 1, 2, "N"),
    ("prd-cnes", 3, 7, "N"),
    ("prd-cmp", 10, 6, "N"),
    ("prd_cnsmed", 16, 15, "N"),
    ("prd_cbo", 31, 6, "A"),
    ("prd_dtaten", 37, 8, "N"),
    ("prd-flh", 45, 3, "N"),
    ("prd-seq", 48, 2, "N"),
    ("prd-pa", 50, 10, "N"),
    ("prd-cnspac", 60, 15, "N"),
    ("prd-sexo", 75, 1, "A"),
    ("prd-ibge", 76, 6, "N"),
    ("prd-cid", 82, 4, "A"),
    ("prd-idade", 86, 3, "N"),
    ("prd-qt", 89, 6, "N"),
    ("prd-caten", 95, 2, "N"),
    ("prd-naut", 97, 13, "N"),
    ("prd-org", 110, 3, "A"),
    ("prd-nmpac", 113, 30, "A"),
    ("prd-dtnasc", 143, 8, "N"),
    ("prd-raca", 151, 2, "N"),
    ("prd-etnia", 153, 4, "N"),
    ("prd-nac", 157, 3, "N"),
    ("prd_srv", 160, 3, "N"),
    ("prd_clf", 163, 3, "N"),
    ("prd_equipe_Seq", 166, 8, "N"),
    ("prd_equipe_Area", 174, 4, "N"),
    ("prd_cnpj", 178, 14, "N"),
    ("prd_cep_pcnte", 192, 8, "N"),
    ("prd_lograd_pcnte", 200, 3, "N"),
    ("prd_end_pcnte", 203, 30, "A"),
    ("prd_compl_pcnte", 233, 10, "A"),
    ("prd_num_pcnte", 243, 5, "A"),
    ("prd_bairro_pcnte", 248, 30, "A"),
    ("prd_ddtel_pcnte", 278, 11, "N"),
    ("prd_email_pcnte", 289, 40, "A"),
    ("prd_ine", 329, 10, "N"),
    ("prd_cpf_pcnte", 339, 11, "N"),
    ("prd_situacao_rua", 350, 1, "A"),
)

LAYOUTS: Mapping[RecordType, tuple[LayoutField, ...]] = {
    "01": HEADER_LAYOUT,
    "02": CONSOLIDATED_LAYOUT,
    "03": INDIVIDUAL_LAYOUT,
}
RECORD_LENGTHS: Mapping[RecordType, int] = {"01": 130, "02": 48, "03": 350}
LINE_END = "\r\n"
LINES_PER_SHEET = 20
MAX_SHEET = 999  # prd-flh has 3 digits
ORIGINS = frozenset({"BPA", "PNI", "SIE", "SIB", "MIN", "PAC", "SCL", "EXT"})
NATIONALITY_BRAZIL = "010"
"""Brazilian nationality in prd-nac: "010=brasileiro" [secondary: independent public BPA exporters
agree; the code table is not in §4.1]. It is a field of `BpaIndividualLine` so a caller can pass
another code for a foreign citizen."""


def _check_layout(record_type: RecordType) -> None:
    """Fields must be contiguous from position 1 and add up to the record length."""
    position = 1
    for name, start, length, _kind in LAYOUTS[record_type]:
        if start != position:
            raise AssertionError(f"layout {record_type}: {name} starts at {start}, not {position}")
        position += length
    if position - 1 != RECORD_LENGTHS[record_type]:
        raise AssertionError(f"layout {record_type}: {position - 1} characters")


for _record_type in LAYOUTS:
    _check_layout(_record_type)


class BpaFieldError(ValueError):
    """A value does not fit its layout field; `field` is the layout field name."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


def bpa_text(value: str) -> str:
    """Alphanumeric form: whitespace collapsed, accents stripped, upper case, printable ASCII only.

    "José Conceição" → "JOSE CONCEICAO". Raises ValueError naming the characters that remain
    outside printable ASCII after the accents are removed (e.g. "ø", "€", CJK).
    """
    text = " ".join(value.split())
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = text.upper()
    if not (text.isascii() and text.isprintable()):
        bad = "".join(sorted({ch for ch in text if not (ch.isascii() and ch.isprintable())}))
        raise ValueError(f"caracteres não aceitos pelo BPA: {bad}")
    return text


def _render_field(field: LayoutField, value: str) -> str:
    name, _start, length, kind = field
    if kind == "N":
        if value == "":
            return " " * length  # §4.1: a field without information is spaces
        if not (value.isascii() and value.isdigit()):
            raise BpaFieldError(name, f"campo numérico com valor não numérico: {value!r}")
        if len(value) > length:
            raise BpaFieldError(name, f"{len(value)} dígitos em campo de {length}")
        return value.rjust(length, "0")
    try:
        text = bpa_text(value)
    except ValueError as exc:
        raise BpaFieldError(name, str(exc)) from exc
    if len(text) > length:
        raise BpaFieldError(name, f"{len(text)} caracteres em campo de {length}")
    return text.ljust(length, " ")


def render(record_type: RecordType, values: Mapping[str, str]) -> str:
    """One record of `record_type` from `values` (layout field name → text), ending in CR+LF.

    Every layout field must be given (empty string = no information) and no other key; values
    are never truncated here: a value longer than its field raises BpaFieldError.
    """
    layout = LAYOUTS[record_type]
    names = {field[0] for field in layout}
    if set(values) != names:
        missing, extra = sorted(names - set(values)), sorted(set(values) - names)
        raise BpaFieldError(record_type, f"campos faltando {missing}, campos a mais {extra}")
    line = "".join(_render_field(field, values[field[0]]) for field in layout)
    if len(line) != RECORD_LENGTHS[record_type]:
        raise AssertionError(f"record {record_type} rendered with {len(line)} characters")
    return line + LINE_END


# --- input rows -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class BpaHeader:
    competence: str  # AAAAMM
    origin_name: str  # cbc-rsp, up to 30
    origin_acronym: str  # cbc-sgl, up to 6
    provider_cnpj_cpf: str  # CNPJ (14) or CPF (11, zero-padded to 14 in the file)
    destination_name: str  # cbc-dst, up to 40
    destination_kind: str  # "M" municipal / "E" estadual
    system_version: str  # cbc_versao, free, up to 10


@dataclass(frozen=True, slots=True, kw_only=True)
class BpaConsolidatedLine:
    cnes: str
    competence: str
    cbo: str
    procedure: str  # SIGTAP, 10 digits with check digit
    age: int
    quantity: int
    origin: str = "BPA"
    attendance_ref: str = ""  # only for problem reports; "BPA-C nº n" when empty


@dataclass(frozen=True, slots=True, kw_only=True)
class BpaIndividualLine:
    attendance_ref: str  # opaque id of the source attendance, only for problem reports
    cnes: str
    competence: str
    professional_cns: str
    cbo: str
    attendance_date: date
    procedure: str
    citizen_cns: str = ""  # CNS or CPF, never both (Layout_Exportacao_BPA, br-health §1.1)
    citizen_cpf: str = ""
    sex: Sex
    ibge: str  # municipality of residence, 6 or 7 digits; written as 6 (without check digit)
    icd10: str = ""  # "A09.0" or "A090"
    age: int
    quantity: int
    character: str = "01"  # caráter de atendimento, 01 eletivo
    authorization: str = ""
    origin: str = "BPA"
    citizen_name: str
    birth_date: date
    race: Race
    ethnicity: str = ""  # 4 digits, required when race is indigenous (05)
    nationality: str = NATIONALITY_BRAZIL
    service: str = ""
    classification: str = ""
    team_seq: str = ""
    team_area: str = ""
    cnpj_opm: str = ""
    cep: str = ""
    street_code: str = ""
    street: str = ""
    complement: str = ""
    number: str = ""
    district: str = ""
    phone: str = ""
    email: str = ""
    ine: str = ""
    situacao_rua: str = "N"


@dataclass(frozen=True, slots=True)
class BpaProblem:
    attendance_ref: str  # "" for the header
    field: str  # attribute name of the input row
    message: str  # Portuguese, for the clerk


@dataclass(frozen=True, slots=True)
class BpaSummary:
    lines: int  # BPA-C + BPA-I lines (cbc-lin)
    sheets: int  # cbc-flh
    control: int  # cbc-smt-vrf
    path: Path


class BpaValidationError(ValidationError):
    """write_bpa refused: `problems` holds the full list, the message a short summary."""

    def __init__(self, problems: Sequence[BpaProblem]) -> None:
        self.problems = list(problems)
        shown = "; ".join(f"{_where(p)} — {p.message}" for p in self.problems[:5])
        more = len(self.problems) - 5
        tail = f"; e mais {more} problema(s)" if more > 0 else ""
        text = f"O arquivo BPA não foi gravado: {len(self.problems)} problema(s). {shown}{tail}"
        super().__init__({"": text})


def _where(problem: BpaProblem) -> str:
    return problem.attendance_ref or "cabeçalho"


# --- sheets ---------------------------------------------------------------------------------------


class SheetBreak(StrEnum):
    """How lines are cut into sheets (folhas) of at most 20 lines (prd-flh, prd-seq 01–20).

    br-health §4.1 marks the BPA-I rule [UNVERIFIED]: one transcription numbers prd-seq 01–99 and
    breaks a folha every 20 lines; the other (and the Manual Operacional, "folhas individualizadas
    por CNES + CNS Profissional") also breaks a folha at each professional CNS + CBO. So:

    - `UNIT` (default): every 20 lines regardless of the professional; a sheet never mixes two
      establishments (a paper BPA sheet carries one CNES) and numbering restarts at 001 for each
      CNES and record type, which also keeps a municipality's file under the 999-sheet limit.
    - `PROFESSIONAL`: as UNIT, and a BPA-I sheet also ends when professional CNS or CBO changes
      (numbering continues within the CNES). BPA-C is cut as in UNIT.
    - `CONTINUOUS`: every 20 lines in input order, one numbering per record type for the file.
    """

    UNIT = "unit"
    PROFESSIONAL = "professional"
    CONTINUOUS = "continuous"


@dataclass(frozen=True, slots=True)
class _Placed:
    """A line with its sheet and sequence numbers."""

    line: BpaConsolidatedLine | BpaIndividualLine
    sheet: int
    seq: int


def _sheet_keys(
    line: BpaConsolidatedLine | BpaIndividualLine, mode: SheetBreak
) -> tuple[str, tuple[str, ...]]:
    """(numbering key, break key): numbering restarts when the first changes, a sheet ends when
    the second does."""
    if mode is SheetBreak.CONTINUOUS:
        return "", ()
    if mode is SheetBreak.PROFESSIONAL and isinstance(line, BpaIndividualLine):
        return line.cnes, (line.cnes, line.professional_cns, line.cbo)
    return line.cnes, (line.cnes,)


def place_lines(
    lines: Sequence[BpaConsolidatedLine] | Sequence[BpaIndividualLine], mode: SheetBreak
) -> list[_Placed]:
    """The lines of one record type in file order with their sheet and sequence numbers."""
    keyed = [(_sheet_keys(line, mode), line) for line in lines]
    if mode is not SheetBreak.CONTINUOUS:
        keyed.sort(key=lambda item: item[0][1])  # stable: input order kept inside a group
    placed: list[_Placed] = []
    sheet, seq, previous = 0, LINES_PER_SHEET, None
    for (numbering, breaking), line in keyed:
        if previous is None or numbering != previous[0]:
            sheet = 0
        if seq == LINES_PER_SHEET or previous is None or breaking != previous[1]:
            sheet, seq = sheet + 1, 0
        seq += 1
        previous = (numbering, breaking)
        placed.append(_Placed(line, sheet, seq))
    return placed


def _count_sheets(placed: Sequence[_Placed]) -> int:
    return sum(1 for item in placed if item.seq == 1)


def _sheet_problems(placed: Sequence[_Placed], kind: str) -> list[BpaProblem]:
    overflow = [item for item in placed if item.sheet > MAX_SHEET]
    if not overflow:
        return []
    message = (
        f"{kind}: mais de {MAX_SHEET} folhas no CNES {overflow[0].line.cnes}; "
        "divida a produção em mais de um arquivo."
    )
    return [BpaProblem(overflow[0].line.attendance_ref, "cnes", message)]


# --- control field --------------------------------------------------------------------------------


def control_field(lines: Iterable[BpaConsolidatedLine | BpaIndividualLine]) -> int:
    """cbc-smt-vrf: (Σ over every BPA-C and BPA-I line of procedure code + quantity) mod 1111,
    plus 1111 — domain 1111–2221.

    Source: br-health.md §4.1, "Control field: sum over all lines of (procedure code + quantity);
    take remainder mod 1111; add 1111", transcribing the final note ("OBS - Cálculo do campo de
    controle") of DATASUS Layout_Exportacao_BPA.pdf. The procedure code counts as the 10-digit
    number (with its check digit), the quantity as a number.
    """
    total = sum(int(line.procedure) + line.quantity for line in lines)
    return total % 1111 + 1111


# --- checks ---------------------------------------------------------------------------------------

_CID = re.compile(r"[A-Z][0-9]{2}[0-9A-Z]?")
_MASK_CHARACTERS = str.maketrans("", "", "()-./ ")

# (attribute, label, length, exact): optional digit-only fields of BPA-I; empty = not informed.
_OPTIONAL_DIGITS: tuple[tuple[str, str, int, bool], ...] = (
    ("authorization", "Número de autorização", 13, False),
    ("ethnicity", "Etnia", 4, True),
    ("service", "Código do serviço", 3, True),
    ("classification", "Código da classificação", 3, True),
    ("team_seq", "Sequencial da equipe", 8, False),
    ("team_area", "Área da equipe", 4, False),
    ("cep", "CEP", 8, True),
    ("street_code", "Código do logradouro", 3, False),
    ("phone", "Telefone", 11, False),
    ("ine", "INE", 10, True),
)

_MASKED = frozenset({"cep", "phone"})  # typed with masks: "01310-100", "(11) 98765-4321"

# (attribute, label, maximum length or 0 = cut to the field): free-text fields of BPA-I. Name and
# address parts are cut to the field size as BPA-Mag's own entry fields are; the others must fit.
_TEXT_FIELDS: tuple[tuple[str, str, int], ...] = (
    ("citizen_name", "Nome do cidadão", 0),
    ("street", "Endereço", 0),
    ("complement", "Complemento", 0),
    ("number", "Número do endereço", 5),
    ("district", "Bairro", 0),
    ("email", "E-mail", 40),
)


def _digits(value: str, length: int) -> bool:
    return len(value) == length and value.isascii() and value.isdigit()


def competence_month(competence: str) -> tuple[date, date] | None:
    """First and last day of an AAAAMM competence, or None when it is not a valid month."""
    if not _digits(competence, 6) or not 1 <= int(competence[4:]) <= 12:
        return None
    year, month = int(competence[:4]), int(competence[4:])
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def ibge6(code: str) -> str | None:
    """The 6-digit IBGE form (without check digit) of a 6- or 7-digit code, or None if invalid."""
    code = code.strip()
    if len(code) == 7 and is_valid_ibge_municipality(code):
        return code[:6]
    if _digits(code, 6) and code[0] in "12345":
        return code
    return None


def _cid(code: str) -> str:
    return code.strip().upper().replace(".", "")


def _mask_free(value: str) -> str:
    return value.translate(_MASK_CHARACTERS)


def _header_problems(header: BpaHeader) -> list[BpaProblem]:
    found: list[tuple[str, str]] = []
    if competence_month(header.competence) is None:
        found.append(("competence", "Competência inválida: use AAAAMM, mês de 01 a 12."))
    document = only_digits(header.provider_cnpj_cpf)
    if not document:
        found.append(("provider_cnpj_cpf", "Informe o CNPJ do órgão de origem (quem envia o BPA)."))
    elif not (is_valid_cnpj(document) if len(document) == 14 else is_valid_cpf(document)):
        found.append(("provider_cnpj_cpf", "CNPJ/CPF do órgão de origem inválido."))
    if header.destination_kind not in ("M", "E"):
        found.append(("destination_kind", "Destino deve ser M (municipal) ou E (estadual)."))
    texts = (
        ("origin_name", "Nome do órgão de origem", header.origin_name, 30),
        ("origin_acronym", "Sigla do órgão de origem", header.origin_acronym, 6),
        ("destination_name", "Nome do órgão de destino", header.destination_name, 40),
        ("system_version", "Versão do sistema", header.system_version, 10),
    )
    for attribute, label, value, size in texts:
        message = _text_problem(label, value, size, required=attribute != "system_version")
        if message:
            found.append((attribute, message))
    return [BpaProblem("", attribute, message) for attribute, message in found]


def _text_problem(label: str, value: str, size: int, required: bool = False) -> str | None:
    """Why `value` cannot go into an alphanumeric field of `size` (0 = any length), or None."""
    try:
        text = bpa_text(value)
    except ValueError as exc:
        return f"{label}: {exc}."
    if required and not text:
        return f"{label} é obrigatório."
    if size and len(text) > size:
        return f"{label} tem {len(text)} caracteres; o máximo no BPA é {size}."
    return None


def _common_problems(
    line: BpaConsolidatedLine | BpaIndividualLine, competence: str
) -> list[tuple[str, str]]:
    """Checks shared by BPA-C and BPA-I: CNES, competence, CBO, procedure, age, quantity, origin."""
    found: list[tuple[str, str]] = []
    if not is_valid_cnes(line.cnes) or not _digits(line.cnes, 7):
        found.append(("cnes", "CNES inválido: deve ter 7 dígitos."))
    if line.competence != competence:
        found.append(("competence", f"Competência {line.competence} difere do cabeçalho."))
    if not _digits(line.cbo, 6):
        found.append(("cbo", "CBO deve ter 6 dígitos."))
    if not _digits(line.procedure, 10):
        found.append(("procedure", "Procedimento SIGTAP deve ter 10 dígitos."))
    if not 0 <= line.age <= 130:
        found.append(("age", "Idade deve estar entre 0 e 130 anos."))
    if not 1 <= line.quantity <= 999_999:
        found.append(("quantity", "Quantidade deve ser maior que zero (até 999999)."))
    if line.origin not in ORIGINS:
        found.append(("origin", f"Origem {line.origin!r} inválida para o BPA."))
    return found


def _citizen_problems(line: BpaIndividualLine) -> list[tuple[str, str]]:
    """CNS or CPF of the citizen, never both (Layout_Exportacao_BPA, br-health §1.1)."""
    if line.citizen_cns and line.citizen_cpf:
        return [("citizen_cpf", "BPA-I exige CNS ou CPF do cidadão, não ambos.")]
    if not line.citizen_cns and not line.citizen_cpf:
        return [("citizen_cns", "BPA-I exige o CNS ou o CPF do cidadão.")]
    if line.citizen_cns and not is_valid_cns(line.citizen_cns):
        return [("citizen_cns", "CNS do cidadão inválido.")]
    if line.citizen_cpf and not is_valid_cpf(line.citizen_cpf):
        return [("citizen_cpf", "CPF do cidadão inválido.")]
    return []


def accepted_period(
    competence: str, late_months: int = DEFAULT_LATE_MONTHS
) -> tuple[date, date] | None:
    """First and last day an attendance presented in `competence` may have: late production
    (app.care.attendance_rules.presented_in) comes from up to `late_months` competences before,
    never from after the competence's last day. None when the competence is invalid."""
    month = competence_month(competence)
    if month is None:
        return None
    index = int(competence[:4]) * 12 + int(competence[4:]) - 1 - max(late_months, 0)
    return date(index // 12, index % 12 + 1, 1), month[1]


def _date_problems(
    line: BpaIndividualLine, competence: str, late_months: int
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    period = accepted_period(competence, late_months)
    if period and not period[0] <= line.attendance_date <= period[1]:
        first, last = (f"{day:%m/%Y}" for day in period)
        found.append((
            "attendance_date",
            f"Data do atendimento fora do período aceito na competência {last} "
            f"(de {first} a {last}).",
        ))  # fmt: skip
    if line.birth_date > line.attendance_date:
        found.append(("birth_date", "Data de nascimento posterior à data do atendimento."))
    return found


@functools.lru_cache(maxsize=4096)
def _valid_professional_cns(cns: str) -> bool:
    """A month repeats a few professionals' CNS on every line: check each one once."""
    return is_valid_cns(cns)


def _coded_problems(line: BpaIndividualLine) -> list[tuple[str, str]]:
    """Professional CNS, sex, municipality, CID, character, nationality, race and ethnicity."""
    found: list[tuple[str, str]] = []
    if not _valid_professional_cns(line.professional_cns):
        found.append(("professional_cns", "CNS do profissional inválido."))
    if line.sex.bpa_code not in ("M", "F"):
        found.append(("sex", "Sexo do cidadão deve ser masculino ou feminino no BPA-I."))
    if ibge6(line.ibge) is None:
        found.append(("ibge", "Código IBGE do município de residência inválido."))
    if line.icd10 and not _CID.fullmatch(_cid(line.icd10)):
        found.append(("icd10", "CID-10 inválido: use letra e 2 ou 3 dígitos (ex.: A09 ou J069)."))
    if not _digits(line.character, 2):
        found.append(("character", "Caráter de atendimento deve ter 2 dígitos (ex.: 01)."))
    if not _digits(line.nationality, 3):
        found.append(("nationality", "Nacionalidade deve ter 3 dígitos (010 = brasileira)."))
    if line.race is Race.INDIGENOUS and not line.ethnicity:
        found.append(("ethnicity", "Raça/cor indígena (05) exige a etnia."))
    if line.race is not Race.INDIGENOUS and line.ethnicity:
        found.append(("ethnicity", "Etnia só se informa para raça/cor indígena (05)."))
    if line.situacao_rua not in ("S", "N"):
        found.append(("situacao_rua", "Situação de rua deve ser S ou N."))
    if line.cnpj_opm and not (_digits(line.cnpj_opm, 14) and is_valid_cnpj(line.cnpj_opm)):
        found.append(("cnpj_opm", "CNPJ da empresa de OPM inválido (14 dígitos)."))
    return found


def _optional_digit_problems(line: BpaIndividualLine) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for attribute, label, length, exact in _OPTIONAL_DIGITS:
        value = getattr(line, attribute)
        value = _mask_free(value) if attribute in _MASKED else value
        if not value:
            continue
        if not (value.isascii() and value.isdigit()):
            found.append((attribute, f"{label} deve conter somente números."))
        elif exact and len(value) != length:
            found.append((attribute, f"{label} deve ter {length} dígitos."))
        elif len(value) > length:
            found.append((attribute, f"{label} deve ter até {length} dígitos."))
    return found


def _text_field_problems(line: BpaIndividualLine) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for attribute, label, size in _TEXT_FIELDS:
        required = attribute == "citizen_name"
        message = _text_problem(label, getattr(line, attribute), size, required)
        if message:
            found.append((attribute, message))
    return found


def _individual_problems(
    line: BpaIndividualLine, competence: str, late_months: int
) -> list[tuple[str, str]]:
    return [
        *_common_problems(line, competence),
        *_citizen_problems(line),
        *_date_problems(line, competence, late_months),
        *_coded_problems(line),
        *_optional_digit_problems(line),
        *_text_field_problems(line),
    ]


def check_lines(
    header: BpaHeader,
    consolidated: Sequence[BpaConsolidatedLine],
    individual: Sequence[BpaIndividualLine],
    sheet_break: SheetBreak = SheetBreak.UNIT,
    *,
    late_months: int = DEFAULT_LATE_MONTHS,
) -> list[BpaProblem]:
    """Every problem that would stop the file, in input order: header first, then BPA-C, BPA-I.

    BPA-C lines without an `attendance_ref` are named "BPA-C nº n" (1-based input position).
    A BPA-I date may fall up to `late_months` competences before the header's (late production,
    see `accepted_period`).
    """
    problems = _header_problems(header)
    for index, c_line in enumerate(consolidated, start=1):
        ref = c_line.attendance_ref or f"BPA-C nº {index}"
        problems += [BpaProblem(ref, f, m) for f, m in _common_problems(c_line, header.competence)]
    for i_line in individual:
        found = _individual_problems(i_line, header.competence, late_months)
        problems += [BpaProblem(i_line.attendance_ref, f, m) for f, m in found]
    if not consolidated and not individual:
        problems.append(BpaProblem("", "lines", "Nenhuma linha de produção para o arquivo BPA."))
    problems += _sheet_problems(place_lines(consolidated, sheet_break), "BPA-C")
    problems += _sheet_problems(place_lines(individual, sheet_break), "BPA-I")
    return problems


# --- records --------------------------------------------------------------------------------------


def _clip(value: str, size: int) -> str:
    return bpa_text(value)[:size].rstrip()


def _header_values(header: BpaHeader, lines: int, sheets: int, control: int) -> dict[str, str]:
    return {
        "cbc-hdr": "01",
        "cbc-hdr-bpa": "#BPA#",
        "cbc-mvm": header.competence,
        "cbc-lin": str(lines),
        "cbc-flh": str(sheets),
        "cbc-smt-vrf": str(control),
        "cbc-rsp": header.origin_name,
        "cbc-sgl": header.origin_acronym,
        "cbc-cgccpf": only_digits(header.provider_cnpj_cpf),
        "cbc-dst": header.destination_name,
        "cbc-dst-in": header.destination_kind,
        "cbc_versao": header.system_version,
    }


def _consolidated_values(line: BpaConsolidatedLine, sheet: int, seq: int) -> dict[str, str]:
    return {
        "prd-ident": "02",
        "prd-cnes": line.cnes,
        "prd-cmp": line.competence,
        "prd_cbo": line.cbo,
        "prd-flh": str(sheet),
        "prd-seq": str(seq),
        "prd-pa": line.procedure,
        "prd-idade": str(line.age),
        "prd-qt": str(line.quantity),
        "prd-org": line.origin,
    }


def _individual_values(line: BpaIndividualLine, sheet: int, seq: int) -> dict[str, str]:
    return {
        "prd-ident": "03",
        "prd-cnes": line.cnes,
        "prd-cmp": line.competence,
        "prd_cnsmed": only_digits(line.professional_cns),
        "prd_cbo": line.cbo,
        "prd_dtaten": line.attendance_date.strftime("%Y%m%d"),
        "prd-flh": str(sheet),
        "prd-seq": str(seq),
        "prd-pa": line.procedure,
        "prd-cnspac": only_digits(line.citizen_cns),
        "prd-sexo": line.sex.bpa_code,
        "prd-ibge": ibge6(line.ibge) or "",
        "prd-cid": _cid(line.icd10),
        "prd-idade": str(line.age),
        "prd-qt": str(line.quantity),
        "prd-caten": line.character,
        "prd-naut": line.authorization,
        "prd-org": line.origin,
        "prd-nmpac": _clip(line.citizen_name, 30),
        "prd-dtnasc": line.birth_date.strftime("%Y%m%d"),
        "prd-raca": line.race.bpa_code,
        "prd-etnia": line.ethnicity,
        "prd-nac": line.nationality,
        "prd_srv": line.service,
        "prd_clf": line.classification,
        "prd_equipe_Seq": line.team_seq,
        "prd_equipe_Area": line.team_area,
        "prd_cnpj": line.cnpj_opm,
        "prd_cep_pcnte": _mask_free(line.cep),
        "prd_lograd_pcnte": line.street_code,
        "prd_end_pcnte": _clip(line.street, 30),
        "prd_compl_pcnte": _clip(line.complement, 10),
        "prd_num_pcnte": line.number,
        "prd_bairro_pcnte": _clip(line.district, 30),
        "prd_ddtel_pcnte": _mask_free(line.phone),
        "prd_email_pcnte": line.email,
        "prd_ine": line.ine,
        "prd_cpf_pcnte": only_digits(line.citizen_cpf),
        "prd_situacao_rua": line.situacao_rua,
    }


def _records(
    header: BpaHeader, placed_c: Sequence[_Placed], placed_i: Sequence[_Placed]
) -> Iterator[str]:
    """Header, then BPA-C, then BPA-I records, each rendered with its CR+LF."""
    all_lines = [item.line for item in (*placed_c, *placed_i)]
    sheets = _count_sheets(placed_c) + _count_sheets(placed_i)
    values = _header_values(header, len(all_lines), sheets, control_field(all_lines))
    yield render("01", values)
    for item in placed_c:
        assert isinstance(item.line, BpaConsolidatedLine)
        yield render("02", _consolidated_values(item.line, item.sheet, item.seq))
    for item in placed_i:
        assert isinstance(item.line, BpaIndividualLine)
        yield render("03", _individual_values(item.line, item.sheet, item.seq))


# --- writing --------------------------------------------------------------------------------------


def write_bpa(
    path: Path | str,
    header: BpaHeader,
    consolidated: Sequence[BpaConsolidatedLine],
    individual: Sequence[BpaIndividualLine],
    sheet_break: SheetBreak = SheetBreak.UNIT,
    *,
    late_months: int = DEFAULT_LATE_MONTHS,
) -> BpaSummary:
    """Write the BPA file at `path` (ASCII, CR+LF) after checking every line.

    Raises BpaValidationError (an app.errors.ValidationError carrying `problems`) without
    touching the folder when check_lines finds anything.
    """
    problems = check_lines(header, consolidated, individual, sheet_break, late_months=late_months)
    if problems:
        raise BpaValidationError(problems)
    target = Path(path)
    placed_c = place_lines(consolidated, sheet_break)
    placed_i = place_lines(individual, sheet_break)

    def write(stream: BinaryIO) -> None:
        for record in _records(header, placed_c, placed_i):
            stream.write(record.encode("ascii"))

    with atomic_writer(target) as stream:
        write(stream)
    return BpaSummary(
        lines=len(placed_c) + len(placed_i),
        sheets=_count_sheets(placed_c) + _count_sheets(placed_i),
        control=control_field([*consolidated, *individual]),
        path=target,
    )


# --- file name ------------------------------------------------------------------------------------

MONTH_ABBREVIATIONS = ("JAN", "FEV", "MAR", "ABR", "MAI", "JUN", "JUL", "AGO", "SET", "OUT", "NOV",
                       "DEZ")  # fmt: skip
DEFAULT_FILE_NAME_TEMPLATE = "PA{ident}.{month}"


def bpa_file_name(
    competence: str, cnes_or_acronym: str, template: str = DEFAULT_FILE_NAME_TEMPLATE
) -> str:
    """File name for a competence, e.g. ("202607", "SMSXYZ") → "PASMSXYZ.JUL".

    The `PA` + identifier + `.` + Portuguese month abbreviation convention is [UNVERIFIED]
    (br-health §4.1: seen only in mock data and in a third party's note about a real BPA-Mag export
    named like `PA??????.MAR`), so it is only the default `template`; the placeholders are
    {ident} (identifier upper-cased, accents stripped, letters/digits/hyphen only), {month}
    (JAN…DEZ), {competence} (AAAAMM) and {year} (AAAA). Raises ValueError on a bad competence.
    """
    if competence_month(competence) is None:
        raise ValueError(f"Competência inválida: {competence!r} (use AAAAMM).")
    ident = re.sub(r"[^A-Z0-9-]", "", bpa_text(cnes_or_acronym))
    if not ident:
        raise ValueError("Informe o CNES ou a sigla para o nome do arquivo BPA.")
    month = MONTH_ABBREVIATIONS[int(competence[4:]) - 1]
    return template.format(ident=ident, month=month, competence=competence, year=competence[:4])
