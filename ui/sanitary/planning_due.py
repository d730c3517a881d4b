"""The "Inspeções a programar" tab of the planning page: the due list and "Programar…".

The establishments whose routine inspection is overdue (vencidas) or due within the horizon
(a vencer), filtered by situation, risk, team and bairro; several rows are selected (Ctrl/Shift+
click, Ctrl+A) and "Programar…" asks the date, the inspector and the reason. Rows that already
have an open inspection show its date and are greyed. The list comes in pages ("Mostrar mais")
because a municipality may have tens of thousands of establishments.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.reports.styles import format_date
from app.sanitary import planning as svc
from app.sanitary.enums import RiskLevel
from ui.context import AppContext
from ui.sanitary.planning_dialogs import PlanDialog
from ui.sanitary.planning_models import (
    MANAGE,
    Choices,
    DueModel,
    fill_combo,
    labelled,
    multi,
    selected,
)
from ui.widgets.tables import rows_table

PAGE_SIZE = 300


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
        multi(self.table)
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
        fill_combo(self.risk, self.tr("Todos"), [(level.label, level) for level in RiskLevel])
        self.team = QComboBox()
        self.district = QComboBox()
        self.hide_planned = QCheckBox(self.tr("Ocultar as já programadas"))
        labelled(row, self.tr("&Mostrar:"), self.only)
        labelled(row, self.tr("&Horizonte:"), self.horizon)
        labelled(row, self.tr("&Risco:"), self.risk)
        labelled(row, self.tr("&Equipe:"), self.team)
        labelled(row, self.tr("&Bairro:"), self.district)
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
        fill_combo(self.team, self.tr("Todas"), [(team, team) for team in choices.teams])
        fill_combo(
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
        return selected(self.table, self.model)

    def _update(self, *_args: object) -> None:
        self.plan_button.setEnabled(bool(self.selected_rows()))

    def plan_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        self.dialog = PlanDialog(self.ctx, rows, self.choices.inspectors, self)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.open()
