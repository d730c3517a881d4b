"""The "Tabelas de referência" page on the demo database, logged in as the administrator.

The demo already holds the illustrative SIGTAP sample for 12/2025 to 03/2026 and the CID-10. The
administrator imports another competence through the page (the file dialog is the only thing
replaced: it returns the path a person would pick), sees a broken zip refused in Portuguese with
the list unchanged, replaces a competence after confirming, and searches procedures and CID-10.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from app.db.session import Database
from app.reference.sigtap_sample import sample_tables, write_sample_sigtap, write_zip
from tests.ui.shell_helpers import context_for, fill_demo
from ui.context import AppContext
from ui.main_window import PAGES
from ui.ops import OpRunner
from ui.reference.view import ReferencePage

SHOTS = Path(os.environ.get("REFERENCE_SHOTS", "/tmp/reference_shots"))
DEMO_COMPETENCES = ["03/2026", "02/2026", "01/2026", "12/2025"]


@pytest.fixture
def ctx(db: Database) -> AppContext:
    fill_demo(db)
    ops = OpRunner()
    yield context_for(db, "admin", ops)
    ops.wait_for_done()


def _page(qtbot, ctx: AppContext) -> ReferencePage:
    page = ReferencePage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 520)
    with qtbot.waitSignal(page.procedures_loaded, timeout=10_000):
        page.show()
    return page


def _competences(page: ReferencePage) -> list[str]:
    return [page.versions.index(row, 0).data() for row in range(page.versions.rowCount())]


def _pick(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(path), ""))


def _import_through_the_button(qtbot, page: ReferencePage) -> object:
    with qtbot.waitSignal(page.import_finished, timeout=10_000) as blocker:
        page.import_button.click()
        assert not page.import_button.isEnabled() and page.progress.isVisible()
    return blocker.args[0]


def _shot(page: ReferencePage, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(SHOTS / f"{name}.png"))


def test_the_page_is_in_the_administrators_navigation() -> None:
    assert [spec.permission for spec in PAGES if spec.title == "Tabelas de referência"] == [
        "reference.manage"
    ]


def test_importing_a_competence_adds_it_to_the_list(qtbot, ctx, tmp_path, monkeypatch) -> None:
    page = _page(qtbot, ctx)
    assert _competences(page) == DEMO_COMPETENCES
    assert "amostra ilustrativa" in page.versions.index(0, 4).data()
    _shot(page, "1-competences")
    _pick(monkeypatch, write_sample_sigtap(tmp_path, "202604"))
    with qtbot.waitSignal(page.versions_loaded, timeout=10_000):
        _import_through_the_button(qtbot, page)
    assert _competences(page) == ["04/2026", *DEMO_COMPETENCES]
    assert page.import_message.text() == "Competência 04/2026 importada: 6 procedimentos."
    assert page.versions.index(0, 1).data() == "6"
    assert page.versions.index(0, 4).data() == "TabelaUnificada_202604_v2604011200.zip"
    assert page.import_button.isEnabled() and not page.progress.isVisible()
    _shot(page, "2-imported")


def test_a_zip_without_a_layout_file_is_refused_and_nothing_changes(
    qtbot, ctx, tmp_path, monkeypatch
) -> None:
    page = _page(qtbot, ctx)
    broken = write_zip(
        tmp_path, "202604", sample_tables("202604"), skip=("rl_procedimento_cid_layout.txt",)
    )
    _pick(monkeypatch, broken)
    error = _import_through_the_button(qtbot, page)
    expected = (
        "O arquivo não está na estrutura oficial do SIGTAP: faltam rl_procedimento_cid_layout.txt."
    )
    assert str(error) == expected
    assert page.import_message.isVisible() and page.import_message.text() == expected
    _shot(page, "3-refused")
    with qtbot.waitSignal(page.versions_loaded, timeout=10_000):
        page.reload_versions()
    assert _competences(page) == DEMO_COMPETENCES


def test_an_imported_competence_is_replaced_only_after_confirming(
    qtbot, ctx, tmp_path, monkeypatch
) -> None:
    page = _page(qtbot, ctx)
    _pick(monkeypatch, write_sample_sigtap(tmp_path, "202603"))
    page.import_button.click()
    qtbot.waitUntil(lambda: page.replace_box is not None, timeout=10_000)
    box = page.replace_box
    assert "03/2026 já foi importada" in box.text()
    with qtbot.waitSignal(page.import_finished, timeout=10_000) as blocker:
        box.buttons()[0].click()  # "Substituir"
    assert blocker.args[0].competence == "202603"
    qtbot.waitUntil(lambda: page.versions.index(0, 4).data().endswith(".zip"), timeout=10_000)
    assert _competences(page) == DEMO_COMPETENCES  # replaced, not added


def test_procedures_are_found_by_words_without_accents(qtbot, ctx) -> None:
    page = _page(qtbot, ctx)
    page.tabs.setCurrentIndex(1)
    assert page.competence.currentText() == "03/2026"
    with qtbot.waitSignal(page.procedures_loaded, timeout=10_000):
        qtbot.keyClicks(page.procedure_search, "afericao pressao")
    rows = page.procedures.rows()
    assert [row.code for row in rows] == ["0301100039"]
    texts = [page.procedures.index(0, column).data() for column in range(8)]
    assert texts[:7] == [
        "0301100039",
        "AFERICAO DE PRESSAO ARTERIAL",
        "Ambos",
        "sem limite",
        "sem limite",
        "Não",
        "BPA (CONSOLIDADO)",
    ]
    assert "322245" in texts[7] and "225142" in texts[7]
    with qtbot.waitSignal(page.procedures_loaded, timeout=10_000):
        page.procedure_search.setText("colo uterino")
        page.procedure_search.returnPressed.emit()
    row = [page.procedures.index(0, column).data() for column in range(6)]
    assert row[2:6] == ["Feminino", "25 anos", "64 anos", "Sim"]
    _shot(page, "4-procedures")


def test_cid10_is_searched_with_its_sex_restriction(qtbot, ctx) -> None:
    page = _page(qtbot, ctx)
    page.tabs.setCurrentIndex(2)
    with qtbot.waitSignal(page.icd10_loaded, timeout=10_000):
        qtbot.keyClicks(page.icd10_search, "hiperplasia da prostata")
    first = [page.icd10.index(0, column).data() for column in range(3)]
    assert first == ["N40", "Masculino", "Hiperplasia da próstata"]
    _shot(page, "5-icd10")
