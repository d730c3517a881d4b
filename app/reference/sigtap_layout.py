"""Reading the SIGTAP monthly zip: each table's `*_layout.txt` and its fixed-width lines, streamed.

Every table `x.txt` in `TabelaUnificada_AAAAMM_vAAMMDDHHMM.zip` comes with `x_layout.txt`, a CSV
`Coluna,Tamanho,Inicio,Fim,Tipo` giving each column's 1-based, inclusive character positions.
Positions are always read from the layout of the zip being imported, never hard-coded, because
DATASUS may change them between competences. Text is Windows-1252 (Latin-1 for the few bytes
Windows-1252 leaves undefined); lines are decoded and sliced one at a time, so memory stays flat.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from app.errors import ValidationError

LAYOUT_HEADER = ("COLUNA", "TAMANHO", "INICIO", "FIM", "TIPO")


@dataclass(frozen=True)
class Field:
    """One column of a fixed-width table: 1-based inclusive positions, as in the layout."""

    name: str
    start: int
    end: int


Layout = Mapping[str, Field]


def decode_line(raw: bytes) -> str:
    """A line of a SIGTAP file as text, without its line break."""
    try:
        line = raw.decode("cp1252")
    except UnicodeDecodeError:
        line = raw.decode("latin-1")
    return line.rstrip("\r\n")


def member_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Lower-case base name → member name (the official zip has its files at the root)."""
    names: dict[str, str] = {}
    for info in archive.infolist():
        if not info.is_dir():
            names.setdefault(info.filename.rsplit("/", 1)[-1].lower(), info.filename)
    return names


def read_layout(archive: zipfile.ZipFile, member: str, required: tuple[str, ...]) -> Layout:
    """The layout in `member`; ValidationError if it is malformed or lacks a required column."""
    label = member.rsplit("/", 1)[-1]
    with archive.open(member) as handle:
        text = io.TextIOWrapper(handle, encoding="cp1252", errors="replace", newline="")
        rows = [row for row in csv.reader(text) if any(cell.strip() for cell in row)]
    if not rows or tuple(cell.strip().upper().lstrip("\ufeff") for cell in rows[0][:5]) != (
        LAYOUT_HEADER
    ):
        raise ValidationError(
            {
                "": f"O arquivo {label} não está no formato de layout do SIGTAP "
                "(cabeçalho Coluna,Tamanho,Inicio,Fim,Tipo)."
            }
        )
    layout = {field.name: field for field in (_field(label, row) for row in rows[1:])}
    missing = [name for name in required if name not in layout]
    if missing:
        raise ValidationError(
            {"": f"O layout {label} não tem a(s) coluna(s) obrigatória(s): {', '.join(missing)}."}
        )
    return layout


def _field(label: str, row: list[str]) -> Field:
    try:
        name, _size, start, end = (cell.strip() for cell in row[:4])
        field = Field(name.upper(), int(start), int(end))
    except ValueError:
        raise ValidationError(
            {"": f"O layout {label} tem uma linha inválida: {','.join(row)}."}
        ) from None
    if field.start < 1 or field.end < field.start:
        raise ValidationError({"": f"O layout {label} tem posições inválidas para {name}."})
    return field


def records(
    archive: zipfile.ZipFile, member: str, layout: Layout, wanted: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: stripped value}) for each non-blank line of `member`, streamed."""
    fields = [layout[name] for name in wanted if name in layout]
    with archive.open(member) as handle:
        for number, raw in enumerate(handle, start=1):
            line = decode_line(raw)
            if not line.strip():
                continue
            yield number, {f.name: line[f.start - 1 : f.end].strip() for f in fields}
