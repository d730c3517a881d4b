"""The standard page: header, footer with page x of y, verification code, QR code, brasão."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from qr_reading import read_qr, sample_grid
from reports_support import brasao_png, pdf_pages

from app.reports import page
from app.reports.components import text
from app.reports.page import PageInfo, build_pdf, page_count

ISSUED = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def info(**changes: object) -> PageInfo:
    values: dict[str, object] = {
        "municipality_name": "São João del-Rei",
        "uf": "MG",
        "secretariat": "Secretaria Municipal de Saúde",
        "department": "Vigilância Sanitária",
        "title": "Termo de intimação",
        "issued_by": "Maria Aparecida Souza",
        "issued_at": ISSUED,
        "timezone": "America/Sao_Paulo",
        "code": "7K3Q-M9XD-2F",
        "legal": False,
        "brasao_png": brasao_png(),
    }
    values.update(changes)
    return PageInfo(**values)  # type: ignore[arg-type]


def paragraphs(count: int) -> list[object]:
    return [text(f"Parágrafo número {n} do corpo do documento.") for n in range(1, count + 1)]


def image_count(pdf: bytes) -> int:
    reader = PdfReader(io.BytesIO(pdf))
    return sum(len(p.images) for p in reader.pages)


def test_header_and_footer_say_who_issued_what_and_when() -> None:
    pdf = build_pdf(info(), paragraphs(3))
    (only,) = pdf_pages(pdf)
    assert "Prefeitura Municipal de São João del-Rei – MG" in only
    assert "Secretaria Municipal de Saúde" in only
    assert "Vigilância Sanitária" in only
    assert "TERMO DE INTIMAÇÃO" in only
    assert "Emitido em 02/03/2026 09:00 por Maria Aparecida Souza" in only
    assert "Código de verificação: 7K3Q-M9XD-2F" in only
    assert "Página 1 de 1" in only
    assert "Parágrafo número 3 do corpo do documento." in only


def test_every_page_knows_the_total() -> None:
    pdf = build_pdf(info(), paragraphs(400))
    pages = pdf_pages(pdf)
    total = len(pages)
    assert total > 3
    assert page_count(pdf) == total
    for number, content in enumerate(pages, start=1):
        assert f"Página {number} de {total}" in content
        assert "Código de verificação: 7K3Q-M9XD-2F" in content
        assert "TERMO DE INTIMAÇÃO" in content


def test_body_text_never_runs_into_the_header_or_footer() -> None:
    pdf = build_pdf(info(), paragraphs(120))
    for content in pdf_pages(pdf):
        lines = content.splitlines()
        body = [n for n, line in enumerate(lines) if line.startswith("Parágrafo número")]
        footer = next(n for n, line in enumerate(lines) if line.startswith("Emitido em"))
        assert body, "every page carries body text"
        assert footer < body[0] or footer > body[-1], "footer text is not inside the body"


@pytest.mark.parametrize("brasao", [None, b"", b"not a png", brasao_png()[:60]])
def test_missing_or_broken_brasao_still_prints(brasao: bytes | None) -> None:
    pdf = build_pdf(info(brasao_png=brasao), paragraphs(2))
    assert "Prefeitura Municipal de São João del-Rei – MG" in pdf_pages(pdf)[0]
    assert image_count(pdf) == 0


def test_brasao_is_drawn_on_every_page_but_stored_once() -> None:
    short = build_pdf(info(), paragraphs(1))
    long = build_pdf(info(), paragraphs(200))
    assert all(len(p.images) == 1 for p in PdfReader(io.BytesIO(long)).pages)
    # the image (and its transparency mask) are embedded once, however many pages show them
    assert long.count(b"/Subtype /Image") == short.count(b"/Subtype /Image") <= 2


def test_long_title_and_municipality_fit_on_the_page() -> None:
    title = "Relatório de acompanhamento das condicionalidades de saúde " * 3
    pdf = build_pdf(
        info(title=title, municipality_name="Vila Bela da Santíssima Trindade"), paragraphs(2)
    )
    content = pdf_pages(pdf)[0]
    assert "Vila Bela da Santíssima Trindade" in content
    assert "RELATÓRIO DE ACOMPANHAMENTO" in content


def _render(pdf: bytes, tmp_path: Path, dpi: int) -> Image.Image:
    source = tmp_path / "page.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            str(source),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    (png,) = tmp_path.glob("p*.png")
    return Image.open(png)


def _qr_grid(image: Image.Image, dpi: int, modules: int) -> list[list[bool]]:
    scale = dpi / 72
    box = page.QR_SIZE / (modules + 8)  # the code is drawn with a 4-module quiet zone
    left = page.PAGE_WIDTH - page.MARGIN_X - page.QR_SIZE + 4 * box
    top = page.MARGIN_BOTTOM + page.QR_SIZE - 4 * box
    pixels = (left * scale, (page.PAGE_HEIGHT - top) * scale)
    side = modules * box * scale
    return sample_grid(image, (pixels[0], pixels[1], pixels[0] + side, pixels[1] + side), modules)


def _has_finders(grid: list[list[bool]]) -> bool:
    """The three 7-module finder squares of a QR code: dark top rows in three corners."""
    finder = [True] * 7
    return grid[0][:7] == finder and grid[0][-7:] == finder and grid[-1][:7] == finder


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (pdftoppm)")
@pytest.mark.parametrize("code", ["7K3Q-M9XD-2F", "0000-0000-0~", "ZZZZ-ZZZZ-Z="])
def test_legal_documents_carry_a_qr_code_that_reads_as_the_code(tmp_path: Path, code: str) -> None:
    dpi = 300
    image = _render(build_pdf(info(legal=True, code=code), paragraphs(2)), tmp_path, dpi)
    grid = next(g for g in (_qr_grid(image, dpi, n) for n in (21, 25)) if _has_finders(g))
    assert read_qr(grid) == code


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (pdftoppm)")
def test_ordinary_documents_have_no_qr_code(tmp_path: Path) -> None:
    image = _render(build_pdf(info(), paragraphs(1)), tmp_path, 300)
    assert not any(_has_finders(_qr_grid(image, 300, n)) for n in (21, 25))
