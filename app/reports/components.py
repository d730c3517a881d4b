"""Building blocks of report bodies: form-like field grids, long tables, signatures, section titles.

Long listings are cut into blocks of a few dozen rows, because ReportLab lays out one huge `Table`
many times over (DESIGN §5: 20,000 rows took 26 s in one table, 1.7 s in 40-row chunks); each
block draws its rows straight on the canvas, which keeps a 20,000-row listing within DESIGN §7's
budget. The blocks of one listing share a little state so that the column header is printed once
at the top of every page (and above the first block), never between two blocks on the same page.
Cells are plain strings wrapped to the column width beforehand, far cheaper than `Paragraph`s.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.reports import styles
from app.reports.page import CONTENT_WIDTH

EMPTY_VALUE = "—"
CELL_FONT_SIZE = 8.0
CELL_LEADING = 9.6
CELL_PADDING = 2.5
CELL_SIDE_PADDING = 3.0
SIGNATURE_SPACE = 16 * mm

Field = tuple[str, str] | tuple[str, str, int]


def text(value: str, style: Any = styles.BODY) -> Paragraph:
    """A paragraph of plain text (markup characters in `value` are printed as typed)."""
    return Paragraph(escape(value), style)


def section_title(title: str) -> Flowable:
    """A section heading with a thin rule under it, kept on the same page as what follows."""
    table = Table([[text(title, styles.SECTION)]], colWidths=[CONTENT_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.6, styles.ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    table.keepWithNext = True
    table.spaceAfter = 3
    return table


def column_widths(*weights: float, total: float = CONTENT_WIDTH) -> list[float]:
    """Widths proportional to `weights` that add up to `total` (the page's content width)."""
    whole = sum(weights)
    return [total * weight / whole for weight in weights]


# --- field grid -----------------------------------------------------------------------------------


def _field_cell(label: str, value: str) -> list[Flowable]:
    shown = value.strip() or EMPTY_VALUE
    return [text(label.upper(), styles.FIELD_LABEL), text(shown, styles.FIELD_VALUE)]


def _grid_rows(pairs: Sequence[Field], columns: int) -> list[list[tuple[Any, int]]]:
    """Fields placed left to right; a field that does not fit starts a new row."""
    rows: list[list[tuple[Any, int]]] = [[]]
    used = 0
    for pair in pairs:
        span = max(1, min(columns, pair[2] if len(pair) == 3 else 1))
        if used + span > columns:
            rows.append([])
            used = 0
        rows[-1].append((_field_cell(pair[0], pair[1]), span))
        used += span
    return [row for row in rows if row]


def _stretch_last(row: list[tuple[Any, int]], columns: int) -> list[tuple[Any, int]]:
    """The row's last field widened to the right edge, so no row ends in an empty box."""
    spare = columns - sum(span for _, span in row)
    cell, span = row[-1]
    return [*row[:-1], (cell, span + spare)]


def field_grid(pairs: Sequence[Field], columns: int = 2, width: float = CONTENT_WIDTH) -> Table:
    """Label/value boxes laid out like a printed form; a pair may add how many columns it spans."""
    data: list[list[Any]] = []
    commands: list[tuple[Any, ...]] = []
    for r, row in enumerate(_grid_rows(pairs, columns)):
        line: list[Any] = []
        for cell, span in _stretch_last(row, columns):
            start = len(line)
            line.extend([cell] + [""] * (span - 1))
            if span > 1:
                commands.append(("SPAN", (start, r), (start + span - 1, r)))
        data.append(line)
    table = Table(data, colWidths=[width / columns] * columns)
    table.setStyle(TableStyle([*_GRID_STYLE, *commands]))
    return table


_GRID_STYLE: list[tuple[Any, ...]] = [
    ("BOX", (0, 0), (-1, -1), 0.6, styles.BOX),
    ("INNERGRID", (0, 0), (-1, -1), 0.6, styles.BOX),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
]


# --- long tables ----------------------------------------------------------------------------------


@dataclass
class _Run:
    """What the chunks of one listing share: header, columns, and the last page drawn on."""

    header: list[str]
    col_widths: list[float]
    align: list[str]
    last_page: int = 0
    lefts: list[float] = field(init=False)

    def __post_init__(self) -> None:
        self.lefts = [sum(self.col_widths[:n]) for n in range(len(self.col_widths))]

    @property
    def width(self) -> float:
        return sum(self.col_widths)

    @property
    def header_height(self) -> float:
        return _row_height(self.header)

    def x_of(self, column: int, line: str, font: str) -> float:
        """Where a line of text starts in its column, by the column's alignment."""
        left = self.lefts[column]
        align = self.align[column]
        if align == "LEFT":
            return left + CELL_SIDE_PADDING
        room = self.col_widths[column] - 2 * CELL_SIDE_PADDING
        spare = room - float(stringWidth(line, font, CELL_FONT_SIZE))
        return left + CELL_SIDE_PADDING + (spare if align == "RIGHT" else spare / 2)


def _wrap_cell(value: str, width: float, font: str = styles.FONT) -> str:
    if stringWidth(value, font, CELL_FONT_SIZE) <= width:
        return value
    return "\n".join(simpleSplit(value, font, CELL_FONT_SIZE, width))


def _row_height(cells: Sequence[str]) -> float:
    lines = max((cell.count("\n") + 1 for cell in cells), default=1)
    return lines * CELL_LEADING + 2 * CELL_PADDING


class TableChunk(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    """A few rows of a long listing; shows the column header when it opens a page.

    It draws its rows straight on the canvas (one text object per chunk) instead of building a
    ReportLab `Table`: the layout is fixed (wrapped plain strings, zebra rows), and a `Table` per
    chunk cost 2.5-3 times raw canvas drawing for a 20,000-row listing, above DESIGN §7's budget.
    """

    def __init__(self, run: _Run, rows: list[list[str]], first_index: int, header: bool) -> None:
        super().__init__()
        self._run = run
        self._rows = rows
        self._heights = [_row_height(row) for row in rows]
        self._first_index = first_index
        self._force_header = header
        self._header = header

    def _wants_header(self) -> bool:
        return self._force_header or self.canv.getPageNumber() != self._run.last_page

    def _height(self, header: bool) -> float:
        return sum(self._heights) + (self._run.header_height if header else 0)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._header = self._wants_header()
        return self._run.width, self._height(self._header)

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        header = self._wants_header()
        room = avail_height - (self._run.header_height if header else 0)
        fits = 0
        while fits < len(self._rows) and self._heights[fits] <= room:
            room -= self._heights[fits]
            fits += 1
        if fits == 0:
            return []
        if fits == len(self._rows):
            return [self]
        first = TableChunk(self._run, self._rows[:fits], self._first_index, header)
        rest = TableChunk(self._run, self._rows[fits:], self._first_index + fits, False)
        return [first, rest]

    def draw(self) -> None:
        canvas = self.canv
        self._run.last_page = canvas.getPageNumber()
        top = self._height(self._header)
        if self._header:
            top -= self._run.header_height
            self._fill(canvas, [(top, self._run.header_height)], styles.ACCENT)
        tops = [top - sum(self._heights[: n + 1]) for n in range(len(self._rows))]
        odd = [(y, h) for n, (y, h) in enumerate(zip(tops, self._heights, strict=True))
               if (self._first_index + n) % 2]  # fmt: skip
        self._fill(canvas, odd, styles.ZEBRA)
        if self._rows:
            canvas.setStrokeColor(styles.BOX)
            canvas.setLineWidth(0.4)
            canvas.line(0, 0, self._run.width, 0)
        if self._header:
            self._text(canvas, [self._run.header], [top + self._run.header_height], True)
        self._text(canvas, self._rows, [y + h for y, h in zip(tops, self._heights, strict=True)])

    def _fill(self, canvas: Any, bands: list[tuple[float, float]], color: Any) -> None:
        if not bands:
            return
        path = canvas.beginPath()
        for bottom, height in bands:
            path.rect(0, bottom, self._run.width, height)
        canvas.setFillColor(color)
        canvas.drawPath(path, stroke=0, fill=1)

    def _text(
        self, canvas: Any, rows: list[list[str]], tops: list[float], bold: bool = False
    ) -> None:
        font = styles.FONT_BOLD if bold else styles.FONT
        text_object = canvas.beginText()
        text_object.setFont(font, CELL_FONT_SIZE, CELL_LEADING)
        text_object.setFillColor(colors.white if bold else styles.INK)
        for cells, row_top in zip(rows, tops, strict=True):
            baseline = row_top - CELL_PADDING - 0.9 * CELL_FONT_SIZE
            for column, cell in enumerate(cells):
                for n, line in enumerate(cell.split("\n") if cell else ()):
                    x = self._run.x_of(column, line, font)
                    text_object.setTextOrigin(x, baseline - n * CELL_LEADING)
                    text_object.textOut(line)
        canvas.drawText(text_object)


def _batches(rows: Iterable[Sequence[str]], size: int) -> Iterator[list[Sequence[str]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def chunked_table(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    col_widths: Sequence[float],
    chunk: int = 40,
    align: Sequence[str] | None = None,
) -> list[Flowable]:
    """A long listing as a run of `chunk`-row blocks, with the header at the top of each page.

    Rows are consumed as they come (a generator over paged queries is fine); cells longer than
    their column are wrapped onto several lines. `align`: "LEFT", "RIGHT" or "CENTER" per column.
    """
    inner = [width - 2 * CELL_SIDE_PADDING for width in col_widths]
    run = _Run(
        header=[_wrap_cell(h, w, styles.FONT_BOLD) for h, w in zip(header, inner, strict=True)],
        col_widths=list(col_widths),
        align=[a.upper() for a in align] if align else ["LEFT"] * len(col_widths),
    )
    chunks: list[Flowable] = []
    index = 0
    for batch in _batches(rows, chunk):
        wrapped = [[_wrap_cell(v, w) for v, w in zip(row, inner, strict=True)] for row in batch]
        chunks.append(TableChunk(run, wrapped, index, header=not chunks))
        index += len(batch)
    return chunks or [TableChunk(run, [], 0, header=True)]


# --- signatures -----------------------------------------------------------------------------------


def _signature_row(people: Sequence[tuple[str, str]], width: float) -> Table:
    """One row of signers: space to sign, the line, names beneath, then roles (aligned across)."""
    gap = 10 * mm
    cell_width = (width - gap * (len(people) - 1)) / len(people)
    widths: list[float] = []
    names: list[Any] = []
    roles: list[Any] = []
    for index, (name, role) in enumerate(people):
        if index:
            widths.append(gap)
            names.append("")
            roles.append("")
        widths.append(cell_width)
        names.append(text(name, styles.SIGNATURE_NAME))
        roles.append(text(role, styles.SIGNATURE_ROLE))
    table = Table(
        [[""] * len(names), names, roles],
        colWidths=widths,
        rowHeights=[SIGNATURE_SPACE, None, None],
    )
    lines = [("LINEABOVE", (c, 1), (c, 1), 0.8, styles.INK) for c in range(0, len(names), 2)]
    padding = [("TOPPADDING", (0, 2), (-1, 2), 0), ("BOTTOMPADDING", (0, 1), (-1, 1), 1)]
    table.setStyle(TableStyle([*lines, *padding, ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def signature_rows(
    names_and_roles: Sequence[tuple[str, str]], width: float = CONTENT_WIDTH
) -> list[Flowable]:
    """Lines to sign side by side (up to three per row) with each name and role beneath.

    For a caller that keeps them together with its own closing text in one `KeepTogether`
    (ReportLab cannot place a KeepTogether nested in another: it moves both to a new page).
    """
    people = list(names_and_roles)
    per_row = 2 if len(people) in (2, 4) else 3
    rows = [people[i : i + per_row] for i in range(0, len(people), per_row)]
    parts: list[Flowable] = []
    for row in rows:
        # a lone signer in a row of its own keeps the width of one column, centred
        row_width = width if len(row) > 1 else min(width, width / per_row + 20 * mm)
        parts.append(_signature_row(row, row_width))
        parts.append(Spacer(1, 4 * mm))
    return parts


def signature_block(
    names_and_roles: Sequence[tuple[str, str]], width: float = CONTENT_WIDTH
) -> Flowable:
    """`signature_rows` kept together on one page."""
    return KeepTogether(signature_rows(names_and_roles, width))


def spacer(height_mm: float) -> Spacer:
    """Vertical space of `height_mm` millimetres."""
    return Spacer(1, height_mm * mm)
