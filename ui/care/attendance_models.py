"""Table models of the attendance pages: the attendances typed today, the competences of a unit,
a month's totals by professional and by procedure, and the problems of a refused BPA file.

All are small lists replaced as a whole (`RowsModel`): the entry screen shows at most the 200
attendances one clerk typed today, a unit has a few dozen competences, and a month's totals have
one line per professional or procedure.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from app.brazil.identifiers import format_cns
from app.care.attendance_queries import (
    AttendanceRow,
    CompetenceRow,
    ProcedureTotal,
    ProfessionalTotal,
)
from app.care.bpa import BpaProblem
from app.reference.cid10 import Icd10Row
from ui.labels import FIELD_LABELS
from ui.models.rows import Column, RowsModel

GREY = QColor("#757575")


def _cid(code: str) -> str:
    return Icd10Row(code, "", None, False, False).dotted if code else ""


class TypedTodayModel(RowsModel[AttendanceRow]):
    """The attendances a clerk typed today at the unit, most recent first."""

    def __init__(self, to_local: Callable[[datetime], datetime], parent: QObject | None = None):
        self._to_local = to_local
        super().__init__(parent=parent)

    def _build_columns(self) -> list[Column[AttendanceRow]]:
        return [
            Column(self.tr("Digitado"), lambda r: f"{self._to_local(r.created_at):%H:%M}"),
            Column(self.tr("Data"), lambda r: f"{r.attended_on:%d/%m/%Y}"),
            Column(self.tr("Cidadão"), lambda r: r.citizen_name),
            Column(self.tr("CNS"), lambda r: format_cns(r.citizen_cns) if r.citizen_cns else ""),
            Column(self.tr("Profissional"), lambda r: f"{r.professional_name} ({r.cbo})"),
            Column(self.tr("Procedimentos"), lambda r: r.procedures_text),
            Column(self.tr("CID"), lambda r: _cid(r.icd10)),
            Column(self.tr("Competência"), lambda r: f"{r.competence[4:]}/{r.competence[:4]}"),
            Column(self.tr("Situação"), lambda r: r.situation),
        ]

    def foreground(self, row: AttendanceRow) -> QColor | None:
        return None if row.situation == "Válido" else GREY


class CompetenceModel(RowsModel[CompetenceRow]):
    def _build_columns(self) -> list[Column[CompetenceRow]]:
        return [
            Column(self.tr("Competência"), lambda r: r.label),
            Column(self.tr("Atendimentos"), lambda r: str(r.attendances), align_right=True),
            Column(self.tr("Situação"), self._status),
        ]

    def _status(self, row: CompetenceRow) -> str:
        if row.closed:
            when = f"{row.closed_at:%d/%m/%Y}" if row.closed_at else ""
            return self.tr("Fechada por {who} em {when}").format(who=row.closed_by, when=when)
        if row.reopen_reason:
            return self.tr("Aberta (reaberta: {reason})").format(reason=row.reopen_reason)
        return self.tr("Aberta")


class ProfessionalTotalsModel(RowsModel[ProfessionalTotal]):
    def _build_columns(self) -> list[Column[ProfessionalTotal]]:
        return [
            Column(self.tr("Profissional"), lambda r: r.name),
            Column(self.tr("CBO"), lambda r: r.cbo),
            Column(self.tr("Atendimentos"), lambda r: str(r.attendances), align_right=True),
            Column(self.tr("Procedimentos"), lambda r: str(r.procedures), align_right=True),
        ]


class ProcedureTotalsModel(RowsModel[ProcedureTotal]):
    def _build_columns(self) -> list[Column[ProcedureTotal]]:
        return [
            Column(self.tr("Código"), lambda r: r.code),
            Column(self.tr("Procedimento"), lambda r: r.name),
            Column(self.tr("Quantidade"), lambda r: str(r.quantity), align_right=True),
            Column(self.tr("Atendimentos"), lambda r: str(r.attendances), align_right=True),
        ]


def problem_field(problem: BpaProblem) -> str:
    """The problem's field as people read it ("CNS do cidadão"), else as stored."""
    if not problem.field:
        return "—"
    return FIELD_LABELS.get(f"bpa.{problem.field}", problem.field)


def problem_reference(problem: BpaProblem) -> str:
    return problem.attendance_ref or "Cabeçalho do arquivo"


class BpaProblemsModel(RowsModel[BpaProblem]):
    def _build_columns(self) -> list[Column[BpaProblem]]:
        return [
            Column(self.tr("Atendimento"), problem_reference),
            Column(self.tr("Campo"), problem_field),
            Column(self.tr("Problema"), lambda p: p.message),
        ]
