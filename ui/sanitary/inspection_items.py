"""The roteiro's items on the inspection screen of the field laptop.

`ItemsTreeMixin` is mixed into `ui.sanitary.inspection_form.InspectionForm`: the tree of the
roteiro's items by section with each answer written out and coloured (never colour only), the
panel of the current item (its text, classification and legal reference, the answer buttons, the
observation and the attachments), and moving between items by keyboard: C/1 Conforme, N/2 Não
conforme, A/3 Não se aplica from the list; Alt+→/PgDn and Alt+←/PgUp move between items. What was
typed for the item left is kept: saved with its answer, or as a draft.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.sanitary.enums import Answer, InspectionStatus, ItemClass
from app.sanitary.inspection_queries import AttachmentRow, InspectionSheet, SheetItem
from ui.context import AppContext
from ui.sanitary.attachments import AttachmentsBox
from ui.sanitary.inspection_answers import ANSWER_COLOURS, ANSWER_KEYS

ITEM_ROLE = Qt.ItemDataRole.UserRole


def bold(label: QLabel, scale: float = 1.0) -> QLabel:
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


def _bold_item(item: QTreeWidgetItem) -> None:
    font = QFont(item.font(0))
    font.setBold(True)
    item.setFont(0, font)


def _font(font: QFont, *, bold: bool) -> QFont:
    copy = QFont(font)
    copy.setBold(bold)
    return copy


class ItemsTreeMixin:
    """The items tree and the current item's panel of `InspectionForm`, and moving between them."""

    _ctx: AppContext
    inspection_id: uuid.UUID
    sheet: InspectionSheet | None
    _attachments: list[AttachmentRow]
    _pending: Answer | None
    _drafts: dict[uuid.UUID, str]
    _tree_items: dict[uuid.UUID, QTreeWidgetItem]

    # --- building ---------------------------------------------------------------------------

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
        self.item_heading = bold(QLabel())
        self.item_heading.setObjectName("item_heading")
        self.item_text = bold(QLabel(), 1.15)
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

    # --- rows -------------------------------------------------------------------------------

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
