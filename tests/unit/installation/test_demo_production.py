"""The demo's production: attendances typed over the last four months at the UBS, the two oldest
months closed, and the "faturamento" account that closes months and prints the report.

The clock stands at 02/03/2026 12:00 UTC, so the months are 12/2025 to 03/2026.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.care.attendance_queries import list_competences, production_summary
from app.care.models import Attendance, AttendanceProcedure
from app.care.reports import production_report_pdf
from app.db.session import Database
from app.installation.demo import DEMO_ACCOUNTS, UNITS, create_demo
from app.registry.enums import UnitKind
from app.security.auth import login

UBS = [cnes for cnes, _name, kind in UNITS if kind is UnitKind.UBS]


def test_the_demo_has_production_with_the_two_oldest_months_closed(db: Database) -> None:
    create_demo(db, citizens=600, seed=3)
    assert ("faturamento", "faturamento2026", "Faturamento") in [a[:3] for a in DEMO_ACCOUNTS]
    with db.unit_of_work("faturamento") as s:
        actor = login(s, "faturamento", "faturamento2026").actor
        assert actor is not None and actor.can("care.production")
        attendances = s.scalar(select(func.count()).select_from(Attendance))
        procedures = s.scalar(select(func.sum(AttendanceProcedure.quantity)))
        assert 30 <= (attendances or 0) <= 40  # 600 // 15 drawn; newborns are skipped
        assert (procedures or 0) > (attendances or 0)  # pressure and glucose come along
        competences: dict[str, bool] = {}
        for cnes in UBS:
            for row in list_competences(s, actor, cnes):
                competences[row.competence] = competences.get(row.competence, False) or row.closed
                assert row.closed == (row.competence in ("202512", "202601"))
        assert set(competences) <= {"202512", "202601", "202602", "202603"}
        assert {"202512", "202601", "202602"} <= set(competences)
        summary = production_summary(s, actor, UBS[0], "202601")
        assert all(p.code.isdigit() and p.name for p in summary.by_procedure)
        issued = production_report_pdf(s, actor, UBS[0], "202601")
    assert issued.page_count == 1
