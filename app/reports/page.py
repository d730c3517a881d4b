"""The page every report is printed on: A4, the municipality's header and the verification footer.

The header carries the brasão (when the municipality has a readable one), "Prefeitura Municipal de
<name> – <UF>", the secretariat, the department and the title, on every page so that a loose sheet
still says what it belongs to. The footer carries "Página x de y", when and by whom the document was
issued (in the municipality's time zone) and the verification code; legal documents add a QR code
holding the code. "de y" needs the page count, known only at the end: the canvas keeps each
finished page aside and writes the numbers when the document is saved, so the flowables are laid
out only once.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from PIL import Image
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm as _mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from app.reports import styles

mm: float = _mm  # typed here: ReportLab is untyped
PAGE_WIDTH: float = A4[0]
PAGE_HEIGHT: float = A4[1]
MARGIN_X: float = 18 * mm
MARGIN_TOP: float = 12 * mm
MARGIN_BOTTOM: float = 10 * mm
BRASAO_SIZE: float = 19 * mm
HEADER_BAND: float = 22 * mm  # from the top margin to the rule under the municipality's name
TITLE_SIZE = 12.5
TITLE_LEADING = 15
FOOTER_HEIGHT: float = 13 * mm
QR_SIZE: float = 22 * mm
CONTENT_WIDTH: float = PAGE_WIDTH - 2 * MARGIN_X
_MAX_BRASAO_PIXELS = 400


@dataclass(frozen=True)
class PageInfo:
    """What the header and footer of every page of one document show."""

    municipality_name: str
    uf: str
    secretariat: str
    department: str
    title: str
    issued_by: str
    issued_at: datetime  # UTC
    timezone: str
    code: str
    legal: bool = False
    brasao_png: bytes | None = None


@dataclass(frozen=True)
class _Layout:
    """Geometry worked out once per document (the title may take one to three lines)."""

    info: PageInfo
    brasao: ImageReader | None
    title_lines: tuple[str, ...]
    title_size: float
    footer_height: float

    @property
    def frame_top(self) -> float:
        title_height = len(self.title_lines) * self.title_size * 1.2
        return PAGE_HEIGHT - MARGIN_TOP - HEADER_BAND - 4 * mm - title_height - 4 * mm

    @property
    def frame_bottom(self) -> float:
        return MARGIN_BOTTOM + self.footer_height + 3 * mm


def load_brasao(data: bytes | None) -> ImageReader | None:
    """The brasão ready to draw, or None when there is none or it cannot be read.

    A broken image must never stop a document from printing, so any decoding error means "no
    image". Large images are scaled down: 400 pixels is plenty for 19 mm on paper.
    """
    if not data:
        return None
    try:
        image: Image.Image = Image.open(io.BytesIO(data))
        image.load()
        if image.mode not in ("RGB", "RGBA", "L"):
            image = image.convert("RGBA")
        image.thumbnail((_MAX_BRASAO_PIXELS, _MAX_BRASAO_PIXELS))
        return ImageReader(image)
    except Exception:  # any decoder failure (bad bytes, truncated file, bomb) → no image
        return None


def fit_size(text: str, font: str, size: float, width: float, minimum: float = 6.5) -> float:
    """The largest font size from `size` down to `minimum` at which `text` fits in `width`."""
    while size > minimum and stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def clip_text(text: str, font: str, size: float, width: float) -> str:
    """`text` cut short with "…" so that it fits in `width`."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _title_lines(title: str) -> tuple[tuple[str, ...], float]:
    text = title.upper()
    for size in (TITLE_SIZE, 11.0, 10.0):
        lines = simpleSplit(text, styles.FONT_BOLD, size, CONTENT_WIDTH)
        if len(lines) <= 2:
            return tuple(lines), size
    lines = simpleSplit(text, styles.FONT_BOLD, 10.0, CONTENT_WIDTH)
    return (*lines[:2], clip_text(" ".join(lines[2:]), styles.FONT_BOLD, 10.0, CONTENT_WIDTH)), 10.0


def _layout(info: PageInfo) -> _Layout:
    lines, size = _title_lines(info.title)
    return _Layout(
        info=info,
        brasao=load_brasao(info.brasao_png),
        title_lines=lines,
        title_size=size,
        footer_height=max(FOOTER_HEIGHT, QR_SIZE) if info.legal else FOOTER_HEIGHT,
    )


def municipality_heading(info: PageInfo) -> str:
    """ "Prefeitura Municipal de Campina Verde – MG"."""
    return f"Prefeitura Municipal de {info.municipality_name} – {info.uf.upper()}"


def _draw_brasao(canvas: Canvas, layout: _Layout, top: float) -> float:
    """Draw the brasão at the top left; returns where the header text starts."""
    if layout.brasao is None:
        return MARGIN_X
    canvas.drawImage(
        layout.brasao,
        MARGIN_X,
        top - BRASAO_SIZE,
        width=BRASAO_SIZE,
        height=BRASAO_SIZE,
        preserveAspectRatio=True,
        anchor="c",
        mask="auto",
    )
    return MARGIN_X + BRASAO_SIZE + 4 * mm


def _header_line(canvas: Canvas, text: str, font: str, size: float, x: float, y: float) -> None:
    width = PAGE_WIDTH - MARGIN_X - x
    size = fit_size(text, font, size, width)
    canvas.setFont(font, size)
    canvas.drawString(x, y, clip_text(text, font, size, width))


def _draw_header(canvas: Canvas, layout: _Layout) -> None:
    info = layout.info
    top = PAGE_HEIGHT - MARGIN_TOP
    x = _draw_brasao(canvas, layout, top)
    canvas.setFillColor(styles.INK)
    _header_line(canvas, municipality_heading(info), styles.FONT_BOLD, 12, x, top - 5 * mm)
    _header_line(canvas, info.secretariat, styles.FONT, 10, x, top - 10 * mm)
    canvas.setFillColor(styles.MUTED)
    _header_line(canvas, info.department, styles.FONT, 9, x, top - 14.5 * mm)
    rule_y = top - HEADER_BAND
    canvas.setStrokeColor(styles.ACCENT)
    canvas.setLineWidth(1.2)
    canvas.line(MARGIN_X, rule_y, PAGE_WIDTH - MARGIN_X, rule_y)
    canvas.setFillColor(styles.ACCENT)
    canvas.setFont(styles.FONT_BOLD, layout.title_size)
    y = rule_y - 4 * mm - layout.title_size
    for line in layout.title_lines:
        canvas.drawCentredString(PAGE_WIDTH / 2, y, line)
        y -= layout.title_size * 1.2


def _draw_qr(canvas: Canvas, code: str) -> None:
    widget = QrCodeWidget(code, barLevel="M", barBorder=4, barWidth=QR_SIZE, barHeight=QR_SIZE)
    drawing = Drawing(QR_SIZE, QR_SIZE)
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, PAGE_WIDTH - MARGIN_X - QR_SIZE, MARGIN_BOTTOM)


def _footer_text_right(layout: _Layout) -> float:
    """Right edge of the footer's text (left of the QR code on legal documents)."""
    if layout.info.legal:
        return PAGE_WIDTH - MARGIN_X - QR_SIZE - 3 * mm
    return PAGE_WIDTH - MARGIN_X


def _draw_footer(canvas: Canvas, layout: _Layout) -> None:
    info = layout.info
    rule_y = MARGIN_BOTTOM + layout.footer_height
    canvas.setStrokeColor(styles.RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN_X, rule_y, PAGE_WIDTH - MARGIN_X, rule_y)
    width = _footer_text_right(layout) - MARGIN_X - 30 * mm  # room for "Página x de y"
    when = styles.format_datetime_local(info.issued_at, info.timezone)
    issued = f"Emitido em {when} por {info.issued_by}"
    canvas.setFillColor(styles.MUTED)
    canvas.setFont(styles.FONT, 7.5)
    canvas.drawString(MARGIN_X, rule_y - 10, clip_text(issued, styles.FONT, 7.5, width))
    canvas.setFillColor(styles.INK)
    canvas.setFont(styles.FONT_BOLD, 8.5)
    canvas.drawString(MARGIN_X, rule_y - 21, f"Código de verificação: {info.code}")
    canvas.setFillColor(styles.MUTED)
    canvas.setFont(styles.FONT, 7)
    hint = f"Confira a autenticidade junto à {info.secretariat} informando este código."
    canvas.drawString(MARGIN_X, rule_y - 30, clip_text(hint, styles.FONT, 7, width + 30 * mm))
    if info.legal:
        _draw_qr(canvas, info.code)


def _draw_page_number(canvas: Canvas, layout: _Layout, number: int, total: int) -> None:
    rule_y = MARGIN_BOTTOM + layout.footer_height
    canvas.setFillColor(styles.INK)
    canvas.setFont(styles.FONT, 8.5)
    canvas.drawRightString(_footer_text_right(layout), rule_y - 10, f"Página {number} de {total}")


class NumberedCanvas(Canvas):  # type: ignore[misc]  # ReportLab is untyped
    """A canvas that holds finished pages back until it knows how many there are.

    `stamp(canvas, number, total)` draws on each page once the total is known; everything else
    was drawn while the page was laid out.
    """

    def __init__(
        self, *args: Any, stamp: Callable[[Canvas, int, int], None], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._stamp = stamp
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # ReportLab's name
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self._stamp(self, number, total)
            super().showPage()
        super().save()


def _doc(buffer: io.BytesIO, layout: _Layout) -> BaseDocTemplate:
    info = layout.info
    frame = Frame(
        MARGIN_X,
        layout.frame_bottom,
        CONTENT_WIDTH,
        layout.frame_top - layout.frame_bottom,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="content",
    )

    def on_page(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        canvas.saveState()
        _draw_header(canvas, layout)
        _draw_footer(canvas, layout)
        canvas.restoreState()

    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        title=info.title,
        author=info.issued_by,
        subject=f"{municipality_heading(info)} – código de verificação {info.code}",
        creator="Saúde Municipal",
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    return doc


def build_pdf(info: PageInfo, flowables: Sequence[Flowable]) -> bytes:
    """The finished PDF (A4) of `flowables` on the standard page."""
    layout = _layout(info)
    buffer = io.BytesIO()
    doc = _doc(buffer, layout)

    def stamp(canvas: Canvas, number: int, total: int) -> None:
        canvas.saveState()
        _draw_page_number(canvas, layout, number, total)
        canvas.restoreState()

    doc.build(list(flowables), canvasmaker=partial(NumberedCanvas, stamp=stamp))
    return buffer.getvalue()


_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def page_count(pdf: bytes) -> int:
    """How many pages a PDF made by `build_pdf` has (ReportLab writes one page object each)."""
    count = len(_PAGE_OBJECT.findall(pdf))
    if count == 0:
        raise ValueError("not a PDF produced by build_pdf: no page objects found")
    return count
