"""The shared form widgets as a typist meets them: masks, messages on leaving, Enter to advance,
the debounced search box and the PDF preview's save.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from reportlab.pdfgen import canvas

from app.brazil.identifiers import cpf_error
from ui.widgets.fields import DateField, DocumentField, FormLayout
from ui.widgets.pdf_preview import PdfPreviewDialog, default_file_name
from ui.widgets.search_box import DEBOUNCE_MS, SearchBox


def _form(qtbot) -> tuple[QWidget, FormLayout]:
    window = QWidget()
    qtbot.addWidget(window)
    layout = FormLayout(window)
    layout.add_field("cpf", "CPF", DocumentField("cpf"))
    layout.add_field("birth_date", "Nascimento", DateField("birth_date"))
    layout.add_field("phone", "Telefone", DocumentField("phone"))
    layout.add_field("notes", "Observação", QLineEdit())
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window, layout


def test_cpf_message_appears_on_leaving_and_goes_when_fixed(qtbot) -> None:
    window, layout = _form(qtbot)
    cpf = layout.fields["cpf"]
    assert isinstance(cpf, DocumentField)
    cpf.setFocus()
    qtbot.keyClicks(cpf, "123456789")
    qtbot.keyClick(cpf, Qt.Key.Key_Return)  # Enter moves on, like Tab
    label = window.findChild(QWidget, "error_cpf")
    assert label.isVisible() and label.text() == "O CPF deve ter 11 dígitos."
    assert QApplication.focusWidget() is layout.fields["birth_date"]

    cpf.setFocus()
    qtbot.keyClick(cpf, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(cpf, "52998224725")
    qtbot.keyClick(cpf, Qt.Key.Key_Tab)
    assert not label.isVisible()
    assert cpf.text() == "529.982.247-25" and cpf.digits() == "52998224725"
    assert cpf_error(cpf.digits()) is None


def test_date_field_reads_eight_digits_and_refuses_impossible_dates(qtbot) -> None:
    window, layout = _form(qtbot)
    field = layout.fields["birth_date"]
    assert isinstance(field, DateField)
    field.setFocus()
    qtbot.keyClicks(field, "31022020")
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert field.value() is None
    assert window.findChild(QWidget, "error_birth_date").text() == "Data inválida."

    field.set_value(date(1980, 7, 4))
    assert field.text() == "04/07/1980" and field.value() == date(1980, 7, 4)
    assert not window.findChild(QWidget, "error_birth_date").isVisible()


def test_phone_mask_follows_landline_or_mobile(qtbot) -> None:
    _window, layout = _form(qtbot)
    phone = layout.fields["phone"]
    assert isinstance(phone, DocumentField)
    phone.setFocus()
    qtbot.keyClicks(phone, "4333334444")
    assert phone.displayText() == "(43) 3333-4444" and phone.validate() is None
    phone.set_digits("43999998888")
    assert phone.displayText() == "(43) 99999-8888" and phone.validate() is None


def test_form_layout_places_service_errors_and_returns_the_rest(qtbot) -> None:
    window, layout = _form(qtbot)
    rest = layout.show_errors({"notes": "Texto longo demais.", "": "Erro geral."})
    assert rest == {"": "Erro geral."}
    assert window.findChild(QWidget, "error_notes").text() == "Texto longo demais."
    layout.clear_errors()
    assert not window.findChild(QWidget, "error_notes").isVisible()


def test_search_waits_for_the_typist_to_pause_and_enter_searches_at_once(qtbot) -> None:
    box = SearchBox()
    qtbot.addWidget(box)
    box.show()
    searched: list[str] = []
    box.search_requested.connect(searched.append)
    assert box.placeholderText() == "Buscar por nome, CNS ou CPF…"
    qtbot.keyClicks(box, "jose")
    assert searched == []  # no query per keystroke
    qtbot.waitUntil(lambda: searched == ["jose"], timeout=DEBOUNCE_MS * 8)
    qtbot.keyClicks(box, " s")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert searched == ["jose", "jose s"]
    qtbot.wait(DEBOUNCE_MS + 100)
    assert searched == ["jose", "jose s"]  # Enter cancelled the pending timer


def _pdf(pages: int) -> bytes:
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer)
    for number in range(pages):
        drawing.drawString(72, 720, f"Página {number + 1}")
        drawing.showPage()
    drawing.save()
    return buffer.getvalue()


def test_pdf_preview_counts_pages_and_saves_atomically(qtbot, tmp_path: Path) -> None:
    data = _pdf(3)
    preview = PdfPreviewDialog(data, "Lista de cidadãos", "AB12-CD34")
    qtbot.addWidget(preview)
    assert preview.page_count() == 3
    assert "Código de verificação: AB12-CD34" in preview.windowTitle()
    target = tmp_path / default_file_name("Lista de cidadãos", "AB12-CD34")
    assert target.name == "Lista de cidadãos - AB12-CD34.pdf"
    preview.save_to(target)
    assert target.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    with pytest.raises(OSError):
        preview.save_to(tmp_path / "no-such-folder" / "x.pdf")


def test_pdf_preview_prints_every_page(qtbot, tmp_path: Path) -> None:
    preview = PdfPreviewDialog(_pdf(2), "Ficha", "")
    qtbot.addWidget(preview)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "impresso.pdf"))
    preview.print_to(printer)
    assert len(PdfReader(tmp_path / "impresso.pdf").pages) == 2
