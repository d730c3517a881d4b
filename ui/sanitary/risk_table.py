"""The "Tabela de risco (CNAE)" page: versions of the table, their rows, and the municipal rules.

On the left, the versions (name, source, imported on, rows, which one is in force) with
"Importar CSV…" and "Ativar versão", and below them the municipal rules, which prevail over any
version ("Nova regra…", "Editar regra…", "Remover regra"). On the right, the CNAEs of the selected
version with a search and "Editar linha…". Importing asks for the file (`choose_file`, an attribute
tests replace), then the version's name and source; a file with any bad line is refused whole and
the dialog lists the lines. Changes that alter the risk of establishments (activating a version,
editing a row of the version in force, a municipal rule) recompute them in the same transaction
and emit `ctx.bus.changed("establishment")`. Writing needs `sanitary.manage`. The three dialogs
are `ui.admin.ServiceDialog`s (errors beside the field they name, the rest at the top) that tell
the page through `saved`/`imported`, since the page announces the changes on the bus itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
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

from app.sanitary import risk_table as svc
from app.sanitary.enums import RiskLevel, RiskRule
from app.sanitary.risk_table import ImportResult, OverrideRow, RiskRow, VersionRow
from ui.admin import ServiceDialog
from ui.context import AppContext
from ui.models.rows import Column, RowsModel
from ui.widgets.page_header import title_label
from ui.widgets.search_box import SearchBox
from ui.widgets.tables import rows_table

MANAGE = "sanitary.manage"
NOTICE = (
    "Importe a tabela de risco vigente (IN ANVISA nº 66/2020 ou a norma estadual/municipal) em "
    "CSV: cnae;descricao;risco;perguntas. A tabela de demonstração é apenas ilustrativa."
)


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def choose_csv(parent: QWidget) -> str:
    """The file dialog of "Importar CSV…" ("" when cancelled)."""
    path, _ = QFileDialog.getOpenFileName(
        parent,
        parent.tr("Importar tabela de risco"),
        "",
        parent.tr("Tabela CSV (*.csv *.txt);;Todos os arquivos (*)"),
    )
    return path


@dataclass(frozen=True)
class _Loaded:
    versions: list[VersionRow]
    overrides: list[OverrideRow]


class RiskTablePage(QWidget):
    """Versions, rows and municipal rules of the CNAE risk table."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("risk_table_page")
        self._ctx = ctx
        self._generation = 0
        # Replaced by tests: returns the chosen file's path, "" when cancelled.
        self.choose_file: Callable[[QWidget], str] = choose_csv
        self._build_ui()
        self._connect()
        self.refresh()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        title = title_label(self.tr("Tabela de risco (CNAE)"))
        notice = QLabel(self.tr(NOTICE))
        notice.setWordWrap(True)
        notice.setEnabled(False)
        layout.addWidget(title)
        layout.addWidget(notice)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self._build_versions())
        left.addWidget(self._build_overrides())
        splitter.addWidget(left)
        splitter.addWidget(self._build_rows())
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 7)
        splitter.setSizes([520, 840])
        layout.addWidget(splitter, 1)

    def _build_versions(self) -> QGroupBox:
        box = QGroupBox(self.tr("Versões da tabela"))
        column = QVBoxLayout(box)
        self.versions_model = RowsModel[VersionRow]([
            Column(self.tr("Nome"), lambda r: r.name),
            Column(self.tr("Origem"), lambda r: r.source),
            Column(self.tr("Importada em"), lambda r: _day(r.imported_on)),
            Column(self.tr("CNAEs"), lambda r: str(r.rows), align_right=True),
            Column(self.tr("Situação"), lambda r: self.tr("Vigente") if r.active else ""),
        ], self)  # fmt: skip
        self.versions_table = rows_table(self.versions_model, "versions_table", stretch_last=False)
        self.versions_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.versions_table.setWordWrap(True)
        column.addWidget(self.versions_table, 1)
        row = QHBoxLayout()
        self.import_button = QPushButton(self.tr("&Importar CSV…"))
        self.import_button.setObjectName("import_csv")
        self.activate_button = QPushButton(self.tr("A&tivar versão"))
        self.activate_button.setObjectName("activate_version")
        self.activate_button.setToolTip(
            self.tr("Passa a valer esta versão e recalcula o risco dos estabelecimentos")
        )
        self._manage_buttons = [self.import_button, self.activate_button]
        row.addWidget(self.import_button)
        row.addWidget(self.activate_button)
        row.addStretch(1)
        column.addLayout(row)
        return box

    def _build_overrides(self) -> QGroupBox:
        box = QGroupBox(self.tr("Regras municipais (prevalecem sobre a tabela)"))
        column = QVBoxLayout(box)
        self.overrides_model = RowsModel[OverrideRow]([
            Column(self.tr("CNAE"), lambda r: r.cnae_label),
            Column(self.tr("Descrição"), lambda r: r.description),
            Column(self.tr("Grau"), lambda r: r.level.value),
            Column(self.tr("Motivo"), lambda r: r.reason),
        ], self)  # fmt: skip
        self.overrides_table = rows_table(self.overrides_model, "overrides_table")
        column.addWidget(self.overrides_table, 1)
        row = QHBoxLayout()
        self.new_override_button = QPushButton(self.tr("&Nova regra…"))
        self.new_override_button.setObjectName("new_override")
        self.edit_override_button = QPushButton(self.tr("Editar re&gra…"))
        self.edit_override_button.setObjectName("edit_override")
        self.remove_override_button = QPushButton(self.tr("&Remover regra"))
        self.remove_override_button.setObjectName("remove_override")
        for button in (
            self.new_override_button, self.edit_override_button, self.remove_override_button
        ):  # fmt: skip
            row.addWidget(button)
            self._manage_buttons.append(button)
        row.addStretch(1)
        column.addLayout(row)
        return box

    def _build_rows(self) -> QGroupBox:
        self.rows_box = QGroupBox(self.tr("CNAEs da versão selecionada"))
        column = QVBoxLayout(self.rows_box)
        self.search_box = SearchBox()
        self.search_box.setPlaceholderText(self.tr("Buscar por código CNAE ou descrição…"))
        column.addWidget(self.search_box)
        self.rows_model = RowsModel[RiskRow]([
            Column(self.tr("CNAE"), lambda r: r.cnae_label),
            Column(self.tr("Descrição"), lambda r: r.description),
            Column(self.tr("Risco"), lambda r: r.rule.value),
            Column(self.tr("Perguntas"), lambda r: " | ".join(r.questions)),
            Column(self.tr("Municipal"),
                   lambda r: r.override_level.value if r.override_level else ""),
        ], self)  # fmt: skip
        self.rows_table = rows_table(self.rows_model, "rows_table", stretch_last=False)
        header = self.rows_table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, 220)
        column.addWidget(self.rows_table, 1)
        row = QHBoxLayout()
        self.edit_row_button = QPushButton(self.tr("&Editar linha…"))
        self.edit_row_button.setObjectName("edit_row")
        self._manage_buttons.append(self.edit_row_button)
        self.rows_count = QLabel()
        self.rows_count.setObjectName("rows_count")
        row.addWidget(self.edit_row_button)
        row.addStretch(1)
        row.addWidget(self.rows_count)
        column.addLayout(row)
        return self.rows_box

    def _connect(self) -> None:
        manager = self._ctx.actor.can(MANAGE)
        for button in self._manage_buttons:
            button.setVisible(manager)
        self.import_button.clicked.connect(self.import_csv)
        self.activate_button.clicked.connect(self.activate_selected)
        self.new_override_button.clicked.connect(lambda: self.edit_override(None))
        self.edit_override_button.clicked.connect(lambda: self.edit_override(self._override()))
        self.remove_override_button.clicked.connect(self.remove_selected_override)
        self.edit_row_button.clicked.connect(self.edit_selected_row)
        self.versions_table.selectionModel().currentRowChanged.connect(lambda *_: self.load_rows())
        self.search_box.search_requested.connect(lambda _text: self.load_rows())
        self.search_box.move_down_requested.connect(self.rows_table.setFocus)
        self._ctx.bus.changed.connect(self._on_changed)

    # --- reading ----------------------------------------------------------------------------

    def _on_changed(self, kind: str) -> None:
        if kind == "risk_table":
            self.refresh()

    def refresh(self) -> None:
        """Read the versions and the municipal rules again (in a worker)."""
        ctx = self._ctx

        def work() -> _Loaded:
            with ctx.db.read_only() as session:
                return _Loaded(
                    svc.list_versions(session, ctx.actor), svc.list_overrides(session, ctx.actor)
                )

        ctx.ops.run(work, self._show_loaded, parent=self)

    def _show_loaded(self, loaded: _Loaded) -> None:
        if not shiboken6.isValid(self):
            return
        selected = self.selected_version()
        self.versions_model.set_rows(loaded.versions)
        self.overrides_model.set_rows(loaded.overrides)
        wanted = (
            selected.id if selected else next((v.id for v in loaded.versions if v.active), None)
        )
        for number, version in enumerate(loaded.versions):
            if version.id == wanted:
                self.versions_table.selectRow(number)
                break
        self._update_buttons()

    def selected_version(self) -> VersionRow | None:
        return self.versions_model.row_for(self.versions_table.currentIndex())

    def _override(self) -> OverrideRow | None:
        return self.overrides_model.row_for(self.overrides_table.currentIndex())

    def _row(self) -> RiskRow | None:
        return self.rows_model.row_for(self.rows_table.currentIndex())

    def load_rows(self) -> None:
        version = self.selected_version()
        self._update_buttons()
        if version is None:
            self.rows_model.set_rows([])
            return
        self._generation += 1
        generation, ctx, text = self._generation, self._ctx, self.search_box.text()
        self.rows_box.setTitle(self.tr("CNAEs de: {name}").format(name=version.name))

        def work() -> tuple[int, list[RiskRow]]:
            with ctx.db.read_only() as session:
                return generation, svc.list_rows(session, ctx.actor, version.id, text)

        ctx.ops.run(work, self._show_rows, parent=self)

    def _show_rows(self, answer: tuple[int, list[RiskRow]]) -> None:
        generation, rows = answer
        if not shiboken6.isValid(self) or generation != self._generation:
            return
        self.rows_model.set_rows(rows)
        self.rows_count.setText(self.tr("{count} CNAE(s)").format(count=len(rows)))
        self._update_buttons()

    def _update_buttons(self) -> None:
        version = self.selected_version()
        self.activate_button.setEnabled(version is not None and not version.active)
        self.edit_row_button.setEnabled(version is not None and self.rows_model.rowCount() > 0)

    # --- actions ----------------------------------------------------------------------------

    def import_csv(self) -> None:
        if not self._ctx.actor.can(MANAGE):
            return
        path = self.choose_file(self)
        if not path:
            return
        dialog = ImportDialog(self._ctx, Path(path), self)
        dialog.imported.connect(lambda _result: self.refresh())
        dialog.open()

    def activate_selected(self) -> None:
        version = self.selected_version()
        if version is None or version.active:
            return
        ctx = self._ctx

        def work() -> int:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.activate_version(session, ctx.actor, version.id)

        ctx.ops.run(work, lambda count: self._changed(count, version.name), parent=self)

    def _changed(self, recomputed: int, name: str = "") -> None:
        self._ctx.bus.changed.emit("risk_table")
        self._ctx.bus.changed.emit("establishment")
        if not shiboken6.isValid(self):
            return
        if name:
            box = QMessageBox(
                QMessageBox.Icon.Information, self.tr("Versão ativada"),
                self.tr("A versão \"{name}\" passou a valer. Risco recalculado: {count} "
                        "estabelecimento(s) mudaram.").format(name=name, count=recomputed),
                QMessageBox.StandardButton.Ok, self,
            )  # fmt: skip
            box.setObjectName("activated_box")
            box.open()
        self.refresh()
        self.load_rows()

    def edit_override(self, row: OverrideRow | None) -> None:
        if not self._ctx.actor.can(MANAGE):
            return
        dialog = OverrideDialog(self._ctx, row, self)
        dialog.saved.connect(lambda: self._changed(0))
        dialog.open()

    def remove_selected_override(self) -> None:
        row = self._override()
        if row is None:
            return
        ctx = self._ctx

        def work() -> None:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                svc.remove_override(session, ctx.actor, row.cnae)

        ctx.ops.run(work, lambda _none: self._changed(0), parent=self)

    def edit_selected_row(self) -> None:
        version, row = self.selected_version(), self._row()
        if version is None or row is None or not self._ctx.actor.can(MANAGE):
            return
        dialog = RowDialog(self._ctx, version.id, row, self)
        dialog.saved.connect(lambda: self._changed(0))
        dialog.open()


class _PageDialog(ServiceDialog):
    """`ServiceDialog` as this page's dialogs use it: deleted on close, and a save announced by
    `saved` to the page, which emits the bus changes itself (with the recount), not `bus.changed`.
    """

    saved = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None) -> None:
        super().__init__(ctx, parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def _saved(self, _result: object) -> None:
        self.saved.emit()
        if shiboken6.isValid(self):
            self.accept()


class ImportDialog(_PageDialog):
    """The version's name and source, then the import; a refused file lists its bad lines at the
    top (key "file", in the label `import_errors`).
    """

    imported = Signal(object)

    def __init__(self, ctx: AppContext, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setWindowTitle(self.tr("Importar tabela de risco"))
        self.setObjectName("import_dialog")
        self._path = path
        self.form.addRow(self.tr("Arquivo"), QLabel(path.name))
        self.name_edit = QLineEdit(path.stem.replace("_", " "))
        self.name_edit.setObjectName("version_name")
        self.name_edit.setMaxLength(120)
        self.name_edit.setMinimumWidth(420)
        self.source_edit = QLineEdit()
        self.source_edit.setObjectName("version_source")
        self.source_edit.setPlaceholderText(self.tr("Ex.: IN ANVISA nº 66/2020, Anexos I a IV"))
        self.form.add_field("name", self.tr("&Nome da versão"), self.name_edit)
        self.form.add_field("source", self.tr("&Origem"), self.source_edit)
        self.save_button.setText(self.tr("Importar"))
        self.form_error.setObjectName("import_errors")
        self._assemble()

    def save(self) -> None:
        try:
            content = self._path.read_bytes()
        except OSError as exc:
            self.form_error.show_message(
                self.tr("Não foi possível ler o arquivo: {error}").format(error=exc.strerror)
            )
            return
        ctx, name, source = self.ctx, self.name_edit.text(), self.source_edit.text()

        def work() -> ImportResult:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.import_table(session, ctx.actor, content, name=name, source=source)

        self._run(work)

    def _saved(self, result: object) -> None:
        self.imported.emit(result)
        super()._saved(result)


class OverrideDialog(_PageDialog):
    """A municipal rule: CNAE, level and the reason (ato normativo)."""

    def __init__(
        self, ctx: AppContext, row: OverrideRow | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent)
        self.setWindowTitle(self.tr("Regra municipal de risco"))
        self.setObjectName("override_dialog")
        self._build_fields()
        self._assemble()
        if row is not None:
            self.cnae_edit.setText(row.cnae)
            self.cnae_edit.setEnabled(False)
            self.level_combo.setCurrentIndex(self.level_combo.findData(row.level.value))
            self.reason_edit.setText(row.reason)

    def _build_fields(self) -> None:
        self.cnae_edit = QLineEdit()
        self.cnae_edit.setObjectName("override_cnae")
        self.cnae_edit.setInputMask("0000-0/00;_")
        self.level_combo = QComboBox()
        self.level_combo.setObjectName("override_level")
        for level in RiskLevel:
            self.level_combo.addItem(level.label, level.value)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("override_reason")
        self.reason_edit.setMaxLength(300)
        self.reason_edit.setMinimumWidth(420)
        self.reason_edit.setPlaceholderText(self.tr("Ex.: Decreto municipal nº 45/2025, art. 3º"))
        self.form.add_field("cnae", self.tr("&CNAE"), self.cnae_edit)
        self.form.add_field("level", self.tr("&Grau de risco"), self.level_combo)
        self.form.add_field("reason", self.tr("&Motivo"), self.reason_edit)

    def save(self) -> None:
        ctx, cnae, reason = self.ctx, self.cnae_edit.text(), self.reason_edit.text()
        level = RiskLevel(self.level_combo.currentData())

        def work() -> uuid.UUID:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.save_override(session, ctx.actor, cnae, level, reason)

        self._run(work)


class RowDialog(_PageDialog):
    """Edit one CNAE of a version: description, rule and (for "depende") the questions."""

    def __init__(
        self, ctx: AppContext, table_id: uuid.UUID, row: RiskRow, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent)
        self.setWindowTitle(self.tr("Editar linha da tabela"))
        self.setObjectName("row_dialog")
        self._table_id, self._cnae = table_id, row.cnae
        self.form.addRow(self.tr("CNAE"), QLabel(row.cnae_label))
        self._build_fields(row)
        self._assemble()

    def _build_fields(self, row: RiskRow) -> None:
        self.description_edit = QLineEdit(row.description)
        self.description_edit.setMaxLength(300)
        self.description_edit.setMinimumWidth(480)
        self.rule_combo = QComboBox()
        for rule in RiskRule:
            self.rule_combo.addItem(rule.label, rule.value)
        self.rule_combo.setCurrentIndex(self.rule_combo.findData(row.rule.value))
        self.questions_edit = QPlainTextEdit("\n".join(row.questions))
        self.questions_edit.setTabChangesFocus(True)
        self.questions_edit.setPlaceholderText(
            self.tr("Uma pergunta por linha (só para 'depende')")
        )
        self.form.add_field("description", self.tr("&Descrição"), self.description_edit)
        self.form.add_field("rule", self.tr("&Risco"), self.rule_combo)
        self.form.add_field("questions", self.tr("&Perguntas"), self.questions_edit)
        # Enter in the questions starts the next question, as before (no jump to the next field).
        self.form.submit_on_enter(self.questions_edit)

    def save(self) -> None:
        ctx, table_id, cnae = self.ctx, self._table_id, self._cnae
        description = self.description_edit.text()
        rule = RiskRule(self.rule_combo.currentData())
        questions = self.questions_edit.toPlainText().splitlines()

        def work() -> int:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return svc.update_row(session, ctx.actor, table_id, cnae, description=description,
                                      rule=rule, questions=questions)  # fmt: skip

        self._run(work)
