"""Report building blocks as a reader sees them: long tables, form grids and signature lines."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from reports_support import pdf_pages

from app.reports.components import (
    chunked_table,
    column_widths,
    field_grid,
    section_title,
    signature_block,
    text,
)
from app.reports.page import CONTENT_WIDTH, PageInfo, build_pdf

INFO = PageInfo(
    municipality_name="Campina Verde",
    uf="MG",
    secretariat="Secretaria Municipal de Saúde",
    department="Cadastros",
    title="Teste de componentes",
    issued_by="Maria",
    issued_at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC),
    timezone="America/Sao_Paulo",
    code="7K3Q-M9XD-2F",
)
ROW_CODE = re.compile(r"^L\d{5}\b")
HEADER = ("Código", "Descrição", "Situação")
HEADER_LINE = "Código Descrição Situação"
WIDTHS = column_widths(1, 4, 1)


def rows(count: int) -> list[tuple[str, str, str]]:
    return [(f"L{n:05d}", f"Linha de teste número {n}", "Ativa") for n in range(1, count + 1)]


def test_column_widths_fill_the_page() -> None:
    assert abs(sum(WIDTHS) - CONTENT_WIDTH) < 0.01
    assert WIDTHS[1] == 4 * WIDTHS[0]


def test_long_table_is_cut_into_chunks_with_every_row_in_order() -> None:
    chunks = chunked_table(HEADER, iter(rows(1000)), WIDTHS, chunk=40)
    assert len(chunks) == 25
    pages = pdf_pages(build_pdf(INFO, chunks))
    printed = [
        line.split()[0] for page in pages for line in page.splitlines() if ROW_CODE.match(line)
    ]
    assert printed == [f"L{n:05d}" for n in range(1, 1001)]


def test_header_is_printed_once_at_the_top_of_every_page() -> None:
    pages = pdf_pages(build_pdf(INFO, chunked_table(HEADER, rows(700), WIDTHS, chunk=40)))
    assert len(pages) > 5
    for content in pages:
        lines = content.splitlines()
        assert lines.count(HEADER_LINE) == 1, "header neither missing nor repeated mid-page"
        first_row = next(n for n, line in enumerate(lines) if ROW_CODE.match(line))
        assert lines.index(HEADER_LINE) < first_row


def test_header_is_repeated_when_the_table_starts_low_on_a_page() -> None:
    lead = [text(f"Parágrafo {n} antes da tabela.") for n in range(60)]
    pages = pdf_pages(build_pdf(INFO, [*lead, *chunked_table(HEADER, rows(120), WIDTHS)]))
    with_rows = [p for p in pages if "L00001" in p or "L00120" in p]
    assert len(with_rows) == 2
    assert all(p.splitlines().count(HEADER_LINE) == 1 for p in with_rows)


def test_long_cells_wrap_instead_of_running_into_the_next_column() -> None:
    long_text = "Descrição muito longa que não cabe na largura da coluna " * 3
    pages = pdf_pages(build_pdf(INFO, chunked_table(HEADER, [("L1", long_text, "Ativa")], WIDTHS)))
    lines = pages[0].splitlines()
    first = next(n for n, line in enumerate(lines) if line.startswith("L1 "))
    wrapped = " ".join(lines[first : first + 3])
    assert lines[first + 1].startswith("cabe na largura"), "the cell goes on below, in its column"
    assert wrapped.count("Descrição muito longa que não cabe na largura da coluna") == 3
    assert "Ativa" in lines


def test_an_empty_listing_still_shows_its_header() -> None:
    pages = pdf_pages(build_pdf(INFO, chunked_table(HEADER, [], WIDTHS)))
    assert "Descrição" in pages[0]


def test_field_grid_shows_labels_values_and_a_dash_for_blanks() -> None:
    grid = field_grid(
        [("Nome", "José & Filhos <Ltda>", 2), ("CPF", "123.456.789-09"), ("Telefone", "")]
    )
    content = pdf_pages(build_pdf(INFO, [section_title("Identificação"), grid]))[0]
    for expected in ("Identificação", "NOME", "José & Filhos <Ltda>", "CPF", "TELEFONE", "—"):
        assert expected in content


def test_signature_block_names_every_signer_with_the_role() -> None:
    block = signature_block([("Ana Souza", "Fiscal sanitária"), ("Pedro Alves", "Responsável")])
    content = pdf_pages(build_pdf(INFO, [block]))[0]
    for expected in ("Ana Souza", "Fiscal sanitária", "Pedro Alves", "Responsável"):
        assert expected in content
