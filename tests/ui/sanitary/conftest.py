"""Fixtures of the VISA screens: the small demo secretariat with a VISA account logged in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.db.session import Database
from tests.ui.shell_helpers import context_for, fill_demo
from ui.context import AppContext


def _logged_in(db: Database, username: str) -> Iterator[AppContext]:
    fill_demo(db)
    ctx = context_for(db, username)
    yield ctx
    ctx.ops.wait_for_done()


@pytest.fixture
def fiscal_ctx(db: Database) -> Iterator[AppContext]:
    """The demo inspector "fiscal" (team "Equipe Alimentos") logged in on the demo database."""
    yield from _logged_in(db, "fiscal")


@pytest.fixture
def visa_ctx(db: Database) -> Iterator[AppContext]:
    """The demo coordinator "visa" (Coordenação da VISA) logged in on the demo database."""
    yield from _logged_in(db, "visa")
