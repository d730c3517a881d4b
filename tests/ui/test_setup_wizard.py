"""First-run setup as a clerk does it: the IBGE code is checked as it is typed, each page refuses
what is missing beside the field, and "Concluir" configures the database so the new administrator
can log in. Also the brasão: an unreadable file is refused, a big image is shrunk to 300 px.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWizard

from app.db.session import Database
from app.installation.models import NodeKind
from app.installation.service import installation_info, is_configured
from ui.login import attempt_login
from ui.ops import OpRunner
from ui.setup_wizard import BRASAO_MAX_PX, SetupWizard

SAO_PAULO_CAPITAL = "3550308"
SANTA_LUCIA_PR = "4123824"


@pytest.fixture
def wizard(qtbot, db: Database) -> SetupWizard:
    ops = OpRunner()
    widget = SetupWizard(db, ops)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    ops.wait_for_done()


def _next(qtbot, wizard: SetupWizard) -> None:
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def _fill_municipality(qtbot, wizard: SetupWizard, code: str) -> None:
    page = wizard.municipality_page
    page.name.setText("Santa Lúcia")  # QTest types ASCII only
    page.uf.setCurrentIndex(page.uf.findData("PR"))
    qtbot.keyClicks(page.ibge_code, code)


def test_ibge_code_of_another_state_is_refused_beside_the_field(qtbot, wizard):
    page = wizard.municipality_page
    _fill_municipality(qtbot, wizard, SAO_PAULO_CAPITAL)
    error = page.form.error_labels["ibge_code"]
    # Said while typing, before any button is pressed.
    assert error.isVisibleTo(page)
    assert error.text() == "O código 3550308 é do município Sao Paulo/SP, que não fica em PR."
    _next(qtbot, wizard)
    assert wizard.currentId() == 0 and error.isVisibleTo(page)


def test_bad_check_digit_is_refused(qtbot, wizard):
    page = wizard.municipality_page
    _fill_municipality(qtbot, wizard, "4123825")
    assert page.form.error_labels["ibge_code"].text() == (
        "Código IBGE inválido: o dígito verificador não confere."
    )


def test_valid_code_shows_the_official_name_and_picks_the_time_zone(qtbot, wizard):
    page = wizard.municipality_page
    page.uf.setCurrentIndex(page.uf.findData("AM"))
    assert page.timezone.currentData() == "America/Manaus"
    page.uf.setCurrentIndex(0)
    qtbot.keyClicks(page.ibge_code, SANTA_LUCIA_PR)
    assert page.uf.currentData() == "PR"  # filled in from the code
    assert page.ibge_found.isVisibleTo(page)
    assert page.ibge_found.text() == "Município encontrado: Santa Lucia/PR"
    assert not page.form.error_labels["ibge_code"].isVisibleTo(page)
    assert page.timezone.currentData() == "America/Sao_Paulo"


def test_whole_setup_configures_the_database_and_the_admin_logs_in(qtbot, wizard, db):
    _fill_municipality(qtbot, wizard, SAO_PAULO_CAPITAL)
    _next(qtbot, wizard)
    assert wizard.currentId() == 0
    wizard.municipality_page.ibge_code.clear()
    qtbot.keyClicks(wizard.municipality_page.ibge_code, SANTA_LUCIA_PR)
    _next(qtbot, wizard)
    assert wizard.currentId() == 1

    node = wizard.installation_page
    qtbot.keyClicks(node.name, "UBS Centro")
    node.findChild(type(node.kinds.button(0)), "kind_unit").click()
    _next(qtbot, wizard)
    assert wizard.currentId() == 1
    assert node.form.error_labels["unit_cnes"].text() == "Informe o CNES da unidade."
    node.cnes.setFocus()
    qtbot.keyClicks(node.cnes, "7654321")
    _next(qtbot, wizard)
    assert wizard.currentId() == 2

    admin = wizard.admin_page
    qtbot.keyClicks(admin.username, "maria.silva")
    qtbot.keyClicks(admin.full_name, "Maria da Silva")
    qtbot.keyClicks(admin.password, "Ipe-amarelo-2026")
    qtbot.keyClicks(admin.confirm, "Ipe-roxo-2026")
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    assert admin.form.error_labels["admin_confirm"].text() == "As senhas não conferem."
    admin.confirm.clear()
    qtbot.keyClicks(admin.confirm, "Ipe-amarelo-2026")
    with qtbot.waitSignal(wizard.save_finished, timeout=10_000) as saved:
        qtbot.keyClick(admin.confirm, Qt.Key.Key_Return)  # Enter on the last field finishes
    assert saved.args == [True]
    assert wizard.result() == QWizard.DialogCode.Accepted

    with db.read_only() as session:
        assert is_configured(session)
        info = installation_info(session)
    assert (info.municipality, info.uf, info.kind, info.unit_cnes) == (
        "Santa Lúcia", "PR", NodeKind.UNIT, "7654321"
    )  # fmt: skip
    assert db.node_id == info.node_id == wizard.node_id
    result = attempt_login(db, "maria.silva", "Ipe-amarelo-2026")
    assert result.actor is not None and result.actor.can("admin.accounts")


def test_refusal_by_the_service_goes_back_to_the_page_of_the_field(qtbot, wizard):
    _fill_municipality(qtbot, wizard, SANTA_LUCIA_PR)
    _next(qtbot, wizard)
    qtbot.keyClicks(wizard.installation_page.name, "Sede")
    _next(qtbot, wizard)
    assert wizard.currentId() == 2
    wizard.show_errors({"ibge_code": "Código recusado.", "username": "Nome em uso."})
    assert wizard.currentId() == 0
    page = wizard.municipality_page
    assert page.form.error_labels["ibge_code"].text() == "Código recusado."
    assert wizard.admin_page.form.error_labels["admin_username"].text() == "Nome em uso."


def test_username_refused_by_the_service_is_shown_on_the_admin_page(qtbot, wizard, db):
    _fill_municipality(qtbot, wizard, SANTA_LUCIA_PR)
    _next(qtbot, wizard)
    qtbot.keyClicks(wizard.installation_page.name, "Sede")
    _next(qtbot, wizard)
    admin = wizard.admin_page
    qtbot.keyClicks(admin.username, "Maria Silva")  # spaces: refused by the accounts service
    qtbot.keyClicks(admin.full_name, "Maria da Silva")
    qtbot.keyClicks(admin.password, "Ipe-amarelo-2026")
    qtbot.keyClicks(admin.confirm, "Ipe-amarelo-2026")
    with qtbot.waitSignal(wizard.save_finished, timeout=10_000) as saved:
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton),
                         Qt.MouseButton.LeftButton)  # fmt: skip
    assert saved.args == [False] and wizard.currentId() == 2 and wizard.isVisible()
    assert "letras minúsculas" in admin.form.error_labels["admin_username"].text()
    with db.read_only() as session:
        assert not is_configured(session)


def _image_file(path: Path, width: int, height: int) -> Path:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a6f3e"))
    assert image.save(str(path))
    return path


def test_brasao_is_shrunk_and_kept_as_png(qtbot, wizard, tmp_path):
    picker = wizard.municipality_page.brasao
    assert picker.load_file(str(_image_file(tmp_path / "brasao.jpg", 1200, 600)))
    png = picker.png_bytes()
    assert png is not None and png.startswith(b"\x89PNG")
    loaded = QImage.fromData(png)
    assert (loaded.width(), loaded.height()) == (BRASAO_MAX_PX, BRASAO_MAX_PX // 2)
    assert picker.remove_button.isEnabled()


def test_unreadable_brasao_is_refused_beside_the_field(qtbot, wizard, tmp_path):
    picker = wizard.municipality_page.brasao
    text_file = tmp_path / "brasao.png"
    text_file.write_text("isto não é uma imagem", encoding="utf-8")
    assert not picker.load_file(str(text_file))
    assert picker.png_bytes() is None
    assert picker.error_label.text() == (
        "O arquivo escolhido não é uma imagem válida (use PNG ou JPG)."
    )
    assert picker.error_label.isVisibleTo(picker)


def test_small_brasao_is_not_enlarged(qtbot, wizard, tmp_path):
    picker = wizard.municipality_page.brasao
    picker.load_file(str(_image_file(tmp_path / "b.png", 120, 80)))
    data = QByteArray(picker.png_bytes())
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    image = QImage()
    image.load(buffer, "PNG")
    assert (image.width(), image.height()) == (120, 80)
