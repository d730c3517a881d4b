"""The "Planejamento de inspeções" page of the VISA coordination, in three tabs.

"Inspeções a programar": the establishments whose routine inspection is overdue (vencidas) or due
within the horizon (a vencer), filtered by situation, risk, team and bairro; several rows are
selected (Ctrl/Shift+click, Ctrl+A) and "Programar…" asks the date, the inspector and the reason.
Rows that already have an open inspection show its date and are greyed. The list comes in pages
("Mostrar mais") because a municipality may have tens of thousands of establishments.

"Programadas": the planned and ongoing inspections of a period, by inspector or team; selected
planned ones can be given to another inspector (and date) or cancelled with a reason; "Imprimir
roteiro de trabalho" issues the inspector's work list for the period and previews it.

"Fiscais": the register of inspectors (`ui.sanitary.inspectors`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserFacingError
from app.reports.styles import format_date
from app.sanitary import planning as svc
from app.sanitary.enums import InspectionReason, InspectionStatus, RiskLevel
from app.sanitary.inspectors import InspectorRow, list_inspectors, list_teams
from app.sanitary.planning_report import work_list_pdf
from ui.admin import ServiceDialog
from ui.context import AppContext
from ui.models.rows import Column, RowsModel
from ui.ops import show_error
from ui.sanitary.inspectors import INSPECTOR, InspectorsWidget
from ui.widgets.fields import DateField
from ui.widgets.pdf_preview import issue_and_preview
from ui.widgets.tables import rows_table

MANAGE = "sanitary.manage"
INSPECTION = "inspection"
PAGE_SIZE = 300
GREY = QColor("#777777")
CANCEL_REASONS = (
    "Estabelecimento fechado no dia da visita",
    "Fiscal indisponível",
    "Reprogramação da equipe",
    "Estabelecimento baixado ou mudou de endereço",
)


@dataclass(frozen=True)
class Choices:
    """What the filters and dialogs offer: active inspectors, teams and bairros."""

    inspectors: tuple[InspectorRow, ...]
    teams: tuple[str, ...]
    districts: tuple[tuple[uuid.UUID, str], ...]


def load_choices(ctx: AppContext) -> Choices:
    """Read in the worker: the lists the page's combos show."""
    with ctx.db.read_only() as session:
        return Choices(
            tuple(list_inspectors(session, ctx.actor)),
            tuple(list_teams(session, ctx.actor)),
            tuple(svc.list_districts(session, ctx.actor)),
        )


def _fill_combo(combo: QComboBox, everything: str, items: Sequence[tuple[str, Any]]) -> None:
    """Replace a filter combo's items, keeping the current choice when it still exists."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    if everything:
        combo.addItem(everything, None)
    for text, data in items:
        combo.addItem(text, data)
    index = combo.findData(current) if current is not None else -1
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)


def _inspector_combo(inspectors: Sequence[InspectorRow], everything: str = "") -> QComboBox:
    combo = QComboBox()
    items = [(f"{row.label} — {row.team}" if row.team else row.label, row.id) for row in inspectors]
    _fill_combo(combo, everything, items)
    return combo


def situation_text(row: svc.DueRow) -> str:
    """ "vencida há 10 dias", "vence hoje", "vence em 5 dias"."""
    if row.days_late > 0:
        return f"vencida há {row.days_late} dia" + ("s" if row.days_late > 1 else "")
    if row.days_late == 0:
        return "vence hoje"
    days = -row.days_late
    return f"vence em {days} dia" + ("s" if days > 1 else "")


def _risk(value: RiskLevel | None) -> str:
    return value.value if value is not None else "—"


class DueModel(RowsModel[svc.DueRow]):
    """The due list; establishments with an open inspection are greyed."""

    def _build_columns(self) -> list[Column[svc.DueRow]]:
        return [
            Column("Estabelecimento", lambda r: r.name),
            Column("Endereço", lambda r: r.address),
            Column("Risco", lambda r: _risk(r.risk)),
            Column("Equipe", lambda r: r.team),
            Column("Próxima inspeção", lambda r: format_date(r.next_inspection_on)),
            Column("Situação", situation_text),
            Column("Programada para", lambda r: format_date(r.planned_on)),
        ]

    def foreground(self, row: svc.DueRow) -> QColor | None:
        return GREY if row.is_planned else None

    def append_rows(self, rows: Sequence[svc.DueRow]) -> None:
        if not rows:
            return
        start = self.rowCount()
        self.beginInsertRows(self.index(-1, -1).parent(), start, start + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()


class WorkModel(RowsModel[svc.WorkRow]):
    def _build_columns(self) -> list[Column[svc.WorkRow]]:
        return [
            Column("Data", lambda r: format_date(r.due_on)),
            Column("Estabelecimento", lambda r: r.name),
            Column("Endereço", lambda r: r.address),
            Column("Risco", lambda r: _risk(r.risk)),
            Column("Motivo", lambda r: r.reason.label),
            Column("Fiscal", lambda r: r.inspector_name or "— sem fiscal —"),
            Column("Equipe", lambda r: r.team),
            Column("Situação", lambda r: r.status.label),
        ]

    def foreground(self, row: svc.WorkRow) -> QColor | None:
        return GREY if row.status != InspectionStatus.PLANNED else None


def _selected(table: Any, model: RowsModel[Any]) -> list[Any]:
    rows = sorted(index.row() for index in table.selectionModel().selectedRows())
    return [model.row_at(row) for row in rows]


def _multi(table: Any) -> None:
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)


# --- dialogs -------------------------------------------------------------------------------------


class PlanDialog(ServiceDialog):
    """ "Programar inspeção": date, inspector and reason for the chosen establishments."""

    changed_kind = INSPECTION

    def __init__(
        self,
        ctx: AppContext,
        rows: Sequence[svc.DueRow],
        inspectors: Sequence[InspectorRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("plan_dialog")
        self.rows = list(rows)
        self.setWindowTitle(self.tr("Programar inspeção"))
        self.save_button.setText(self.tr("&Programar"))
        intro = QLabel(self._intro())
        intro.setWordWrap(True)
        intro.setObjectName("plan_intro")
        self._build_fields(inspectors)
        self._assemble()
        self.layout().insertWidget(0, intro)
        self.setMinimumWidth(560)

    def _intro(self) -> str:
        names = [row.name for row in self.rows]
        shown = ", ".join(names[:6]) + (f" e mais {len(names) - 6}" if len(names) > 6 else "")
        count = len(names)
        head = self.tr("{count} estabelecimento(s) selecionado(s):").format(count=count)
        return f"{head} {shown}."

    def _build_fields(self, inspectors: Sequence[InspectorRow]) -> None:
        self.due_on = DateField("due_on")
        self.due_on.set_value(self.ctx.today())
        self.inspector = _inspector_combo(inspectors, self.tr("— escolha o fiscal —"))
        teams = {row.team for row in self.rows}
        match = next((i for i in inspectors if len(teams) == 1 and i.team in teams), None)
        if match is not None:
            self.inspector.setCurrentIndex(self.inspector.findData(match.id))
        self.reason = QComboBox()
        for reason in InspectionReason:
            self.reason.addItem(reason.label, reason)
        self.form.add_field("due_on", self.tr("&Data:"), self.due_on)
        self.form.add_field("inspector_id", self.tr("&Fiscal:"), self.inspector)
        self.form.add_field("reason", self.tr("&Motivo:"), self.reason)

    def save(self) -> None:
        if self.due_on.validate():
            return
        ctx, due_on = self.ctx, self.due_on.value()
        ids = [row.establishment_id for row in self.rows]
        inspector_id, reason = self.inspector.currentData(), self.reason.currentData()

        def work() -> svc.Planned:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.plan_inspections(session, ctx.actor, ids, due_on, inspector_id, reason)

        self._run(work)


class ReassignDialog(ServiceDialog):
    """Give planned inspections to another inspector and, optionally, another date."""

    changed_kind = INSPECTION

    def __init__(
        self,
        ctx: AppContext,
        rows: Sequence[svc.WorkRow],
        inspectors: Sequence[InspectorRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("reassign_dialog")
        self.rows = list(rows)
        self.setWindowTitle(self.tr("Reatribuir inspeções"))
        self.save_button.setText(self.tr("&Reatribuir"))
        self.inspector = _inspector_combo(inspectors, self.tr("— escolha o fiscal —"))
        self.due_on = DateField("due_on")
        self.due_on.setPlaceholderText("")
        self.form.add_field("inspector_id", self.tr("&Fiscal:"), self.inspector)
        self.form.add_field("due_on", self.tr("Nova &data:"), self.due_on)
        hint = QLabel(self.tr("Deixe a data em branco para manter a de cada inspeção."))
        hint.setObjectName("hint")
        self.due_on.parentWidget().layout().addWidget(hint)
        self._assemble()
        intro = QLabel(self.tr("{count} inspeção(ões) selecionada(s).").format(count=len(rows)))
        self.layout().insertWidget(0, intro)
        self.setMinimumWidth(520)

    def save(self) -> None:
        if self.due_on.validate():
            return
        ctx, due_on = self.ctx, self.due_on.value()
        ids, inspector_id = [r.inspection_id for r in self.rows], self.inspector.currentData()

        def work() -> int:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.assign(session, ctx.actor, ids, inspector_id, due_on)

        self._run(work)


class CancelDialog(ServiceDialog):
    """Cancel planned inspections: the reason is required and stays on the record."""

    changed_kind = INSPECTION

    def __init__(
        self, ctx: AppContext, rows: Sequence[svc.WorkRow], parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("cancel_dialog")
        self.rows = list(rows)
        self.setWindowTitle(self.tr("Cancelar inspeções programadas"))
        self.save_button.setText(self.tr("Cancelar &inspeção"))
        self.buttons.button(self.buttons.StandardButton.Cancel).setText(self.tr("&Voltar"))
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(list(CANCEL_REASONS))
        self.reason.setCurrentText("")
        self.form.add_field("reason", self.tr("&Motivo:"), self.reason)
        self._assemble()
        names = ", ".join(row.name for row in self.rows[:6])
        intro = QLabel(self.tr("Cancelar: {names}").format(names=names))
        intro.setWordWrap(True)
        self.layout().insertWidget(0, intro)
        self.setMinimumWidth(520)

    def save(self) -> None:
        ctx, reason = self.ctx, self.reason.currentText()
        ids = [row.inspection_id for row in self.rows]

        def work() -> int:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.cancel_planned(session, ctx.actor, ids, reason)

        self._run(work)


# --- tabs ----------------------------------------------------------------------------------------


def _labelled(row: QHBoxLayout, text: str, widget: QWidget) -> None:
    label = QLabel(text)
    label.setBuddy(widget)
    row.addWidget(label)
    row.addWidget(widget)


class DueTab(QWidget):
    """ "Inspeções a programar": the due list with its filters and "Programar…".

    Signals:
        loaded(): a fresh first page is shown.
    """

    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("due_tab")
        self.ctx = ctx
        self.choices = Choices((), (), ())
        self.dialog: PlanDialog | None = None
        self.total = 0
        self._generation = 0
        self.model = DueModel(parent=self)
        self._build_ui()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_filters())
        self.summary = QLabel()
        self.summary.setObjectName("due_summary")
        layout.addWidget(self.summary)
        self.table = rows_table(self.model, "due_table", stretch_last=False)
        _multi(self.table)
        for column, width in enumerate((250, 330, 50, 170, 120, 130, 120)):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._update)
        layout.addWidget(self.table, 1)
        layout.addLayout(self._build_buttons())

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.only = QComboBox()
        for text, value in (("Vencidas e a vencer", "all"), ("Só vencidas", "overdue"),
                            ("Só a vencer", "upcoming")):  # fmt: skip
            self.only.addItem(self.tr(text), value)
        self.horizon = QSpinBox()
        self.horizon.setRange(1, 365)
        self.horizon.setValue(svc.DEFAULT_HORIZON_DAYS)
        self.horizon.setSuffix(self.tr(" dias"))
        self.risk = QComboBox()
        _fill_combo(self.risk, self.tr("Todos"), [(level.label, level) for level in RiskLevel])
        self.team = QComboBox()
        self.district = QComboBox()
        self.hide_planned = QCheckBox(self.tr("Ocultar as já programadas"))
        _labelled(row, self.tr("&Mostrar:"), self.only)
        _labelled(row, self.tr("&Horizonte:"), self.horizon)
        _labelled(row, self.tr("&Risco:"), self.risk)
        _labelled(row, self.tr("&Equipe:"), self.team)
        _labelled(row, self.tr("&Bairro:"), self.district)
        row.addWidget(self.hide_planned)
        row.addStretch(1)
        for combo in (self.only, self.risk, self.team, self.district):
            combo.currentIndexChanged.connect(self.reload)
        self.horizon.editingFinished.connect(self.reload)
        self.hide_planned.toggled.connect(self.reload)
        return row

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.plan_button = QPushButton(self.tr("&Programar…"))
        self.plan_button.setObjectName("plan_button")
        self.plan_button.setToolTip(
            self.tr("Programar as inspeções dos estabelecimentos selecionados")
        )
        self.plan_button.clicked.connect(self.plan_selected)
        self.plan_button.setVisible(self.ctx.actor.can(MANAGE))
        self.more_button = QPushButton(self.tr("Mostrar &mais"))
        self.more_button.setObjectName("more_button")
        self.more_button.clicked.connect(self.load_more)
        self.shown_label = QLabel()
        row.addWidget(self.shown_label)
        row.addWidget(self.more_button)
        row.addStretch(1)
        row.addWidget(self.plan_button)
        return row

    def set_choices(self, choices: Choices) -> None:
        self.choices = choices
        _fill_combo(self.team, self.tr("Todas"), [(team, team) for team in choices.teams])
        _fill_combo(
            self.district, self.tr("Todos"), [(name, ident) for ident, name in choices.districts]
        )

    def current_filter(self) -> svc.DueFilter:
        return svc.DueFilter(
            horizon_days=self.horizon.value(), risk=self.risk.currentData(),
            team=self.team.currentData(), district_id=self.district.currentData(),
            only=self.only.currentData() or "all",
            include_planned=not self.hide_planned.isChecked(),
        )  # fmt: skip

    def reload(self, *_args: object) -> None:
        self._generation += 1
        self._fetch(0, self._generation)

    def load_more(self) -> None:
        self._fetch(self.model.rowCount(), self._generation)

    def _fetch(self, offset: int, generation: int) -> None:
        ctx, flt = self.ctx, self.current_filter()

        def work() -> svc.DuePage:
            with ctx.db.read_only() as session:
                return svc.due_list(session, ctx.actor, flt, offset=offset, limit=PAGE_SIZE)

        ctx.ops.run(work, lambda page: self._show(page, generation), parent=self)

    def _show(self, page: svc.DuePage, generation: int) -> None:
        if generation != self._generation:
            return  # the filters changed meanwhile: a newer answer is on its way
        if page.offset == 0:
            self.model.set_rows(page.rows)
        else:
            self.model.append_rows(page.rows)
        self.total = page.total
        self.summary.setText(
            self.tr("{overdue} vencida(s) e {upcoming} a vencer até {horizon}; "
                    "{planned} já com inspeção programada.").format(
                overdue=page.overdue, upcoming=page.upcoming,
                horizon=format_date(page.horizon), planned=page.planned)
        )  # fmt: skip
        shown = self.model.rowCount()
        self.shown_label.setText(self.tr("Mostrando {shown} de {total}.").format(
            shown=shown, total=page.total))  # fmt: skip
        self.more_button.setVisible(shown < page.total)
        self._update()
        if page.offset == 0:
            self.loaded.emit()

    def selected_rows(self) -> list[svc.DueRow]:
        return _selected(self.table, self.model)

    def _update(self, *_args: object) -> None:
        self.plan_button.setEnabled(bool(self.selected_rows()))

    def plan_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        self.dialog = PlanDialog(self.ctx, rows, self.choices.inspectors, self)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.open()


class ScheduledTab(QWidget):
    """ "Programadas": planned/ongoing inspections of a period; reassign, cancel, print.

    Signals:
        loaded(): the table shows a fresh answer.
    """

    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheduled_tab")
        self.ctx = ctx
        self.choices = Choices((), (), ())
        self.dialog: ServiceDialog | None = None
        self.model = WorkModel(parent=self)
        self._build_ui()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_filters())
        self.table = rows_table(self.model, "scheduled_table", stretch_last=False)
        _multi(self.table)
        for column, width in enumerate((90, 240, 300, 50, 170, 200, 160, 100)):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._update)
        layout.addWidget(self.table, 1)
        layout.addLayout(self._build_buttons())

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        today = self.ctx.today()
        self.start = DateField("start")
        self.start.set_value(today)
        self.end = DateField("end")
        self.end.set_value(today + timedelta(days=30))
        self.inspector = QComboBox()
        self.team = QComboBox()
        _labelled(row, self.tr("&De:"), self.start)
        _labelled(row, self.tr("&Até:"), self.end)
        _labelled(row, self.tr("&Fiscal:"), self.inspector)
        _labelled(row, self.tr("&Equipe:"), self.team)
        self.count_label = QLabel()
        row.addStretch(1)
        row.addWidget(self.count_label)
        for field in (self.start, self.end):
            field.editingFinished.connect(self.reload)
        for combo in (self.inspector, self.team):
            combo.currentIndexChanged.connect(self.reload)
        return row

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.reassign_button = self._button(self.tr("&Reatribuir…"), "reassign", self.reassign)
        self.cancel_button = self._button(self.tr("&Cancelar inspeção…"), "cancel_planned",
                                          self.cancel)  # fmt: skip
        self.print_button = self._button(
            self.tr("&Imprimir roteiro de trabalho"), "print_work_list", self.print_work_list
        )
        self.print_button.setToolTip(self.tr("Do fiscal escolhido no filtro, para o período"))
        for button in (self.reassign_button, self.cancel_button):
            button.setVisible(self.ctx.actor.can(MANAGE))
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.print_button)
        return row

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def set_choices(self, choices: Choices) -> None:
        self.choices = choices
        items = [(row.label, row.id) for row in choices.inspectors]
        _fill_combo(self.inspector, self.tr("Todos"), items)
        _fill_combo(self.team, self.tr("Todas"), [(team, team) for team in choices.teams])

    def period(self) -> tuple[date, date]:
        today = self.ctx.today()
        start = self.start.value() or today
        return start, max(self.end.value() or start, start)

    def reload(self, *_args: object) -> None:
        ctx, (start, end) = self.ctx, self.period()
        inspector_id, team = self.inspector.currentData(), self.team.currentData()

        def work() -> list[svc.WorkRow]:
            with ctx.db.read_only() as session:
                return svc.work_list(session, ctx.actor, start=start, end=end,
                                     inspector_id=inspector_id, team=team)  # fmt: skip

        ctx.ops.run(work, self._show, parent=self)

    def _show(self, rows: list[svc.WorkRow]) -> None:
        self.model.set_rows(rows)
        self.count_label.setText(self.tr("{count} inspeção(ões)").format(count=len(rows)))
        self._update()
        self.loaded.emit()

    def selected_rows(self) -> list[svc.WorkRow]:
        return _selected(self.table, self.model)

    def _update(self, *_args: object) -> None:
        planned = [r for r in self.selected_rows() if r.status == InspectionStatus.PLANNED]
        self.reassign_button.setEnabled(bool(planned))
        self.cancel_button.setEnabled(bool(planned))
        self.print_button.setEnabled(self.model.rowCount() > 0)

    def _planned_selection(self) -> list[svc.WorkRow]:
        return [r for r in self.selected_rows() if r.status == InspectionStatus.PLANNED]

    def reassign(self) -> None:
        rows = self._planned_selection()
        if rows:
            self._open(ReassignDialog(self.ctx, rows, self.choices.inspectors, self))

    def cancel(self) -> None:
        rows = self._planned_selection()
        if rows:
            self._open(CancelDialog(self.ctx, rows, self))

    def _open(self, dialog: ServiceDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def print_inspector(self) -> uuid.UUID | None:
        """The inspector of the work list: the filter's, or the one all selected rows share."""
        chosen = self.inspector.currentData()
        if chosen is not None:
            return chosen  # type: ignore[no-any-return]
        rows = self.selected_rows() or self.model.rows()
        ids = {row.inspector_id for row in rows}
        return ids.pop() if len(ids) == 1 else None

    def print_work_list(self) -> None:
        inspector_id = self.print_inspector()
        if inspector_id is None:
            need = self.tr(
                "Escolha o fiscal no filtro (ou selecione inspeções de um só fiscal) para imprimir."
            )
            self.message_box = show_error(
                self, UserFacingError(need), self.tr("Roteiro de trabalho")
            )
            return
        ctx, (start, end) = self.ctx, self.period()
        issue_and_preview(
            ctx, self, self.print_button,
            lambda session: work_list_pdf(session, ctx.actor, inspector_id, start, end),
        )  # fmt: skip


class PlanningPage(QWidget):
    """The planning page: "Inspeções a programar", "Programadas" and "Fiscais"."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("planning_page")
        self.ctx = ctx
        self._build_ui()
        ctx.bus.changed.connect(self._on_changed)
        self.reload()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("Planejamento de inspeções"))
        title.setObjectName("page_title")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("planning_tabs")
        self.due_tab = DueTab(self.ctx)
        self.scheduled_tab = ScheduledTab(self.ctx)
        self.inspectors_tab = InspectorsWidget(self.ctx)
        self.tabs.addTab(self.due_tab, self.tr("Inspeções a &programar"))
        self.tabs.addTab(self.scheduled_tab, self.tr("Pro&gramadas"))
        self.tabs.addTab(self.inspectors_tab, self.tr("&Fiscais"))
        layout.addWidget(self.tabs, 1)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.reload)

    def _on_changed(self, kind: str) -> None:
        if kind in (INSPECTION, "establishment"):
            self.due_tab.reload()
            self.scheduled_tab.reload()
        elif kind == INSPECTOR:
            self.reload()

    def reload(self) -> None:
        ctx = self.ctx
        ctx.ops.run(lambda: load_choices(ctx), self._show_choices, parent=self)

    def _show_choices(self, choices: Choices) -> None:
        self.due_tab.set_choices(choices)
        self.scheduled_tab.set_choices(choices)
        self.due_tab.reload()
        self.scheduled_tab.reload()
