"""The "Produção mensal" page: a unit's competences, the totals of the chosen one, closing and
reopening it, the printed report, and the BPA and e-SUS files.

Left, the unit and its competences (MM/AAAA, attendances, open or closed by whom and when);
right, the chosen competence's totals by professional and by procedure. "Fechar competência…"
warns that attendances of that month typed later go to the next competence; "Reabrir…" asks the
reason. "Gerar BPA…" and "Gerar arquivos e-SUS…" ask for the folder and run in the worker; a
refused BPA opens the list of problems (attendance, field, message) with a copy-friendly text.
The buttons that need "care.production" stay visible but disabled, with a tooltip saying why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
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
from sqlalchemy.orm import Session

from app.brazil.identifiers import only_digits
from app.care import attendances
from app.care.attendance_queries import (
    CompetenceRow,
    ProductionSummary,
    list_competences,
    production_summary,
)
from app.care.attendance_rules import competence_label, next_competence
from app.care.bpa import BpaProblem, BpaValidationError
from app.care.bpa_export import BpaExport, export_bpa
from app.care.entry_queries import EntryUnit, entry_units
from app.care.esus_export import EsusExport, EsusExportError, export_esus
from app.care.reports import production_report_pdf
from app.settings import BPA_CNPJ, Settings
from ui.care.attendance_forms import ReasonDialog
from ui.care.attendance_models import (
    BpaProblemsModel,
    CompetenceModel,
    ProcedureTotalsModel,
    ProfessionalTotalsModel,
    problem_field,
    problem_reference,
)
from ui.context import AppContext
from ui.ops import show_error
from ui.widgets.page_header import title_label
from ui.widgets.pdf_preview import issue_and_preview
from ui.widgets.tables import rows_table

PRODUCTION = "care.production"
NO_PRODUCTION = (
    "Sua conta não tem a permissão “Fechar a produção do mês e gerar os arquivos BPA e e-SUS” "
    "(care.production). Peça ao administrador ou a quem faz o faturamento da unidade."
)
CNPJ_MASK = "00.000.000/0000-00;_"


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)
    return button


def problems_text(problems: list[BpaProblem], what: str = "do arquivo BPA") -> str:
    """The problems as plain text, one per line, to copy into an e-mail or print."""
    lines = [f"{len(problems)} problema(s) impediram a gravação {what}:", ""]
    for number, problem in enumerate(problems, 1):
        lines.append(
            f"{number}. {problem_reference(problem)} — {problem_field(problem)}: {problem.message}"
        )
    return "\n".join(lines)


class BpaProblemsDialog(QDialog):
    """Why the BPA file was not written: a table, and the same as text to copy."""

    def __init__(
        self, problems: list[BpaProblem], parent: QWidget | None = None, *, esus: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("esus_problems" if esus else "bpa_problems")
        self.setWindowTitle(
            self.tr("Arquivos do e-SUS não gerados") if esus else self.tr("Arquivo BPA não gerado")
        )
        self.model = BpaProblemsModel(parent=self)
        self.model.set_rows(problems)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Nada foi gravado. Corrija os atendimentos (ou o cabeçalho) abaixo "
                               "e gere o arquivo de novo."))  # fmt: skip
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = rows_table(self.model, "problems_table", stretch_last=False)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 2)
        what = "dos arquivos do e-SUS" if esus else "do arquivo BPA"
        self.text = QPlainTextEdit(problems_text(problems, what))
        self.text.setObjectName("problems_text")
        self.text.setReadOnly(True)
        layout.addWidget(self.text, 1)
        row = QHBoxLayout()
        copy = _button(self.tr("&Copiar"), "copy")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        close = _button(self.tr("&Fechar"), "close")
        close.clicked.connect(self.accept)
        row.addStretch(1)
        row.addWidget(copy)
        row.addWidget(close)
        layout.addLayout(row)
        self.resize(900, 480)


class ProductionPage(QWidget):
    """A unit's monthly production.

    Signals:
        loaded(): the competences were read again.
        summary_loaded(): the chosen competence's totals are shown.
        exported(object): a `BpaExport` or `EsusExport` was written.
    """

    loaded = Signal()
    summary_loaded = Signal()
    exported = Signal(object)

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, settings: Settings | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("production_page")
        self._ctx = ctx
        self._settings = settings or Settings()
        self._summary: ProductionSummary | None = None
        self.competences = CompetenceModel(parent=self)
        self.professionals = ProfessionalTotalsModel(parent=self)
        self.procedures = ProcedureTotalsModel(parent=self)
        self._build_ui()
        self._connect()
        self._load_units()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        title = title_label(self.tr("Produção mensal"))
        layout.addWidget(title)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_left())
        splitter.addWidget(self._build_right())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([480, 700])
        layout.addWidget(splitter, 1)
        self.message = QLabel()
        self.message.setObjectName("production_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        layout.addWidget(self._build_actions())

    def _build_left(self) -> QWidget:
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        self.unit_combo = QComboBox()
        self.unit_combo.setObjectName("unit")
        caption = QLabel(self.tr("&Unidade:"))
        caption.setBuddy(self.unit_combo)
        column.addWidget(caption)
        column.addWidget(self.unit_combo)
        competences = QLabel(self.tr("Co&mpetências:"))
        self.competence_table = rows_table(self.competences, "competences", stretch_last=False)
        self.competence_table.horizontalHeader().setStretchLastSection(True)
        competences.setBuddy(self.competence_table)
        column.addWidget(competences)
        column.addWidget(self.competence_table, 1)
        return panel

    def _build_right(self) -> QWidget:
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("summary")
        font = QFont(self.summary_label.font())
        font.setBold(True)
        self.summary_label.setFont(font)
        self.summary_label.setWordWrap(True)
        column.addWidget(self.summary_label)
        column.addWidget(QLabel(self.tr("Por profissional:")))
        self.professional_table = rows_table(
            self.professionals, "by_professional", stretch_last=False
        )
        self.professional_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        column.addWidget(self.professional_table, 1)
        column.addWidget(QLabel(self.tr("Por procedimento:")))
        self.procedure_table = rows_table(self.procedures, "by_procedure", stretch_last=False)
        self.procedure_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch
        )
        column.addWidget(self.procedure_table, 1)
        return panel

    def _build_actions(self) -> QWidget:
        box = QGroupBox(self.tr("Competência selecionada"))
        grid = QGridLayout(box)
        self.close_button = _button(self.tr("&Fechar competência…"), "close_competence")
        self.reopen_button = _button(self.tr("&Reabrir…"), "reopen_competence")
        self.print_button = _button(self.tr("&Imprimir relatório"), "print_report")
        self.bpa_button = _button(self.tr("Gerar &BPA…"), "export_bpa")
        self.esus_button = _button(self.tr("Gerar arquivos &e-SUS…"), "export_esus")
        self.cnpj = QLineEdit()
        self.cnpj.setObjectName("bpa_cnpj")
        self.cnpj.setInputMask(CNPJ_MASK)
        self.cnpj.setFixedWidth(
            self.cnpj.fontMetrics().horizontalAdvance("88.888.888/8888-88") + 24
        )
        self.cnpj.setText(self._settings.get(BPA_CNPJ))
        self.cnpj.setToolTip(self.tr("CNPJ da secretaria que vai no cabeçalho do BPA e no e-SUS; "
                                     "fica guardado neste computador."))  # fmt: skip
        cnpj_caption = QLabel(self.tr("CNPJ de &origem:"))
        cnpj_caption.setBuddy(self.cnpj)
        for col, widget in enumerate((self.close_button, self.reopen_button, self.print_button)):
            grid.addWidget(widget, 0, col)
        grid.setColumnStretch(3, 1)
        grid.addWidget(cnpj_caption, 0, 4)
        grid.addWidget(self.cnpj, 0, 5)
        grid.addWidget(self.bpa_button, 0, 6)
        grid.addWidget(self.esus_button, 0, 7)
        return box

    def _connect(self) -> None:
        self.unit_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.competence_table.selectionModel().currentRowChanged.connect(
            lambda *_a: self._load_summary()
        )
        self.close_button.clicked.connect(self.ask_close)
        self.reopen_button.clicked.connect(self.ask_reopen)
        self.print_button.clicked.connect(self.print_report)
        self.bpa_button.clicked.connect(self.export_bpa)
        self.esus_button.clicked.connect(self.export_esus)
        self._ctx.bus.changed.connect(lambda kind: kind == "attendance" and self.reload())
        self._update_buttons()

    # --- reading ----------------------------------------------------------------------------

    def _load_units(self) -> None:
        ctx = self._ctx

        def work() -> list[EntryUnit]:
            with ctx.db.read_only() as session:
                return entry_units(session, ctx.actor)

        ctx.ops.run(work, self._show_units, parent=self)

    def _show_units(self, units: list[EntryUnit]) -> None:
        self.unit_combo.blockSignals(True)
        for unit in units:
            self.unit_combo.addItem(f"{unit.name} (CNES {unit.cnes})", unit.cnes)
        wanted = self.unit_combo.findData(self._ctx.installation.unit_cnes or "")
        self.unit_combo.setCurrentIndex(max(wanted, 0))
        self.unit_combo.blockSignals(False)
        self.reload()

    def unit_cnes(self) -> str:
        return str(self.unit_combo.currentData() or "")

    def selected(self) -> CompetenceRow | None:
        return self.competences.row_for(self.competence_table.currentIndex())

    def reload(self) -> None:
        """Read the unit's competences again, keeping the chosen one."""
        ctx, cnes = self._ctx, self.unit_cnes()
        if not cnes:
            return
        keep = self.selected()

        def work() -> list[CompetenceRow]:
            with ctx.db.read_only() as session:
                return list_competences(session, ctx.actor, cnes)

        ctx.ops.run(work, lambda rows: self._show_competences(rows, keep), parent=self)

    def _show_competences(self, rows: list[CompetenceRow], keep: CompetenceRow | None) -> None:
        self.competences.set_rows(rows)
        wanted = keep.competence if keep else None
        number = next((i for i, row in enumerate(rows) if row.competence == wanted), 0)
        if rows:
            self.competence_table.selectRow(number)
        self._load_summary()
        self.loaded.emit()

    def select_competence(self, competence: str) -> bool:
        for number, row in enumerate(self.competences.rows()):
            if row.competence == competence:
                self.competence_table.selectRow(number)
                return True
        return False

    def _load_summary(self) -> None:
        row, ctx, cnes = self.selected(), self._ctx, self.unit_cnes()
        self._update_buttons()
        if row is None:
            self._show_summary(None)
            return

        def work() -> ProductionSummary:
            with ctx.db.read_only() as session:
                return production_summary(session, ctx.actor, cnes, row.competence)

        ctx.ops.run(work, self._show_summary, parent=self)

    def _show_summary(self, summary: ProductionSummary | None) -> None:
        current = self.selected()
        if summary is not None and (current is None or current.competence != summary.competence):
            return  # an older answer
        self._summary = summary
        if summary is None:
            self.summary_label.setText(self.tr("Nenhuma competência com atendimentos."))
            self.professionals.set_rows([])
            self.procedures.set_rows([])
        else:
            text = self.tr("{unit} — competência {label}: {att} atendimento(s), {proc} "
                           "procedimento(s)")  # fmt: skip
            self.summary_label.setText(text.format(
                unit=summary.unit_name, label=competence_label(summary.competence),
                att=summary.attendances, proc=summary.procedures,
            ))  # fmt: skip
            self.professionals.set_rows(summary.by_professional)
            self.procedures.set_rows(summary.by_procedure)
        self.summary_loaded.emit()

    def _update_buttons(self) -> None:
        row = self.selected()
        may = self._ctx.actor.can(PRODUCTION)
        closed = row is not None and row.closed
        self.close_button.setEnabled(may and row is not None and not closed)
        self.reopen_button.setEnabled(may and closed)
        self.bpa_button.setEnabled(may and closed)
        self.esus_button.setEnabled(may and closed)
        self.print_button.setEnabled(row is not None)
        self.cnpj.setEnabled(may)
        for button in (self.close_button, self.reopen_button, self.bpa_button, self.esus_button):
            button.setToolTip(self._why_disabled(button, may, row))

    def _why_disabled(self, button: QPushButton, may: bool, row: CompetenceRow | None) -> str:
        if not may:
            return self.tr(NO_PRODUCTION)
        if row is None:
            return self.tr("Escolha uma competência na lista.")
        if button is self.close_button:
            return self.tr("A competência já está fechada.") if row.closed else ""
        if not row.closed:
            return self.tr("Feche a competência antes de reabrir ou gerar os arquivos.")
        return ""

    # --- closing and reopening --------------------------------------------------------------

    def ask_close(self) -> None:
        row = self.selected()
        if row is None or row.closed:
            return
        label, following = row.label, competence_label(next_competence(row.competence))
        answer = QMessageBox.question(
            self, self.tr("Fechar competência"),
            self.tr("Fechar a competência {label} da unidade ({count} atendimento(s))?\n\n"
                    "Atendimentos de {label} digitados depois do fechamento irão para a "
                    "competência {following} (ou a próxima aberta).").format(
                label=label, count=row.attendances, following=following),
        )  # fmt: skip
        if answer == QMessageBox.StandardButton.Yes:
            self._close(row.competence)

    def _close(self, competence: str) -> None:
        ctx, cnes = self._ctx, self.unit_cnes()

        def work() -> attendances.Closed:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return attendances.close_competence(session, ctx.actor, cnes, competence)

        def done(closed: attendances.Closed) -> None:
            self.message.setText(self.tr(
                "Competência {label} fechada: {att} atendimento(s), {proc} procedimento(s)."
            ).format(label=competence_label(closed.competence), att=closed.attendances,
                     proc=closed.procedures))  # fmt: skip
            self.reload()

        ctx.ops.run(work, done, parent=self)

    def ask_reopen(self) -> None:
        row = self.selected()
        if row is None or not row.closed:
            return
        question = self.tr(
            "Reabrir a competência {label}? Informe o motivo (por exemplo, o arquivo foi "
            "devolvido pelo Ministério)."
        ).format(label=row.label)
        dialog = ReasonDialog(self.tr("Reabrir competência"), question,
                              self.tr("&Reabrir competência"), self)  # fmt: skip
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.confirmed.connect(lambda reason: self._reopen(row.competence, reason))
        dialog.open()

    def _reopen(self, competence: str, reason: str) -> None:
        ctx, cnes = self._ctx, self.unit_cnes()

        def work() -> None:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                attendances.reopen_competence(session, ctx.actor, cnes, competence, reason)

        def done(_none: None) -> None:
            label = competence_label(competence)
            self.message.setText(self.tr("Competência {label} reaberta.").format(label=label))
            self.reload()

        ctx.ops.run(work, done, parent=self)

    # --- printing and files -----------------------------------------------------------------

    def print_report(self) -> None:
        row = self.selected()
        if row is None:
            return
        ctx, cnes, competence = self._ctx, self.unit_cnes(), row.competence
        issue_and_preview(
            ctx, self, self.print_button,
            lambda session: production_report_pdf(session, ctx.actor, cnes, competence),
        )  # fmt: skip

    def _provider_cnpj(self) -> str:
        digits = only_digits(self.cnpj.text())
        if digits != self._settings.get(BPA_CNPJ):
            self._settings.set(BPA_CNPJ, digits)
            self._settings.save()
        return digits

    def _ask_folder(self, title: str) -> Path | None:
        folder = QFileDialog.getExistingDirectory(self, title)
        return Path(folder) if folder else None

    def export_bpa(self) -> None:
        """Ask a folder, write the closed month's BPA there, or list what stops it."""

        def export(session: Session, cnes: str, competence: str, folder: Path, cnpj: str) -> object:
            return export_bpa(session, self._ctx.actor, cnes, competence, folder,
                              provider_cnpj=cnpj)  # fmt: skip

        def problems(exc: BaseException) -> list[BpaProblem] | None:
            return exc.problems if isinstance(exc, BpaValidationError) else None

        question = self.tr("Pasta onde gravar o arquivo BPA")
        failure = self.tr("Arquivo BPA não gerado")
        self._export(self.bpa_button, question, failure, export, problems, self._bpa_written)

    def _bpa_written(self, result: BpaExport) -> None:
        self.message.setText(self.tr(
            "Arquivo BPA gravado: {path} — {lines} linha(s) ({c} BPA-C, {i} BPA-I), "
            "{sheets} folha(s), campo de controle {control}."
        ).format(path=str(result.path), lines=result.lines, c=result.consolidated,
                 i=result.individual, sheets=result.sheets, control=result.control))  # fmt: skip

    def export_esus(self) -> None:
        """Ask a folder, write the closed month's e-SUS fichas there, or list what stops it."""

        def export(session: Session, cnes: str, competence: str, folder: Path, cnpj: str) -> object:
            return export_esus(session, self._ctx.actor, cnes, competence, folder,
                               provider_cnpj=cnpj)  # fmt: skip

        def problems(exc: BaseException) -> list[BpaProblem] | None:
            if not isinstance(exc, EsusExportError):
                return None
            return [BpaProblem(p.attendance_ref, "", p.message) for p in exc.problems]

        self._export(self.esus_button, self.tr("Pasta onde gravar os arquivos do e-SUS"),
                     self.tr("Arquivos do e-SUS não gerados"), export, problems,
                     self._esus_written, esus=True)  # fmt: skip

    def _esus_written(self, result: EsusExport) -> None:
        self.message.setText(self.tr(
            "Arquivos do e-SUS gravados em {folder}: {files} arquivo(s) — {fai} ficha(s) de "
            "atendimento individual, {sheets} ficha(s) de procedimentos."
        ).format(folder=str(result.folder), files=len(result.files), fai=result.individual,
                 sheets=result.procedure_sheets))  # fmt: skip

    def _export(
        self,
        button: QPushButton,
        question: str,
        failure_title: str,
        export: Callable[[Session, str, str, Path, str], Any],
        problems_of: Callable[[BaseException], list[BpaProblem] | None],
        written: Callable[[Any], None],
        *,
        esus: bool = False,
    ) -> None:
        """The common path of both files: folder, worker, problems dialog or the summary."""
        row = self.selected()
        if row is None or not row.closed:
            return
        folder = self._ask_folder(question)
        if folder is None:
            return
        ctx, cnes, competence, cnpj = (
            self._ctx,
            self.unit_cnes(),
            row.competence,
            self._provider_cnpj(),
        )

        def work() -> Any:
            with ctx.db.unit_of_work(ctx.actor.username) as session:
                return export(session, cnes, competence, folder, cnpj)

        def failed(exc: BaseException) -> None:
            button.setEnabled(True)
            problems = problems_of(exc)
            if problems is None:
                show_error(self, exc, failure_title)
            else:
                self.show_problems(problems, esus=esus)

        def done(result: Any) -> None:
            button.setEnabled(True)
            written(result)
            self.exported.emit(result)

        button.setEnabled(False)
        ctx.ops.run(work, done, failed, parent=self)

    def show_problems(self, problems: list[BpaProblem], *, esus: bool = False) -> BpaProblemsDialog:
        dialog = BpaProblemsDialog(problems, self, esus=esus)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        text = (
            self.tr("Arquivos do e-SUS não gerados") if esus else self.tr("Arquivo BPA não gerado")
        )
        self.message.setText(self.tr("{what}: {n} problema(s).").format(what=text, n=len(problems)))
        dialog.open()
        return dialog
