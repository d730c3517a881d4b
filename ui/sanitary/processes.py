"""The "Processos administrativos" page of VISA: the list of processes with their deadlines, the
timeline of the selected one, and the steps it may take now.

Filters: the stage, only the overdue ones, only those due in the next 7 days. Overdue rows say so
in words ("VENCIDO há 3 dias"), not only in red. Below the list: the auto de infração in one
line, the timeline (date, step, summary, deadline opened) and one button per step the current
stage accepts; each opens a small dialog (date, summary; for a decision the penalties of
Lei 6.437/1977 art. 2º and the fine, whose range is shown). "Imprimir processo" previews the
whole process as a PDF. Every service call runs through `ctx.ops`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.sanitary import process_queries as queries
from app.sanitary import processes as svc
from app.sanitary.enums import ProcessStage
from app.sanitary.process_opening import open_pending_processes
from app.sanitary.process_reports import process_pdf
from app.sanitary.rules import money
from ui.care.agenda_forms import FormDialog, action_button
from ui.context import AppContext
from ui.models.rows import Column, RowsModel
from ui.widgets.fields import DateField
from ui.widgets.page_header import title_label
from ui.widgets.pdf_preview import PdfPreviewDialog
from ui.widgets.tables import rows_table

OVERDUE_COLOR = QColor("#b3261e")
SOON_DAYS = 7
REFRESH_KINDS = frozenset({"sanitary_process", "sanitary_document"})

BUTTON_TEXTS: dict[str, str] = {
    svc.DEFENCE: "Registrar &defesa…",
    svc.NO_DEFENCE: "Registrar re&velia…",
    svc.REPLY: "Registrar &manifestação…",
    svc.DECISION: "Registrar deci&são…",
    svc.APPEAL: "Registrar &recurso…",
    svc.NO_APPEAL: "Encerrar sem rec&urso…",
    svc.APPEAL_DECISION: "Decisão do re&curso…",
    svc.ARCHIVED: "Arq&uivar…",
}
DECISIONS = frozenset({svc.DECISION, svc.APPEAL_DECISION})


# --- models -----------------------------------------------------------------------------------


class ProcessModel(RowsModel[queries.ProcessRow]):
    """Número, Estabelecimento, Auto, Etapa, Prazo, Situação do prazo."""

    def _build_columns(self) -> list[Column[queries.ProcessRow]]:
        return [
            Column(self.tr("Número"), lambda r: r.number),
            Column(self.tr("Estabelecimento"), lambda r: r.establishment),
            Column(self.tr("Auto"), lambda r: r.infraction),
            Column(self.tr("Etapa"), lambda r: r.stage_label),
            Column(self.tr("Prazo"), lambda r: f"{r.due_on:%d/%m/%Y}" if r.due_on else "—"),
            Column(self.tr("Dias restantes"), lambda r: r.deadline_text),
        ]

    def foreground(self, row: queries.ProcessRow) -> QColor | None:
        return OVERDUE_COLOR if row.overdue else None


class StepModel(RowsModel[queries.StepRow]):
    """The timeline: Data, Etapa, Resumo, Novo prazo, Registrado por."""

    def _build_columns(self) -> list[Column[queries.StepRow]]:
        return [
            Column(self.tr("Data"), lambda s: f"{s.happened_on:%d/%m/%Y}"),
            Column(self.tr("Etapa"), lambda s: s.kind_label),
            Column(self.tr("Novo prazo"), lambda s: f"{s.due_on:%d/%m/%Y}" if s.due_on else "—"),
            Column(self.tr("Registrado por"), lambda s: s.recorded_by),
            Column(self.tr("Resumo"), lambda s: s.summary),
        ]


def parse_money(text: str) -> Decimal | None:
    """ "R$ 10.000,50" / "10000,5" → Decimal; "" → None; raises ValueError when unreadable."""
    cleaned = text.replace("R$", "").replace(" ", "").replace(".", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


# --- the step dialog --------------------------------------------------------------------------


class StepDialog(FormDialog):
    """Record one step of a process: date and summary (decision, penalties and fine for a
    decision). Emits `recorded` after the service accepted it."""

    recorded = Signal()

    def __init__(
        self, ctx: AppContext, detail: queries.ProcessDetail, kind: str, parent: QWidget | None
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName(f"step_dialog_{kind}")
        self.detail, self.kind = detail, kind
        title = svc.STEP_LABELS[kind]
        self.setWindowTitle(self.tr("{step} – processo nº {number}").format(
            step=title, number=detail.row.number))  # fmt: skip
        layout = QVBoxLayout(self)
        heading = QLabel(self.tr("<b>{step}</b><br>{name} – etapa atual: {stage}").format(
            step=title, name=detail.row.establishment, stage=detail.row.stage_label))  # fmt: skip
        if kind in DECISIONS:
            heading.setText(heading.text() + self.tr("<br>Auto de infração nº {ai} ({gravity}): "
                "multa {range}.").format(ai=detail.infraction.number,
                gravity=detail.infraction.gravity.lower(),
                range=detail.infraction.fine_range or "—"))  # fmt: skip
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addWidget(self.form_error)
        layout.addLayout(self.form)
        self._build_fields()
        layout.addLayout(self._build_buttons(self.tr("&Registrar")))
        self.resize(620, 520 if kind in DECISIONS else 320)
        self.day.setFocus()

    def _build_fields(self) -> None:
        self.day = DateField("happened_on")
        self.day.set_value(self.ctx.today())
        self.form.add_field("happened_on", self.tr("&Data:"), self.day)
        if self.kind in DECISIONS:
            self._build_decision()
            return
        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        what = self.tr("Motivo:") if self.kind == svc.ARCHIVED else self.tr("Re&sumo:")
        self.form.add_field("summary", what, self.summary)
        self.summary.setPlaceholderText(self._summary_hint())

    def _summary_hint(self) -> str:
        if self.kind in (svc.NO_DEFENCE, svc.NO_APPEAL):
            return self.tr("Opcional: o sistema registra o decurso do prazo.")
        return self.tr("O que foi apresentado, em poucas linhas.")

    def _build_decision(self) -> None:
        self.decision = QPlainTextEdit()
        self.decision.setTabChangesFocus(True)
        self.form.add_field("decision", self.tr("De&cisão:"), self.decision)
        self.penalties = QListWidget()
        self.penalties.setObjectName("field_penalty")
        for penalty in svc.PENALTIES:
            item = QListWidgetItem(penalty, self.penalties)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.penalties.setMinimumHeight(150)
        label = self.tr("&Penalidades:") if self.kind == svc.DECISION else self.tr(
            "&Penalidades (se alteradas):")  # fmt: skip
        self.form.add_field("penalty", label, self.penalties)
        self.fine = QLineEdit()
        fine_range = self.detail.infraction.fine_range
        self.fine.setPlaceholderText(self.tr("faixa do auto: {range}").format(range=fine_range))
        self.form.add_field("fine_amount", self.tr("Valor da &multa (R$):"), self.fine)
        self._last_field(self.fine)

    def chosen_penalties(self) -> list[str]:
        items = (self.penalties.item(n) for n in range(self.penalties.count()))
        return [i.text() for i in items if i.checkState() == Qt.CheckState.Checked]

    def set_penalty(self, penalty: str, checked: bool = True) -> None:
        for n in range(self.penalties.count()):
            item = self.penalties.item(n)
            if item.text() == penalty:
                state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
                item.setCheckState(state)

    def save(self) -> None:
        day = self.day.value()
        if day is None:
            self.show_errors({"happened_on": self.tr("Informe a data (dd/mm/aaaa).")})
            return
        try:
            call = self._call(day)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        ctx = self.ctx

        def work() -> Any:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return call(session)

        self._run(work, self._done)

    def _call(self, day: date) -> Callable[[Any], Any]:
        actor, pid, kind = self.ctx.actor, self.detail.row.id, self.kind
        if kind in DECISIONS:
            text, penalties = self.decision.toPlainText(), self.chosen_penalties()
            try:
                fine = parse_money(self.fine.text())
            except ValueError:
                raise ValidationError({"fine_amount": self.tr("Valor inválido.")}) from None
            if kind == svc.DECISION:
                return lambda s: svc.record_decision(s, actor, pid, day, text, penalties, fine)
            return lambda s: svc.record_appeal_decision(
                s, actor, pid, day, text, penalties or None, fine
            )
        summary = self.summary.toPlainText()
        if kind == svc.ARCHIVED:
            return lambda s: svc.archive(s, actor, pid, summary, day)
        command = {
            svc.DEFENCE: svc.record_defence, svc.NO_DEFENCE: svc.record_no_defence,
            svc.REPLY: svc.record_reply, svc.APPEAL: svc.record_appeal,
            svc.NO_APPEAL: svc.record_no_appeal,
        }[kind]  # fmt: skip
        return lambda s: command(s, actor, pid, day, summary)

    def _done(self, _result: object) -> None:
        self.recorded.emit()
        self.accept()


# --- the page ---------------------------------------------------------------------------------


class ProcessesPage(QWidget):
    """Processes with deadlines, the selected one's timeline, and its next steps."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("processes_page")
        self.ctx = ctx
        self.detail: queries.ProcessDetail | None = None
        self.model = ProcessModel(parent=self)
        self.steps = StepModel(parent=self)
        self._build_ui()
        ctx.bus.changed.connect(self._changed)
        self.reload()

    # building

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        title = title_label(self.tr("Processos administrativos sanitários"))
        layout.addWidget(title)
        layout.addLayout(self._build_filters())
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.table = rows_table(self.model, "processes")
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selected())
        splitter.addWidget(self.table)
        splitter.addWidget(self._build_detail())
        splitter.setSizes([300, 360])
        layout.addWidget(splitter, 1)

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.stage = QComboBox()
        self.stage.setObjectName("stage_filter")
        self.stage.addItem(self.tr("Em andamento (todas as etapas abertas)"), "open")
        self.stage.addItem(self.tr("Todos, inclusive encerrados"), None)
        for stage in ProcessStage:
            self.stage.addItem(stage.label, stage.value)
        self.overdue = QCheckBox(self.tr("Somente &vencidos"))
        self.overdue.setObjectName("overdue_filter")
        self.soon = QCheckBox(self.tr("A vencer em &7 dias"))
        self.soon.setObjectName("soon_filter")
        for widget in (self.overdue, self.soon):
            widget.toggled.connect(lambda _on: self.reload())
        self.stage.currentIndexChanged.connect(lambda _i: self.reload())
        label = QLabel(self.tr("&Etapa:"))
        label.setBuddy(self.stage)
        self.count = QLabel()
        self.count.setObjectName("processes_count")
        for widget in (label, self.stage, self.overdue, self.soon):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.count)
        return row

    def _build_detail(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel(self.tr("Selecione um processo para ver o andamento."))
        self.summary.setObjectName("process_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.summary)
        self.timeline = rows_table(self.steps, "timeline")
        column.addWidget(self.timeline, 1)
        column.addLayout(self._build_buttons())
        return box

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.step_buttons: dict[str, QPushButton] = {}
        for kind, text in BUTTON_TEXTS.items():
            button = action_button(self.tr(text), f"step_{kind}")
            button.clicked.connect(lambda _c=False, k=kind: self.open_step(k))
            button.hide()
            row.addWidget(button)
            self.step_buttons[kind] = button
        row.addStretch(1)
        self.print_button = action_button(self.tr("&Imprimir processo"), "print_process")
        self.print_button.clicked.connect(self.print_process)
        self.print_button.setEnabled(False)
        row.addWidget(self.print_button)
        return row

    def set_filter(
        self, stage: ProcessStage | None = None, overdue: bool = False, soon: bool = False
    ) -> None:
        """Show one list (the dashboard opens the page this way); reloads once."""
        for widget in (self.stage, self.overdue, self.soon):
            widget.blockSignals(True)
        index = self.stage.findData(stage.value) if stage else 0
        self.stage.setCurrentIndex(max(index, 0))
        self.overdue.setChecked(overdue)
        self.soon.setChecked(soon)
        for widget in (self.stage, self.overdue, self.soon):
            widget.blockSignals(False)
        self.reload()

    # loading

    def _changed(self, kind: str) -> None:
        if kind in REFRESH_KINDS:
            self.reload()

    def _filters(self) -> dict[str, Any]:
        value = self.stage.currentData()
        stage = ProcessStage(value) if value not in (None, "open") else None
        return {
            "stage": stage,
            "overdue": self.overdue.isChecked(),
            "due_within": SOON_DAYS if self.soon.isChecked() else None,
            "open_only": value == "open",
        }

    def reload(self) -> None:
        ctx, filters = self.ctx, self._filters()
        open_only = filters.pop("open_only")
        today = ctx.today()

        def work() -> list[queries.ProcessRow]:
            if ctx.actor.can("sanitary.inspect") and ctx.actor.can("sanitary.process"):
                # Autos lavrados on field laptops arrive through sync without their process.
                with ctx.db.unit_of_work(ctx.actor.username) as session:
                    open_pending_processes(session, ctx.actor)
            with ctx.db.read_only() as session:
                rows = queries.list_processes(session, ctx.actor, today, **filters)
            return [r for r in rows if not open_only or r.stage is not ProcessStage.CLOSED]

        ctx.ops.run(work, self._show_rows, parent=self)

    def _show_rows(self, rows: list[queries.ProcessRow]) -> None:
        keep = self.detail.row.id if self.detail else None
        self.model.set_rows(rows)
        late = sum(1 for r in rows if r.overdue)
        self.count.setText(self.tr("{n} processo(s), {late} vencido(s)").format(
            n=len(rows), late=late))  # fmt: skip
        index = next((n for n, r in enumerate(rows) if r.id == keep), 0 if rows else None)
        if index is None:
            self._show_detail(None)
        else:
            self.table.selectRow(index)
            self._selected()

    def _selected(self) -> None:
        row = self.model.row_for(self.table.currentIndex())
        if row is None:
            self._show_detail(None)
            return
        ctx, today = self.ctx, self.ctx.today()

        def work() -> queries.ProcessDetail:
            with ctx.db.read_only() as session:
                return queries.get_process(session, ctx.actor, row.id, today)

        ctx.ops.run(work, self._show_detail, parent=self)

    def _show_detail(self, detail: queries.ProcessDetail | None) -> None:
        self.detail = detail
        self.steps.set_rows(detail.steps if detail else [])
        allowed = set(detail.allowed) if detail else set()
        may = self.ctx.actor.can("sanitary.process")
        for kind, button in self.step_buttons.items():
            button.setVisible(may and kind in allowed)
        self.print_button.setEnabled(detail is not None)
        self.summary.setText(self._summary_text(detail))

    def _summary_text(self, detail: queries.ProcessDetail | None) -> str:
        if detail is None:
            return self.tr("Selecione um processo para ver o andamento.")
        ai = detail.infraction
        text = self.tr(
            "<b>Processo nº {number}</b> – {name} ({document}) – Auto de infração nº {ai} de "
            "{ai_date}, {gravity}, multa {range}.<br>Etapa: <b>{stage}</b>{due}. "
            "Aguardando {waiting}."
        ).format(
            number=detail.row.number, name=detail.row.establishment, document=detail.document,
            ai=ai.number, ai_date=f"{ai.issued_on:%d/%m/%Y}", gravity=ai.gravity.lower(),
            range=ai.fine_range or "—", stage=detail.row.stage_label,
            due=self._due_text(detail), waiting=detail.waiting,
        )  # fmt: skip
        if detail.penalty:
            fine = f" ({money(detail.fine_amount)})" if detail.fine_amount is not None else ""
            text += self.tr("<br>Penalidade: {p}{fine}").format(p=detail.penalty, fine=fine)
        return text

    def _due_text(self, detail: queries.ProcessDetail) -> str:
        row = detail.row
        if row.due_on is None:
            return ""
        return self.tr(", prazo até {day} ({left})").format(
            day=f"{row.due_on:%d/%m/%Y}", left=row.deadline_text)  # fmt: skip

    # actions

    def open_step(self, kind: str) -> StepDialog | None:
        if self.detail is None:
            return None
        dialog = StepDialog(self.ctx, self.detail, kind, self)
        dialog.recorded.connect(self._recorded)
        dialog.open()
        return dialog

    def _recorded(self) -> None:
        self.ctx.bus.changed.emit("sanitary_process")

    def print_process(self) -> None:
        if self.detail is None:
            return
        ctx, pid = self.ctx, self.detail.row.id

        def work() -> Any:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return process_pdf(session, ctx.actor, pid)

        ctx.ops.run(work, self._preview, parent=self)

    def _preview(self, issued: Any) -> None:
        self.preview = PdfPreviewDialog.for_issued(issued, self)
        self.preview.open()
