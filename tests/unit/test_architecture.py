"""The core stays free of Qt: no module under app/ imports PySide6 or the ui package."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
FORBIDDEN = ("PySide6", "ui")


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_module_under_app_imports_qt_or_ui() -> None:
    modules = sorted(APP.rglob("*.py"))
    assert len(modules) > 20, "the walk must actually see the core's modules"
    offenders = {
        str(path.relative_to(APP.parent)): sorted(_imported_roots(path) & set(FORBIDDEN))
        for path in modules
        if _imported_roots(path) & set(FORBIDDEN)
    }
    assert offenders == {}


def test_every_module_opens_with_a_docstring() -> None:
    missing = [
        str(path.relative_to(APP.parent))
        for root in (APP, APP.parent / "ui")
        for path in sorted(root.rglob("*.py"))
        if "versions" not in path.parts and ast.get_docstring(ast.parse(path.read_text())) is None
    ]
    assert missing == []
