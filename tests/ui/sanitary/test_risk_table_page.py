"""The "Tabela de risco (CNAE)" page as the VISA coordination uses it: import the illustrative CSV
shipped in resources/, see the new version and its CNAEs, activate it, add a municipal rule; a
file with bad lines is refused whole, its lines listed in the dialog, nothing imported.

Real demo database, the demo account "visa" (sanitary.manage), the real op runner; the file dialog
is replaced by a function returning the file's path, as a person picking it would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.sanitary.enums import RiskLevel
from app.sanitary.models import Establishment
from tests.ui.shell_helpers import wait_for_window
from ui.context import AppContext
from ui.sanitary.risk_table import ImportDialog, OverrideDialog, RiskTablePage

SHOTS = Path("/tmp/shots")
EXAMPLE = Path(__file__).parents[3] / "resources" / "sanitary" / "tabela_risco_exemplo.csv"
DEMO = "Tabela ilustrativa de demonstração (não é a lista oficial da IN 66/2020)"


@pytest.fixture
def page(qtbot, visa_ctx: AppContext) -> Iterator[RiskTablePage]:
    widget = RiskTablePage(visa_ctx)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitUntil(lambda: widget.rows_model.rowCount() > 0)
    yield widget
    visa_ctx.ops.wait_for_done()
    qtbot.waitUntil(visa_ctx.ops.is_idle)


def _closed(widget: QWidget) -> bool:
    return not shiboken6.isValid(widget) or not widget.isVisible()


def _shot(qtbot, widget: QWidget, name: str) -> None:
    qtbot.wait(100)
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def _import(qtbot, page: RiskTablePage, path: Path) -> ImportDialog:
    page.choose_file = lambda _parent: str(path)
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    return wait_for_window(qtbot, ImportDialog)


def _names(page: RiskTablePage) -> list[str]:
    return [v.name for v in page.versions_model.rows()]


def test_coordination_imports_the_example_csv_and_activates_it(
    qtbot, page: RiskTablePage, visa_ctx: AppContext
) -> None:
    assert _names(page) == [DEMO]
    assert page.rows_count.text() == "12 CNAE(s)"
    dialog = _import(qtbot, page, EXAMPLE)
    assert dialog.name_edit.text() == "tabela risco exemplo"
    dialog.name_edit.selectAll()
    qtbot.keyClicks(dialog.name_edit, "Exemplo importado")
    qtbot.keyClicks(dialog.source_edit, "resources/sanitary")
    _shot(qtbot, dialog, "risk_import_dialog")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _closed(dialog), timeout=10_000)
    qtbot.waitUntil(lambda: "Exemplo importado" in _names(page), timeout=10_000)
    new = next(v for v in page.versions_model.rows() if v.name == "Exemplo importado")
    assert (new.rows, new.active, new.source) == (12, False, "resources/sanitary")

    page.versions_table.selectRow(_names(page).index("Exemplo importado"))
    qtbot.waitUntil(lambda: page.rows_box.title() == "CNAEs de: Exemplo importado")
    qtbot.keyClicks(page.search_box, "5620")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.rows_model.rowCount() == 1)
    assert page.rows_model.index(0, 0).data() == "5620-1/04"
    assert page.rows_model.index(0, 2).data() == "depende"
    assert page.rows_model.index(0, 3).data().startswith("Prepara refeições para hospitais")

    assert page.activate_button.isEnabled()
    qtbot.mouseClick(page.activate_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, QMessageBox, "activated_box")
    assert box.text().startswith('A versão "Exemplo importado" passou a valer.')
    box.accept()

    def active() -> list[str]:
        return [v.name for v in page.versions_model.rows() if v.active]

    qtbot.waitUntil(lambda: active() == ["Exemplo importado"], timeout=10_000)
    assert page.versions_model.index(_names(page).index(DEMO), 4).data() == ""
    _shot(qtbot, page, "risk_table_page")


def test_a_file_with_bad_lines_is_refused_and_the_lines_are_listed(
    qtbot, page: RiskTablePage, tmp_path: Path
) -> None:
    bad = tmp_path / "tabela_ruim.csv"
    bad.write_bytes(
        "cnae;descricao;risco;perguntas\n"
        "5611-2/01;Restaurantes;II;\n"
        "5611-2/0;Curto;II;\n"
        "4771701;Drogarias;alto;\n".encode("iso-8859-1")
    )
    dialog = _import(qtbot, page, bad)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.form_error.isVisible, timeout=10_000)
    assert dialog.form_error.text().splitlines() == [
        "A tabela não foi importada: 2 linha(s) com problema. Corrija o arquivo e importe de "
        "novo (nada foi gravado).",
        "Linha 3: CNAE '5611-2/0' inválido (use 7 dígitos, ex.: 5620-1/04)",
        "Linha 4: risco 'alto' inválido (use I, II, III ou depende)",
    ]
    _shot(qtbot, dialog, "risk_import_refused")
    dialog.reject()
    page.refresh()
    qtbot.wait(200)
    assert _names(page) == [DEMO]


def test_a_municipal_rule_raises_the_risk_of_the_establishments_with_that_cnae(
    qtbot, page: RiskTablePage, visa_ctx: AppContext
) -> None:
    qtbot.mouseClick(page.new_override_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_window(qtbot, OverrideDialog)
    qtbot.keyClicks(dialog.cnae_edit, "4722901")
    dialog.level_combo.setCurrentIndex(dialog.level_combo.findData(RiskLevel.HIGH.value))
    qtbot.keyClicks(dialog.reason_edit, "Decreto municipal 45/2025, art. 3")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _closed(dialog), timeout=10_000)
    qtbot.waitUntil(
        lambda: "4722-9/01" in [r.cnae_label for r in page.overrides_model.rows()], timeout=10_000
    )
    with visa_ctx.db.read_only() as session:
        butchers = session.query(Establishment).filter(Establishment.name_key.contains("ACOUGUE"))
        risks = {(e.risk, e.risk_reason.split(":")[0]) for e in butchers}
    assert risks == {(RiskLevel.HIGH, "CNAE 4722-9/01")}
