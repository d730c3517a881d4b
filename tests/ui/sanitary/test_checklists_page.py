"""The "Roteiros de inspeção" page as the VISA coordination uses it: create a roteiro, type its
items in the editor, publish it, start a new version, export and import the file.

The database is the demo (two published roteiros); the account is the demo coordination "visa".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.ui.shell_helpers import wait_for_window
from ui.context import AppContext
from ui.sanitary.checklist_editor import ChecklistEditor
from ui.sanitary.checklists import ChecklistsPage

SHOTS = Path("/tmp/shots")


def open_page(qtbot, ctx: AppContext) -> ChecklistsPage:
    page = ChecklistsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.confirm = lambda *_args: True
    qtbot.waitUntil(lambda: page.model.rowCount() == 2 and page.lines.rowCount() > 0)
    page.show()
    return page


def row_texts(page: ChecklistsPage) -> list[list[str]]:
    model = page.model
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def add_item(qtbot, editor: ChecklistEditor, section: str, text: str, kind: int) -> None:
    editor.section.setCurrentText(section)
    editor.text.setPlainText(text)  # keyClicks types ASCII only
    editor.classification.setCurrentIndex(kind)
    count = editor.model.rowCount()
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: editor.model.rowCount() == count + 1)


def test_create_a_roteiro_with_two_items_and_publish_it(qtbot, visa_ctx: AppContext) -> None:
    page = open_page(qtbot, visa_ctx)
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None
    dialog.name.setText("Academias de ginástica")
    qtbot.keyClicks(dialog.prefixes, "9313")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.editor is not None and page.editor.view is not None)
    editor = page.editor
    assert editor is not None
    assert "versão 1 (rascunho) — 0 itens" in editor.heading.text()

    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # empty form
    qtbot.waitUntil(lambda: editor.form.error_labels["text"].isVisible())
    assert editor.form.error_labels["text"].text().startswith("Escreva o texto do item")
    assert editor.form.error_labels["classification"].text().startswith("Escolha a classificação")

    add_item(qtbot, editor, "Instalações", "Piso antiderrapante e em bom estado", 2)
    add_item(qtbot, editor, "Equipamentos", "Aparelhos com manutenção registrada", 1)
    assert [editor.model.index(r, 0).data() for r in range(2)] == ["1.1", "2.1"]
    assert editor.model.index(0, 2).data() == "Necessário"
    SHOTS.mkdir(exist_ok=True)
    editor.resize(1366, 680)
    editor.grab().save(str(SHOTS / "checklist_editor.png"))

    with qtbot.waitSignal(editor.published, timeout=10_000) as published:
        qtbot.mouseClick(editor.publish_button, Qt.MouseButton.LeftButton)
    assert published.args == [1]
    qtbot.waitUntil(lambda: "(publicada)" in editor.heading.text())
    assert not editor.save_item_button.isEnabled()
    editor.accept()

    qtbot.waitUntil(
        lambda: any(
            r[0] == "Academias de ginástica" and r[1] == "versão 1" and r[2] == "Publicado"
            for r in row_texts(page)
        )
    )
    index = next(i for i, r in enumerate(row_texts(page)) if r[0] == "Academias de ginástica")
    page.table.selectRow(index)
    expected = [
        "Instalações",
        "1.1  Piso antiderrapante e em bom estado | Necessário",
        "Equipamentos",
        "2.1  Aparelhos com manutenção registrada | Imprescindível",
    ]
    qtbot.waitUntil(lambda: page.item_texts() == expected)
    assert page.version_combo.currentText().startswith("Versão 1 — publicada em 02/03/2026")
    page.grab().save(str(SHOTS / "checklists_page.png"))


def test_new_version_export_and_import_from_the_page(
    qtbot, visa_ctx: AppContext, tmp_path: Path
) -> None:
    page = open_page(qtbot, visa_ctx)
    food = next(i for i, r in enumerate(row_texts(page)) if r[0] == "Serviços de alimentação")
    page.table.selectRow(food)
    qtbot.waitUntil(lambda: page.item_texts()[:1] == ["Edificação e instalações"])
    assert page.version_combo.currentText().startswith("Versão 1 — publicada em 02/03/2026")
    assert page.item_texts()[2].endswith("| Imprescindível")
    page.grab().save(str(SHOTS / "checklists_food.png"))

    target = tmp_path / "alimentos.smroteiro"
    page.choose_save_file = lambda *_args: target
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: target.exists())

    qtbot.mouseClick(page.version_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.editor is not None and page.editor.view is not None)
    editor = page.editor
    assert editor is not None and "versão 2 (rascunho) — 10 itens" in editor.heading.text()
    editor.accept()
    qtbot.waitUntil(lambda: row_texts(page)[food][2] == "Publicado; rascunho da versão 2")
    assert not page.version_button.isEnabled()

    page.choose_open_file = lambda *_args: target  # the same roteiro has a draft: refused
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "error_box")
    assert "já tem um rascunho (versão 2)" in box.text()
    box.accept()

    broken = tmp_path / "quebrado.smroteiro"
    broken.write_text(target.read_text(encoding="utf-8")[:200], encoding="utf-8")
    page.choose_open_file = lambda *_args: broken
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "error_box")
    assert box.text().startswith("O arquivo está danificado ou incompleto")
    assert page.model.rowCount() == 2
