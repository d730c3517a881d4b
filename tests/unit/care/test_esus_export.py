"""e-SUS APS export: LEDI 7.2.1 XML fichas checked against the official XSDs with lxml."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from app.care.esus import (
    NS_FAI,
    NS_FP,
    EsusExam,
    EsusHeader,
    EsusInstallation,
    IndividualAttendance,
    ProcedureItem,
    ProceduresSheet,
    epoch_ms,
    individual_attendance_xml,
    procedures_xml,
    validate_esus_xml,
    write_esus_files,
)
from app.clock import FixedClock
from app.errors import ValidationError
from app.registry.enums import Sex

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "esus-examples"
CLOCK = FixedClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
ATTENDED = date(2026, 2, 20)

INSTALLATION = EsusInstallation(
    uuid=uuid.UUID("0190f3a1-7c2e-7b4d-9a55-3c1e2f4a5b6c"),
    cpf_or_cnpj="11.222.333/0001-81",
    name="Secretaria Municipal de Saúde",
    phone="(48) 3212-3456",
    email="sms@example.gov.br",
)
HEADER = EsusHeader(
    professional_cns="700609923387762",
    cbo="225142",
    cnes="0019615",
    ine="0000471828",
    ibge7="4205407",
    attendance_date=ATTENDED,
)
FAI_UUID = uuid.UUID("0190f3a1-7c2e-7b4d-9a55-000000000001")


def _attendance(**changes: object) -> IndividualAttendance:
    attendance = IndividualAttendance(
        uuid=FAI_UUID,
        header=HEADER,
        citizen_cns="279573698530018",
        birth_date=date(1985, 6, 15),
        sex=Sex.FEMALE,
        place=1,
        shift=1,
        attendance_type=2,
        conducts=(9,),
        cid10=("A90",),
        exams=(EsusExam(code="0202020380", requested=True, evaluated=False),),
    )
    return replace(attendance, **changes)  # type: ignore[arg-type]


def _item(n: int, **changes: object) -> ProcedureItem:
    item = ProcedureItem(
        citizen_cpf="11144477735" if n == 2 else None,
        citizen_cns="192308788760001" if n == 1 else None,
        birth_date=date(1970 + n, 1, 10),
        sex=Sex.MALE if n % 2 else Sex.FEMALE,
        place=1,
        procedures=("0301100039", "ABPG007")[: 1 + n % 2],
    )
    return replace(item, **changes)  # type: ignore[arg-type]


def _sheet(items: int = 3, ficha: int = 2) -> ProceduresSheet:
    return ProceduresSheet(
        uuid=uuid.UUID(int=ficha, version=4),
        header=HEADER,
        items=tuple(_item(n) for n in range(1, items + 1)),
    )


def _fai_xml(**changes: object) -> bytes:
    return individual_attendance_xml(INSTALLATION, _attendance(**changes), clock=CLOCK)


def _refusal(build: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        build()  # type: ignore[operator]
    return caught.value.errors


# --- the validator itself -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Atendimento_Individual.esus.xml", "Procedimentos.esus.xml"])
def test_official_examples_validate(name: str) -> None:
    assert validate_esus_xml((EXAMPLES / name).read_bytes()) == []


def test_validator_reports_what_the_official_vacinacao_example_gets_wrong() -> None:
    # Not every official example is schema-valid: Vacinacao carries an empty <dose> (xs:long).
    errors = validate_esus_xml((EXAMPLES / "Vacinacao.esus.xml").read_bytes())
    assert errors and "dose" in errors[0]


def test_a_broken_document_is_reported() -> None:
    root = etree.fromstring(_fai_xml())
    ficha = root.find(f"{{{NS_FAI}}}fichaAtendimentoIndividualMasterTransport")
    ficha.remove(ficha.find("uuidFicha"))
    errors = validate_esus_xml(etree.tostring(root))
    assert errors and "uuidFicha" in " ".join(errors)


def test_an_unknown_ficha_is_not_let_through_by_the_lax_wildcard() -> None:
    data = _fai_xml().replace(NS_FAI.encode(), b"http://example.org/not-a-ficha")
    assert any("ficha" in error for error in validate_esus_xml(data))


def test_malformed_xml_is_reported() -> None:
    assert validate_esus_xml(b"<ns3:dadoTransporte")[0].startswith("XML malformado")


# --- Ficha de Atendimento Individual --------------------------------------------------------------


def test_individual_attendance_validates_and_carries_the_header() -> None:
    data = _fai_xml()
    assert validate_esus_xml(data) == []
    root = etree.fromstring(data)
    name = f"0019615-{FAI_UUID}"
    ficha = root.find(f"{{{NS_FAI}}}fichaAtendimentoIndividualMasterTransport")
    assert root.findtext("uuidDadoSerializado") == name
    assert ficha.findtext("uuidFicha") == name
    assert root.findtext("tipoDadoSerializado") == "4"
    assert root.findtext("codIbge") == "4205407"
    assert root.findtext("cnesDadoSerializado") == "0019615"
    assert ficha.findtext("tpCdsOrigem") == "3"
    lotacao = ficha.find("headerTransport/lotacaoFormPrincipal")
    assert lotacao.findtext("profissionalCNS") == "700609923387762"
    assert lotacao.findtext("cboCodigo_2002") == "225142"
    assert lotacao.findtext("cnes") == "0019615"
    assert ficha.findtext("headerTransport/codigoIbgeMunicipio") == "4205407"
    millis = int(ficha.findtext("headerTransport/dataAtendimento"))
    local = datetime.fromtimestamp(millis / 1000, ZoneInfo("America/Sao_Paulo"))
    assert local.date() == ATTENDED and millis == epoch_ms(ATTENDED)
    assert root.find("versao").attrib == {"major": "7", "minor": "2", "revision": "1"}


def test_individual_attendance_carries_citizen_cid_and_exam() -> None:
    child = etree.fromstring(_fai_xml()).find(".//atendimentosIndividuais")
    assert child.findtext("cnsCidadao") == "279573698530018"
    assert child.find("cpfCidadao") is None
    assert child.findtext("sexo") == "1"
    assert child.findtext("problemasCondicoes/cid10") == "A90"
    assert child.findtext("exame/codigoExame") == "0202020380"
    assert child.findtext("exame/solicitadoAvaliado") == "S"
    assert int(child.findtext("dataNascimento")) == epoch_ms(date(1985, 6, 15))


def test_individual_attendance_with_cpf_ciap_and_times_validates() -> None:
    start = datetime(2026, 2, 20, 13, 0, tzinfo=UTC)
    masked = replace(HEADER, professional_cns="700 6099 2338 7762", cbo="2251-42", cnes=" 0019615")
    data = _fai_xml(
        header=masked,
        citizen_cns=None,
        citizen_cpf="111.444.777-35",
        cid10=("J06.9",),
        ciap=("R74",),
        exams=(),
        conducts=(1, 9),
        started_at=start,
        finished_at=start.replace(minute=20),
    )
    assert validate_esus_xml(data) == []
    root = etree.fromstring(data)
    assert root.findtext("uuidDadoSerializado") == f"0019615-{FAI_UUID}"
    assert root.findtext(".//profissionalCNS") == "700609923387762"
    assert root.findtext(".//cboCodigo_2002") == "225142"
    child = root.find(".//atendimentosIndividuais")
    assert child.findtext("cpfCidadao") == "11144477735"
    assert [
        p.findtext("cid10") or p.findtext("ciap") for p in child.iter("problemasCondicoes")
    ] == [
        "J069",
        "R74",
    ]


# --- Ficha de Procedimentos -----------------------------------------------------------------------


def test_procedures_sheet_with_three_items_validates() -> None:
    data = procedures_xml(INSTALLATION, _sheet(), clock=CLOCK)
    assert validate_esus_xml(data) == []
    root = etree.fromstring(data)
    ficha = root.find(f"{{{NS_FP}}}fichaProcedimentoMasterTransport")
    assert root.findtext("tipoDadoSerializado") == "7"
    assert ficha.findtext("tpCdsOrigem") == "3"
    assert ficha.findtext("headerTransport/profissionalCNS") == "700609923387762"
    items = ficha.findall("atendProcedimentos")
    assert len(items) == 3
    assert [p.text for p in items[1].iter("procedimentos")] == ["0301100039"]
    assert items[1].findtext("cpfCidadao") == "11144477735"


# --- input refused --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "key", "fragment"),
    [
        ({"citizen_cns": "192308788760109"}, "cns", "CNS"),
        ({"citizen_cns": None, "citizen_cpf": "11144477736"}, "cpf", "CPF"),
        ({"citizen_cpf": "11144477735"}, "cidadao", "não os dois"),
        ({"cid10": ("A9",)}, "cid10", "CID-10"),
        ({"cid10": (), "ciap": ()}, "problemas", "CID-10 ou CIAP"),
        ({"conducts": ()}, "condutas", "pelo menos uma"),
        ({"birth_date": date(2026, 2, 21)}, "nascimento", "posterior"),
    ],
)
def test_attendance_input_refused(changes: dict[str, object], key: str, fragment: str) -> None:
    errors = _refusal(lambda: _fai_xml(**changes))
    assert fragment in errors[key]


@pytest.mark.parametrize(
    ("changes", "key", "fragment"),
    [
        ({"professional_cns": "898001160660004"}, "cns_profissional", "CNS do profissional"),
        ({"cnes": "19615"}, "cnes", "7 dígitos"),
        ({"cbo": "22514"}, "cbo", "6 dígitos"),
        ({"ibge7": "4205408"}, "ibge", "IBGE"),
        ({"ine": "471828"}, "ine", "10 dígitos"),
        ({"attendance_date": date(2026, 3, 3)}, "data_atendimento", "posterior à data de hoje"),
    ],
)
def test_header_input_refused(changes: dict[str, object], key: str, fragment: str) -> None:
    header = replace(HEADER, **changes)  # type: ignore[arg-type]
    errors = _refusal(lambda: _fai_xml(header=header))
    assert fragment in errors[key]


def test_procedures_item_refused_with_its_position() -> None:
    sheet = replace(_sheet(), items=(_item(1), _item(2, procedures=("03011",))))
    errors = _refusal(lambda: procedures_xml(INSTALLATION, sheet, clock=CLOCK))
    assert "03011" in errors["item2.procedimentos"]


def test_installation_document_refused() -> None:
    inst = replace(INSTALLATION, cpf_or_cnpj="11.222.333/0001-82")
    errors = _refusal(lambda: individual_attendance_xml(inst, _attendance(), clock=CLOCK))
    assert "CPF/CNPJ da instalação" in errors["instalacao.cpf_cnpj"]


# --- writing --------------------------------------------------------------------------------------


def _batch(n: int) -> list[tuple[str, bytes]]:
    sheets = [_sheet(items=1, ficha=k) for k in range(1, n + 1)]
    return [(f"0019615-{s.uuid}", procedures_xml(INSTALLATION, s, clock=CLOCK)) for s in sheets]


def test_write_esus_files_writes_one_file_per_ficha(tmp_path: Path) -> None:
    batch = [*_batch(3), (f"0019615-{FAI_UUID}", _fai_xml())]
    written = write_esus_files(tmp_path / "lote", batch)
    assert sorted(p.name for p in (tmp_path / "lote").iterdir()) == sorted(
        f"{name}.esus.xml" for name, _ in batch
    )
    assert [p.read_bytes() for p in written] == [data for _, data in batch]
    assert all(validate_esus_xml(p.read_bytes()) == [] for p in written)


def test_write_esus_files_writes_nothing_when_one_ficha_is_invalid(tmp_path: Path) -> None:
    batch = _batch(3)
    name, data = batch[1]
    batch[1] = (
        name,
        data.replace(b"<tpCdsOrigem>3</tpCdsOrigem>", b"<tpCdsOrigem>x</tpCdsOrigem>"),
    )
    with pytest.raises(ValidationError) as caught:
        write_esus_files(tmp_path, batch)
    assert name in caught.value.message and "tpCdsOrigem" in caught.value.message
    assert "Nenhum arquivo foi gravado" in caught.value.message
    assert list(tmp_path.iterdir()) == []


def test_write_esus_files_refuses_a_name_that_does_not_match_the_ficha(tmp_path: Path) -> None:
    (_, data), (other, _) = _batch(2)
    with pytest.raises(ValidationError, match="outro uuidDadoSerializado"):
        write_esus_files(tmp_path, [(other, data)])
    assert list(tmp_path.iterdir()) == []
