"""The VISA listings printed and read back with pypdf: the filters written under the title, the
establishment register's formatted CNPJ and CNAE, the inspections' totals by outcome and by
inspector, every number of a series (a cancelled one as CANCELADO with its reason, a missing one
as SEM REGISTRO) and the processes with their overdue flag.

Real migrated SQLite with a municipality profile; the clock stands at 02/03/2026.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from app.db.session import Database
from app.errors import PermissionDenied, ValidationError
from app.reports.issue import verify
from app.sanitary.enums import (
    DocumentKind,
    EstablishmentStatus,
    HolderKind,
    InspectionOutcome,
    InspectionReason,
    InspectionStatus,
    ProcessStage,
    RiskLevel,
)
from app.sanitary.listing_documents import DocumentFilter, documents_report_pdf
from app.sanitary.listing_establishments import EstablishmentFilter, establishment_register_pdf
from app.sanitary.listing_inspections import InspectionFilter, inspections_report_pdf
from app.sanitary.listing_processes import ProcessFilter, processes_report_pdf
from app.sanitary.listings import report_choices
from app.sanitary.models import (
    Establishment,
    EstablishmentActivity,
    Inspection,
    SanitaryDocument,
    SanitaryInspector,
    SanitaryProcess,
)
from app.security.actor import Actor
from app.sync.models import LegalNumber
from tests.unit.reports.reports_support import add_district, add_municipality, pdf_pages

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
READER = Actor(
    uuid.UUID("01900000-0000-7000-8000-0000000000a1"), "coord.visa", "Coordenação da VISA",
    frozenset({"sanitary.read", "documents.verify"}),
)  # fmt: skip


def _text(pdf: bytes) -> str:
    return "\n".join(pdf_pages(pdf))


def _flat(pdf: bytes) -> str:
    """The text with line breaks (wrapped cells) turned into single spaces."""
    return " ".join(_text(pdf).split())


def _establishment(name: str, document: str, risk: RiskLevel, cnae: str, **extra: object):
    return (
        Establishment(
            holder_kind=HolderKind.CNPJ, document=document, legal_name=f"{name} Ltda",
            trade_name=name, name_key=name.upper(), risk=risk, street="Rua XV de Novembro",
            number="120", next_inspection_on=date(2026, 5, 4), team="Equipe Alimentos", **extra,
        ),
        cnae,
    )  # fmt: skip


@pytest.fixture
def office(db: Database) -> dict[str, uuid.UUID]:
    return build_office(db)


def build_office(db: Database) -> dict[str, uuid.UUID]:
    """The municipality, three establishments, two inspectors, inspections, papers, processes."""
    add_municipality(db)
    centro = add_district(db, "Centro")
    with db.unit_of_work() as s:
        places = [
            _establishment("Restaurante Alfa", "11222333000181", RiskLevel.HIGH, "5611201",
                           district_id=centro),
            _establishment("Drogaria Beta", "11444777000161", RiskLevel.HIGH, "4771701",
                           status=EstablishmentStatus.INTERDICTED),
            _establishment("Salão Gama", "22333444000190", RiskLevel.LOW, "9602501"),
        ]  # fmt: skip
        for row, cnae in places:
            s.add(row)
            s.flush()
            s.add(EstablishmentActivity(establishment_id=row.id, cnae=cnae, main=True))
        carla = SanitaryInspector(name="Carla Mendes Oliveira", team="Equipe Alimentos")
        roberto = SanitaryInspector(name="Roberto Lima Santos", team="Equipe Alimentos")
        s.add_all([carla, roberto])
        s.flush()
        ids = {"alfa": places[0][0].id, "beta": places[1][0].id, "gama": places[2][0].id,
               "carla": carla.id, "roberto": roberto.id}  # fmt: skip
        _inspections(s, ids)
        _documents(s, ids)
        _processes(s, ids)
    return ids


def _done(place, inspector, day: date, outcome: InspectionOutcome) -> Inspection:
    return Inspection(
        establishment_id=place, inspector_id=inspector, due_on=day, performed_on=day,
        status=InspectionStatus.DONE, outcome=outcome, reason=InspectionReason.ROUTINE,
    )  # fmt: skip


def _inspections(s, ids) -> None:
    s.add_all([
        _done(ids["alfa"], ids["carla"], date(2026, 2, 3), InspectionOutcome.SATISFACTORY),
        _done(ids["beta"], ids["carla"], date(2026, 2, 10), InspectionOutcome.INFRACTION),
        _done(ids["gama"], ids["carla"], date(2026, 2, 11), InspectionOutcome.SATISFACTORY),
        _done(ids["gama"], ids["roberto"], date(2026, 2, 20), InspectionOutcome.CORRECTIONS),
        _done(ids["alfa"], ids["roberto"], date(2026, 1, 15), InspectionOutcome.INTERDICTION),
    ])  # fmt: skip


def _summons(ids, number: int, day: date, **extra: object) -> SanitaryDocument:
    return SanitaryDocument(
        kind=DocumentKind.SUMMONS, series="TN", year=2026, number=number,
        establishment_id=ids["alfa"], issued_on=day, issued_at=NOW,
        inspector_id=ids["carla"], inspector_name="Carla Mendes Oliveira", **extra,
    )  # fmt: skip


def _documents(s, ids) -> None:
    """TN 1 valid, 2 cancelled, 3 a spoiled form (number cancelled, no document), 4 missing, 5."""
    s.add_all([
        _summons(ids, 1, date(2026, 2, 3)),
        _summons(ids, 2, date(2026, 2, 10), cancelled_at=NOW,
                 cancel_reason="Erro no nome do responsável"),
        LegalNumber(series="TN", year=2026, number=3, node_id="central", cancelled_at=NOW,
                    cancel_reason="Formulário rasurado"),
        _summons(ids, 5, date(2026, 2, 20)),
    ])  # fmt: skip


def _processes(s, ids) -> None:
    for number, (place, stage, due) in enumerate(
        [("alfa", ProcessStage.DEFENCE, -2), ("beta", ProcessStage.JUDGEMENT, 10),
         ("gama", ProcessStage.CLOSED, -40)], start=1,
    ):  # fmt: skip
        auto = SanitaryDocument(
            kind=DocumentKind.INFRACTION, series="AI", year=2026, number=number,
            establishment_id=ids[place], issued_on=date(2026, 1, 20), issued_at=NOW,
        )  # fmt: skip
        s.add(auto)
        s.flush()
        s.add(SanitaryProcess(
            year=2026, number=number, establishment_id=ids[place], infraction_id=auto.id,
            opened_on=date(2026, 1, 20), stage=stage, due_on=TODAY + timedelta(days=due),
        ))  # fmt: skip


def test_register_filtered_by_risk(db: Database, office) -> None:
    with db.unit_of_work() as s:
        issued = establishment_register_pdf(s, READER, EstablishmentFilter(risk="III"))
    text = _flat(issued.pdf)
    assert "CADASTRO DE ESTABELECIMENTOS" in text
    assert "Filtros: risco: III" in text
    assert "Restaurante Alfa" in text and "Drogaria Beta" in text
    assert "Salão Gama" not in text
    assert "11.222.333/0001-81" in text and "5611-2/01" in text and "4771-7/01" in text
    assert "Rua XV de Novembro, 120" in text and "Centro" in text and "Interditado" in text
    assert "04/05/2026" in text
    assert "Total: 2 estabelecimentos (risco III: 2)" in text
    with db.unit_of_work() as s:
        assert verify(s, READER, issued.code).found


def test_inspections_by_period_with_totals(db: Database, office) -> None:
    period = InspectionFilter(date(2026, 2, 1), date(2026, 3, 2))
    with db.unit_of_work() as s:
        text = _text(inspections_report_pdf(s, READER, period).pdf)
    assert "Período: 01/02/2026 a 02/03/2026 — todos os fiscais" in text
    assert "03/02/2026" in text and "15/01/2026" not in text  # January is outside
    assert "Total: 4 inspeções realizadas." in text
    totals = text[text.index("Totais por resultado") :]
    assert re.search(r"Satisfatória\s+2", totals)
    assert re.search(r"Infração sanitária\s+1", totals)
    assert re.search(r"Exigências a cumprir \(com prazo\)\s+1", totals)
    by_inspector = totals[totals.index("Totais por fiscal") :]
    assert re.search(r"Carla Mendes Oliveira\s+3\s+2\s+0\s+1", by_inspector)
    assert re.search(r"Roberto Lima Santos\s+1\s+0\s+1\s+0", by_inspector)


def test_inspections_of_one_inspector(db: Database, office) -> None:
    period = InspectionFilter(date(2026, 1, 1), date(2026, 2, 28), office["roberto"])
    with db.unit_of_work() as s:
        text = _text(inspections_report_pdf(s, READER, period).pdf)
    assert "Período: 01/01/2026 a 28/02/2026 — fiscal Roberto Lima Santos" in text
    assert "Total: 2 inspeções realizadas." in text and "Carla" not in text


def test_documents_show_every_number_cancelled_and_missing(db: Database, office) -> None:
    flt = DocumentFilter(date(2026, 2, 1), date(2026, 3, 2), series="TN")
    with db.unit_of_work() as s:
        text = _flat(documents_report_pdf(s, READER, flt).pdf)
    assert "Período: 01/02/2026 a 02/03/2026 — série TN (Termo de Intimação/Notificação)" in text
    starts = [m.start() for m in re.finditer(r"\b000\d/2026\b", text)]
    lines = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    assert [line[:9] for line in lines] == [f"000{n}/2026" for n in range(1, 6)]
    assert "Válido" in lines[0]
    assert "CANCELADO — Erro no nome do responsável" in lines[1]
    assert "CANCELADO — Formulário rasurado" in lines[2]
    assert "SEM REGISTRO" in lines[3]
    assert "5 números: 2 válidos, 2 cancelados, 1 sem registro." in text


def test_processes_by_situation(db: Database, office) -> None:
    with db.unit_of_work() as s:
        open_text = _text(processes_report_pdf(s, READER, ProcessFilter()).pdf)
        everything = _text(processes_report_pdf(s, READER, ProcessFilter("todos")).pdf)
    assert "Situação: processos em andamento (não encerrados) — posição em 02/03/2026" in open_text
    line = next(x for x in open_text.splitlines() if x.startswith("0001/2026"))
    assert "Restaurante Alfa" in line and "Prazo de defesa" in line and "SIM — há 2 dias" in line
    assert "28/02/2026" in line
    assert "0003/2026" not in open_text and "0003/2026" in everything
    assert "Total: 2 processos (Prazo de defesa: 1; Aguardando julgamento: 1)." in open_text


def test_refusals(db: Database, office) -> None:
    stranger = Actor(uuid.uuid4(), "recepcao", "Recepção", frozenset({"registry.read"}))
    with db.unit_of_work() as s:
        with pytest.raises(PermissionDenied):
            establishment_register_pdf(s, stranger, EstablishmentFilter())
        with pytest.raises(ValidationError) as wrong:
            inspections_report_pdf(s, READER, InspectionFilter(date(2026, 3, 1), date(2026, 2, 1)))
        assert wrong.value.errors == {
            "end": "A data final deve ser igual ou posterior à data inicial."
        }
        choices = report_choices(s, READER)
    assert [name for _, name in choices.inspectors] == [
        "Carla Mendes Oliveira", "Roberto Lima Santos",
    ]  # fmt: skip
    assert choices.teams == ["Equipe Alimentos"]
