"""The VISA dashboard over a small municipality with known counts, and the rows behind each number.

Real migrated SQLite; the clock stands at 02/03/2026. The fixture places establishments on both
sides of every boundary the coordinator relies on: overdue yesterday vs due today, due in 30 days
vs 31, closed (baixado) and tombstoned establishments left out; licences expiring in 30 vs 31
days, a renewed one and a revoked one; processes late or not, a closed one; complaints open,
routed, answered and archived.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from app.db.session import Database
from app.errors import PermissionDenied, ValidationError
from app.sanitary.dashboard import dashboard
from app.sanitary.dashboard_followup_rows import ComplaintRow, LicenceRow, ProcessRow
from app.sanitary.dashboard_inspection_rows import DueRow, PlannedRow
from app.sanitary.dashboard_lists import dashboard_list
from app.sanitary.enums import (
    ComplaintStatus,
    DocumentKind,
    EstablishmentStatus,
    HolderKind,
    InspectionStatus,
    ProcessStage,
    RiskLevel,
)
from app.sanitary.models import (
    Complaint,
    Establishment,
    Inspection,
    SanitaryDocument,
    SanitaryLicence,
    SanitaryProcess,
)
from app.security.actor import Actor

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
COORDINATOR = Actor(uuid.uuid4(), "coord", "Coordenação", frozenset({"sanitary.read"}))


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@dataclass
class Town:
    ids: dict[str, uuid.UUID]


def _place(name: str, document: str, risk: RiskLevel | None, next_in: int, **extra: object):
    return Establishment(
        holder_kind=HolderKind.CNPJ, document=document, legal_name=f"{name} Ltda",
        trade_name=name, name_key=name.upper(), risk=risk, next_inspection_on=days(next_in),
        team="Equipe Alimentos", **extra,
    )  # fmt: skip


PLACES = {
    "A": ("Restaurante Alfa", "11222333000181", RiskLevel.HIGH, -10, {}),
    "B": ("Bar Beta", "11444777000161", RiskLevel.HIGH, -1, {}),
    "C": ("Cantina Fechada", "22333444000190", RiskLevel.HIGH, -5,
          {"status": EstablishmentStatus.CLOSED}),
    "D": ("Drogaria Delta", "33444555000101", RiskLevel.MEDIUM, -100,
          {"status": EstablishmentStatus.INTERDICTED}),
    "E": ("Estética Épsilon", "44555666000102", RiskLevel.LOW, 30, {}),
    "F": ("Feira Fora", "55666777000103", RiskLevel.LOW, 31, {}),
    "G": ("Granja Gama", "66777888000104", RiskLevel.MEDIUM, 0, {}),
    "H": ("Hortifruti Sem Risco", "77888999000105", None, -3, {}),
    "I": ("Igual Apagado", "88999000000106", RiskLevel.MEDIUM, -3, {"deleted_at": NOW}),
}  # fmt: skip


def _licence(place: uuid.UUID, number: int, until: int, **extra: object) -> SanitaryLicence:
    return SanitaryLicence(
        establishment_id=place, year=2025, number=number, issued_on=days(until - 365),
        valid_until=days(until), **extra,
    )  # fmt: skip


def _process(session, place: uuid.UUID, number: int, stage: ProcessStage, due: int) -> None:
    infraction = SanitaryDocument(
        kind=DocumentKind.INFRACTION, series="AI", year=2026, number=number,
        establishment_id=place, issued_on=days(-30), issued_at=NOW,
    )  # fmt: skip
    session.add(infraction)
    session.flush()
    session.add(SanitaryProcess(
        year=2026, number=number, establishment_id=place, infraction_id=infraction.id,
        opened_on=days(-30), stage=stage, due_on=days(due),
    ))  # fmt: skip


def _complaint(number: int, status: ComplaintStatus, due: int, place=None) -> Complaint:
    return Complaint(
        year=2026, number=number, received_on=days(-20), description="Sujeira na cozinha",
        due_on=days(due), status=status, establishment_id=place, place="Rua das Palmeiras, 10",
        complainant_name="Pessoa Que Denunciou",
    )  # fmt: skip


@pytest.fixture
def town(db: Database) -> Town:
    with db.unit_of_work() as s:
        rows = {key: _place(n, d, r, x, **extra) for key, (n, d, r, x, extra) in PLACES.items()}
        s.add_all(rows.values())
        s.flush()
        ids = {key: row.id for key, row in rows.items()}
        s.add_all([
            Inspection(establishment_id=ids["A"], due_on=TODAY),
            Inspection(establishment_id=ids["E"], due_on=TODAY,
                       status=InspectionStatus.IN_PROGRESS),
            Inspection(establishment_id=ids["B"], due_on=TODAY, status=InspectionStatus.DONE,
                       performed_on=TODAY),
            Inspection(establishment_id=ids["G"], due_on=days(1)),
            Inspection(establishment_id=ids["F"], due_on=TODAY,
                       status=InspectionStatus.CANCELLED),
            _licence(ids["A"], 1, 30),
            _licence(ids["B"], 2, 31),
            _licence(ids["D"], 3, -1),
            _licence(ids["C"], 4, -10),
            _licence(ids["E"], 5, -100),
            _licence(ids["E"], 6, 200),
            _licence(ids["G"], 7, 5, revoked_at=NOW),
            _complaint(1, ComplaintStatus.OPEN, -1, ids["A"]),
            _complaint(2, ComplaintStatus.ROUTED, 3),
            _complaint(3, ComplaintStatus.ANSWERED, -10),
            _complaint(4, ComplaintStatus.ARCHIVED, -10),
        ])  # fmt: skip
        _process(s, ids["A"], 1, ProcessStage.DEFENCE, -2)
        _process(s, ids["B"], 2, ProcessStage.DEFENCE, 5)
        _process(s, ids["D"], 3, ProcessStage.JUDGEMENT, -1)
        _process(s, ids["E"], 4, ProcessStage.CLOSED, -50)
    return Town(ids)


def test_numbers_of_the_day(db: Database, town: Town) -> None:
    with db.read_only() as s:
        board = dashboard(s, COORDINATOR, TODAY)
    assert dict(board.overdue_by_risk) == {"III": 2, "II": 1, "-": 1}
    assert dict(board.due_by_risk) == {"I": 1, "II": 1}  # in 30 days yes, in 31 no; today is due
    assert board.planned_today == 2
    assert dict(board.processes_by_stage) == {"defesa": 2, "julgamento": 1}
    assert board.processes_overdue == 2
    assert (board.licences_expiring, board.licences_expired) == (1, 1)
    assert (board.complaints_open, board.complaints_overdue) == (2, 1)


def test_tiles_carry_portuguese_captions_and_counts(db: Database, town: Town) -> None:
    with db.read_only() as s:
        tiles = {t.key: t for t in dashboard(s, COORDINATOR, TODAY).tiles()}
    assert tiles["overdue:III"].caption == "Inspeções vencidas — risco III"
    assert tiles["overdue:III"].count == 2 and tiles["overdue:III"].alert
    assert tiles["overdue:-"].caption == "Inspeções vencidas — sem classificação de risco"
    assert tiles["process:defesa"].caption == "Prazo de defesa"
    assert tiles["licences_expiring"].count == 1
    assert [t.group for t in tiles.values()][-1] == "Denúncias"


def test_the_rows_behind_each_number(db: Database, town: Town) -> None:
    ids = town.ids
    with db.read_only() as s:
        board = dashboard(s, COORDINATOR, TODAY)

        def rows(key: str) -> list:
            found = dashboard_list(s, COORDINATOR, key, TODAY, limit=50)
            assert len(found) == board.count_of(key), key
            return found

        overdue = rows("overdue:III")
        due = rows("due:I")
        planned = rows("planned_today")
        late = rows("processes_overdue")
        defence = rows("process:defesa")
        expiring, expired = rows("licences_expiring"), rows("licences_expired")
        open_complaints, late_complaints = rows("complaints_open"), rows("complaints_overdue")
    assert [r.name for r in overdue] == ["Restaurante Alfa", "Bar Beta"]  # most late first
    first = overdue[0]
    assert isinstance(first, DueRow) and first.document == "11.222.333/0001-81"
    assert (first.days_late, first.planned_on, first.risk) == (10, TODAY, "III")
    assert [(r.name, r.days_late) for r in due] == [("Estética Épsilon", -30)]
    assert all(isinstance(r, PlannedRow) for r in planned)
    assert {r.establishment_id for r in planned} == {ids["A"], ids["E"]}
    assert [(r.number, r.days_late) for r in late] == [("0001/2026", 2), ("0003/2026", 1)]
    assert all(isinstance(r, ProcessRow) for r in late + defence)
    assert [r.number for r in defence] == ["0001/2026", "0002/2026"]
    assert [(r.name, r.days_left) for r in expiring] == [("Restaurante Alfa", 30)]
    assert [(r.name, r.days_left) for r in expired] == [("Drogaria Delta", -1)]
    assert all(isinstance(r, LicenceRow) for r in expiring + expired)
    assert [r.number for r in open_complaints] == ["0001/2026", "0002/2026"]
    assert [(r.subject, r.days_late) for r in late_complaints] == [("Restaurante Alfa", 1)]
    routed = open_complaints[1]
    assert isinstance(routed, ComplaintRow) and routed.subject == "Rua das Palmeiras, 10"
    assert "Pessoa" not in repr(open_complaints)  # the complainant's identity stays out


def test_pages_through_a_long_list(db: Database, town: Town) -> None:
    with db.read_only() as s:
        everyone = dashboard_list(s, COORDINATOR, "overdue", TODAY, limit=50)
        first = dashboard_list(s, COORDINATOR, "overdue", TODAY, limit=2)
        rest = dashboard_list(s, COORDINATOR, "overdue", TODAY, limit=2, offset=2)
    assert [r.name for r in everyone] == [
        "Drogaria Delta", "Restaurante Alfa", "Hortifruti Sem Risco", "Bar Beta",
    ]  # fmt: skip
    assert first + rest == everyone


def test_needs_permission_and_a_known_key(db: Database, town: Town) -> None:
    stranger = Actor(uuid.uuid4(), "recepcao", "Recepção", frozenset({"registry.read"}))
    with db.read_only() as s:
        with pytest.raises(PermissionDenied):
            dashboard(s, stranger, TODAY)
        with pytest.raises(PermissionDenied):
            dashboard_list(s, stranger, "overdue", TODAY)
        with pytest.raises(ValidationError, match="Indicador desconhecido"):
            dashboard_list(s, COORDINATOR, "overdue:IV", TODAY)
