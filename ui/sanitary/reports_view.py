"""The VISA reports page: choose a listing, fill its filters, "Gerar" → PDF preview.

Four listings of `app.sanitary.listings`: the establishment register (risk, situation, team,
bairro), inspections by period and inspector, documents issued by series (period, series) and
processes by situation. Dates are typed dd/mm/aaaa and checked beside their fields before anything
is issued; the PDF is built and registered in the worker (`issue_and_preview`), then previewed,
printed or saved. The choices (inspectors, teams, bairros) are read in the worker when the page
opens.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from app.reports.issue import IssuedPdf
from app.sanitary.enums import DocumentKind, EstablishmentStatus, ProcessStage
from app.sanitary.listing_documents import DocumentFilter, documents_report_pdf
from app.sanitary.listing_establishments import EstablishmentFilter, establishment_register_pdf
from app.sanitary.listing_inspections import InspectionFilter, inspections_report_pdf
from app.sanitary.listing_processes import ALL, OPEN, OVERDUE, ProcessFilter, processes_report_pdf
from app.sanitary.listings import ReportChoices, report_choices
from ui.context import AppContext
from ui.widgets.fields import DateField, FormLayout
from ui.widgets.page_header import title_label
from ui.widgets.pdf_preview import issue_and_preview

REPORTS = (
    ("register", "Cadastro de estabelecimentos"),
    ("inspections", "Inspeções por período e fiscal"),
    ("documents", "Documentos emitidos por série"),
    ("processes", "Processos por situação"),
)
DESCRIPTIONS = {
    "register": "Nome, CNPJ/CPF, endereço, bairro, CNAE principal, risco, situação e próxima "
    "inspeção de cada estabelecimento, com os totais por risco.",
    "inspections": "Inspeções realizadas no período, com motivo, resultado e fiscal, e os totais "
    "por resultado e por fiscal.",
    "documents": "Uma linha por número de cada série, inclusive os números cancelados (com o "
    "motivo) e os que não têm documento registrado.",
    "processes": "Número, estabelecimento, etapa, prazo e se o prazo venceu, com os totais por "
    "etapa.",
}
Build = Callable[[Session], IssuedPdf]


def _combo(name: str, items: list[tuple[str, Any]]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setMaximumWidth(combo.fontMetrics().horizontalAdvance("M" * 30))  # a filter, not a banner
    for text, data in items:
        combo.addItem(text, data)
    return combo


def _refill(combo: QComboBox, first: str, items: list[tuple[str, Any]]) -> None:
    combo.clear()
    combo.addItem(first, None)
    for text, data in items:
        combo.addItem(text, data)


class SanitaryReportsPage(QWidget):
    """The department's listings.

    Signals:
        choices_loaded(): inspectors, teams and bairros are in the combos.
    """

    choices_loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sanitary_reports_page")
        self._ctx = ctx
        self.forms: dict[str, FormLayout] = {}
        self._build_ui()
        self.report_list.setCurrentRow(0)
        self._load_choices()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        title = title_label(self.tr("Relatórios da Vigilância Sanitária"))
        layout.addWidget(title)
        row = QHBoxLayout()
        self.report_list = QListWidget()
        self.report_list.setObjectName("report_list")
        self.report_list.setSpacing(3)
        for _key, name in REPORTS:
            self.report_list.addItem(self.tr(name))
        self.report_list.setFixedWidth(self.report_list.sizeHintForColumn(0) + 40)
        row.addWidget(self.report_list)
        row.addWidget(self._build_filters(), 1)
        layout.addLayout(row, 1)

    def _build_filters(self) -> QWidget:
        box = QGroupBox(self.tr("Filtros"))
        column = QVBoxLayout(box)
        self.description = QLabel()
        self.description.setObjectName("description")
        self.description.setWordWrap(True)
        column.addWidget(self.description)
        self.stack = QStackedWidget()
        for page in (self._register_form(), self._inspections_form(), self._documents_form(),
                     self._processes_form()):  # fmt: skip
            self.stack.addWidget(page)
        column.addWidget(self.stack)
        column.addStretch(1)
        buttons = QHBoxLayout()
        self.generate_button = QPushButton(self.tr("&Gerar"))
        self.generate_button.setObjectName("generate")
        self.generate_button.setDefault(True)
        self.generate_button.clicked.connect(self.generate)
        QShortcut(QKeySequence(Qt.Key.Key_F9), self, self.generate)
        buttons.addStretch(1)
        buttons.addWidget(self.generate_button)
        column.addLayout(buttons)
        self.report_list.currentRowChanged.connect(self._choose)
        return box

    def _form(self, key: str) -> tuple[QWidget, FormLayout]:
        page = QWidget()
        form = FormLayout(page)
        self.forms[key] = form
        return page, form

    def _period(self, form: FormLayout, prefix: str) -> tuple[DateField, DateField]:
        today = self._ctx.today()
        start, end = DateField(f"{prefix}_start"), DateField(f"{prefix}_end")
        start.set_value(today.replace(day=1))
        end.set_value(today)
        form.add_field("start", self.tr("&De:"), start)
        form.add_field("end", self.tr("&Até:"), end)
        return start, end

    def _register_form(self) -> QWidget:
        page, form = self._form("register")
        self.risk = _combo("risk", [(self.tr("Todos"), ""), ("III – alto", "III"),
                                    ("II – médio", "II"), ("I – baixo", "I"),
                                    (self.tr("Sem classificação"), "-")])  # fmt: skip
        statuses = [(s.label, s.value) for s in EstablishmentStatus]
        self.status = _combo("status", [(self.tr("Todas"), ""), *statuses])
        self.team = _combo("team", [(self.tr("Todas"), None)])
        self.district = _combo("district", [(self.tr("Todos"), None)])
        form.add_field("risk", self.tr("&Risco:"), self.risk)
        form.add_field("status", self.tr("&Situação:"), self.status)
        form.add_field("team", self.tr("&Equipe:"), self.team)
        form.add_field("district", self.tr("&Bairro:"), self.district)
        return page

    def _inspections_form(self) -> QWidget:
        page, form = self._form("inspections")
        self.inspections_start, self.inspections_end = self._period(form, "inspections")
        self.inspector = _combo("inspector", [(self.tr("Todos os fiscais"), None)])
        form.add_field("inspector", self.tr("&Fiscal:"), self.inspector)
        return page

    def _documents_form(self) -> QWidget:
        page, form = self._form("documents")
        self.documents_start, self.documents_end = self._period(form, "documents")
        kinds = [(f"{k.value} – {k.label}", k.value) for k in DocumentKind]
        self.series = _combo("series", [(self.tr("Todas as séries"), ""), *kinds])
        form.add_field("series", self.tr("&Série:"), self.series)
        return page

    def _processes_form(self) -> QWidget:
        page, form = self._form("processes")
        stages = [(s.label, s.value) for s in ProcessStage]
        self.situation = _combo("situation", [
            (self.tr("Em andamento (não encerrados)"), OPEN),
            (self.tr("Em andamento com prazo vencido"), OVERDUE),
            (self.tr("Todos, inclusive encerrados"), ALL), *stages,
        ])  # fmt: skip
        form.add_field("situation", self.tr("&Situação:"), self.situation)
        return page

    # --- behaviour --------------------------------------------------------------------------

    def _choose(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        self.description.setText(self.tr(DESCRIPTIONS[REPORTS[row][0]]))

    def current_report(self) -> str:
        return REPORTS[self.stack.currentIndex()][0]

    def _load_choices(self) -> None:
        db, actor = self._ctx.db, self._ctx.actor

        def work() -> ReportChoices:
            with db.read_only() as session:
                return report_choices(session, actor)

        self._ctx.ops.run(work, self._fill_choices, parent=self)

    def _fill_choices(self, choices: ReportChoices) -> None:
        _refill(self.team, self.tr("Todas"), [(t, t) for t in choices.teams])
        _refill(self.district, self.tr("Todos"), [(n, i) for i, n in choices.districts])
        _refill(self.inspector, self.tr("Todos os fiscais"),
                [(n, i) for i, n in choices.inspectors])  # fmt: skip
        self.choices_loaded.emit()

    def _dates(self, key: str, start: DateField, end: DateField) -> tuple[date, date] | None:
        errors: dict[str, str] = {}
        for name, field in (("start", start), ("end", end)):
            if field.value() is None:
                errors[name] = self.tr("Informe uma data válida (dd/mm/aaaa).")
        first, last = start.value(), end.value()
        if first and last and last < first:
            errors["end"] = self.tr("A data final deve ser igual ou posterior à data inicial.")
        self.forms[key].show_errors(errors)
        return (first, last) if first and last and not errors else None

    def _builder(self) -> Build | None:
        actor, key = self._ctx.actor, self.current_report()
        if key == "register":
            district: uuid.UUID | None = self.district.currentData()
            flt = EstablishmentFilter(self.risk.currentData(), self.status.currentData(),
                                      self.team.currentData() or "", district)  # fmt: skip
            return lambda s: establishment_register_pdf(s, actor, flt)
        if key == "processes":
            situation = ProcessFilter(self.situation.currentData())
            return lambda s: processes_report_pdf(s, actor, situation)
        if key == "inspections":
            period = self._dates(key, self.inspections_start, self.inspections_end)
            if period is None:
                return None
            chosen = InspectionFilter(*period, self.inspector.currentData())
            return lambda s: inspections_report_pdf(s, actor, chosen)
        period = self._dates(key, self.documents_start, self.documents_end)
        if period is None:
            return None
        documents = DocumentFilter(*period, self.series.currentData())
        return lambda s: documents_report_pdf(s, actor, documents)

    def generate(self) -> None:
        """Issue the chosen listing in the worker and open its preview (Gerar, F9)."""
        if not self.generate_button.isEnabled():
            return
        build = self._builder()
        if build is not None:
            issue_and_preview(self._ctx, self, self.generate_button, build)
