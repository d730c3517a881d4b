"""The BPA-Magnético file read back field by field with a parser written here from br-health §4.1.

The positions below are typed again from the reference (not imported from app.care.bpa), so a wrong
entry in the writer's layout table shows up as a mismatch. The file is built from ~45 BPA-I lines
(three sheets) and a few BPA-C lines with valid CNS/CPF from a seeded generator; the tests also
cover the problem list shown to the clerk, the refusal to write, and atomic writing.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from pathlib import Path

import pytest

from app.brazil.identifiers import generate_cnpj, generate_cns, generate_cpf
from app.care import bpa
from app.care.bpa import (
    BpaConsolidatedLine,
    BpaHeader,
    BpaIndividualLine,
    BpaProblem,
    BpaValidationError,
    SheetBreak,
    bpa_file_name,
    check_lines,
    render,
    write_bpa,
)
from app.errors import ValidationError
from app.registry.enums import Race, Sex
from tests.unit.care.bpa_layout import parse_file

COMPETENCE = "202607"
CNES_A = "2077485"
CNES_B = "0019615"

NAMES = ["Ana Beatriz Souza", "Marcos Antônio Lima", "Fátima Gonçalves", "João Pedro Araújo"]


def make_header() -> BpaHeader:
    return BpaHeader(
        competence=COMPETENCE,
        origin_name="Secretaria Municipal de Saúde",
        origin_acronym="SMSAÚD",
        provider_cnpj_cpf=generate_cnpj(random.Random(7)),
        destination_name="Secretaria Municipal de Saúde de Itaú",
        destination_kind="M",
        system_version="SM 1.0",
    )


def make_individual(rng: random.Random, index: int, **changes: object) -> BpaIndividualLine:
    use_cpf = index % 5 == 4
    line = BpaIndividualLine(
        attendance_ref=f"atd-{index:03d}",
        cnes=CNES_A,
        competence=COMPETENCE,
        professional_cns=generate_cns(rng),
        cbo="225142",
        attendance_date=date(2026, 7, 1 + index % 28),
        procedure="0301010064" if index % 2 else "0301010072",
        citizen_cns="" if use_cpf else generate_cns(rng, provisional=index % 3 == 0),
        citizen_cpf=generate_cpf(rng) if use_cpf else "",
        sex=Sex.FEMALE if index % 2 else Sex.MALE,
        ibge="3550308" if index % 4 else "330455",
        icd10="J06.9" if index % 3 else "",
        age=index + 1,
        quantity=1 + index % 3,
        citizen_name="José Conceição" if index == 0 else NAMES[index % len(NAMES)],
        birth_date=date(2025 - index, 3, 15),
        race=Race.INDIGENOUS if index == 7 else Race.BROWN,
        ethnicity="0012" if index == 7 else "",
        cep="01310-100",
        street="Avenida Paulista, travessa muito comprida além do campo",
        number="1000",
        district="Bela Vista",
        phone="(11) 98765-4321",
        email="ana@example.org" if index % 2 else "",
        ine="0000123456" if index % 2 else "",
    )
    return dataclasses.replace(line, **changes)  # type: ignore[arg-type]


def make_consolidated() -> list[BpaConsolidatedLine]:
    base = BpaConsolidatedLine(
        cnes=CNES_A, competence=COMPETENCE, cbo="322205", procedure="0101010010", age=0, quantity=5
    )
    return [
        base,
        dataclasses.replace(base, procedure="0301100039", age=34, quantity=12),
        dataclasses.replace(base, cnes=CNES_B, quantity=7),
        dataclasses.replace(base, cbo="515105", quantity=120, origin="PNI"),
        dataclasses.replace(base, cnes=CNES_B, procedure="0214010015", age=130, quantity=1),
    ]


@pytest.fixture
def individual() -> list[BpaIndividualLine]:
    rng = random.Random(20260701)
    return [make_individual(rng, index) for index in range(45)]


def test_file_reads_back_field_by_field(
    tmp_path: Path, individual: list[BpaIndividualLine]
) -> None:
    consolidated = make_consolidated()
    path = tmp_path / bpa_file_name(COMPETENCE, "SMSAUD")
    summary = write_bpa(path, make_header(), consolidated, individual)

    records = parse_file(path.read_bytes())
    header, body = records[0], records[1:]
    assert [r["ident"] for r in body] == ["02"] * 5 + ["03"] * 45
    c_records, i_records = body[:5], body[5:]

    # BPA-C: sheets per CNES (default SheetBreak.UNIT), numbering restarts at 001 for each CNES.
    expected_c = [consolidated[i] for i in (2, 4, 0, 1, 3)]  # sorted by CNES, stable inside
    for record, line, (sheet, seq) in zip(
        c_records, expected_c, [(1, 1), (1, 2), (1, 1), (1, 2), (1, 3)], strict=True
    ):
        assert record == {
            "ident": "02",
            "cnes": line.cnes,
            "cmp": COMPETENCE,
            "cbo": line.cbo,
            "flh": f"{sheet:03d}",
            "seq": f"{seq:02d}",
            "pa": line.procedure,
            "idade": f"{line.age:03d}",
            "qt": f"{line.quantity:06d}",
            "org": line.origin,
        }

    for index, (record, i_line) in enumerate(zip(i_records, individual, strict=True)):
        assert_individual(record, i_line, sheet=index // 20 + 1, seq=index % 20 + 1)

    # Header: counts and the control field recomputed from the parsed lines.
    control = sum(int(r["pa"]) + int(r["qt"]) for r in body) % 1111 + 1111
    assert header == {
        "hdr": "01",
        "tag": "#BPA#",
        "mvm": COMPETENCE,
        "lin": "000050",
        "flh": "000005",  # BPA-C: one sheet per CNES (2); BPA-I: 20 + 20 + 5 (3)
        "control": str(control),
        "rsp": "SECRETARIA MUNICIPAL DE SAUDE".ljust(30),
        "sgl": "SMSAUD",
        "cgccpf": make_header().provider_cnpj_cpf,
        "dst": "SECRETARIA MUNICIPAL DE SAUDE DE ITAU".ljust(40),
        "dst_in": "M",
        "versao": "SM 1.0".ljust(10),
    }
    assert 1111 <= control <= 2221
    assert summary == bpa.BpaSummary(lines=50, sheets=5, control=control, path=path)
    assert [p.name for p in tmp_path.iterdir()] == ["PASMSAUD.JUL"]


def assert_individual(
    record: dict[str, str], line: BpaIndividualLine, sheet: int, seq: int
) -> None:
    ibge = "355030" if line.ibge == "3550308" else line.ibge
    name = "JOSE CONCEICAO" if line.citizen_name == "José Conceição" else None
    assert record["ident"] == "03"
    assert record["cnes"] == CNES_A and record["cmp"] == COMPETENCE
    assert record["cnsmed"] == line.professional_cns and record["cbo"] == "225142"
    assert record["dtaten"] == line.attendance_date.strftime("%Y%m%d")
    assert (record["flh"], record["seq"]) == (f"{sheet:03d}", f"{seq:02d}")
    assert record["pa"] == line.procedure
    # CNS or CPF: the other field stays blank (spaces, not zeros).
    assert record["cnspac"] == (line.citizen_cns or " " * 15)
    assert record["cpf"] == (line.citizen_cpf or " " * 11)
    assert record["sexo"] == line.sex.value
    assert record["ibge"] == ibge
    assert record["cid"] == ("J069" if line.icd10 else "    ")
    assert record["idade"] == f"{line.age:03d}" and record["qt"] == f"{line.quantity:06d}"
    assert record["caten"] == "01" and record["naut"] == " " * 13 and record["org"] == "BPA"
    if name:
        assert record["nmpac"] == name.ljust(30)
    assert record["nmpac"].rstrip().isupper() and record["nmpac"].isascii()
    assert record["dtnasc"] == line.birth_date.strftime("%Y%m%d")
    indigenous = line.race is Race.INDIGENOUS
    assert (record["raca"], record["etnia"]) == (("05", "0012") if indigenous else ("03", "    "))
    assert record["nac"] == "010"
    for blank in ("srv", "clf", "equipe_seq", "equipe_area", "cnpj", "lograd", "compl"):
        assert record[blank].strip() == "", blank
    assert record["cep"] == "01310100"
    assert record["end"] == "AVENIDA PAULISTA, TRAVESSA MUI"  # cut to the 30-character field
    assert record["num"] == "1000 " and record["bairro"] == "BELA VISTA".ljust(30)
    assert record["ddtel"] == "11987654321"
    assert record["email"] == (line.email.upper().ljust(40) if line.email else " " * 40)
    assert record["ine"] == (line.ine or " " * 10)
    assert record["situacao_rua"] == "N"


def test_problems_are_listed_and_nothing_is_written(
    tmp_path: Path, individual: list[BpaIndividualLine]
) -> None:
    rng = random.Random(99)
    lines = [
        *individual[:3],
        make_individual(rng, 50, citizen_cpf=generate_cpf(rng)),  # CNS and CPF
        make_individual(rng, 51, citizen_cns="192308788760109"),  # fails CNS routine 1
        make_individual(rng, 52, race=Race.INDIGENOUS, ethnicity=""),
    ]
    expected = [
        BpaProblem("atd-050", "citizen_cpf", "BPA-I exige CNS ou CPF do cidadão, não ambos."),
        BpaProblem("atd-051", "citizen_cns", "CNS do cidadão inválido."),
        BpaProblem("atd-052", "ethnicity", "Raça/cor indígena (05) exige a etnia."),
    ]
    assert check_lines(make_header(), [], lines) == expected

    with pytest.raises(BpaValidationError) as caught:
        write_bpa(tmp_path / "PASMSAUD.JUL", make_header(), [], lines)
    assert isinstance(caught.value, ValidationError)
    assert caught.value.problems == expected
    assert "3 problema(s)" in caught.value.message and "atd-051" in caught.value.message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"cnes": "207748"}, "cnes", "CNES inválido"),
        ({"cbo": "22514"}, "cbo", "CBO deve ter 6 dígitos"),
        ({"procedure": "030101007"}, "procedure", "10 dígitos"),
        ({"competence": "202606"}, "competence", "difere do cabeçalho"),
        ({"quantity": 0}, "quantity", "maior que zero"),
        ({"age": 131}, "age", "entre 0 e 130"),
        (
            {"attendance_date": date(2026, 8, 1)},
            "attendance_date",
            "fora do período aceito na competência 07/2026 (de 04/2026 a 07/2026)",
        ),
        ({"citizen_cns": "", "citizen_cpf": ""}, "citizen_cns", "exige o CNS ou o CPF"),
        ({"citizen_cns": "", "citizen_cpf": "22222222222"}, "citizen_cpf", "CPF do cidadão"),
        ({"professional_cns": "123"}, "professional_cns", "CNS do profissional"),
        ({"sex": Sex.UNKNOWN}, "sex", "masculino ou feminino"),
        ({"ibge": "3550307"}, "ibge", "IBGE"),
        ({"ethnicity": "0012"}, "ethnicity", "só se informa"),
        ({"citizen_name": "Søren Kierkegaard"}, "citizen_name", "não aceitos pelo BPA: Ø"),
        ({"email": "x" * 41 + "@example.org"}, "email", "máximo no BPA é 40"),
        ({"cep": "0131010"}, "cep", "8 dígitos"),
        ({"origin": "XYZ"}, "origin", "Origem"),
    ],
)
def test_each_rule_names_the_field(changes: dict[str, object], field: str, message: str) -> None:
    line = make_individual(random.Random(3), 1, **changes)
    problems = check_lines(make_header(), [], [line])
    assert [(p.attendance_ref, p.field) for p in problems] == [("atd-001", field)]
    assert message in problems[0].message


@pytest.mark.parametrize(
    ("day", "late_months", "accepted"),
    [
        (date(2026, 5, 20), 3, True),  # two competences late: presented in 07/2026
        (date(2026, 4, 1), 3, True),  # first day of the oldest month accepted
        (date(2026, 3, 31), 3, False),  # four months late
        (date(2026, 7, 31), 3, True),
        (date(2026, 8, 1), 3, False),  # never after the competence
        (date(2026, 6, 30), 0, False),  # late_months=0: only the competence's own month
        (date(2025, 12, 15), 7, True),  # across the year
    ],
)
def test_late_attendances_are_accepted_up_to_late_months_before(
    day: date, late_months: int, accepted: bool
) -> None:
    line = make_individual(random.Random(3), 1, attendance_date=day, birth_date=date(1990, 1, 1))
    problems = check_lines(make_header(), [], [line], late_months=late_months)
    assert (problems == []) is accepted, problems
    if not accepted:
        first = {3: "04/2026", 0: "07/2026", 7: "12/2025"}[late_months]
        assert [(p.field, p.message) for p in problems] == [
            (
                "attendance_date",
                "Data do atendimento fora do período aceito na competência 07/2026 "
                f"(de {first} a 07/2026).",
            )
        ]


def test_write_bpa_takes_late_months(tmp_path: Path) -> None:
    line = make_individual(random.Random(3), 1, attendance_date=date(2026, 5, 2))
    with pytest.raises(BpaValidationError):
        write_bpa(tmp_path / "PA.JUL", make_header(), [], [line], late_months=1)
    assert list(tmp_path.iterdir()) == []
    write_bpa(tmp_path / "PA.JUL", make_header(), [], [line])
    assert parse_file((tmp_path / "PA.JUL").read_bytes())[1]["dtaten"] == "20260502"


def test_header_and_consolidated_problems() -> None:
    header = dataclasses.replace(
        make_header(), competence="202613", destination_kind="X", provider_cnpj_cpf="123"
    )
    line = dataclasses.replace(make_consolidated()[0], quantity=-1, age=200)
    problems = check_lines(header, [line], [])
    assert {(p.attendance_ref, p.field) for p in problems} == {
        ("", "competence"),
        ("", "destination_kind"),
        ("", "provider_cnpj_cpf"),
        ("BPA-C nº 1", "competence"),
        ("BPA-C nº 1", "quantity"),
        ("BPA-C nº 1", "age"),
    }


def test_failed_write_leaves_neither_file_nor_temporary(
    tmp_path: Path, individual: list[BpaIndividualLine], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disco cheio")

    monkeypatch.setattr("app.atomicfile.os.replace", broken_replace)
    with pytest.raises(OSError, match="disco cheio"):
        write_bpa(tmp_path / "PASMSAUD.JUL", make_header(), make_consolidated(), individual)
    assert list(tmp_path.iterdir()) == []


def test_rewrite_replaces_the_previous_file(
    tmp_path: Path, individual: list[BpaIndividualLine]
) -> None:
    path = tmp_path / "PASMSAUD.JUL"
    write_bpa(path, make_header(), make_consolidated(), individual)
    write_bpa(path, make_header(), [], individual[:2])
    assert len(parse_file(path.read_bytes())) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["PASMSAUD.JUL"]


def test_professional_sheet_break_is_opt_in(tmp_path: Path) -> None:
    rng = random.Random(5)
    first, second = generate_cns(rng), generate_cns(rng)
    lines = [make_individual(rng, i, professional_cns=(first, second)[i % 2]) for i in range(6)]

    def sheets(mode: SheetBreak) -> list[tuple[str, str, str]]:
        path = tmp_path / f"{mode}.txt"
        write_bpa(path, make_header(), [], lines, sheet_break=mode)
        return [(r["cnsmed"], r["flh"], r["seq"]) for r in parse_file(path.read_bytes())[1:]]

    assert [(flh, seq) for _cns, flh, seq in sheets(SheetBreak.UNIT)] == [
        ("001", f"{n:02d}") for n in range(1, 7)
    ]
    low, high = sorted((first, second))  # lines are grouped by CNES, professional CNS, CBO
    assert sheets(SheetBreak.PROFESSIONAL) == [
        *[(low, "001", f"{n:02d}") for n in range(1, 4)],
        *[(high, "002", f"{n:02d}") for n in range(1, 4)],
    ]


def test_render_refuses_what_does_not_fit() -> None:
    values = {
        "prd-ident": "02", "prd-cnes": CNES_A, "prd-cmp": COMPETENCE, "prd_cbo": "322205",
        "prd-flh": "1", "prd-seq": "1", "prd-pa": "0101010010", "prd-idade": "5",
        "prd-qt": "1", "prd-org": "BPA",
    }  # fmt: skip
    assert render("02", values) == f"02{CNES_A}{COMPETENCE}322205001010101010010005000001BPA\r\n"
    with pytest.raises(bpa.BpaFieldError, match="prd-qt"):
        render("02", {**values, "prd-qt": "1234567"})
    with pytest.raises(bpa.BpaFieldError, match="prd-qt"):
        render("02", {**values, "prd-qt": "12a"})
    with pytest.raises(bpa.BpaFieldError, match="prd-org"):
        render("02", {**values, "prd-org": "€"})
    with pytest.raises(bpa.BpaFieldError, match="faltando"):
        render("02", {k: v for k, v in values.items() if k != "prd-org"})


def test_file_name_convention_is_a_parameter() -> None:
    assert bpa_file_name("202607", "smsaúd") == "PASMSAUD.JUL"
    assert bpa_file_name("202612", "2077485") == "PA2077485.DEZ"
    assert bpa_file_name("202601", "SMS", template="BPA_{ident}_{competence}.txt") == (
        "BPA_SMS_202601.txt"
    )
    with pytest.raises(ValueError, match="Competência"):
        bpa_file_name("202613", "SMS")


def test_continuous_sheets_ignore_the_unit() -> None:
    placed = bpa.place_lines(make_consolidated(), SheetBreak.CONTINUOUS)
    assert [(p.line.cnes, p.sheet, p.seq) for p in placed] == [
        (line.cnes, 1, n) for n, line in enumerate(make_consolidated(), start=1)
    ]


def test_too_many_sheets_is_a_problem(
    individual: list[BpaIndividualLine], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bpa, "MAX_SHEET", 2)  # 45 lines need 3 sheets
    problems = check_lines(make_header(), [], individual)
    assert [(p.field, p.message) for p in problems] == [
        (
            "cnes",
            f"BPA-I: mais de 2 folhas no CNES {CNES_A}; divida a produção em mais de um arquivo.",
        )
    ]
