"""An inspector's day on the field laptop, from the keyboard: open the work list, start the first
inspection, answer the whole roteiro, mark an Imprescindível item "Não conforme" with what was
seen, attach a photo, and conclude with "Infração sanitária".

The database is the demo with the test clock at Monday 02/03/2026 09:00 in Brasília; the account
is the demo inspector "fiscal" (Carla Mendes Oliveira), with four inspections planned for today.
Screenshots of the list, the form half-way and the conclude dialog go to /tmp/shots.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget

from app.db.session import Database
from app.sanitary.enums import Answer, InspectionOutcome, InspectionStatus
from app.sanitary.inspection_queries import attachments, finished_summary, inspection_sheet
from tests.ui.shell_helpers import context_for, fill_demo, wait_for_window
from ui.context import AppContext
from ui.sanitary.inspection_conclusion import ConcludeDialog
from ui.sanitary.inspection_form import InspectionForm
from ui.sanitary.work_list import UnplannedDialog, WorkListPage

SHOTS = Path("/tmp/shots")
OBSERVATION = "Lavatorio da cozinha sem sabonete nem papel toalha."  # QTest types ASCII only


@pytest.fixture
def page(qtbot, fiscal_ctx: AppContext) -> Iterator[WorkListPage]:
    widget = WorkListPage(fiscal_ctx)
    qtbot.addWidget(widget)
    widget.resize(1160, 660)  # the page area of the main window on a 1366×768 laptop
    with qtbot.waitSignal(widget.loaded, timeout=10_000):
        widget.show()
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    yield widget
    fiscal_ctx.ops.wait_for_done()
    qtbot.waitUntil(fiscal_ctx.ops.is_idle)


def shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def photo(folder: Path) -> Path:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("#88aacc"))
    path = folder / "lavatorio.png"
    assert image.save(str(path))
    return path


def settle(qtbot, ctx: AppContext) -> None:
    ctx.ops.wait_for_done()
    qtbot.waitUntil(ctx.ops.is_idle)


def test_inspector_fills_the_roteiro_by_keyboard_and_concludes_with_infraction(
    qtbot, page: WorkListPage, fiscal_ctx: AppContext, tmp_path: Path, qtmodeltester
) -> None:
    ctx = fiscal_ctx
    assert page.title.text() == "Minhas inspeções de hoje"
    assert page.model.rowCount() == 4
    assert page.summary.text() == "4 inspeção(ões) a fazer"
    qtmodeltester.check(page.model)
    first = page.model.row_at(0)
    assert page.model.index(0, 5).data() == "Planejada"
    assert page.model.index(0, 4).data() == "Rotina (programada)"
    assert page.model.index(0, 0).data() == first.name
    shot(page, "visa_work_list")

    # Enter on the first line starts the inspection and shows the roteiro.
    page.table.setFocus()
    with qtbot.waitSignal(page.form_opened, timeout=10_000) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    form: InspectionForm = opened.args[0]
    qtbot.waitUntil(lambda: form.sheet is not None and form.tree.hasFocus(), timeout=10_000)
    assert form.title.text() == first.name
    assert "Roteiro: Serviços de alimentação – versão 1 · Em andamento" in form.roteiro.text()
    assert form.progress.text() == "0 de 10 respondidos — nenhum imprescindível não conforme"
    assert form.item_heading.text().startswith("Item 1.1")
    assert "Teclas: C ou 1 Conforme" in form.findChild(QWidget, "shortcuts_help").text()

    codes = [item.code for item in form.sheet.items]
    for code in codes:
        assert form.current_item().code == code
        if code == "1.2":  # Lavatório exclusivo…: Imprescindível
            assert "Imprescindível" in form.item_heading.text()
            qtbot.keyClick(form.tree, Qt.Key.Key_N)
            assert form.observation.hasFocus()
            assert form.observation_error.text().startswith("Item imprescindível não conforme")
            assert form.answer_buttons[Answer.NON_COMPLIANT].isChecked()
            qtbot.keyClicks(form.observation, OBSERVATION)
            qtbot.keyClick(form.observation, Qt.Key.Key_Return)
        elif code == "3.3":
            qtbot.keyClick(form.tree, Qt.Key.Key_3)  # Não se aplica
        else:
            qtbot.keyClick(form.tree, Qt.Key.Key_C)
        if code == "2.1":
            settle(qtbot, ctx)
            shot(form, "visa_inspection_form_midway")
    settle(qtbot, ctx)
    assert form.progress.text() == "10 de 10 respondidos — 1 imprescindível não conforme"
    assert form.tree.currentItem().text(2) == "Conforme"  # the last item, still selected

    # Back to 1.2 (PgUp from 1.3), attach the photo with a caption.
    qtbot.keyClick(form.tree, Qt.Key.Key_PageUp)
    for _ in range(len(codes) - 3):
        qtbot.keyClick(form.tree, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert form.current_item().code == "1.2"
    assert form.tree.currentItem().text(2) == "Não conforme"
    assert form.observation.toPlainText() == OBSERVATION
    form.attachments_box.choose_file = lambda _parent: str(photo(tmp_path))
    qtbot.keyClicks(form.attachments_box.caption, "Lavatorio sem sabonete")
    with qtbot.waitSignal(form.loaded, timeout=10_000):
        qtbot.keyClick(form.tree, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)
    settle(qtbot, ctx)
    assert form.attachments_box.list.item(0).text().startswith("lavatorio.png — ")
    assert form.attachments_box.list.item(0).text().endswith("— Lavatorio sem sabonete")
    assert form.tree.currentItem().text(3) == "1"  # the Anexos column
    page.resize(1075, 610)  # the page area on a 1280×720 screen
    shot(form, "visa_inspection_form_1280x720")

    # Conclude: no outcome chosen is refused beside the field; "Satisfatória" is not offered.
    qtbot.keyClick(form.tree, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    dialog = wait_for_window(qtbot, ConcludeDialog)
    assert not dialog.outcome_buttons[InspectionOutcome.SATISFACTORY].isEnabled()
    assert (
        dialog.findChild(QWidget, "conclude_summary")
        .text()
        .endswith("1 imprescindível não conforme")
    )
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.form.error_labels["outcome"].isVisible(), timeout=10_000)
    assert dialog.form.error_labels["outcome"].text() == "Escolha o resultado da inspeção."
    assert dialog.isVisible()

    dialog.outcome_buttons[InspectionOutcome.CORRECTIONS].setChecked(True)
    dialog.days.setValue(5)
    qtbot.waitUntil(lambda: "até" in dialog.deadline_preview.text(), timeout=10_000)
    assert dialog.deadline_preview.text() == (
        "5 (cinco) dias, até 09/03/2026 (a contar de 02/03/2026)"
    )  # 07/03 is a Saturday: calendar days end on the next business day
    shot(dialog, "visa_conclude_dialog")

    qtbot.keyClick(dialog, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # &Infração
    qtbot.waitUntil(lambda: dialog.outcome() is InspectionOutcome.INFRACTION)  # animated click
    assert not dialog.days.isEnabled()
    qtbot.keyClicks(dialog.findings, "Lavatorio sem condicoes de higiene das maos.")
    dialog.received_by.clear()
    qtbot.keyClicks(dialog.received_by, "Ana Pereira")
    with (
        qtbot.waitSignal(ctx.bus.changed, timeout=10_000) as changed,
        qtbot.waitSignal(form.finished, timeout=10_000) as finished,
    ):
        qtbot.keyClick(dialog.received_by, Qt.Key.Key_Return)
    assert changed.args == ["inspection"]
    inspection_id = finished.args[0]
    assert inspection_id == first.inspection_id
    qtbot.waitUntil(form.done_banner.isVisible, timeout=10_000)
    settle(qtbot, ctx)
    assert form.done_text.text() == (
        "Inspeção concluída em 02/03/2026 — resultado: Infração sanitária. Próximo passo: "
        "emitir o termo de inspeção e o auto de infração sanitária."
    )
    assert not form.conclude_button.isVisible()
    assert not form.answer_buttons[Answer.COMPLIANT].isEnabled()
    assert not form.attachments_box.attach_button.isEnabled()
    shot(form, "visa_inspection_done")

    # What was stored, through the queries the documents will use.
    with ctx.db.read_only() as session:
        summary = finished_summary(session, ctx.actor, inspection_id)
        sheet = inspection_sheet(session, ctx.actor, inspection_id)
        files = attachments(session, inspection_id)
    assert summary.outcome is InspectionOutcome.INFRACTION
    assert summary.findings == "Lavatorio sem condicoes de higiene das maos."
    assert summary.received_by == "Ana Pereira"
    assert [(n.code, n.classification_label, n.observation) for n in summary.non_conformities] == [
        ("1.2", "Imprescindível", OBSERVATION)
    ]
    assert sheet.status is InspectionStatus.DONE and sheet.answered == 10
    assert next(i for i in sheet.items if i.code == "3.3").answer is Answer.NOT_APPLICABLE
    assert [(f.file_name, f.media_type, f.item_code, f.caption) for f in files] == [
        ("lavatorio.png", "image/png", "1.2", "Lavatorio sem sabonete")
    ]

    # Back on the list, the concluded inspection is gone.
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(form.back_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 3
    assert inspection_id not in [row.inspection_id for row in page.model.rows()]


def test_conclude_is_held_back_while_items_are_unanswered(
    qtbot, page: WorkListPage, fiscal_ctx: AppContext
) -> None:
    page.table.setFocus()
    with qtbot.waitSignal(page.form_opened, timeout=10_000) as opened:
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    form: InspectionForm = opened.args[0]
    qtbot.waitUntil(lambda: form.sheet is not None and form.tree.hasFocus(), timeout=10_000)
    qtbot.keyClick(form.tree, Qt.Key.Key_1)
    qtbot.keyClick(form.tree, Qt.Key.Key_2)  # 1.2 Imprescindível: waits for the observation
    assert form.observation.hasFocus()
    qtbot.keyClick(form.tree, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    settle(qtbot, fiscal_ctx)
    assert form.progress.text() == "1 de 10 respondidos — nenhum imprescindível não conforme"
    qtbot.mouseClick(form.conclude_button, Qt.MouseButton.LeftButton)
    assert form.message.text() == (
        "Responda todos os itens antes de concluir. Falta(m) 9: 1.2, 1.3, 2.1, 2.2, 3.1, 3.2, "
        "3.3, 4.1, 5.1."
    )
    assert form.current_item().code == "1.2"

    # Back on the list the inspection is "Em andamento" and first; Enter resumes it.
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(form.back_button, Qt.MouseButton.LeftButton)
    assert page.model.index(0, 5).data() == "Em andamento"
    page.table.setFocus()
    with qtbot.waitSignal(page.form_opened, timeout=10_000) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    again: InspectionForm = opened.args[0]
    qtbot.waitUntil(lambda: again.sheet is not None, timeout=10_000)
    assert again.current_item().code == "1.2"  # the first item without an answer
    assert again.progress.text().startswith("1 de 10 respondidos")


def test_an_account_without_an_inspector_sees_why_the_list_is_empty(qtbot, db: Database) -> None:
    fill_demo(db)
    ctx = context_for(db, "admin")
    page = WorkListPage(ctx)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show()
    assert page.model.rowCount() == 0
    assert page.message.text().startswith("Sua conta não está vinculada a um fiscal sanitário")
    assert not page.start_button.isEnabled()
    ctx.ops.wait_for_done()


def test_unplanned_visit_without_a_roteiro_is_recorded_in_words(
    qtbot, page: WorkListPage, fiscal_ctx: AppContext
) -> None:
    """A complaint about a gym: the demo has no roteiro for its CNAE, the visit still happens."""
    qtbot.mouseClick(page.unplanned_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_window(qtbot, UnplannedDialog)
    assert dialog.reason.currentText() == "Denúncia"
    qtbot.keyClicks(dialog.search_box, "academia")
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=10_000)
    assert all("Academia" in row.name for row in dialog.model.rows())
    shot(dialog, "visa_unplanned_dialog")
    qtbot.keyClick(dialog.search_box, Qt.Key.Key_Down)
    with qtbot.waitSignal(page.form_opened, timeout=10_000) as opened:
        qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    form: InspectionForm = opened.args[0]
    qtbot.waitUntil(lambda: form.sheet is not None, timeout=10_000)
    assert form.title.text().startswith("Academia")
    assert form.details.text().endswith("Denúncia")
    assert "Roteiro: nenhum para estas atividades · Em andamento" in form.roteiro.text()
    assert "Não há roteiro publicado para as atividades (CNAE)" in form.notice.text()
    assert not form.tree.isVisible() and not form.observation.isVisible()
    assert form.progress.text() == "Sem roteiro: as constatações são registradas ao concluir"
    shot(form, "visa_inspection_without_roteiro")

    qtbot.mouseClick(form.conclude_button, Qt.MouseButton.LeftButton)
    conclude = wait_for_window(qtbot, ConcludeDialog)
    conclude.outcome_buttons[InspectionOutcome.SATISFACTORY].setChecked(True)
    qtbot.mouseClick(conclude.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: conclude.form.error_labels["findings"].isVisible(), timeout=10_000)
    assert conclude.form.error_labels["findings"].text() == (
        "Inspeção sem roteiro: descreva nas constatações o que foi verificado."
    )
    qtbot.keyClicks(conclude.findings, "Denuncia nao procede: vestiarios limpos.")
    with qtbot.waitSignal(form.finished, timeout=10_000):
        qtbot.mouseClick(conclude.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(form.done_banner.isVisible, timeout=10_000)
    assert form.done_text.text().startswith("Inspeção concluída em 02/03/2026 — resultado: Sati")
    settle(qtbot, fiscal_ctx)
