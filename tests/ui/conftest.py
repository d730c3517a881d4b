"""Fixtures shared by the UI tests: a clerk logged in on the demo secretariat."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.db.session import Database
from app.installation.service import installation_info
from app.security.auth import login
from tests.ui.shell_helpers import install_demo
from ui.context import AppContext, Bus
from ui.ops import OpRunner


@pytest.fixture
def ctx(db: Database) -> Iterator[AppContext]:
    """The demo "recepcao" account logged in on a demo database with 300 citizens."""
    install_demo(db, citizens=300, seed=1)
    with db.unit_of_work("recepcao") as session:
        result = login(session, "recepcao", "recepcao2026")
        info = installation_info(session)
    assert result.actor is not None and info is not None
    ops = OpRunner()
    yield AppContext(db=db, actor=result.actor, installation=info, ops=ops, bus=Bus())
    ops.wait_for_done()
