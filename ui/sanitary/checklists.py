"""The "Roteiros de inspeção" page: the roteiros, their versions and items, and their files.

On the left the list of roteiros (name, versão vigente, situação, number of items); on the right
the chosen version of the selected roteiro (the draft while there is one, or any older version
from the combo), its items grouped by section with the classification written out
(Imprescindível / Necessário / Recomendável) and the legal reference. The coordination
(sanitary.manage) creates roteiros, edits the draft (`ui.sanitary.checklist_editor`), starts a
"Nova versão", publishes (after a confirmation) and imports; anyone who reads exports a published
version as a `.smroteiro` file. File choosers and the confirmation are attributes tests replace.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.reports.styles import format_date
from app.sanitary import checklist_queries as svc
from app.sanitary import checklist_versions as version_svc
from app.sanitary.checklist_file import SUFFIX, ExportResult, ImportResult, export_version
from app.sanitary.checklist_file import import_file as import_checklist_file
from ui.context import AppContext
from ui.models.rows import AnyIndex, Column, RowsModel
from ui.ops import show_error
from ui.sanitary.checklist_editor import (
    CHECKLIST,
    ChecklistEditor,
    ChecklistInfoDialog,
    Confirm,
    ask_confirmation,
)
from ui.widgets.page_header import title_label
from ui.widgets.tables import rows_table

MANAGE = "sanitary.manage"
FILE_FILTER = "Roteiro de inspeção (*.smroteiro)"
# parent, title, suggested path or folder, name filter → the chosen file or None
FileChooser = Callable[[QWidget, str, str, str], Path | None]


def open_file(parent: QWidget, title: str, start: str, name_filter: str) -> Path | None:
    path, _chosen = QFileDialog.getOpenFileName(parent, title, start, name_filter)
    return Path(path) if path else None


def save_file(parent: QWidget, title: str, suggested: str, name_filter: str) -> Path | None:
    path, _chosen = QFileDialog.getSaveFileName(parent, title, suggested, name_filter)
    return Path(path) if path else None


def _documents_folder() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)


def _version_text(row: svc.ChecklistRow) -> str:
    return f"versão {row.published_number}" if row.published_number else "—"


def _items_text(row: svc.ChecklistRow) -> str:
    if row.draft_number is not None and row.published_number is not None:
        return f"{row.published_items} (rascunho: {row.draft_items})"
    return str(row.published_items if row.published_number else row.draft_items)


def _columns() -> list[Column[svc.ChecklistRow]]:
    return [
        Column("Roteiro", lambda r: r.name),
        Column("Versão vigente", _version_text),
        Column("Situação", lambda r: r.status_label),
        Column("Itens", _items_text, align_right=True),
    ]


@dataclass(frozen=True)
class Line:
    """A line of the items pane: a section title or an item."""

    text: str
    kind: str
    reference: str
    heading: bool


class LinesModel(RowsModel[Line]):
    """Items grouped by section: section titles in bold across the whole row."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(
            [Column("Item", lambda r: r.text), Column("Classificação", lambda r: r.kind),
             Column("Referência legal", lambda r: r.reference)],
            parent,
        )  # fmt: skip
        self._bold = QFont(parent.font())
        self._bold.setBold(True)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.FontRole:
            line = self.row_for(index)
            return self._bold if line is not None and line.heading else None
        return super().data(index, role)


class ChecklistsPage(QWidget):
    """Roteiros with their versions and items, and the coordination's actions.

    Signals:
        loaded(): the list of roteiros was (re)read.
        version_shown(): the items pane shows a freshly read version.
    """

    loaded = Signal()
    version_shown = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checklists_page")
        self.ctx = ctx
        self.can_manage = ctx.actor.can(MANAGE)
        self.choose_open_file: FileChooser = open_file
        self.choose_save_file: FileChooser = save_file
        self.confirm: Confirm = ask_confirmation
        self.editor: ChecklistEditor | None = None
        self.dialog: ChecklistInfoDialog | None = None
        self.view: svc.VersionView | None = None
        self._versions: list[svc.VersionRow] = []
        self.model: RowsModel[svc.ChecklistRow] = RowsModel(_columns(), self)
        self._build_ui()
        ctx.bus.changed.connect(self._on_changed)
        self.reload()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        title = title_label(self.tr("Roteiros de inspeção"))
        layout.addWidget(title)
        layout.addLayout(self._build_actions())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_list())
        splitter.addWidget(self._build_items())
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([520, 780])
        layout.addWidget(splitter, 1)

    def _button(self, text: str, name: str, slot: Callable[[], None], tip: str = "") -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _build_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.new_button = self._button(self.tr("&Novo roteiro"), "new_checklist", self.create,
                                       self.tr("Ctrl+N"))  # fmt: skip
        self.info_button = self._button(self.tr("&Dados do roteiro…"), "edit_info", self.edit_info)
        self.edit_button = self._button(self.tr("&Editar rascunho"), "edit_draft", self.edit_draft)
        self.version_button = self._button(
            self.tr("Nova &versão"), "new_version", self.new_version,
            self.tr("Copia os itens da versão vigente para um rascunho"),
        )  # fmt: skip
        self.publish_button = self._button(self.tr("&Publicar"), "publish", self.publish)
        self.export_button = self._button(self.tr("E&xportar…"), "export", self.export)
        self.import_button = self._button(self.tr("&Importar…"), "import", self.import_file)
        manage = (self.new_button, self.info_button, self.edit_button, self.version_button,
                  self.publish_button, self.import_button)  # fmt: skip
        for button in (*manage[:5], self.export_button, self.import_button):
            row.addWidget(button)
        for button in manage:
            button.setVisible(self.can_manage)
        row.addStretch(1)
        if self.can_manage:
            QShortcut(QKeySequence(QKeySequence.StandardKey.New), self, self.create)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.reload)
        return row

    def _build_list(self) -> QWidget:
        self.table = rows_table(self.model, "checklist_table")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 100), (2, 190), (3, 70)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._on_selected)
        self.table.doubleClicked.connect(lambda _index: self.edit_draft())
        return self.table

    def _build_items(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.version_combo = QComboBox()
        self.version_combo.setObjectName("version_combo")
        self.version_combo.activated.connect(self._on_version_chosen)
        label = QLabel(self.tr("&Versão:"))
        label.setBuddy(self.version_combo)
        top.addWidget(label)
        top.addWidget(self.version_combo, 1)
        column.addLayout(top)
        self.version_label = QLabel()
        self.version_label.setObjectName("version_label")
        self.version_label.setWordWrap(True)
        column.addWidget(self.version_label)
        self.lines = LinesModel(self)
        self.tree = rows_table(self.lines, "items_table", stretch_last=False)
        self.tree.setWordWrap(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.tree.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.setColumnWidth(1, 120)
        self.tree.setColumnWidth(2, 250)
        # Wrapped rows take their height from the column width: measure again when it changes.
        header.sectionResized.connect(lambda *_args: self.tree.resizeRowsToContents())
        column.addWidget(self.tree, 1)
        return box

    # --- reading ----------------------------------------------------------------------------

    def _on_changed(self, kind: str) -> None:
        if kind == CHECKLIST:
            self.reload()

    def reload(self) -> None:
        ctx = self.ctx

        def work() -> list[svc.ChecklistRow]:
            with ctx.db.read_only() as session:
                return svc.list_checklists(session, ctx.actor)

        ctx.ops.run(work, self._show_rows, parent=self)

    def _show_rows(self, rows: list[svc.ChecklistRow]) -> None:
        chosen = self.selected()
        self.model.set_rows(rows)
        ids = [row.id for row in rows]
        if rows:
            self.table.selectRow(ids.index(chosen.id) if chosen and chosen.id in ids else 0)
        else:
            self._show_version(None, [])
        self._update_actions()
        self.loaded.emit()

    def selected(self) -> svc.ChecklistRow | None:
        return self.model.row_for(self.table.currentIndex())

    def _on_selected(self, *_args: object) -> None:
        row = self.selected()
        self._update_actions()
        if row is not None:
            self._load_version(row.id, row.shown_version_id)

    def _load_version(self, checklist_id: uuid.UUID, version_id: uuid.UUID | None) -> None:
        ctx = self.ctx

        def work() -> tuple[svc.VersionView | None, list[svc.VersionRow]]:
            with ctx.db.read_only() as session:
                versions = svc.list_versions(session, ctx.actor, checklist_id)
                if version_id is None:
                    return None, versions
                return svc.version_view(session, ctx.actor, version_id), versions

        ctx.ops.run(work, lambda result: self._show_version(*result), parent=self)

    def _on_version_chosen(self, index: int) -> None:
        row = self.selected()
        if row is not None and 0 <= index < len(self._versions):
            self._load_version(row.id, self._versions[index].id)

    def _show_version(self, view: svc.VersionView | None, versions: list[svc.VersionRow]) -> None:
        self.view, self._versions = view, versions
        self.version_combo.clear()
        for version in versions:
            self.version_combo.addItem(self._version_caption(version))
        ids = [v.id for v in versions]
        if view is not None and view.id in ids:
            self.version_combo.setCurrentIndex(ids.index(view.id))
        self.version_label.setText(self._version_summary(view))
        self._fill_tree(view)
        self._update_actions()
        self.version_shown.emit()

    def _version_caption(self, version: svc.VersionRow) -> str:
        if version.is_draft:
            return self.tr("Versão {n} — rascunho ({count} itens)").format(
                n=version.number, count=version.item_count
            )
        assert version.published_at is not None
        return self.tr("Versão {n} — publicada em {day} ({count} itens)").format(
            n=version.number, day=format_date(self.ctx.local(version.published_at).date()),
            count=version.item_count,
        )  # fmt: skip

    def _version_summary(self, view: svc.VersionView | None) -> str:
        if view is None:
            return self.tr("Nenhuma versão para mostrar.")
        if view.is_draft:
            return self.tr(
                "Rascunho: ainda não é usado nas inspeções. "
                "Edite-o e publique quando estiver pronto."
            )
        row = self.selected()
        current = row is not None and row.published_version_id == view.id
        state = self.tr("versão vigente") if current else self.tr("versão anterior")
        return self.tr("Publicada: {state}, não pode ser alterada.").format(state=state)

    def _fill_tree(self, view: svc.VersionView | None) -> None:
        lines: list[Line] = []
        for section in view.sections if view is not None else ():
            lines.append(Line(section.name, "", "", True))
            lines.extend(
                Line(f"{item.code}  {item.text}", item.classification.label,
                     item.legal_reference, False)
                for item in section.items
            )  # fmt: skip
        self.lines.set_rows(lines)
        self.tree.clearSpans()
        for row, line in enumerate(lines):
            if line.heading:
                self.tree.setSpan(row, 0, 1, 3)
        self.tree.resizeRowsToContents()

    def item_texts(self) -> list[str]:
        """Every line of the items pane as shown (section titles and items), for tests."""
        return [" | ".join(t for t in (line.text, line.kind) if t) for line in self.lines.rows()]

    def _update_actions(self) -> None:
        row = self.selected()
        has_draft = row is not None and row.draft_version_id is not None
        published = row is not None and row.published_version_id is not None
        self.info_button.setEnabled(row is not None)
        self.edit_button.setEnabled(has_draft)
        self.publish_button.setEnabled(has_draft)
        self.version_button.setEnabled(published and not has_draft)
        self.export_button.setEnabled(self.view is not None and not self.view.is_draft)

    # --- actions ----------------------------------------------------------------------------

    def create(self) -> None:
        dialog = ChecklistInfoDialog(self.ctx, None, self)
        dialog.created.connect(lambda created: self.open_editor(created.version_id))
        self._open(dialog)

    def edit_info(self) -> None:
        row = self.selected()
        if row is not None:
            self._open(ChecklistInfoDialog(self.ctx, row, self))

    def _open(self, dialog: ChecklistInfoDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def edit_draft(self) -> None:
        row = self.selected()
        if self.can_manage and row is not None and row.draft_version_id is not None:
            self.open_editor(row.draft_version_id)

    def open_editor(self, version_id: uuid.UUID) -> ChecklistEditor:
        editor = ChecklistEditor(self.ctx, version_id, self)
        editor.confirm = lambda parent, title, question: self.confirm(parent, title, question)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.editor = editor
        editor.open()
        return editor

    def new_version(self) -> None:
        row = self.selected()
        if row is None:
            return
        ctx = self.ctx

        def work() -> uuid.UUID:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return version_svc.new_version(session, ctx.actor, row.id)

        self._change(work, self.open_editor)

    def publish(self) -> None:
        row = self.selected()
        if row is None or row.draft_version_id is None:
            return
        question = self.tr(
            "Publicar a versão {number} de “{name}”? Depois de publicada ela não pode mais ser "
            "alterada: as inspeções passam a usá-la, e mudanças exigirão uma nova versão."
        ).format(number=row.draft_number, name=row.name)
        if not self.confirm(self, self.tr("Publicar roteiro"), question):
            return
        ctx, version_id = self.ctx, row.draft_version_id

        def work() -> int:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return version_svc.publish_version(session, ctx.actor, version_id)

        self._change(work, lambda _number: None)

    def export(self) -> None:
        row, view = self.selected(), self.view
        if row is None or view is None or view.is_draft:
            return
        suggested = str(Path(_documents_folder()) / f"{row.name} - versão {view.number}{SUFFIX}")
        path = self.choose_save_file(self, self.tr("Exportar roteiro"), suggested, FILE_FILTER)
        if path is None:
            return
        ctx, version_id = self.ctx, view.id

        def work() -> ExportResult:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return export_version(session, ctx.actor, version_id, path)

        def done(result: ExportResult) -> None:
            self._inform(self.tr("Roteiro exportado: {count} itens gravados em {path}.").format(
                count=result.item_count, path=result.path))  # fmt: skip

        ctx.ops.run(work, done, parent=self)

    def import_file(self) -> None:
        path = self.choose_open_file(self, self.tr("Importar roteiro"), _documents_folder(),
                                     FILE_FILTER)  # fmt: skip
        if path is None:
            return
        ctx = self.ctx

        def work() -> ImportResult:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return import_checklist_file(session, ctx.actor, path)

        def done(result: ImportResult) -> None:
            what = (self.tr("Novo roteiro “{name}” criado") if result.created_checklist
                    else self.tr("Nova versão do roteiro “{name}” criada"))  # fmt: skip
            self._inform(
                (what + self.tr(" como rascunho (versão {number}, {count} itens). "
                                "Confira os itens e publique-o para usá-lo nas inspeções.")).format(
                    name=result.name, number=result.version_number, count=result.item_count)
            )  # fmt: skip

        self._change(work, done)

    def _change(self, work: Callable[[], Any], done: Callable[[Any], Any]) -> None:
        def succeeded(result: Any) -> None:
            self.ctx.bus.changed.emit(CHECKLIST)
            done(result)

        self.ctx.ops.run(work, succeeded, lambda exc: show_error(self, exc), parent=self)

    def _inform(self, text: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Roteiros de inspeção"), text,
                          QMessageBox.StandardButton.Ok, self)  # fmt: skip
        box.setObjectName("info_box")
        self.message_box = box
        box.open()
        return box
