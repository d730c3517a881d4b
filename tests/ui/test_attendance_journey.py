"""The billing clerk's month, from the keyboard: type the day's fichas, see one refused beside the
procedure line, close the competence, generate the BPA and e-SUS files and print the report.

The database is the demo (300 citizens; the test clock at Monday 02/03/2026 09:00 in Brasília, so
the open competence is 03/2026); the clerk is the demo "faturamento" account (care.attend and
care.production). Every attendance is typed as a person would: CNS or name + Enter, codes, Enter
to the quantity and to the next line, Enter on an empty code line to the CID-10, Ctrl+S. The only
stand-ins are the folder dialog and the "are you sure" box, answered as the clerk would.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget
from sqlalchemy import func, select

from app.brazil.identifiers import format_cns, generate_cnpj
from app.care.attendance_rules import age_on
from app.care.esus import validate_esus_xml
from app.care.models import Attendance, AttendanceProcedure
from app.db.session import Database
from app.installation.demo import DEMO_UNIT
from app.registry.models import Citizen, Professional, ProfessionalBond
from app.settings import Settings
from tests.ui.shell_helpers import context_for, install_demo, wait_for_window
from tests.unit.care.bpa_layout import parse_file
from ui import state
from ui.care.attendance_forms import AttendanceForm
from ui.care.attendance_view import AttendanceEntryPage
from ui.care.citizen_picker import CitizenPickerDialog
from ui.care.production_view import BpaProblemsDialog, ProductionPage
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.widgets.pdf_preview import PdfPreviewDialog

TODAY = date(2026, 3, 2)
COMPETENCE = "202603"
NURSE_CBO = "223565"
SHOTS = Path("/tmp/attendance_shots")


@pytest.fixture
def billing(db: Database, tmp_path: Path, monkeypatch) -> AppContext:
    install_demo(db, citizens=300, seed=1)
    state.use_file(tmp_path / "janelas.ini")
    monkeypatch.setattr("ui.care.production_view.Settings", lambda: Settings(tmp_path / "s.json"))
    ctx = context_for(db, "faturamento")
    yield ctx
    ctx.ops.wait_for_done()
    state.use_file(None)


def _type(qtbot, widget: QWidget, text: str) -> None:
    """ASCII through QTest; accented letters as the key event an ABNT2 keyboard delivers."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget, event)


def _focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def _enter(qtbot, widget: QWidget | None = None) -> None:
    qtbot.keyClick(widget or _focused(), Qt.Key.Key_Return)


def _adults_with_cns(ctx: AppContext, count: int) -> list[tuple[uuid.UUID, str, str]]:
    """Adults of the demo with a CNS and no attendance: (id, name, CNS)."""
    with ctx.db.read_only() as s:
        attended = select(Attendance.citizen_id)
        query = (
            select(Citizen.id, Citizen.name, Citizen.cns, Citizen.birth_date)
            .where(Citizen.cns.is_not(None), Citizen.id.not_in(attended))
            .order_by(Citizen.name_key)
        )
        rows = [(i, n, c) for i, n, c, b in s.execute(query) if 20 <= age_on(b, TODAY) <= 60]
    names = {name.split()[0] for _, name, _ in rows}
    assert len(names) > 3
    return rows[:count]


def _nurse(ctx: AppContext) -> tuple[uuid.UUID, str]:
    with ctx.db.read_only() as s:
        query = (
            select(Professional.id, Professional.name)
            .join(ProfessionalBond, ProfessionalBond.professional_id == Professional.id)
            .where(ProfessionalBond.unit_cnes == DEMO_UNIT, ProfessionalBond.cbo == NURSE_CBO)
        )
        return tuple(s.execute(query).one())


def _saved_for(ctx: AppContext, citizen_id: uuid.UUID) -> list[tuple[str, int]]:
    with ctx.db.read_only() as s:
        query = (
            select(AttendanceProcedure.procedure, AttendanceProcedure.quantity)
            .join(Attendance, Attendance.id == AttendanceProcedure.attendance_id)
            .where(Attendance.citizen_id == citizen_id)
            .order_by(AttendanceProcedure.procedure)
        )
        return [(code, quantity) for code, quantity in s.execute(query)]


def _choose_nurse(qtbot, form: AttendanceForm, nurse_id: uuid.UUID) -> None:
    """Down/Up on the professional combo until the nurse's bond is chosen."""
    combo = form.professional_combo
    wanted = combo.findData(f"{nurse_id}|{NURSE_CBO}")
    assert wanted >= 0
    combo.setFocus()
    key = Qt.Key.Key_Down if wanted > combo.currentIndex() else Qt.Key.Key_Up
    while combo.currentIndex() != wanted:
        qtbot.keyClick(combo, key)
    assert NURSE_CBO in combo.currentText()


def _procedure(qtbot, form: AttendanceForm, number: int, code: str, quantity: int = 1) -> None:
    """Type a code, Enter (to the quantity), the quantity, Enter (opens the next line)."""
    line = form.lines[number]
    assert _focused() is line.code_edit
    qtbot.keyClicks(line.code_edit, code)
    _enter(qtbot, line.code_edit)
    assert _focused() is line.quantity
    if quantity != 1:
        qtbot.keyClicks(line.quantity, str(quantity))
    _enter(qtbot, line.quantity)
    assert _focused() is form.lines[number + 1].code_edit


def _finish_and_save(qtbot, page: AttendanceEntryPage, icd10: str) -> None:
    """Enter on the empty code line (to the CID), the CID, Enter through the combos, Ctrl+S."""
    form = page.form
    _enter(qtbot)
    assert _focused() is form.icd10_edit
    qtbot.keyClicks(form.icd10_edit, icd10)
    _enter(qtbot, form.icd10_edit)
    assert _focused() is form.type_combo
    _enter(qtbot)  # tipo de atendimento (default kept)
    _enter(qtbot)  # local: UBS
    assert _focused() is form.conduct_combo
    qtbot.keyClick(_focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


# The completion popup grabs the keyboard and raises itself; the offscreen platform cannot and
# says so (a real platform does not).
@pytest.mark.qt_log_ignore(
    "This plugin does not support grabbing the keyboard", "This plugin does not support raise"
)
def test_clerk_types_the_month_closes_it_and_generates_the_files(
    qtbot, billing: AppContext, tmp_path: Path, monkeypatch, qtmodeltester
) -> None:
    ctx = billing
    window = MainWindow(ctx, settings=Settings(tmp_path / "s.json"))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    assert {"Digitação de atendimentos", "Produção mensal"} <= set(window.nav_titles())
    page = window.show_page("Digitação de atendimentos")
    assert isinstance(page, AttendanceEntryPage)
    form = page.form
    qtbot.waitUntil(lambda: form.professional_combo.count() > 0 and ctx.ops.is_idle())
    assert form.unit_cnes() == DEMO_UNIT
    nurse_id, nurse_name = _nurse(ctx)
    (first_id, _first, first_cns), (second_id, second, _), (third_id, third, third_cns) = (
        _adults_with_cns(ctx, 3)
    )

    # Header: the nurse, today's date typed over the default.
    _choose_nurse(qtbot, form, nurse_id)
    qtbot.keyClick(form.professional_combo, Qt.Key.Key_Tab)
    assert _focused() is form.date_field
    form.date_field.selectAll()
    qtbot.keyClicks(form.date_field, TODAY.strftime("%d%m%Y"))
    _enter(qtbot, form.date_field)
    assert _focused() is form.citizen_edit

    # 1. By CNS: selected at once; consultation + blood pressure ×2; CID by code.
    qtbot.keyClicks(form.citizen_edit, first_cns)
    _enter(qtbot, form.citizen_edit)
    qtbot.waitUntil(lambda: form.citizen_id() == first_id)
    assert format_cns(first_cns) in form.citizen_info.text()
    assert " anos · " in form.citizen_info.text()
    _procedure(qtbot, form, 0, "0301010030")
    _procedure(qtbot, form, 1, "0301100039", 2)
    with qtbot.waitSignal(page.saved, timeout=10_000) as saved:
        _finish_and_save(qtbot, page, "I10")
    assert "03/2026" in page.message.text()
    assert saved.args[0].competence == COMPETENCE
    assert _saved_for(ctx, first_id) == [("0301010030", 1), ("0301100039", 2)]
    assert form.citizen_edit.text() == "" and form.lines[0].code() == "" and len(form.lines) == 1
    assert NURSE_CBO in form.professional_combo.currentText()  # the header stays
    assert _focused() is form.citizen_edit
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    qtmodeltester.check(page.model)

    # 2. By name: the picker; a doctor's consultation for a nurse is refused beside the line.
    _type(qtbot, form.citizen_edit, second)
    _enter(qtbot, form.citizen_edit)
    picker = wait_for_window(qtbot, CitizenPickerDialog, activate=False)
    assert picker.model.rowCount() >= 1
    row = next(i for i, r in enumerate(picker.model.rows()) if r.id == second_id)
    for _ in range(row):
        qtbot.keyClick(picker.table, Qt.Key.Key_Down)
    _enter(qtbot, picker.table)
    qtbot.waitUntil(lambda: form.citizen_id() == second_id)
    assert form.citizen_info.text().startswith(second)
    window.activateWindow()  # the offscreen platform does not give it back by itself
    qtbot.waitUntil(window.isActiveWindow)
    _procedure(qtbot, form, 0, "0301010064")
    _enter(qtbot)  # empty line → CID
    qtbot.keyClicks(form.icd10_edit, "Z00.0")
    qtbot.keyClick(form.icd10_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    error = form.lines[0].error_label
    qtbot.waitUntil(lambda: error.isVisible() and ctx.ops.is_idle(), timeout=10_000)
    assert error.text() == (
        "O procedimento 0301010064 (CONSULTA MEDICA EM ATENCAO PRIMARIA) não é permitido para a "
        "ocupação CBO 223565."
    )
    assert error.objectName() == "error_procedures.0"
    assert _saved_for(ctx, second_id) == []
    assert form.citizen_id() == second_id and form.lines[0].code() == "0301010064"  # kept
    assert form.icd10_edit.code() == "Z00.0" and page.message.text() == ""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(SHOTS / "entry_refused.png"))

    # The clerk sets that ficha aside (Alt+H) and types the next one.
    qtbot.keyClick(_focused(), Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: form.citizen_edit.text() == "")  # a mnemonic animates the click
    assert not error.isVisible() and _focused() is form.citizen_edit

    # 3. By CNS again, CID by words from the completion list.
    qtbot.keyClicks(form.citizen_edit, third_cns)
    _enter(qtbot, form.citizen_edit)
    qtbot.waitUntil(lambda: form.citizen_id() == third_id)
    _procedure(qtbot, form, 0, "0301010030")
    _procedure(qtbot, form, 1, "0214010015")
    _enter(qtbot)
    _type(qtbot, form.icd10_edit, "hipertensão essencial")
    popup = form.icd10_edit.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=10_000)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    with qtbot.waitSignal(page.saved, timeout=10_000):
        qtbot.keyClick(popup, Qt.Key.Key_Return)  # chosen; Enter goes on through the combos
        assert form.icd10_edit.code() == "I10"
        _enter(qtbot)
        _enter(qtbot)
        _enter(qtbot)  # Enter on the last field saves
    assert _saved_for(ctx, third_id) == [("0214010015", 1), ("0301010030", 1)]
    qtbot.waitUntil(lambda: page.model.rowCount() == 2 and ctx.ops.is_idle())
    assert {r.citizen_name for r in page.model.rows()} == {_first, third}
    page.grab().save(str(SHOTS / "entry.png"))

    # Produção mensal: close 03/2026, BPA (first without CNPJ: the problems), e-SUS, report.
    production = window.show_page("Produção mensal")
    assert isinstance(production, ProductionPage)
    qtbot.waitUntil(lambda: production.competences.rowCount() > 0 and ctx.ops.is_idle())
    assert production.select_competence(COMPETENCE)
    qtbot.waitUntil(lambda: "03/2026" in production.summary_label.text() and ctx.ops.is_idle())
    qtmodeltester.check(production.competences)
    qtmodeltester.check(production.procedures)
    with ctx.db.read_only() as s:
        expected = s.scalar(
            select(func.count())
            .select_from(Attendance)
            .where(Attendance.unit_cnes == DEMO_UNIT, Attendance.competence == COMPETENCE)
        )
    row = production.selected()
    assert row is not None and row.attendances == expected and not row.closed
    assert not production.bpa_button.isEnabled()
    assert "Feche a competência" in production.bpa_button.toolTip()
    asked: list[str] = []

    def answer_yes(_parent, _title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer_yes)
    qtbot.mouseClick(production.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: production.selected() is not None and production.selected().closed)
    assert "irão para a competência 04/2026" in asked[0]
    assert (
        "Fechada por faturamento em"
        in production.competences.index(production.competence_table.currentIndex().row(), 2).data()
    )

    folder = tmp_path / "bpa"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    qtbot.waitUntil(production.bpa_button.isEnabled)
    qtbot.mouseClick(production.bpa_button, Qt.MouseButton.LeftButton)
    problems = wait_for_window(qtbot, BpaProblemsDialog, activate=False)
    fields = [problems.model.index(r, 1).data() for r in range(problems.model.rowCount())]
    assert "CNPJ/CPF do órgão de origem" in fields
    assert "Cabeçalho do arquivo" in problems.text.toPlainText()
    assert list(folder.iterdir()) == []
    problems.grab().save(str(SHOTS / "bpa_problems.png"))
    problems.close()

    cnpj = generate_cnpj(__import__("random").Random(5))
    production.cnpj.setFocus()
    production.cnpj.selectAll()
    qtbot.keyClicks(production.cnpj, cnpj)
    with qtbot.waitSignal(production.exported, timeout=20_000) as exported:
        qtbot.mouseClick(production.bpa_button, Qt.MouseButton.LeftButton)
    result = exported.args[0]
    assert "Arquivo BPA gravado" in production.message.text()
    records = parse_file(result.path.read_bytes())
    header, body = records[0], records[1:]
    assert header["hdr"] == "01" and header["mvm"] == COMPETENCE
    assert int(header["lin"]) == len(body) == result.lines
    assert header["cgccpf"] == cnpj
    control = sum(int(r["pa"]) + int(r["qt"]) for r in body) % 1111 + 1111
    assert int(header["control"]) == control == result.control
    individual = [r for r in body if r["ident"] == "03"]
    consolidated = [r for r in body if r["ident"] == "02"]
    assert {r["pa"] for r in consolidated} <= {"0301100039", "0214010015", "0101040024"}
    typed = {(r["cnspac"], r["pa"], r["cbo"]) for r in individual}
    assert (first_cns, "0301010030", NURSE_CBO) in typed
    assert (third_cns, "0301010030", NURSE_CBO) in typed
    assert (third_cns, "0214010015", NURSE_CBO) in typed
    for record in individual:
        assert record["cnes"] == DEMO_UNIT and record["cmp"] == COMPETENCE
        assert len(record["cnspac"].strip()) in (0, 15) and record["cbo"].isdigit()
    pressure = next(r for r in consolidated if r["pa"] == "0301100039" and r["cbo"] == NURSE_CBO)
    assert int(pressure["qt"]) >= 2

    esus_folder = tmp_path / "esus"
    esus_folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(esus_folder))
    with qtbot.waitSignal(production.exported, timeout=20_000) as exported:
        qtbot.mouseClick(production.esus_button, Qt.MouseButton.LeftButton)
    files = exported.args[0].files
    assert files and all(validate_esus_xml(Path(f).read_bytes()) == [] for f in files)
    assert f"{len(files)} arquivo(s)" in production.message.text()
    production.grab().save(str(SHOTS / "production.png"))

    qtbot.mouseClick(production.print_button, Qt.MouseButton.LeftButton)
    preview = wait_for_window(qtbot, PdfPreviewDialog, activate=False)
    preview.save_to(tmp_path / "producao.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "producao.pdf").pages).replace(
        "\n", " "
    )
    assert "UBS Centro" in text and "03/2026" in text
    assert str(expected) in text and nurse_name.split()[0] in text
    preview.close()
    window.close()
