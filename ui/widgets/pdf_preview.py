"""Preview, print and save any PDF the app issues, without an external PDF viewer (DESIGN §5).

The PDF bytes are shown with QtPdf: a `QPdfDocument` reads them from a `QBuffer` that this dialog
owns, because the document reads from the device while pages are displayed and a buffer collected
by Python would leave it reading freed memory. Printing renders each page to an image at the
printer's resolution (capped at 300 dpi: a 1200 dpi A4 page would be a 550 MB image) and paints it
on the printer's page. Saving writes a temporary file in the chosen folder and then renames it over
the target, so a full disk or a pulled USB stick never leaves half a PDF with the final name.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, QSize, QStandardPaths, Qt
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.ops import show_error

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ui.context import AppContext

MAX_PRINT_DPI = 300


class IssuedDocument(Protocol):
    """What report builders return (e.g. `app.registry.reports.IssuedPdf`)."""

    code: str
    title: str
    pdf: bytes


def default_file_name(title: str, code: str) -> str:
    """ "Ficha cadastral" + "AB12-CD34" → "Ficha cadastral - AB12-CD34.pdf" (safe on Windows)."""
    stem = f"{title} - {code}" if code else title
    stem = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", stem).strip(" .") or "documento"
    return stem + ".pdf"


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    folder = path.parent
    handle, temp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".pdf", dir=folder)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


class PdfPreviewDialog(QDialog):
    """Shows a PDF with "Imprimir…", "Salvar PDF…" and "Fechar".

    Args:
        pdf: the document's bytes.
        title: the document title (window title and default file name).
        code: the verification code printed on the document ("" if none).
    """

    def __init__(
        self, pdf: bytes, title: str, code: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pdf_preview")
        self._pdf = bytes(pdf)
        self._title = title
        self._code = code
        self._load_document()
        self._build_ui()
        self.resize(820, 900)

    @classmethod
    def for_issued(cls, issued: IssuedDocument, parent: QWidget | None = None) -> PdfPreviewDialog:
        return cls(issued.pdf, issued.title, issued.code, parent)

    # --- building ---------------------------------------------------------------------------

    def _load_document(self) -> None:
        self._bytes = QByteArray(self._pdf)
        self._buffer = QBuffer(self)
        self._buffer.setData(self._bytes)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)

    def _build_ui(self) -> None:
        if self._code:
            caption = self.tr("{title} — Código de verificação: {code}").format(
                title=self._title, code=self._code
            )
        else:
            caption = self._title
        self.setWindowTitle(caption)
        layout = QVBoxLayout(self)
        header = QLabel(caption)
        header.setObjectName("pdf_caption")
        header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(header)
        layout.addWidget(self._build_view(), 1)
        layout.addLayout(self._build_buttons())

    def _build_view(self) -> QPdfView:
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        return self.view

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.print_button = QPushButton(self.tr("&Imprimir…"))
        self.print_button.clicked.connect(self._ask_print)
        self.save_button = QPushButton(self.tr("&Salvar PDF…"))
        self.save_button.clicked.connect(self._ask_save)
        close = QPushButton(self.tr("&Fechar"))
        close.clicked.connect(self.accept)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, self._ask_print)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self._ask_save)
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        row.addStretch(1)
        row.addWidget(close)
        close.setDefault(True)
        return row

    # --- document ---------------------------------------------------------------------------

    def page_count(self) -> int:
        return self.document.pageCount()

    def save_to(self, path: str | os.PathLike[str]) -> None:
        """Write the PDF to `path` atomically; raises OSError."""
        write_atomically(Path(path), self._pdf)

    def print_to(self, printer: QPrinter) -> None:
        """Paint every page on `printer`, each page as an image at the printer's resolution."""
        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError(self.tr("A impressora não pôde ser iniciada."))
        try:
            for page in range(self.page_count()):
                if page:
                    printer.newPage()
                self._paint_page(painter, printer, page, dpi)
        finally:
            painter.end()

    def _paint_page(self, painter: QPainter, printer: QPrinter, page: int, dpi: int) -> None:
        points = self.document.pagePointSize(page)
        size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
        image = self.document.render(page, size)
        target = printer.pageLayout().paintRectPixels(printer.resolution())
        scaled = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
        painter.drawImage(QRect(QPoint(0, 0), scaled), image)

    # --- user actions -----------------------------------------------------------------------

    def _ask_print(self) -> None:
        self._printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self._printer.setDocName(self._title)
        dialog = QPrintDialog(self._printer, self)
        dialog.setWindowTitle(self.tr("Imprimir"))
        dialog.accepted.connect(self._print_accepted)
        dialog.open()

    def _print_accepted(self) -> None:
        try:
            self.print_to(self._printer)
        except OSError as exc:
            self._warn(self.tr("Não foi possível imprimir: {reason}").format(reason=str(exc)))

    def _ask_save(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = str(Path(folder) / default_file_name(self._title, self._code))
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Salvar PDF"), suggested, self.tr("Documento PDF (*.pdf)")
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        try:
            self.save_to(path)
        except OSError as exc:
            self._warn(self._save_error_text(path, exc))

    def _save_error_text(self, path: str, exc: OSError) -> str:
        reason = exc.strerror or str(exc)
        return self.tr(
            "Não foi possível salvar o PDF em {path}. Verifique se a pasta existe, se há espaço "
            "em disco e se você tem permissão para gravar nela. (Detalhe: {reason})"
        ).format(path=path, reason=reason)

    def _warn(self, text: str) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Documento"),
            text,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("error_box")
        box.open()
        return box


def issue_and_preview(
    ctx: AppContext,
    parent: QWidget,
    button: QAbstractButton,
    build: Callable[[Session], IssuedDocument],
) -> None:
    """Issue a document in the worker (its own unit of work), then open its preview.

    The way every screen prints: `build(session)` calls a report service (which checks the
    permission, registers the verification code and audits the print). `button` stays disabled
    meanwhile so a double click cannot issue two documents.
    """
    button.setEnabled(False)

    def issue() -> IssuedDocument:
        with ctx.db.unit_of_work(ctx.actor.username) as session:
            return build(session)

    def show(issued: IssuedDocument) -> None:
        button.setEnabled(True)
        preview = PdfPreviewDialog.for_issued(issued, parent)
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        preview.open()

    def failed(exc: BaseException) -> None:
        button.setEnabled(True)
        show_error(parent, exc)

    ctx.ops.run(issue, show, failed, parent=parent)
