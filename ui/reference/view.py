"""The "Tabelas de referência" page: SIGTAP competences, their import, procedure and CID-10 search.

Three tabs. "SIGTAP" lists the competences imported (MM/AAAA, file, SHA-256 abbreviated, rows,
when) and "Importar SIGTAP…" asks for the official `TabelaUnificada_AAAAMM_vAAMMDDHHMM.zip` and
imports it in `ctx.ops` while a busy bar shows; a file that is not the official structure is
refused with the importer's Portuguese message beside the button and nothing changes. A
competence already imported asks "Substituir?" and, if confirmed, imports again replacing it.
"Procedimentos" searches one competence by code or words (accents ignored) and shows sex, ages,
instruments and the CBOs allowed; "CID-10" searches the active CID-10. Only the import needs
`reference.manage` (checked again by the service); the searches read public reference data.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserFacingError
from app.reference.cid10 import Icd10Row, search_icd10
from app.reference.queries import (
    ProcedureSearchRow,
    SigtapVersionRow,
    list_sigtap_versions,
    search_procedures,
)
from app.reference.service import MANAGE, import_sigtap_file
from app.reference.sigtap import CompetenceAlreadyImported, SigtapImport, competence_label
from ui.admin import Column, RowsModel, local_time, make_table
from ui.context import AppContext
from ui.ops import show_error
from ui.widgets.fields import ERROR_COLOR
from ui.widgets.page_header import title_label
from ui.widgets.search_box import SearchBox

OK_STYLE = "color: #1b6e3a;"
NAME_WIDTH = 380


def age_text(months: int | None, *, upper: bool) -> str:
    """SIGTAP ages (months) for people: 0 / None → no limit; whole years when they are."""
    if months is None or (months == 0 and not upper):
        return "sem limite"
    if months % 12:
        return f"{months} {'mês' if months == 1 else 'meses'}"
    years = months // 12
    return f"{years} {'ano' if years == 1 else 'anos'}"


SEX_TEXT = {"M": "Masculino", "F": "Feminino", "I": "Ambos", "N": "Não se aplica"}


def yes_no(value: bool | None) -> str:
    return "—" if value is None else ("Sim" if value else "Não")


class ReferencePage(QWidget):
    """SIGTAP competences with the import, procedure search, CID-10 search.

    Signals:
        versions_loaded(): the competence list was read again.
        import_finished(object): a SigtapImport, or the UserFacingError that refused the file.
        procedures_loaded(): a procedure search answered.
        icd10_loaded(): a CID-10 search answered.
    """

    versions_loaded = Signal()
    import_finished = Signal(object)
    procedures_loaded = Signal()
    icd10_loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reference_page")
        self.ctx = ctx
        self.replace_box: QMessageBox | None = None
        self._searches = {"procedures": 0, "icd10": 0}
        self._build_ui()
        self.reload_versions()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        title = title_label(self.tr("Tabelas de referência"))
        layout.addWidget(title)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_sigtap_tab(), self.tr("SIGTAP — competências"))
        self.tabs.addTab(self._build_procedures_tab(), self.tr("Procedimentos"))
        self.tabs.addTab(self._build_icd10_tab(), self.tr("CID-10"))
        layout.addWidget(self.tabs, 1)

    def _build_sigtap_tab(self) -> QWidget:
        tab = QWidget()
        column = QVBoxLayout(tab)
        intro = QLabel(
            self.tr(
                "Cada competência da Tabela Unificada do SIGTAP (arquivo mensal do DATASUS "
                "TabelaUnificada_AAAAMM_vAAMMDDHHMM.zip) fica guardada ao lado das outras; "
                "os atendimentos são conferidos com a tabela do mês em que ocorreram."
            )
        )
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        column.addWidget(intro)
        column.addLayout(self._build_import_row())
        self.import_message = QLabel()
        self.import_message.setObjectName("import_message")
        self.import_message.setWordWrap(True)
        self.import_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.import_message.hide()
        column.addWidget(self.import_message)
        self.versions = RowsModel(self._version_columns(), self)
        self.versions_table = make_table(self.versions, self)
        column.addWidget(self.versions_table, 1)
        return tab

    def _build_import_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.import_button = QPushButton(self.tr("&Importar SIGTAP…"))
        self.import_button.setObjectName("import_button")
        self.import_button.clicked.connect(self.choose_and_import)
        self.import_button.setVisible(self.ctx.actor.can(MANAGE))
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the importer reports no steps
        self.progress.setMaximumWidth(180)
        self.progress.hide()
        self.busy_label = QLabel()
        self.busy_label.hide()
        row.addWidget(self.import_button)
        row.addWidget(self.progress)
        row.addWidget(self.busy_label)
        row.addStretch(1)
        return row

    def _version_columns(self) -> list[Column[SigtapVersionRow]]:
        zone = self.ctx.installation.timezone
        return [
            Column(self.tr("Competência"), lambda r: competence_label(r.competence)),
            Column(
                self.tr("Procedimentos"),
                lambda r: f"{r.row_count:,}".replace(",", "."),
                align_right=True,
            ),
            Column(self.tr("Importada em"), lambda r: local_time(r.loaded_at, zone)),
            Column(self.tr("SHA-256"), lambda r: r.sha256[:12] + "…"),
            Column(self.tr("Arquivo"), lambda r: r.source),
        ]

    def _build_procedures_tab(self) -> QWidget:
        tab = QWidget()
        column = QVBoxLayout(tab)
        row = QHBoxLayout()
        self.competence = QComboBox()
        self.competence.setObjectName("competence")
        self.competence.setMinimumContentsLength(8)
        self.procedure_search = SearchBox()
        self.procedure_search.setObjectName("procedure_search")
        self.procedure_search.setPlaceholderText(self.tr("Código (0301…) ou palavras do nome…"))
        label = QLabel(self.tr("&Competência:"))
        label.setBuddy(self.competence)
        row.addWidget(label)
        row.addWidget(self.competence)
        row.addWidget(self.procedure_search, 1)
        column.addLayout(row)
        self.procedures = RowsModel(self._procedure_columns(), self)
        self.procedures_table = make_table(self.procedures, self)
        column.addWidget(self.procedures_table, 1)
        self.procedure_detail = QLabel()
        self.procedure_detail.setObjectName("procedure_detail")
        self.procedure_detail.setWordWrap(True)
        self.procedure_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.procedure_detail)
        self.procedures_table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._show_detail(self.procedures.row_for(current))
        )
        self.procedures_count = QLabel()
        self.procedures_count.setObjectName("hint")
        column.addWidget(self.procedures_count)
        self.competence.currentIndexChanged.connect(lambda _i: self.search_procedures())
        self.procedure_search.search_requested.connect(lambda _t: self.search_procedures())
        self._focus_results(self.procedure_search, self.procedures_table)
        return tab

    def _procedure_columns(self) -> list[Column[ProcedureSearchRow]]:
        return [
            Column(self.tr("Código"), lambda r: r.code),
            Column(self.tr("Procedimento"), lambda r: r.name),
            Column(self.tr("Sexo"), lambda r: SEX_TEXT.get(r.sex, r.sex)),
            Column(self.tr("Idade mínima"), lambda r: age_text(r.min_age_months, upper=False)),
            Column(self.tr("Idade máxima"), lambda r: age_text(r.max_age_months, upper=True)),
            Column(self.tr("Exige CNS"), lambda r: yes_no(r.requires_cns)),
            Column(self.tr("Instrumentos"), lambda r: ", ".join(n for _, n in r.instruments)),
            Column(self.tr("CBOs permitidos"), lambda r: ", ".join(r.cbos) or "todas"),
        ]

    def _build_icd10_tab(self) -> QWidget:
        tab = QWidget()
        column = QVBoxLayout(tab)
        self.icd10_search = SearchBox()
        self.icd10_search.setObjectName("icd10_search")
        self.icd10_search.setPlaceholderText(self.tr("Código (A90, A92.0) ou palavras…"))
        column.addWidget(self.icd10_search)
        self.icd10 = RowsModel(
            [
                Column(self.tr("Código"), lambda r: r.dotted),
                Column(
                    self.tr("Restrição de sexo"),
                    lambda r: SEX_TEXT.get(r.sex_restriction or "", "—"),
                ),
                Column(self.tr("Descrição"), lambda r: r.description),
            ],
            self,
        )
        self.icd10_table = make_table(self.icd10, self)
        column.addWidget(self.icd10_table, 1)
        self.icd10_count = QLabel(self.tr("Digite um código da CID-10 ou palavras da descrição."))
        self.icd10_count.setObjectName("hint")
        column.addWidget(self.icd10_count)
        self.icd10_search.search_requested.connect(self.search_icd10)
        self._focus_results(self.icd10_search, self.icd10_table)
        return tab

    def _focus_results(self, box: SearchBox, table: QTableView) -> None:
        box.move_down_requested.connect(lambda: (table.setFocus(), table.selectRow(0)))

    # --- competences and the import ---------------------------------------------------------

    def reload_versions(self) -> None:
        db = self.ctx.db

        def work() -> list[SigtapVersionRow]:
            with db.read_only() as session:
                return list_sigtap_versions(session)

        self.ctx.ops.run(work, self._show_versions, parent=self)

    def _show_versions(self, rows: list[SigtapVersionRow]) -> None:
        self.versions.set_rows(rows)
        self.versions_table.resizeColumnsToContents()
        chosen = self.competence.currentData()
        self.competence.blockSignals(True)
        self.competence.clear()
        for row in rows:
            self.competence.addItem(competence_label(row.competence), row.competence)
        index = self.competence.findData(chosen) if chosen else 0
        self.competence.setCurrentIndex(max(index, 0))
        self.competence.blockSignals(False)
        self.versions_loaded.emit()
        self.search_procedures()

    def choose_and_import(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Importar a Tabela Unificada do SIGTAP"),
            "",
            self.tr("Tabela Unificada do SIGTAP (TabelaUnificada_*.zip);;Arquivos zip (*.zip)"),
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path, *, replace: bool = False) -> None:
        """Import `path` off the GUI thread; the answer arrives as `import_finished`."""
        ctx = self.ctx
        self._set_busy(self.tr("Importando {name}…").format(name=path.name))

        def work() -> SigtapImport:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return import_sigtap_file(session, ctx.actor, path, replace=replace)

        ctx.ops.run(work, self._imported, lambda exc: self._import_failed(path, exc), self)

    def _set_busy(self, text: str | None) -> None:
        self.import_button.setEnabled(text is None)
        self.progress.setVisible(text is not None)
        self.busy_label.setText(text or "")
        self.busy_label.setVisible(text is not None)
        if text is not None:
            self.import_message.hide()

    def _imported(self, result: SigtapImport) -> None:
        self._set_busy(None)
        count = result.counts.get("tb_procedimento", 0)
        self._message(
            self.tr("Competência {when} importada: {n} procedimentos.").format(
                when=competence_label(result.competence), n=f"{count:,}".replace(",", ".")
            ),
            OK_STYLE,
        )
        self.ctx.bus.changed.emit("sigtap")
        self.reload_versions()
        self.import_finished.emit(result)

    def _import_failed(self, path: Path, exc: BaseException) -> None:
        self._set_busy(None)
        if isinstance(exc, CompetenceAlreadyImported):
            self._ask_replace(path, exc.competence)
        elif isinstance(exc, UserFacingError):
            self._message(exc.message, f"color: {ERROR_COLOR};")
            self.import_finished.emit(exc)
        else:
            show_error(self, exc)
            self.import_finished.emit(exc)

    def _message(self, text: str, style: str) -> None:
        self.import_message.setText(text)
        self.import_message.setStyleSheet(style)
        self.import_message.show()

    def _ask_replace(self, path: Path, competence: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Substituir?"),
            self.tr(
                "A tabela SIGTAP da competência {when} já foi importada. Substituir pela do "
                "arquivo {name}? A tabela atual dessa competência será apagada."
            ).format(when=competence_label(competence), name=path.name),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setObjectName("replace_box")
        replace = box.addButton(self.tr("&Substituir"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("&Cancelar"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(QMessageBox.StandardButton.NoButton)

        def answered() -> None:
            self.replace_box = None
            if box.clickedButton() is replace:
                self.import_file(path, replace=True)
            else:
                self._message(self.tr("Importação cancelada; nada foi alterado."), "")
                self.import_finished.emit(None)

        box.finished.connect(lambda _result: answered())
        self.replace_box = box
        box.open()

    # --- searches ---------------------------------------------------------------------------

    def search_procedures(self) -> None:
        competence = self.competence.currentData()
        text = self.procedure_search.text()
        self._searches["procedures"] += 1
        generation, db = self._searches["procedures"], self.ctx.db
        if not competence:
            self._show_procedures(generation, [])
            return

        def work() -> list[ProcedureSearchRow]:
            with db.read_only() as session:
                return search_procedures(session, competence, text)

        self.ctx.ops.run(work, lambda rows: self._show_procedures(generation, rows), parent=self)

    def _show_procedures(self, generation: int, rows: list[ProcedureSearchRow]) -> None:
        if generation != self._searches["procedures"]:
            return  # a newer search replaced this one
        self.procedures.set_rows(rows)
        self.procedures_table.resizeColumnsToContents()
        # Names reach 250 characters: keep the columns after them in sight (tooltip has it all).
        if self.procedures_table.columnWidth(1) > NAME_WIDTH:
            self.procedures_table.setColumnWidth(1, NAME_WIDTH)
        if rows:
            self.procedures_table.selectRow(0)
        self._show_detail(rows[0] if rows else None)
        if self.competence.count() == 0:
            text = self.tr("Nenhuma competência do SIGTAP importada.")
        else:
            text = self.tr("{n} procedimento(s)").format(n=len(rows))
        self.procedures_count.setText(text)
        self.procedures_loaded.emit()

    def _show_detail(self, row: ProcedureSearchRow | None) -> None:
        """The whole name and every CBO of the chosen procedure, wrapped under the table."""
        if row is None:
            self.procedure_detail.clear()
            return
        cbos = ", ".join(row.cbos) or self.tr("todas (a tabela não restringe)")
        self.procedure_detail.setText(
            self.tr("{code} — {name}\nCBOs permitidos: {cbos}").format(
                code=row.code, name=row.name, cbos=cbos
            )
        )

    def search_icd10(self, text: str) -> None:
        self._searches["icd10"] += 1
        generation, db = self._searches["icd10"], self.ctx.db

        def work() -> list[Icd10Row]:
            with db.read_only() as session:
                return search_icd10(session, text, limit=200)

        self.ctx.ops.run(work, lambda rows: self._show_icd10(generation, rows), parent=self)

    def _show_icd10(self, generation: int, rows: list[Icd10Row]) -> None:
        if generation == self._searches["icd10"]:
            self.icd10.set_rows(rows)
            self.icd10_table.resizeColumnsToContents()
            self.icd10_count.setText(self.tr("{n} código(s)").format(n=len(rows)))
            self.icd10_loaded.emit()
