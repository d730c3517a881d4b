"""The "Denúncias" page: complaints from the public, their deadlines, routing and answers.

The list shows protocolo, recebida em, prazo, situação and the establishment or place; overdue
complaints say so in words. "Nova denúncia…" registers one (an "anônima" box hides the identity
fields, and nothing of them is kept), "Encaminhar para inspeção…" plans an inspection for the
establishment, "Registrar resposta…" closes it, "Arquivar…" files it with a reason, and the
receipt and the answer print through the PDF preview. The selected complaint's text is shown
below the list; the complainant appears only to accounts with `sanitary.manage`.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.sanitary import complaints as svc
from app.sanitary.complaint_report import answer_pdf, receipt_pdf
from app.sanitary.enums import ComplaintStatus
from ui.care.agenda_forms import FormDialog, action_button
from ui.context import AppContext
from ui.models.rows import Column, RowsModel
from ui.sanitary.licences import EstablishmentCombo, load_establishments
from ui.widgets.fields import DateField
from ui.widgets.page_header import title_label
from ui.widgets.pdf_preview import PdfPreviewDialog
from ui.widgets.tables import rows_table

OVERDUE_COLOR = QColor("#b3261e")
REFRESH_KINDS = frozenset({"sanitary_complaint", "inspection"})
NO_ESTABLISHMENT = "— não cadastrado: descrever o local —"
OPEN = "abertas"
OVERDUE = "vencidas"


class ComplaintModel(RowsModel[svc.ComplaintRow]):
    """Protocolo, Recebida em, Prazo, Situação, Estabelecimento/local."""

    def _build_columns(self) -> list[Column[svc.ComplaintRow]]:
        return [
            Column(self.tr("Protocolo"), lambda r: r.protocol),
            Column(self.tr("Recebida em"), lambda r: f"{r.received_on:%d/%m/%Y}"),
            Column(self.tr("Prazo"), lambda r: f"{r.due_on:%d/%m/%Y}"),
            Column(self.tr("Prazo (situação)"), lambda r: r.deadline_text),
            Column(self.tr("Situação"), lambda r: r.status_label),
            Column(self.tr("Estabelecimento / local"), lambda r: r.target),
        ]

    def foreground(self, row: svc.ComplaintRow) -> QColor | None:
        return OVERDUE_COLOR if row.overdue else None


# --- dialogs ----------------------------------------------------------------------------------


class NewComplaintDialog(FormDialog):
    """Intake of a complaint; emits `registered(ComplaintCreated)`."""

    registered = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("new_complaint_dialog")
        self.setWindowTitle(self.tr("Nova denúncia"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.form_error)
        layout.addLayout(self.form)
        self._build_when()
        self._build_identity()
        self._build_subject()
        layout.addLayout(self._build_buttons(self.tr("&Registrar denúncia")))
        self.resize(680, 520)
        load_establishments(ctx, self._establishments_loaded, self)
        self.received_on.setFocus()

    def _build_when(self) -> None:
        self.received_on = DateField("received_on")
        self.received_on.set_value(self.ctx.today())
        self.form.add_field("received_on", self.tr("Recebida &em:"), self.received_on)
        self.channel = QComboBox()
        for value, text in svc.CHANNELS.items():
            self.channel.addItem(text, value)
        self.form.add_field("channel", self.tr("&Canal:"), self.channel)

    def _build_identity(self) -> None:
        self.anonymous = QCheckBox(self.tr("Denúncia &anônima (nenhum dado do denunciante)"))
        self.anonymous.setObjectName("field_anonymous")
        self.anonymous.toggled.connect(self._anonymous_toggled)
        self.form.add_field("anonymous", "", self.anonymous)
        self.name = QLineEdit()
        self.name.setMaxLength(120)
        self.form.add_field("complainant_name", self.tr("&Nome do denunciante:"), self.name)
        self.contact = QLineEdit()
        self.contact.setMaxLength(200)
        self.contact.setPlaceholderText(self.tr("telefone ou e-mail para a resposta"))
        self.form.add_field("complainant_contact", self.tr("C&ontato:"), self.contact)

    def _build_subject(self) -> None:
        self.establishment = EstablishmentCombo()
        self.form.add_field("establishment_id", self.tr("E&stabelecimento:"), self.establishment)
        self.place = QLineEdit()
        self.place.setMaxLength(300)
        self.place.setPlaceholderText(self.tr("endereço ou referência, se não cadastrado"))
        self.form.add_field("place", self.tr("&Local:"), self.place)
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.form.add_field("description", self.tr("&Fato denunciado:"), self.description)

    def _anonymous_toggled(self, anonymous: bool) -> None:
        for widget in (self.name, self.contact):
            widget.clear()
            self.form.setRowVisible(widget.parentWidget(), not anonymous)
        self.form.activate()

    def _establishments_loaded(self, choices: list[Any]) -> None:
        self.establishment.set_choices(choices, first=self.tr(NO_ESTABLISHMENT))

    def save(self) -> None:
        day = self.received_on.value()
        if day is None:
            self.show_errors({"received_on": self.tr("Informe a data (dd/mm/aaaa).")})
            return
        data = svc.ComplaintInput(
            received_on=day, channel=self.channel.currentData(),
            anonymous=self.anonymous.isChecked(), description=self.description.toPlainText(),
            complainant_name=self.name.text(), complainant_contact=self.contact.text(),
            establishment_id=self.establishment.chosen(), place=self.place.text(),
        )  # fmt: skip
        ctx = self.ctx

        def work() -> svc.ComplaintCreated:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.register_complaint(session, ctx.actor, data)

        self._run(work, lambda created: (self.registered.emit(created), self.accept()))


class RouteDialog(FormDialog):
    """Route a complaint to an inspection: when and by whom."""

    routed = Signal()

    def __init__(self, ctx: AppContext, row: svc.ComplaintRow, parent: QWidget | None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("route_complaint_dialog")
        self.row = row
        self.setWindowTitle(self.tr("Encaminhar denúncia nº {p} para inspeção").format(
            p=row.protocol))  # fmt: skip
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(row.target))
        layout.addWidget(self.form_error)
        layout.addLayout(self.form)
        self.due_on = DateField("due_on")
        self.due_on.set_value(ctx.today())
        self.form.add_field("due_on", self.tr("Inspeção &prevista para:"), self.due_on)
        self.inspector = QComboBox()
        self.inspector.addItem(self.tr("— a definir —"), None)
        self.form.add_field("inspector_id", self.tr("&Fiscal:"), self.inspector)
        layout.addLayout(self._build_buttons(self.tr("&Encaminhar")))
        self.resize(560, 200)
        self._load_inspectors()

    def _load_inspectors(self) -> None:
        ctx = self.ctx

        def work() -> list[svc.InspectorChoice]:
            with ctx.db.read_only() as session:
                return svc.inspector_choices(session, ctx.actor)

        def done(choices: list[svc.InspectorChoice]) -> None:
            for choice in choices:
                self.inspector.addItem(f"{choice.name} ({choice.team})", choice.id)

        ctx.ops.run(work, done, parent=self)

    def save(self) -> None:
        due = self.due_on.value()
        if due is None:
            self.show_errors({"due_on": self.tr("Informe a data (dd/mm/aaaa).")})
            return
        ctx, complaint_id = self.ctx, self.row.id
        inspector = self.inspector.currentData()

        def work() -> uuid.UUID:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.route_to_inspection(session, ctx.actor, complaint_id, due, inspector)

        self._run(work, lambda _id: (self.routed.emit(), self.accept()))


class AnswerDialog(FormDialog):
    """Record the answer (or, with `archive`, the reason for archiving)."""

    answered = Signal()

    def __init__(
        self, ctx: AppContext, row: svc.ComplaintRow, archive: bool, parent: QWidget | None
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("archive_complaint_dialog" if archive else "answer_complaint_dialog")
        self.row, self.archive = row, archive
        title = self.tr("Arquivar denúncia nº {p}") if archive else self.tr(
            "Resposta à denúncia nº {p}")  # fmt: skip
        self.setWindowTitle(title.format(p=row.protocol))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(row.target))
        layout.addWidget(self.form_error)
        layout.addLayout(self.form)
        self.answered_on = DateField("answered_on")
        self.answered_on.set_value(ctx.today())
        if not archive:
            self.form.add_field("answered_on", self.tr("&Data:"), self.answered_on)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        label = self.tr("&Motivo:") if archive else self.tr("&Resposta:")
        self.form.add_field("answer", label, self.text)
        layout.addLayout(self._build_buttons(self.tr("&Salvar")))
        self.resize(600, 320)
        self.text.setFocus()

    def save(self) -> None:
        day = self.answered_on.value()
        if day is None:
            self.show_errors({"answered_on": self.tr("Informe a data (dd/mm/aaaa).")})
            return
        ctx, complaint_id, text, archive = (
            self.ctx,
            self.row.id,
            self.text.toPlainText(),
            self.archive,
        )

        def work() -> None:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                if archive:
                    svc.archive_complaint(session, ctx.actor, complaint_id, text)
                else:
                    svc.answer_complaint(session, ctx.actor, complaint_id, text, day)

        self._run(work, lambda _none: (self.answered.emit(), self.accept()))


# --- the page ---------------------------------------------------------------------------------


class ComplaintsPage(QWidget):
    """Complaints with deadlines and their actions."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("complaints_page")
        self.ctx = ctx
        self.model = ComplaintModel(parent=self)
        self._build_ui()
        ctx.bus.changed.connect(self._changed)
        self.reload()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        title = title_label(self.tr("Denúncias"))
        layout.addWidget(title)
        layout.addLayout(self._build_filter())
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.table = rows_table(self.model, "complaints")
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selected())
        splitter.addWidget(self.table)
        self.detail = QLabel()
        self.detail.setObjectName("complaint_detail")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        splitter.addWidget(self.detail)
        splitter.setSizes([440, 200])
        layout.addWidget(splitter, 1)
        layout.addLayout(self._build_actions())

    def _build_filter(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.status = QComboBox()
        self.status.setObjectName("complaint_filter")
        self.status.addItem(self.tr("Sem resposta (abertas e encaminhadas)"), OPEN)
        self.status.addItem(self.tr("Vencidas sem resposta"), OVERDUE)
        self.status.addItem(self.tr("Todas"), None)
        for status in ComplaintStatus:
            self.status.addItem(status.label, status.value)
        self.status.currentIndexChanged.connect(lambda _i: self.reload())
        label = QLabel(self.tr("&Mostrar:"))
        label.setBuddy(self.status)
        self.count = QLabel()
        row.addWidget(label)
        row.addWidget(self.status)
        row.addStretch(1)
        row.addWidget(self.count)
        return row

    def _build_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.new_button = action_button(self.tr("&Nova denúncia…"), "new_complaint")
        self.route_button = action_button(self.tr("&Encaminhar para inspeção…"), "route")
        self.answer_button = action_button(self.tr("&Registrar resposta…"), "answer")
        self.archive_button = action_button(self.tr("Arq&uivar…"), "archive")
        self.receipt_button = action_button(self.tr("Imprimir &protocolo"), "print_receipt")
        self.answer_print_button = action_button(self.tr("Imprimir res&posta"), "print_answer")
        self.new_button.clicked.connect(self.open_new)
        self.route_button.clicked.connect(self.open_route)
        self.answer_button.clicked.connect(lambda: self.open_answer(False))
        self.archive_button.clicked.connect(lambda: self.open_answer(True))
        self.receipt_button.clicked.connect(lambda: self.print_selected(False))
        self.answer_print_button.clicked.connect(lambda: self.print_selected(True))
        may_write = self.ctx.actor.can("sanitary.write")
        for button in (self.new_button, self.route_button, self.answer_button,
                       self.archive_button):  # fmt: skip
            button.setVisible(may_write)
            row.addWidget(button)
        row.addStretch(1)
        self.message = QLabel()
        self.message.setObjectName("complaints_message")
        row.addWidget(self.message)
        row.addWidget(self.receipt_button)
        row.addWidget(self.answer_print_button)
        self._enable()
        return row

    def show_list(self, choice: str | None) -> None:
        """Show one list: "abertas", "vencidas", None (all) or a ComplaintStatus value."""
        self.status.setCurrentIndex(max(self.status.findData(choice), 0))

    # loading

    def _changed(self, kind: str) -> None:
        if kind in REFRESH_KINDS:
            self.reload()

    def reload(self) -> None:
        ctx, choice, today = self.ctx, self.status.currentData(), self.ctx.today()

        def work() -> list[svc.ComplaintRow]:
            with ctx.db.read_only() as session:
                if choice == OVERDUE:
                    return svc.overdue_complaints(session, ctx.actor, today)
                status = ComplaintStatus(choice) if choice not in (None, OPEN) else None
                rows = svc.list_complaints(session, ctx.actor, today, status)
            return [r for r in rows if choice != OPEN or r.open]

        ctx.ops.run(work, self._show_rows, parent=self)

    def _show_rows(self, rows: list[svc.ComplaintRow]) -> None:
        self.model.set_rows(rows)
        late = sum(1 for r in rows if r.overdue)
        self.count.setText(self.tr("{n} denúncia(s), {late} vencida(s)").format(
            n=len(rows), late=late))  # fmt: skip
        if rows:
            self.table.selectRow(0)
        self._selected()

    def selected(self) -> svc.ComplaintRow | None:
        return self.model.row_for(self.table.currentIndex())

    def _enable(self) -> None:
        row = self.selected()
        is_open = row is not None and row.open
        self.route_button.setEnabled(
            is_open and row is not None and row.status is ComplaintStatus.OPEN
            and row.establishment_id is not None
        )  # fmt: skip
        self.answer_button.setEnabled(is_open)
        self.archive_button.setEnabled(is_open)
        self.receipt_button.setEnabled(row is not None)
        self.answer_print_button.setEnabled(
            row is not None and row.status is ComplaintStatus.ANSWERED
        )

    def _selected(self) -> None:
        self._enable()
        row = self.selected()
        if row is None:
            self.detail.setText(self.tr("Nenhuma denúncia nesta lista."))
            return
        ctx, today = self.ctx, self.ctx.today()

        def work() -> svc.ComplaintDetail:
            # a write session: reading an identified complainant is recorded in the audit trail
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.get_complaint(session, ctx.actor, row.id, today)

        ctx.ops.run(work, self._show_detail, parent=self)

    def _show_detail(self, detail: svc.ComplaintDetail) -> None:
        lines = [
            self.tr("<b>Denúncia nº {p}</b> – recebida em {day} ({channel}) – prazo {due} "
                    "({left})").format(p=detail.row.protocol,
                    day=f"{detail.row.received_on:%d/%m/%Y}", channel=detail.channel,
                    due=f"{detail.row.due_on:%d/%m/%Y}", left=detail.row.deadline_text),
            self.tr("Denunciante: {who}").format(
                who=detail.complainant + (f" – {detail.contact}" if detail.contact
                                          and detail.contact != svc.PROTECTED else "")),
            self.tr("Local: {target}").format(target=detail.row.target),
            self.tr("Fato: {text}").format(text=detail.description),
        ]  # fmt: skip
        if detail.answer:
            lines.append(self.tr("Resposta ({day}): {text}").format(
                day=f"{detail.answered_on:%d/%m/%Y}" if detail.answered_on else "",
                text=detail.answer))  # fmt: skip
        self.detail.setText("<br>".join(_escape(line, first=n == 0) for n, line in
                                        enumerate(lines)))  # fmt: skip

    # actions

    def open_new(self) -> NewComplaintDialog:
        dialog = NewComplaintDialog(self.ctx, self)
        dialog.registered.connect(self._registered)
        dialog.open()
        return dialog

    def _registered(self, created: svc.ComplaintCreated) -> None:
        self.message.setText(self.tr("Denúncia nº {p} registrada; prazo até {due}.").format(
            p=created.protocol, due=f"{created.due_on:%d/%m/%Y}"))  # fmt: skip
        self.ctx.bus.changed.emit("sanitary_complaint")

    def open_route(self) -> RouteDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = RouteDialog(self.ctx, row, self)
        dialog.routed.connect(self._routed)
        dialog.open()
        return dialog

    def _routed(self) -> None:
        self.ctx.bus.changed.emit("sanitary_complaint")
        self.ctx.bus.changed.emit("inspection")

    def open_answer(self, archive: bool) -> AnswerDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = AnswerDialog(self.ctx, row, archive, self)
        dialog.answered.connect(lambda: self.ctx.bus.changed.emit("sanitary_complaint"))
        dialog.open()
        return dialog

    def print_selected(self, answer: bool) -> None:
        row = self.selected()
        if row is None:
            return
        ctx, complaint_id = self.ctx, row.id
        build = answer_pdf if answer else receipt_pdf

        def work() -> Any:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return build(session, ctx.actor, complaint_id)

        ctx.ops.run(work, self._preview, parent=self)

    def _preview(self, issued: Any) -> None:
        self.preview = PdfPreviewDialog.for_issued(issued, self)
        self.preview.open()


def _escape(line: str, *, first: bool) -> str:
    """HTML-escape typed text (the first line carries our own bold markup)."""
    if first:
        return line
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
