"""The "Documentos da VISA" page: every termo and auto issued, valid and cancelled, with filters,
the selected document in full, and the actions on it.

Filters: kind (série), year, situation (válido / cancelado) and a search by establishment name,
CNPJ or number ("12/2026"). The list is read in `ctx.ops`; selecting a row reads the document's
detail (as issued, plus prints, cancellation and a sample's laboratory result). Actions: "Imprimir
/ 2ª via" (the first print is the original, later ones say "2ª VIA"), "Cancelar documento…"
(reason required; the number stays, marked cancelled), "Registrar resultado da análise…" for an
auto de coleta de amostra. The page refreshes when `ctx.bus.changed` says "sanitary_document".
"""

from __future__ import annotations

import uuid
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.sanitary.document_queries import (
    CANCELLED,
    VALID,
    DocumentDetail,
    DocumentFilter,
    DocumentRow,
    document_detail,
    document_years,
    list_documents,
)
from app.sanitary.enums import DocumentKind
from ui.context import AppContext
from ui.models.rows import Column, RowsModel
from ui.sanitary.document_actions import CancelDocumentDialog, SampleResultDialog, print_now
from ui.widgets.page_header import header_row
from ui.widgets.tables import rows_table

SHORT_KIND = {
    DocumentKind.INSPECTION_REPORT: "Termo de inspeção",
    DocumentKind.SUMMONS: "Intimação",
    DocumentKind.INFRACTION: "Auto de infração",
    DocumentKind.SAMPLE: "Coleta de amostra",
    DocumentKind.INTERDICTION: "Interdição",
}
REFRESH_KINDS = frozenset({"sanitary_document", "inspection", "establishment"})
COLUMNS: list[Column[DocumentRow]] = [
    Column("Número", lambda r: r.number_label),
    Column("Tipo", lambda r: SHORT_KIND[r.kind]),
    Column("Data", lambda r: f"{r.issued_on:%d/%m/%Y}"),
    Column("Estabelecimento", lambda r: r.establishment_name),
    Column("Fiscal", lambda r: r.inspector_name),
    Column("Impressões", lambda r: str(r.print_count), align_right=True),
    Column("Situação", lambda r: r.status_label),
]


class DocumentsModel(RowsModel[DocumentRow]):
    """The documents list; cancelled documents in grey."""

    def foreground(self, row: DocumentRow) -> QColor | None:
        return QColor("#8a8a8a") if row.cancelled else None


def _day(value: object) -> str:
    return f"{value:%d/%m/%Y}" if value else "—"


def detail_html(detail: DocumentDetail) -> str:
    """The selected document as the screen shows it."""
    e = detail.establishment
    lines = [
        f"<h3>{escape(detail.title)}</h3>",
        f"<p><b>Situação:</b> {detail.status_label}"
        + (f" – {escape(detail.cancel_reason)}" if detail.cancelled else "")
        + f"<br><b>Emitido em:</b> {_day(detail.issued_on)} por {escape(detail.inspector_name)}"
        + f"<br><b>Impressões:</b> {detail.print_count}"
        + (f" (código {detail.verification_code})" if detail.verification_code else "")
        + "</p>",
        f"<p><b>{escape(e.legal_name)}</b><br>{escape(e.document_label)}<br>"
        f"{escape(e.address)} – {escape(e.district)}</p>",
    ]
    lines += _kind_lines(detail)
    if detail.facts:
        lines.append(f"<p><b>Fatos:</b> {escape(detail.facts)}</p>")
    if detail.items:
        items = "".join(f"<li>{escape(i.code)} – {escape(i.text)}</li>" for i in detail.items)
        lines.append(f"<p><b>Itens:</b></p><ul>{items}</ul>")
    receiver = (
        "Recusou-se a assinar; testemunhas: "
        + "; ".join(f"{escape(n)} ({escape(d)})" for n, d in detail.witnesses)
        if detail.refused_to_sign
        else f"{escape(detail.receiver_name)} ({escape(detail.receiver_document)})"
    )
    lines.append(f"<p><b>Recebimento:</b> {receiver}</p>")
    return "".join(lines)


def _kind_lines(detail: DocumentDetail) -> list[str]:
    lines: list[str] = []
    if detail.deadline is not None:
        lines.append(f"<p><b>Prazo:</b> {escape(detail.deadline.sentence())}</p>")
    if detail.gravity is not None:
        lines.append(
            f"<p><b>Classificação:</b> {detail.gravity.label} – multa "
            f"{escape(detail.fine_text)}</p>"
        )
    if detail.extent:
        lines.append(
            f"<p><b>Interdição {'total' if detail.extent == 'total' else 'parcial'}:</b> "
            f"{escape(detail.interdicted)}</p>"
        )
    if detail.sample:
        sample = detail.sample
        seals = ", ".join(sample.get("seals", []))
        lines.append(
            f"<p><b>Amostra:</b> {escape(sample.get('product', ''))} – lote "
            f"{escape(sample.get('lot', '') or '—')}; lacres {escape(seals)}; "
            f"laboratório {escape(sample.get('laboratory', ''))}</p>"
        )
        lines.append(_result_line(detail))
    return lines


def _result_line(detail: DocumentDetail) -> str:
    result = detail.result
    if not result:
        return "<p><b>Resultado da análise:</b> aguardando o laboratório.</p>"
    verdict = "Satisfatório" if result.get("satisfactory") else "Insatisfatório"
    notes = f" – {escape(result.get('notes', ''))}" if result.get("notes") else ""
    day = result.get("result_on", "")
    shown = f"{day[8:10]}/{day[5:7]}/{day[:4]}" if len(day) == 10 else day
    return (
        f"<p><b>Resultado da análise:</b> <b>{verdict}</b> – laudo "
        f"{escape(result.get('report_number', ''))} de {shown}{notes}</p>"
    )


class DocumentsPage(QWidget):
    """Termos and autos issued by VISA, with filters, detail and actions.

    Args:
        ctx: the logged-in session (database, actor, op runner, bus).
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sanitary_documents_page")
        self._ctx = ctx
        self._generation = 0
        self.detail: DocumentDetail | None = None
        self.model = DocumentsModel(COLUMNS, parent=self)
        self._build_ui()
        self._connect()
        self._load_years()
        self.refresh()

    # --- building ---------------------------------------------------------------------------

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_header())
        layout.addLayout(self._build_filters())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.table = rows_table(self.model, "documents_table")
        splitter.addWidget(self.table)
        self.detail_view = QTextBrowser()
        self.detail_view.setObjectName("document_detail")
        splitter.addWidget(self.detail_view)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([780, 460])
        layout.addWidget(splitter, 1)
        layout.addLayout(self._build_buttons())

    def _build_header(self) -> QHBoxLayout:
        row, self.count_label = header_row(self.tr("Documentos da Vigilância Sanitária"))
        return row

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kind_filter")
        self.kind_combo.addItem(self.tr("Todos os tipos"), None)
        for kind in DocumentKind:
            self.kind_combo.addItem(f"{kind.value} – {kind.label}", kind)
        self.year_combo = QComboBox()
        self.year_combo.setObjectName("year_filter")
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("status_filter")
        for label, value in ((self.tr("Todas as situações"), None), (self.tr("Válidos"), VALID),
                             (self.tr("Cancelados"), CANCELLED)):  # fmt: skip
            self.status_combo.addItem(label, value)
        self.search = QLineEdit()
        self.search.setObjectName("search_box")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("Buscar estabelecimento, CNPJ ou número (12/2026)…"))
        captions = (
            (self.tr("&Tipo:"), self.kind_combo),
            (self.tr("&Ano:"), self.year_combo),
            (self.tr("&Situação:"), self.status_combo),
        )
        for label, widget in captions:
            caption = QLabel(label)
            caption.setBuddy(widget)
            row.addWidget(caption)
            row.addWidget(widget)
        row.addWidget(self.search, 1)
        return row

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.print_button = QPushButton(self.tr("&Imprimir / 2ª via"))
        self.print_button.setObjectName("print_document")
        self.cancel_button = QPushButton(self.tr("&Cancelar documento…"))
        self.cancel_button.setObjectName("cancel_document")
        self.result_button = QPushButton(self.tr("&Registrar resultado da análise…"))
        self.result_button.setObjectName("record_result")
        allowed = self._ctx.actor.can("sanitary.inspect")
        for button in (self.print_button, self.cancel_button, self.result_button):
            button.setVisible(allowed)
            button.setEnabled(False)
        row.addWidget(self.print_button)
        row.addWidget(self.result_button)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        return row

    def _connect(self) -> None:
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.year_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.status_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.search.returnPressed.connect(self.refresh)
        self.search.textChanged.connect(self._search_cleared)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._load_detail())
        self.print_button.clicked.connect(self.print_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.result_button.clicked.connect(self.record_result)
        self._ctx.bus.changed.connect(self._changed)

    def _search_cleared(self, text: str) -> None:
        if not text:
            self.refresh()

    # --- loading ----------------------------------------------------------------------------

    def _load_years(self) -> None:
        ctx = self._ctx

        def work() -> list[int]:
            with ctx.db.read_only() as session:
                return document_years(session, ctx.actor)

        ctx.ops.run(work, self._fill_years, parent=self)

    def _fill_years(self, years: list[int]) -> None:
        chosen = self.year_combo.currentData()
        this_year = self._ctx.today().year
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        self.year_combo.addItem(self.tr("Todos"), None)
        for year in sorted({*years, this_year}, reverse=True):
            self.year_combo.addItem(str(year), year)
        index = self.year_combo.findData(chosen)
        self.year_combo.setCurrentIndex(max(index, 0))
        self.year_combo.blockSignals(False)

    def current_filter(self) -> DocumentFilter:
        return DocumentFilter(
            kind=self.kind_combo.currentData(),
            year=self.year_combo.currentData(),
            status=self.status_combo.currentData(),
            text=self.search.text().strip(),
        )

    def refresh(self) -> None:
        """Read the list again with the current filters (keeps the selected document)."""
        self._generation += 1
        generation, ctx, filters = self._generation, self._ctx, self.current_filter()

        def work() -> tuple[int, list[DocumentRow]]:
            with ctx.db.read_only() as session:
                return generation, list_documents(session, ctx.actor, filters)

        ctx.ops.run(work, self._show_rows, parent=self)

    def _show_rows(self, result: tuple[int, list[DocumentRow]]) -> None:
        generation, rows = result
        if generation != self._generation:
            return
        selected = self.detail.id if self.detail else None
        self.model.set_rows(rows)
        self.count_label.setText(self.tr("{n} documento(s)").format(n=len(rows)))
        index = next((i for i, row in enumerate(rows) if row.id == selected), 0 if rows else -1)
        if index >= 0:
            self.table.selectRow(index)
        else:
            self._show_detail(None)

    def selected_row(self) -> DocumentRow | None:
        return self.model.row_for(self.table.currentIndex())

    def _load_detail(self) -> None:
        row = self.selected_row()
        if row is None:
            self._show_detail(None)
            return
        ctx, document_id = self._ctx, row.id

        def work() -> DocumentDetail:
            with ctx.db.read_only() as session:
                return document_detail(session, ctx.actor, document_id)

        ctx.ops.run(work, self._show_detail, parent=self)

    def _show_detail(self, detail: DocumentDetail | None) -> None:
        current = self.selected_row()
        if detail is not None and (current is None or current.id != detail.id):
            return  # an older selection answered late
        self.detail = detail
        self.detail_view.setHtml(detail_html(detail) if detail else "")
        active = detail is not None and not detail.cancelled
        self.print_button.setEnabled(detail is not None)
        self.print_button.setText(
            self.tr("&Imprimir 2ª via") if detail and detail.print_count else self.tr("&Imprimir")
        )
        self.cancel_button.setEnabled(active)
        is_sample = active and detail is not None and detail.kind is DocumentKind.SAMPLE
        self.result_button.setEnabled(bool(is_sample and detail and not detail.result))
        self.result_button.setVisible(self._ctx.actor.can("sanitary.inspect") and bool(is_sample))

    def _changed(self, kind: str) -> None:
        if kind in REFRESH_KINDS:
            self._load_years()
            self.refresh()
            self._load_detail()

    # --- actions ----------------------------------------------------------------------------

    def _selected_id(self) -> tuple[uuid.UUID, str] | None:
        row = self.selected_row()
        return (row.id, f"{row.kind.label} nº {row.number_label}") if row else None

    def print_selected(self) -> None:
        """Print the selected document (original the first time, 2ª via afterwards)."""
        chosen = self._selected_id()
        if chosen is not None:
            print_now(self._ctx, self, chosen[0], button=self.print_button)

    def cancel_selected(self) -> CancelDocumentDialog | None:
        chosen = self._selected_id()
        if chosen is None or self.detail is None or self.detail.cancelled:
            return None
        dialog = CancelDocumentDialog(self._ctx, chosen[0], chosen[1], self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def record_result(self) -> SampleResultDialog | None:
        chosen = self._selected_id()
        if chosen is None:
            return None
        dialog = SampleResultDialog(self._ctx, chosen[0], chosen[1], self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
