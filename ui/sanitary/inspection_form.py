"""The inspection fill-in screen of the field laptop: the roteiro item by item, every answer saved
at once, photos and files, and the "Concluir inspeção" dialog.

`InspectionForm` is a page widget (the work list shows it in place of the list, so nothing floats
over a small screen). Left, the roteiro's items by section with their answer written out and
coloured; right, the current item: its text, classification and legal reference, the three answer
buttons, the observation and the attachments. Keys (shown on screen): C/1 Conforme, N/2 Não
conforme, A/3 Não se aplica from the list (Alt+C, Alt+N, Alt+A from anywhere); Alt+→/PgDn and
Alt+←/PgUp move between items; Enter in the observation saves it and goes on (Shift+Enter breaks
the line). Each answer goes to `app.sanitary.inspections.answer_item` in the worker immediately,
so a laptop that dies loses nothing already answered. A "Não conforme" on an Imprescindível item
asks for the observation first (the service refuses it without one) and is saved with it.
`finished(inspection_id)` is emitted when the inspection is concluded; `next_actions` is the row
where the documents screen adds "Emitir termo…".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.sanitary import inspections as svc
from app.sanitary.enums import (
    Answer,
    DocumentKind,
    InspectionOutcome,
    InspectionStatus,
    ItemClass,
)
from app.sanitary.inspection_queries import (
    AttachmentRow,
    InspectionSheet,
    SheetItem,
    attachments,
    inspection_sheet,
)
from ui.context import AppContext
from ui.ops import show_error
from ui.sanitary.attachments import AttachmentsBox
from ui.widgets.fields import ErrorLabel, FormLayout

ITEM_ROLE = Qt.ItemDataRole.UserRole
# Background of an item by its answer; the answer is always written out too (never colour only).
ANSWER_COLOURS = {
    Answer.COMPLIANT: "#dcf1dc",
    Answer.NON_COMPLIANT: "#f9d6d3",
    Answer.NOT_APPLICABLE: "#e6e6e6",
}
ANSWER_KEYS = {Answer.COMPLIANT: ("C", "1"), Answer.NON_COMPLIANT: ("N", "2"),
               Answer.NOT_APPLICABLE: ("A", "3")}  # fmt: skip
SHORTCUTS_HELP = (
    "Teclas: C ou 1 Conforme · N ou 2 Não conforme · A ou 3 Não se aplica (na lista; Alt+C, "
    "Alt+N, Alt+A de qualquer campo) · Alt+→ ou PgDn próximo item · Alt+← ou PgUp anterior · "
    "Enter na observação grava e avança"
)
# Radio texts with their Alt+letter (the labels of the enum, with a mnemonic each).
OUTCOME_TEXTS = {
    InspectionOutcome.SATISFACTORY: "&Satisfatória",
    InspectionOutcome.CORRECTIONS: "&Exigências a cumprir (com prazo)",
    InspectionOutcome.INFRACTION: "&Infração sanitária",
    InspectionOutcome.INTERDICTION: "In&terdição",
}
NEXT_STEPS = {
    InspectionOutcome.SATISFACTORY: "Próximo passo: emitir o termo de inspeção.",
    InspectionOutcome.CORRECTIONS: (
        "Próximo passo: emitir o termo de inspeção e o termo de intimação com o prazo."
    ),
    InspectionOutcome.INFRACTION: (
        "Próximo passo: emitir o termo de inspeção e o auto de infração sanitária."
    ),
    InspectionOutcome.INTERDICTION: (
        "Próximo passo: emitir o termo de inspeção e o termo de interdição."
    ),
}


@dataclass(frozen=True)
class Loaded:
    sheet: InspectionSheet
    attachments: list[AttachmentRow]


def _bold(label: QLabel, scale: float = 1.0) -> QLabel:
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


class _EnterSaves(QObject):
    """Enter in the observation saves it (Shift+Enter still breaks the line)."""

    def __init__(self, form: InspectionForm) -> None:
        super().__init__(form)
        self._form = form

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self._form.commit_observation(advance=False)
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._form.commit_observation(advance=True)
            return True
        return False


class InspectionForm(QWidget):
    """Fill in one inspection.

    Signals:
        loaded(): the screen shows freshly read data (tests wait on it).
        saved(): an answer or observation was stored.
        finished(uuid.UUID): the inspection was concluded.
        closed(): the inspector asked to go back to the work list.
    """

    loaded = Signal()
    saved = Signal()
    finished = Signal(object)
    closed = Signal()

    def __init__(
        self, ctx: AppContext, inspection_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("inspection_form")
        self._ctx = ctx
        self.inspection_id = inspection_id
        self.sheet: InspectionSheet | None = None
        self._attachments: list[AttachmentRow] = []
        self._pending: Answer | None = None  # chosen, waiting for the observation
        self._drafts: dict[uuid.UUID, str] = {}  # observations typed before any answer
        self._tree_items: dict[uuid.UUID, QTreeWidgetItem] = {}
        self._build_ui()
        self._build_shortcuts()
        self.reload()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(self._build_header())
        layout.addWidget(self._build_done_banner())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_tree())
        splitter.addWidget(self._build_item_panel())
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([640, 640])
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)
        layout.addLayout(self._build_footer())

    def _build_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        column = QVBoxLayout()
        column.setSpacing(1)
        self.title = _bold(QLabel(), 1.35)
        self.title.setObjectName("establishment_name")
        self.details = QLabel()
        self.details.setObjectName("establishment_details")
        self.details.setWordWrap(True)
        self.roteiro = QLabel()
        self.roteiro.setObjectName("roteiro_label")
        for widget in (self.title, self.details, self.roteiro):
            column.addWidget(widget)
        self.back_button = QPushButton(self.tr("◀ &Voltar à lista"))
        self.back_button.setObjectName("back")
        self.back_button.setAutoDefault(False)
        self.back_button.setToolTip(self.tr("Tudo o que foi respondido já está gravado."))
        self.back_button.clicked.connect(self._back)
        row.addLayout(column, 1)
        row.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def _build_done_banner(self) -> QFrame:
        self.done_banner = QFrame()
        self.done_banner.setObjectName("done_banner")
        self.done_banner.setStyleSheet(
            "QFrame#done_banner { background: #e3f0fb; border: 1px solid #9cc3e6;"
            " border-radius: 4px; }"
        )
        row = QHBoxLayout(self.done_banner)
        row.setContentsMargins(8, 4, 8, 4)
        self.done_text = QLabel()
        self.done_text.setObjectName("done_text")
        self.done_text.setWordWrap(True)
        row.addWidget(self.done_text, 1)
        # What usually follows a finished inspection: the legal documents.
        self.next_actions = QHBoxLayout()
        row.addLayout(self.next_actions)
        self.issue_button = QPushButton(self.tr("Emitir termo ou auto…"))
        self.issue_button.setObjectName("issue_document")
        self.issue_menu = QMenu(self.issue_button)
        for kind in DocumentKind:
            action = self.issue_menu.addAction(kind.label)
            action.setObjectName(f"issue_{kind.value}")
            action.triggered.connect(lambda _=False, k=kind: self._issue(k))
        self.issue_button.setMenu(self.issue_menu)
        self.next_actions.addWidget(self.issue_button)
        self.done_banner.hide()
        return self.done_banner

    def _issue(self, kind: DocumentKind) -> None:
        from ui.sanitary.document_dialogs import open_issue_dialog

        self.issue_dialog = open_issue_dialog(self._ctx, self, kind, self.inspection_id)

    def _build_tree(self) -> QTreeWidget:
        self.tree = QTreeWidget()
        self.tree.setObjectName("items_tree")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels([self.tr("Item do roteiro"), self.tr("Classe"),
                                   self.tr("Resposta"), self.tr("Anexos")])  # fmt: skip
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setMinimumWidth(460)
        self.tree.setStyleSheet("QTreeView::item { padding: 3px 0px; }")  # easier to click
        self.tree.currentItemChanged.connect(self._current_changed)
        return self.tree

    def _build_item_panel(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(8, 0, 0, 0)
        self.item_area = QWidget()
        area = QVBoxLayout(self.item_area)
        area.setContentsMargins(0, 0, 0, 0)
        self.section_label = QLabel()
        self.section_label.setObjectName("item_section")
        self.section_label.setStyleSheet("color: #555;")
        self.item_heading = _bold(QLabel())
        self.item_heading.setObjectName("item_heading")
        self.item_text = _bold(QLabel(), 1.15)
        self.item_text.setObjectName("item_text")
        self.item_text.setWordWrap(True)
        self.reference = QLabel()
        self.reference.setObjectName("item_reference")
        self.reference.setWordWrap(True)
        for widget in (self.section_label, self.item_heading, self.item_text, self.reference):
            area.addWidget(widget)
        area.addLayout(self._build_answer_buttons())
        area.addLayout(self._build_observation())
        self.notice = QLabel()
        self.notice.setObjectName("no_roteiro_notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.attachments_box = AttachmentsBox(self._ctx)
        self.attachments_box.attached.connect(lambda _id: self.reload())
        self.navigation = QWidget()
        self.navigation.setLayout(self._build_navigation())
        self.navigation.layout().setContentsMargins(0, 0, 0, 0)
        for widget in (self.item_area, self.notice, self.attachments_box, self.navigation):
            layout.addWidget(widget)
        layout.addStretch(1)
        return panel

    def _build_answer_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.answer_group = QButtonGroup(self)
        self.answer_buttons: dict[Answer, QPushButton] = {}
        texts = {
            Answer.COMPLIANT: self.tr("&Conforme  [C]"),
            Answer.NON_COMPLIANT: self.tr("&Não conforme  [N]"),
            Answer.NOT_APPLICABLE: self.tr("Não se &aplica  [A]"),
        }
        for answer, text in texts.items():
            button = QPushButton(text)
            button.setObjectName(f"answer_{answer.value}")
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setMinimumHeight(40)
            button.setStyleSheet(
                f"QPushButton:checked {{ background: {ANSWER_COLOURS[answer]};"
                " border: 2px solid #333; font-weight: bold; }"
            )
            button.clicked.connect(lambda _c=False, a=answer: self.answer(a))
            self.answer_group.addButton(button)
            self.answer_buttons[answer] = button
            row.addWidget(button)
        return row

    def _build_observation(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(2)
        caption = QLabel(self.tr("O&bservação (o que foi visto):"))
        self.observation = QPlainTextEdit()
        self.observation.setObjectName("observation")
        self.observation.setTabChangesFocus(True)
        self.observation.setMaximumHeight(80)
        self.observation.setPlaceholderText(
            self.tr("Obrigatória para item imprescindível não conforme. Enter grava e avança; "
                    "Shift+Enter muda de linha.")
        )  # fmt: skip
        self.observation.installEventFilter(_EnterSaves(self))
        caption.setBuddy(self.observation)
        self.observation_error = ErrorLabel("observation")
        for widget in (caption, self.observation, self.observation_error):
            column.addWidget(widget)
        return column

    def _build_navigation(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.previous_button = QPushButton(self.tr("◀ Item anterior"))
        self.previous_button.setObjectName("previous_item")
        self.previous_button.setToolTip(self.tr("Alt+← ou PgUp"))
        self.next_button = QPushButton(self.tr("Próximo item ▶"))
        self.next_button.setObjectName("next_item")
        self.next_button.setToolTip(self.tr("Alt+→ ou PgDn"))
        for button, step in ((self.previous_button, -1), (self.next_button, 1)):
            button.setAutoDefault(False)
            button.clicked.connect(lambda _c=False, s=step: self.move(s))
        self.advance_check = QCheckBox(self.tr("Passar ao próximo item ao responder"))
        self.advance_check.setObjectName("auto_advance")
        self.advance_check.setChecked(True)
        row.addWidget(self.previous_button)
        row.addWidget(self.next_button)
        row.addStretch(1)
        row.addWidget(self.advance_check)
        return row

    def _build_footer(self) -> QVBoxLayout:
        column = QVBoxLayout()
        self.help_label = help_label = QLabel(self.tr(SHORTCUTS_HELP))
        help_label.setObjectName("shortcuts_help")
        help_label.setWordWrap(True)
        help_label.setStyleSheet("color: #555;")
        row = QHBoxLayout()
        self.progress = _bold(QLabel())
        self.progress.setObjectName("progress")
        self.message = QLabel()
        self.message.setObjectName("form_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b3261e;")
        self.conclude_button = QPushButton(self.tr("C&oncluir inspeção…"))
        self.conclude_button.setObjectName("conclude")
        self.conclude_button.setAutoDefault(False)
        self.conclude_button.setMinimumHeight(34)
        self.conclude_button.clicked.connect(self.conclude)
        row.addWidget(self.progress)
        row.addWidget(self.message, 1)
        row.addWidget(self.conclude_button)
        column.addWidget(help_label)
        column.addLayout(row)
        return column

    def _build_shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for answer, keys in ANSWER_KEYS.items():
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self.tree)
                shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
                shortcut.activated.connect(lambda a=answer: self.answer(a))
        for keys, step in ((("Alt+Right", "PgDown"), 1), (("Alt+Left", "PgUp"), -1)):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.setContext(context)
                shortcut.activated.connect(lambda s=step: self.move(s))

    # --- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the inspection again (in the worker) and show it."""
        ctx, inspection_id = self._ctx, self.inspection_id

        def work() -> Loaded:
            with ctx.db.read_only() as session:
                sheet = inspection_sheet(session, ctx.actor, inspection_id)
                return Loaded(sheet, attachments(session, inspection_id))

        ctx.ops.run(work, self._show, parent=self)

    def _show(self, loaded: Loaded) -> None:
        first = self.sheet is None
        self.sheet, self._attachments = loaded.sheet, loaded.attachments
        self._show_header(loaded.sheet)
        if first or set(self._tree_items) != {i.item_id for i in loaded.sheet.items}:
            self._build_rows(loaded.sheet)
        for item in loaded.sheet.items:
            self._paint(self._tree_items[item.item_id], item)
        self.progress.setText(loaded.sheet.progress_text())
        if not loaded.sheet.items:
            self._show_without_roteiro(loaded.sheet)
        elif first:
            self._select(self._first_unanswered())
            self.tree.setFocus()
        else:
            self._fill_panel(keep_text=True)
        self._show_state(loaded.sheet)
        self.loaded.emit()

    def _show_without_roteiro(self, sheet: InspectionSheet) -> None:
        """No published roteiro serves this establishment: the visit is recorded in words."""
        for widget in (self.tree, self.item_area, self.navigation, self.help_label):
            widget.hide()
        self.notice.setText(
            self.tr("<b>Inspeção sem roteiro.</b> Não há roteiro publicado para as atividades "
                    "(CNAE) deste estabelecimento. Anexe abaixo as fotos da visita e descreva o "
                    "que foi verificado nas constatações, ao concluir a inspeção.")
        )  # fmt: skip
        self.notice.show()
        self.attachments_box.title.setText(self.tr("Fotos e arquivos da visita"))
        rows = [a for a in self._attachments if a.item_id is None]
        editable = sheet.status is InspectionStatus.IN_PROGRESS
        self.attachments_box.set_target(self.inspection_id, None, rows, editable)

    def _show_header(self, sheet: InspectionSheet) -> None:
        place = sheet.establishment
        self.title.setText(place.name)
        district = f" – {place.district}" if place.district else ""
        self.details.setText(
            f"{place.legal_name} · {place.document} · {place.address}{district} · "
            f"Risco {place.risk_text} · {sheet.reason.label}"
        )
        started = self._ctx.local(sheet.started_at) if sheet.started_at else None
        when = self.tr(", iniciada em {t}").format(t=f"{started:%d/%m/%Y %H:%M}") if started else ""
        self.roteiro.setText(
            self.tr("Roteiro: {r} · {s}{w}").format(
                r=sheet.roteiro or self.tr("nenhum para estas atividades"),
                s=sheet.status.label,
                w=when,
            )
        )

    def _build_rows(self, sheet: InspectionSheet) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        self._tree_items.clear()
        for section in sheet.sections:
            head = QTreeWidgetItem([section.name])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            _bold_item(head)
            self.tree.addTopLevelItem(head)
            for item in section.items:
                row = QTreeWidgetItem(["", "", ""])
                row.setData(0, ITEM_ROLE, item.item_id)
                head.addChild(row)
                self._tree_items[item.item_id] = row
            head.setExpanded(True)
            head.setFirstColumnSpanned(True)
        self.tree.blockSignals(False)

    def _paint(self, row: QTreeWidgetItem, item: SheetItem) -> None:
        row.setText(0, f"{item.code}  {item.text}")
        row.setToolTip(0, item.text)
        row.setText(1, item.classification_label)
        row.setText(2, item.answer.label if item.answer else self.tr("— sem resposta"))
        colour = ANSWER_COLOURS.get(item.answer) if item.answer else None
        brush = QBrush(QColor(colour)) if colour else QBrush()
        row.setText(3, str(item.attachments) if item.attachments else "")
        row.setTextAlignment(3, Qt.AlignmentFlag.AlignCenter)
        for column in range(4):
            row.setBackground(column, brush)
        row.setFont(2, _font(self.tree.font(), bold=item.essential_failure))
        row.setFont(1, _font(self.tree.font(), bold=item.classification is ItemClass.ESSENTIAL))

    def _show_state(self, sheet: InspectionSheet) -> None:
        editable = sheet.status is InspectionStatus.IN_PROGRESS
        for button in self.answer_buttons.values():
            button.setEnabled(editable)
        self.observation.setReadOnly(not editable)
        self.conclude_button.setVisible(editable)
        if sheet.status is InspectionStatus.DONE and sheet.outcome is not None:
            day = f"{sheet.performed_on:%d/%m/%Y}" if sheet.performed_on else ""
            due = (
                self.tr(" Prazo para as correções: até {d}.").format(
                    d=f"{sheet.correction_due_on:%d/%m/%Y}"
                )
                if sheet.correction_due_on
                else ""
            )
            self.done_text.setText(
                self.tr("Inspeção concluída em {d} — resultado: {o}.{due} {n}").format(
                    d=day, o=sheet.outcome.label, due=due, n=NEXT_STEPS[sheet.outcome]
                )
            )
            self.done_banner.show()

    # --- the current item -------------------------------------------------------------------

    def current_item(self) -> SheetItem | None:
        row = self.tree.currentItem()
        item_id = row.data(0, ITEM_ROLE) if row is not None else None
        if self.sheet is None or item_id is None:
            return None
        return next((i for i in self.sheet.items if i.item_id == item_id), None)

    def _editable_item(self) -> SheetItem | None:
        """The current item while the inspection can still be answered."""
        if self.sheet is None or self.sheet.status is not InspectionStatus.IN_PROGRESS:
            return None
        return self.current_item()

    def _first_unanswered(self) -> uuid.UUID | None:
        items = self.sheet.items if self.sheet else []
        pending = next((i for i in items if i.answer is None), None)
        chosen = pending or (items[0] if items else None)
        return chosen.item_id if chosen else None

    def _select(self, item_id: uuid.UUID | None) -> None:
        row = self._tree_items.get(item_id) if item_id else None
        if row is not None:
            self.tree.setCurrentItem(row)
            self.tree.scrollToItem(row)

    def _current_changed(self, current: QTreeWidgetItem | None, previous: QTreeWidgetItem | None,
                         ) -> None:  # fmt: skip
        if previous is not None and previous.data(0, ITEM_ROLE) is not None:
            self._leave_item(previous.data(0, ITEM_ROLE))
        if current is not None and current.data(0, ITEM_ROLE) is None:
            self._skip_heading(current, previous)
            return
        self._pending = None
        self._fill_panel(keep_text=False)

    def _skip_heading(self, heading: QTreeWidgetItem, previous: QTreeWidgetItem | None) -> None:
        """A section heading is not an item: land on the item next to it, in the direction the
        inspector was moving."""
        index = self.tree.indexOfTopLevelItem(heading)
        upwards = previous is not None and previous.parent() is heading
        if upwards and index > 0:
            before = self.tree.topLevelItem(index - 1)
            target = before.child(before.childCount() - 1)
        else:
            target = heading.child(0) if heading.childCount() else previous
        if target is not None:
            self.tree.setCurrentItem(target)

    def _leave_item(self, item_id: uuid.UUID) -> None:
        """Keep what was typed for the item left: saved with its answer, or kept as a draft."""
        item = next((i for i in (self.sheet.items if self.sheet else []) if i.item_id == item_id),
                    None)  # fmt: skip
        text = self.observation.toPlainText().strip()
        if item is None or text == item.observation:
            return
        if item.answer is not None and not (item.essential_failure and not text):
            self._save(item, item.answer, text, advance=False)
        else:
            self._drafts[item.item_id] = text

    def _fill_panel(self, keep_text: bool) -> None:
        item = self.current_item()
        if item is None or self.sheet is None:
            return
        self.section_label.setText(item.section)
        colour = "#b3261e" if item.classification is ItemClass.ESSENTIAL else "#333"
        self.item_heading.setText(
            f"Item {item.code} · <span style='color:{colour}'>{item.classification_label}</span>"
        )
        self.item_text.setText(item.text)
        self.reference.setText(self.tr("Referência legal: {r}").format(r=item.legal_reference
                                                                         or "—"))  # fmt: skip
        shown = self._pending or item.answer
        self.answer_group.setExclusive(False)
        for answer, button in self.answer_buttons.items():
            button.setChecked(answer is shown)
        self.answer_group.setExclusive(True)
        if not keep_text:
            self.observation.setPlainText(self._drafts.get(item.item_id, item.observation))
            self.observation_error.show_message(None)
        rows = [a for a in self._attachments if a.item_id == item.item_id]
        editable = self.sheet.status is InspectionStatus.IN_PROGRESS
        self.attachments_box.set_target(self.inspection_id, item.item_id, rows, editable)
        items = self.sheet.items
        position = items.index(item)
        self.previous_button.setEnabled(position > 0)
        self.next_button.setEnabled(position < len(items) - 1)

    def move(self, step: int) -> None:
        """Go to the next (1) or previous (-1) item of the roteiro."""
        if self.sheet is None:
            return
        items = self.sheet.items
        item = self.current_item()
        position = items.index(item) if item in items else -1
        target = position + step
        if 0 <= target < len(items):
            self._select(items[target].item_id)

    # --- answering --------------------------------------------------------------------------

    def answer(self, answer: Answer) -> None:
        """Answer the current item (saved at once); a "Não conforme" of an Imprescindível item
        waits for its observation."""
        item = self._editable_item()
        if item is None:
            return
        text = self.observation.toPlainText().strip()
        essential = item.classification is ItemClass.ESSENTIAL
        if answer is Answer.NON_COMPLIANT and essential and not text:
            self._pending = answer
            self._fill_panel(keep_text=True)
            self.observation_error.show_message(
                self.tr("Item imprescindível não conforme: descreva o que foi encontrado e "
                        "tecle Enter para gravar.")
            )  # fmt: skip
            self.observation.setFocus()
            return
        self._pending = None
        advance = answer is not Answer.NON_COMPLIANT and self.advance_check.isChecked()
        self._save(item, answer, text, advance=advance)
        if answer is Answer.NON_COMPLIANT:
            self.observation.setFocus()

    def commit_observation(self, advance: bool) -> None:
        """Store the observation with the chosen (or saved) answer; Enter also moves on."""
        item = self._editable_item()
        if item is None:
            return
        text = self.observation.toPlainText().strip()
        answer = self._pending or item.answer
        if answer is None:
            self._drafts[item.item_id] = text
            if advance:
                self.observation_error.show_message(
                    self.tr("Escolha a resposta (Alt+C, Alt+N ou Alt+A): a observação é gravada "
                            "junto com ela.")
                )  # fmt: skip
            return
        if text == item.observation and self._pending is None:
            if advance:
                self.move(1)
                self.tree.setFocus()
            return
        if answer is Answer.NON_COMPLIANT and item.classification is ItemClass.ESSENTIAL:
            if not text:  # still waiting for the description: the service would refuse it
                return
        self._pending = None
        self._save(item, answer, text, advance=advance)

    def _save(self, item: SheetItem, answer: Answer, text: str, *, advance: bool) -> None:
        ctx, inspection_id = self._ctx, self.inspection_id

        def work() -> svc.AnswerSaved:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.answer_item(session, ctx.actor, inspection_id, item.item_id, answer,
                                       text)  # fmt: skip

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError) and "observation" in exc.errors:
                self._select(item.item_id)
                self.observation_error.show_message(exc.errors["observation"])
                self.observation.setFocus()
            else:
                show_error(self, exc, self.tr("A resposta não foi gravada"))
            self.reload()

        self._drafts.pop(item.item_id, None)
        self._remember(item, answer, text)
        if advance:
            self.move(1)
            self.tree.setFocus()
        ctx.ops.run(work, lambda _saved: self._saved(), failed, parent=self)

    def _remember(self, item: SheetItem, answer: Answer, text: str) -> None:
        """Show the answer at once (the worker confirms it; a failure reloads the truth)."""
        if self.sheet is None:
            return
        updated = replace(item, answer=answer, observation=text)
        sections = tuple(
            replace(s, items=tuple(updated if i.item_id == item.item_id else i for i in s.items))
            for s in self.sheet.sections
        )
        self.sheet = replace(self.sheet, sections=sections)
        self._paint(self._tree_items[item.item_id], updated)
        self.progress.setText(self.sheet.progress_text())
        self.observation_error.show_message(None)
        if self.current_item() == updated:
            self._fill_panel(keep_text=True)

    def _saved(self) -> None:
        self.message.clear()
        self.saved.emit()

    # --- concluding -------------------------------------------------------------------------

    def conclude(self) -> None:
        """Open "Concluir inspeção" once every item is answered (else show what is missing)."""
        if self.sheet is None or self.sheet.status is not InspectionStatus.IN_PROGRESS:
            return
        self.commit_observation(advance=False)
        missing = self.sheet.unanswered_codes
        if missing:
            self.message.setText(
                self.tr("Responda todos os itens antes de concluir. Falta(m) {n}: {c}.").format(
                    n=len(missing), c=", ".join(missing)
                )
            )
            self._select(self._first_unanswered())
            self.tree.setFocus()
            return
        dialog = ConcludeDialog(self._ctx, self.sheet, self)
        dialog.concluded.connect(self._concluded)
        dialog.open()

    def _concluded(self, result: svc.Finished) -> None:
        self.message.clear()
        self._ctx.bus.changed.emit("inspection")
        self._ctx.bus.changed.emit("establishment")  # its dates (and status) moved on
        self.finished.emit(result.inspection_id)
        self.reload()

    def _back(self) -> None:
        self.commit_observation(advance=False)
        self.closed.emit()


def _bold_item(item: QTreeWidgetItem) -> None:
    font = QFont(item.font(0))
    font.setBold(True)
    item.setFont(0, font)


def _font(font: QFont, *, bold: bool) -> QFont:
    copy = QFont(font)
    copy.setBold(bold)
    return copy


class ConcludeDialog(QDialog):
    """ "Concluir inspeção": outcome, findings, correction deadline and who received the visit.

    Signals:
        concluded(Finished): the service accepted; the dialog closes.
    """

    concluded = Signal(object)

    def __init__(self, ctx: AppContext, sheet: InspectionSheet, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("conclude_dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Concluir inspeção — {n}").format(n=sheet.establishment.name))
        self._ctx = ctx
        self._sheet = sheet
        self._busy = False
        self._build_ui()
        self._outcome_changed()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        heading = _bold(QLabel(self.tr("Concluir a inspeção de {n}").format(
            n=self._sheet.establishment.name)), 1.2)  # fmt: skip
        summary = QLabel(self._sheet.progress_text())
        summary.setObjectName("conclude_summary")
        failures = QLabel(self._failures_text())
        failures.setObjectName("conclude_failures")
        failures.setWordWrap(True)
        self.form_error = ErrorLabel("form")
        layout.addWidget(heading)
        layout.addWidget(summary)
        layout.addWidget(failures)
        layout.addWidget(self.form_error)
        self.form = FormLayout()
        self.form.add_field("outcome", self.tr("Resultado:"), self._build_outcomes())
        self.form.add_field("correction_days", self.tr("&Prazo para correções:"),
                            self._build_deadline())  # fmt: skip
        self.findings = QPlainTextEdit()
        self.findings.setObjectName("findings")
        self.findings.setTabChangesFocus(True)
        self.findings.setMinimumHeight(110)
        self.findings.setPlaceholderText(
            self.tr("O que foi constatado, em palavras (vai ao termo)")
        )
        self.form.add_field("findings", self.tr("&Constatações:"), self.findings)
        self.received_by = QLineEdit(self._sheet.received_by)
        self.received_by.setMaxLength(120)
        self.received_by.setPlaceholderText(self.tr("Nome de quem acompanhou a inspeção"))
        self.form.add_field("received_by", self.tr("&Recebido por:"), self.received_by)
        self.form.submit_on_enter(self.received_by)
        self.received_by.setObjectName("received_by")
        layout.addLayout(self.form)
        layout.addLayout(self._build_buttons())
        self.resize(720, 520)

    def _failures_text(self) -> str:
        failing = [i for i in self._sheet.items if i.answer is Answer.NON_COMPLIANT]
        if not failing:
            return self.tr("Nenhum item não conforme.")
        codes = ", ".join(f"{i.code} ({i.classification_label.lower()})" for i in failing)
        return self.tr("Itens não conformes: {c}.").format(c=codes)

    def _build_outcomes(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.outcome_group = QButtonGroup(self)
        self.outcome_buttons: dict[InspectionOutcome, QRadioButton] = {}
        failures = self._sheet.essential_failures
        for outcome in InspectionOutcome:
            button = QRadioButton(OUTCOME_TEXTS[outcome])
            button.setObjectName(f"outcome_{outcome.value}")
            if outcome is InspectionOutcome.SATISFACTORY and failures:
                button.setEnabled(False)
                button.setText(
                    button.text() + self.tr(" (indisponível: há item imprescindível não conforme)")
                )
            self.outcome_group.addButton(button)
            self.outcome_buttons[outcome] = button
            button.toggled.connect(lambda _on: self._outcome_changed())
            column.addWidget(button)
        return box

    def _build_deadline(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.days = QSpinBox()
        self.days.setObjectName("correction_days")
        self.days.setRange(0, svc.MAX_CORRECTION_DAYS)
        self.days.setSuffix(self.tr(" dias"))
        self.days.setSpecialValueText(self.tr("—"))
        self.days.valueChanged.connect(lambda _v: self._preview_deadline())
        self.deadline_preview = QLabel()
        self.deadline_preview.setObjectName("deadline_preview")
        row.addWidget(self.days)
        row.addWidget(self.deadline_preview, 1)
        return box

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.ok_button = QPushButton(self.tr("Concluir inspeção (Ctrl+S)"))
        self.ok_button.setObjectName("confirm_conclude")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.submit)
        cancel = QPushButton(self.tr("Cancelar (Esc)"))
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+S"), self, self.submit)
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(self.ok_button)
        return row

    def outcome(self) -> InspectionOutcome | None:
        return next((o for o, b in self.outcome_buttons.items() if b.isChecked()), None)

    def _outcome_changed(self) -> None:
        corrections = self.outcome() is InspectionOutcome.CORRECTIONS
        self.days.setEnabled(corrections)
        if self.outcome() is not None:
            self.form.error_labels["outcome"].show_message(None)
        if not corrections:
            self.deadline_preview.setText(self.tr("só para “Exigências a cumprir”"))
        else:
            self._preview_deadline()

    def _preview_deadline(self) -> None:
        days = self.days.value()
        if self.outcome() is not InspectionOutcome.CORRECTIONS or days < 1:
            return
        ctx, start = self._ctx, self._sheet.visit_on

        def work() -> str:
            with ctx.db.read_only() as session:
                return svc.correction_deadline(session, start, days).sentence()

        def show(text: str) -> None:
            if self.days.value() == days:
                self.deadline_preview.setText(self.tr("{t} (a contar de {d})").format(
                    t=text, d=f"{start:%d/%m/%Y}"))  # fmt: skip

        ctx.ops.run(work, show, parent=self)

    def data(self) -> svc.FinishInput:
        corrections = self.outcome() is InspectionOutcome.CORRECTIONS
        days = self.days.value() if corrections and self.days.value() > 0 else None
        return svc.FinishInput(self.outcome(), self.findings.toPlainText(), days,
                               self.received_by.text())  # fmt: skip

    def submit(self) -> None:
        if self._busy:
            return
        ctx, inspection_id, data = self._ctx, self._sheet.inspection_id, self.data()

        def work() -> svc.Finished:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.finish_inspection(session, ctx.actor, inspection_id, data)

        self._busy = True
        self.ok_button.setEnabled(False)
        ctx.ops.run(work, self._done, self._failed, parent=self)

    def _done(self, result: svc.Finished) -> None:
        self._busy = False
        self.concluded.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.ok_button.setEnabled(True)
        if not isinstance(exc, ValidationError):
            show_error(self, exc, self.tr("A inspeção não foi concluída"))
            return
        rest = self.form.show_errors(exc.errors)
        self.form_error.show_message(" ".join(rest.values()) or None)
