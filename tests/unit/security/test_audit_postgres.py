"""On the hub (PostgreSQL) many clerks write the trail at once: the chain must stay one line.

Several threads, each with its own connection and one session per action, record entries at the
same time. Without the advisory lock two transactions read the same head and one of them fails on
the duplicate `seq` (the clerk's action is lost); with it every action succeeds and the chain
verifies end to end.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from app.clock import FixedClock
from app.db.migrate import upgrade
from app.db.session import Database
from app.security import audit
from app.security.accounts import AccountInput, create_account
from app.security.actor import SYSTEM, Actor
from app.security.auth import MAX_FAILED_ATTEMPTS, login
from app.security.roles_seed import DEFAULT_ROLES, ensure_default_roles

pytestmark = pytest.mark.postgres

THREADS = 6
ACTIONS_EACH = 15


@pytest.fixture
def hub(pg_url: str, clock: FixedClock) -> Iterator[Database]:
    db = Database(pg_url, node_id="hub", clock=clock)
    upgrade(db, clock.now())
    yield db
    db.dispose()


def test_concurrent_clerks_never_fork_the_chain(hub: Database) -> None:
    db = hub
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def clerk(number: int) -> None:
        actor = Actor(None, f"clerk{number}", f"Clerk {number}")
        start.wait()
        for action in range(ACTIONS_EACH):
            try:
                with db.unit_of_work(actor.username) as session:
                    audit.record(
                        session, actor, audit.READ, entity="citizen", entity_id=str(action)
                    )
            except Exception as exc:  # collected and asserted below
                failures.append(exc)

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with db.read_only() as session:
        report = audit.verify_chain(session)
    assert report.ok, report.message
    assert report.checked == THREADS * ACTIONS_EACH


def test_lockout_and_the_chain_work_the_same_on_the_hub(hub: Database) -> None:
    with hub.unit_of_work() as session:
        roles = ensure_default_roles(session)
        data = AccountInput("ana.souza", "Ana Souza", "Ipê-amarelo-2026", [roles["Recepção"]])
        create_account(session, SYSTEM, data)
    for n in range(MAX_FAILED_ATTEMPTS):
        with hub.unit_of_work() as session:
            result = login(session, "ana.souza", f"errada-{n}-xyz")
    assert result.error == "Conta bloqueada por excesso de tentativas. Tente novamente às 09:15."
    with hub.read_only() as session:
        report = audit.verify_chain(session)
    roles_created = len(DEFAULT_ROLES)
    assert report.ok and report.checked == roles_created + 1 + MAX_FAILED_ATTEMPTS + 1
