"""Editing a roteiro de inspeção: its data (name, description, CNAE prefixes) and its draft items.

`ChecklistInfoDialog` creates a roteiro or edits its data. `ChecklistEditor` edits the items of a
draft version: the table on the left lists them in order (code, section, text, classification,
legal reference); the form on the right edits the selected one or a new one. Keyboard: Ctrl+S
saves the item, Ctrl+N starts a new one (keeping the section), Ctrl+↑/↓ move the selected item
inside its section, Delete removes it, Esc closes. Errors appear beside each field. "Publicar
versão" freezes the draft after a confirmation (the question is an attribute tests replace).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.sanitary import checklist_items as item_svc
from app.sanitary import checklist_queries as svc
from app.sanitary import checklist_versions as version_svc
from app.sanitary import checklists as roteiro_svc
from app.sanitary.enums import ItemClass
from ui.admin import ServiceDialog
from ui.context import AppContext
from ui.models.rows import Column, RowsModel
from ui.ops import show_error
from ui.widgets.fields import ErrorLabel, FormLayout
from ui.widgets.tables import rows_table

CHECKLIST = "checklist"
# parent, title, question → True to go on
Confirm = Callable[[QWidget, str, str], bool]


def ask_confirmation(parent: QWidget, title: str, question: str) -> bool:
    """A modal yes/no question ("Publicar" / "Cancelar")."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=parent)
    yes = box.addButton(parent.tr("Publicar"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(box.addButton(parent.tr("Cancelar"), QMessageBox.ButtonRole.RejectRole))
    box.exec()
    return box.clickedButton() is yes


def split_prefixes(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace(";", ",").split(",") if part.strip())


class ChecklistInfoDialog(ServiceDialog):
    """Create a roteiro (name, description, CNAE prefixes) or edit those data.

    Signals:
        created(object): the `ChecklistCreated` of a new roteiro (its draft versão 1 to fill).
    """

    changed_kind = CHECKLIST
    created = Signal(object)

    def __init__(
        self, ctx: AppContext, row: svc.ChecklistRow | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("checklist_info_dialog")
        self.row = row
        self.setWindowTitle(self.tr("Novo roteiro") if row is None else self.tr("Dados do roteiro"))
        self._build_fields()
        self._assemble()
        self.setMinimumWidth(560)
        if row is not None:
            self._fill(row)

    def _build_fields(self) -> None:
        self.name = QLineEdit()
        self.name.setMaxLength(150)
        self.name.setPlaceholderText(self.tr("ex.: Serviços de alimentação"))
        self.description = QLineEdit()
        self.description.setMaxLength(500)
        self.prefixes = QLineEdit()
        self.prefixes.setPlaceholderText(self.tr("ex.: 5611, 5620, 4721102"))
        self.active = QComboBox()
        self.active.addItem(self.tr("Em uso"), True)
        self.active.addItem(self.tr("Inativo (não é oferecido nas inspeções)"), False)
        self.form.add_field("name", self.tr("&Nome:"), self.name)
        self.form.add_field("description", self.tr("&Descrição:"), self.description)
        self.form.add_field("cnae_prefixes", self.tr("&CNAE (início):"), self.prefixes)
        hint = QLabel(
            self.tr("Separe por vírgula. “5611” vale para todas as subclasses de restaurantes.")
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.prefixes.parentWidget().layout().addWidget(hint)
        self.form.add_field("active", self.tr("&Situação:"), self.active)

    def _fill(self, row: svc.ChecklistRow) -> None:
        self.name.setText(row.name)
        self.description.setText(row.description)
        self.prefixes.setText(", ".join(row.cnae_prefixes))
        self.active.setCurrentIndex(0 if row.active else 1)

    def data(self) -> roteiro_svc.ChecklistInput:
        return roteiro_svc.ChecklistInput(
            self.name.text(), self.description.text(), split_prefixes(self.prefixes.text()),
            bool(self.active.currentData()),
        )  # fmt: skip

    def save(self) -> None:
        ctx, data, row = self.ctx, self.data(), self.row

        def work() -> Any:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                if row is None:
                    return roteiro_svc.create_checklist(session, ctx.actor, data)
                return roteiro_svc.update_checklist(session, ctx.actor, row.id, data)

        self._run(work)

    def _saved(self, result: object) -> None:
        if isinstance(result, roteiro_svc.ChecklistCreated):
            self.created.emit(result)
        super()._saved(result)


def _item_columns() -> list[Column[svc.ItemRow]]:
    return [
        Column("Código", lambda r: r.code),
        Column("Seção", lambda r: r.section),
        Column("Classificação", lambda r: r.classification.label),
        Column("Item", lambda r: r.text),
        Column("Referência legal", lambda r: r.legal_reference),
    ]


class ChecklistEditor(QDialog):
    """The items of a draft version, with the item form and "Publicar versão".

    Signals:
        loaded(): the items were (re)read from the database (tests wait on it).
        published(int): the version was published (its number).
    """

    loaded = Signal()
    published = Signal(int)

    def __init__(self, ctx: AppContext, version_id: uuid.UUID, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("checklist_editor")
        self.ctx = ctx
        self.version_id = version_id
        self.view: svc.VersionView | None = None
        self.editing: uuid.UUID | None = None  # the item in the form (None: a new one)
        self.confirm: Confirm = ask_confirmation
        self.model: RowsModel[svc.ItemRow] = RowsModel(_item_columns(), self)
        self.setWindowTitle(self.tr("Editar rascunho do roteiro"))
        self._build_ui()
        self._build_shortcuts()
        self.resize(1200, 640)
        self.reload()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setObjectName("editor_heading")
        self.heading.setStyleSheet("font-weight: bold; font-size: 120%;")
        layout.addWidget(self.heading)
        self.form_error = ErrorLabel("editor")
        layout.addWidget(self.form_error)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_table())
        splitter.addWidget(self._build_form())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([680, 480])
        layout.addWidget(splitter, 1)
        layout.addLayout(self._build_bottom())

    def _build_table(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.table = rows_table(self.model, "items_table")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for index, width in ((0, 50), (1, 150), (2, 110), (4, 170)):
            self.table.setColumnWidth(index, width)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        column.addWidget(self.table, 1)
        column.addLayout(self._build_item_buttons())
        return box

    def _build_item_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.new_item_button = self._button(self.tr("&Novo item"), "new_item", self.new_item)
        self.up_button = self._button(self.tr("▲ &Subir"), "move_up", lambda: self.move(-1))
        self.down_button = self._button(self.tr("▼ &Descer"), "move_down", lambda: self.move(1))
        self.remove_button = self._button(self.tr("&Remover"), "remove_item", self.remove)
        self.up_button.setToolTip(self.tr("Subir dentro da seção (Ctrl+↑)"))
        self.down_button.setToolTip(self.tr("Descer dentro da seção (Ctrl+↓)"))
        self.remove_button.setToolTip(self.tr("Remover o item do rascunho (Delete)"))
        for button in (self.new_item_button, self.up_button, self.down_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.remove_button)
        return row

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def _build_form(self) -> QWidget:
        self.form_box = QGroupBox(self.tr("Novo item"))
        column = QVBoxLayout(self.form_box)
        self.form = FormLayout()
        self.section = QComboBox()
        self.section.setEditable(True)
        self.section.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.code = QLineEdit()
        self.code.setMaxLength(20)
        self.code.setPlaceholderText(self.tr("automático"))
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(90)
        self.classification = QComboBox()
        self.classification.addItem(self.tr("— escolha —"), None)
        for kind in ItemClass:
            self.classification.addItem(kind.label, kind)
        self.reference = QLineEdit()
        self.reference.setMaxLength(200)
        self.reference.setPlaceholderText(self.tr("ex.: RDC Anvisa nº 216/2004, item 4.1.3"))
        self.form.add_field("section", self.tr("S&eção:"), self.section)
        self.form.add_field("code", self.tr("Códi&go:"), self.code)
        self.form.add_field("text", self.tr("&Texto:"), self.text)
        self.form.add_field("classification", self.tr("C&lassificação:"), self.classification)
        self.form.add_field("legal_reference", self.tr("Re&ferência legal:"), self.reference)
        self.form.submit_on_enter(self.text)
        self.form.submit_on_enter(self.reference)
        column.addLayout(self.form)
        self.save_item_button = self._button(self.tr("&Salvar item"), "save_item", self.save_item)
        self.save_item_button.setToolTip(self.tr("Ctrl+S"))
        self.reference.returnPressed.connect(self.save_item)
        column.addWidget(self.save_item_button, 0, Qt.AlignmentFlag.AlignRight)
        column.addStretch(1)
        return self.form_box

    def _build_bottom(self) -> QHBoxLayout:
        row = QHBoxLayout()
        hint = QLabel(self.tr("O rascunho é gravado a cada item salvo. Publicar congela a versão."))
        hint.setObjectName("hint")
        self.publish_button = self._button(self.tr("&Publicar versão…"), "publish", self.publish)
        close = self._button(self.tr("&Fechar"), "close_editor", self.accept)
        row.addWidget(hint, 1)
        row.addWidget(self.publish_button)
        row.addWidget(close)
        return row

    def _build_shortcuts(self) -> None:
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save_item)
        QShortcut(QKeySequence(QKeySequence.StandardKey.New), self, self.new_item)
        QShortcut(QKeySequence("Ctrl+Up"), self, lambda: self.move(-1))
        QShortcut(QKeySequence("Ctrl+Down"), self, lambda: self.move(1))
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)  # Delete in a field edits the field
        delete.activated.connect(self.remove)

    # --- reading ----------------------------------------------------------------------------

    def reload(self, select: uuid.UUID | None = None) -> None:
        ctx, version_id = self.ctx, self.version_id

        def work() -> svc.VersionView:
            with ctx.db.read_only() as session:
                return svc.version_view(session, ctx.actor, version_id)

        self.ctx.ops.run(work, lambda view: self._show(view, select), parent=self)

    def _show(self, view: svc.VersionView, select: uuid.UUID | None) -> None:
        self.view = view
        state = self.tr("rascunho") if view.is_draft else self.tr("publicada")
        self.heading.setText(
            self.tr("{name} — versão {number} ({state}) — {count} itens").format(
                name=view.checklist_name, number=view.number, state=state, count=len(view.items)
            )
        )
        self.setWindowTitle(self.tr("Roteiro: {name}").format(name=view.checklist_name))
        sections = [s.name for s in view.sections]
        typed = self.section.currentText()
        self.section.clear()
        self.section.addItems(sections)
        self.section.setCurrentText(typed)
        self.model.set_rows(view.items)
        ids = [item.id for item in view.items]
        if select in ids:
            self.table.selectRow(ids.index(select))
        self._update_buttons()
        self.loaded.emit()

    def _update_buttons(self) -> None:
        draft = self.view is not None and self.view.is_draft
        chosen = self.current_item() is not None
        for button in (self.up_button, self.down_button, self.remove_button):
            button.setEnabled(draft and chosen)
        for widget in (self.new_item_button, self.save_item_button, self.publish_button):
            widget.setEnabled(draft)

    def current_item(self) -> svc.ItemRow | None:
        return self.model.row_for(self.table.currentIndex())

    def _on_current(self, *_args: object) -> None:
        item = self.current_item()
        if item is not None:
            self._fill(item)
        self._update_buttons()

    def _fill(self, item: svc.ItemRow) -> None:
        self.editing = item.id
        self.form_box.setTitle(self.tr("Item {code}").format(code=item.code))
        self.section.setCurrentText(item.section)
        self.code.setText("" if item.auto_code else item.code)
        self.code.setPlaceholderText(item.code if item.auto_code else self.tr("automático"))
        self.text.setPlainText(item.text)
        self.classification.setCurrentIndex(self.classification.findData(item.classification))
        self.reference.setText(item.legal_reference)
        self.form.clear_errors()

    # --- actions ----------------------------------------------------------------------------

    def new_item(self) -> None:
        """Empty the form for a new item, keeping the section (items come in runs)."""
        self.editing = None
        self.table.clearSelection()
        self.table.setCurrentIndex(self.model.index(-1, -1))
        self.form_box.setTitle(self.tr("Novo item"))
        for edit in (self.code, self.reference):
            edit.clear()
        self.code.setPlaceholderText(self.tr("automático"))
        self.text.clear()
        self.classification.setCurrentIndex(0)
        self.form.clear_errors()
        (self.text if self.section.currentText() else self.section).setFocus()
        self._update_buttons()

    def item_input(self) -> item_svc.ItemInput:
        return item_svc.ItemInput(
            section=self.section.currentText(), text=self.text.toPlainText(),
            classification=self.classification.currentData(), code=self.code.text(),
            legal_reference=self.reference.text(),
        )  # fmt: skip

    def save_item(self) -> None:
        if self.view is None or not self.view.is_draft:
            return
        ctx, data, version_id, item_id = self.ctx, self.item_input(), self.version_id, self.editing

        def work() -> uuid.UUID:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                if item_id is None:
                    return item_svc.add_item(session, ctx.actor, version_id, data)
                item_svc.update_item(session, ctx.actor, item_id, data)
                return item_id

        self._change(work, self._item_saved)

    def _item_saved(self, item_id: uuid.UUID) -> None:
        was_new = self.editing is None
        if was_new:
            self.new_item()
            self.reload()
        else:
            self.reload(select=item_id)

    def move(self, offset: int) -> None:
        item = self.current_item()
        if item is None or self.view is None or not self.view.is_draft:
            return
        ctx = self.ctx

        def work() -> uuid.UUID:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                item_svc.move_item(session, ctx.actor, item.id, offset)
            return item.id

        self._change(work, lambda moved: self.reload(select=moved))

    def remove(self) -> None:
        item = self.current_item()
        if item is None or self.view is None or not self.view.is_draft:
            return
        ctx = self.ctx

        def work() -> None:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                item_svc.remove_item(session, ctx.actor, item.id)

        self._change(work, lambda _none: (self.new_item(), self.reload()))

    def publish(self) -> None:
        if self.view is None or not self.view.is_draft:
            return
        question = self.tr(
            "Publicar a versão {number} de “{name}”? Depois de publicada ela não pode mais ser "
            "alterada: as inspeções passam a usá-la, e mudanças exigirão uma nova versão."
        ).format(number=self.view.number, name=self.view.checklist_name)
        if not self.confirm(self, self.tr("Publicar roteiro"), question):
            return
        ctx, version_id = self.ctx, self.version_id

        def work() -> int:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return version_svc.publish_version(session, ctx.actor, version_id)

        self._change(work, self._published)

    def _published(self, number: int) -> None:
        self.published.emit(number)
        self.reload()

    def _change(self, work: Callable[[], Any], done: Callable[[Any], Any]) -> None:
        self.form.clear_errors()
        self.form_error.show_message(None)

        def succeeded(result: Any) -> None:
            self.ctx.bus.changed.emit(CHECKLIST)
            done(result)

        self.ctx.ops.run(work, succeeded, self._refused, parent=self)

    def _refused(self, exc: BaseException) -> None:
        if not isinstance(exc, ValidationError):
            show_error(self, exc)
            return
        rest = self.form.show_errors(exc.errors)
        self.form_error.show_message(" ".join(rest.values()) or None)
