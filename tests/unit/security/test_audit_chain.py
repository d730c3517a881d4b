"""The hash-chained audit trail: what an entry holds, and that verification finds every break.

Tampering is done the way an intruder with a database tool would do it: raw SQL on the file,
outside the app. The verification report is what the administrator reads on the screen.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import select, text

from app.clock import FixedClock
from app.db.session import Database
from app.errors import PermissionDenied
from app.security import audit
from app.security.actor import SYSTEM, Actor
from app.security.models import AuditEntry

CLERK = Actor(
    account_id=uuid.UUID("0190f0f0-0000-7000-8000-000000000001"),
    username="ana.souza",
    full_name="Ana Souza",
    permissions=frozenset({"registry.read", "registry.write"}),
)
AUDITOR = Actor(
    account_id=uuid.UUID("0190f0f0-0000-7000-8000-000000000002"),
    username="auditor",
    full_name="Auditor",
    permissions=frozenset({"admin.audit"}),
)
CITIZEN_ID = "0190f0f0-0000-7000-8000-0000000000aa"


def fill(db: Database, count: int) -> None:
    """`count` entries by a clerk, alternating reads and updates of citizens."""
    with db.unit_of_work() as session:
        for number in range(count):
            action = audit.READ if number % 2 else audit.UPDATE
            detail = {"fields": ["address"]} if action == audit.UPDATE else None
            audit.record(
                session, CLERK, action, entity="citizen", entity_id=f"c-{number}", detail=detail
            )


def raw(db: Database, sql: str, **params: object) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def verify(db: Database) -> audit.ChainReport:
    with db.read_only() as session:
        return audit.verify_chain(session)


# --- what an entry holds -------------------------------------------------------------------------


def test_entries_are_numbered_and_each_points_to_the_previous_hash(
    db: Database, clock: FixedClock
) -> None:
    fill(db, 3)
    with db.read_only() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert [e.seq for e in entries] == [1, 2, 3]
        assert entries[0].prev_hash == "0" * 64
        assert entries[1].prev_hash == entries[0].hash
        assert entries[2].prev_hash == entries[1].hash
        first = entries[0]
        assert (first.node_id, first.username) == ("test-node", "ana.souza")
        assert first.account_id == CLERK.account_id
        assert first.at == clock.now()


def test_detail_is_stored_as_plain_json(db: Database) -> None:
    account_id = uuid.uuid4()
    with db.unit_of_work() as session:
        detail = {"roles": (account_id,)}
        entry = audit.record(session, SYSTEM, audit.UPDATE, entity="account", detail=detail)
    assert entry.detail == {"roles": [str(account_id)]}
    assert verify(db).ok


def test_a_rolled_back_action_leaves_no_entry(db: Database) -> None:
    with pytest.raises(RuntimeError), db.unit_of_work() as session:
        audit.record(session, CLERK, audit.READ, entity="citizen", entity_id=CITIZEN_ID)
        raise RuntimeError("the clerk's action failed")
    fill(db, 1)
    report = verify(db)
    assert report.ok and report.checked == 1


# --- verification --------------------------------------------------------------------------------


def test_an_untouched_chain_of_200_entries_is_intact(db: Database) -> None:
    fill(db, 200)
    report = verify(db)
    assert report == audit.ChainReport(
        ok=True,
        checked=200,
        first_broken_seq=None,
        message="Trilha íntegra: 200 registros verificados.",
    )


def test_thousands_are_written_the_brazilian_way(db: Database) -> None:
    fill(db, 1234)
    with db.read_only() as session:
        report = audit.verify_chain(session, batch_size=100)
    assert report.message == "Trilha íntegra: 1.234 registros verificados."


def test_an_empty_trail_and_a_single_entry_read_naturally(db: Database) -> None:
    assert verify(db).message == "Trilha íntegra: nenhum registro a verificar."
    fill(db, 1)
    assert verify(db).message == "Trilha íntegra: 1 registro verificado."


@pytest.mark.parametrize("batch_size", [1, 7, 50, 2000])
def test_streaming_in_batches_finds_the_same_break(db: Database, batch_size: int) -> None:
    fill(db, 60)
    raw(db, "UPDATE audit_entry SET entity_id = 'outro' WHERE seq = 57")
    with db.read_only() as session:
        report = audit.verify_chain(session, batch_size=batch_size)
    assert (report.ok, report.first_broken_seq, report.checked) == (False, 57, 56)


def test_edited_detail_is_reported_at_that_entry(db: Database) -> None:
    fill(db, 100)
    raw(db, "UPDATE audit_entry SET detail = :d WHERE seq = 58", d=json.dumps({"fields": []}))
    report = verify(db)
    assert not report.ok
    assert report.first_broken_seq == 58
    assert report.message == (
        "Trilha violada a partir do registro nº 58: o conteúdo foi alterado após a gravação."
    )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_entry SET username = 'outra.pessoa' WHERE seq = 57",
        "UPDATE audit_entry SET action = 'read' WHERE seq = 57",
        "UPDATE audit_entry SET at = '2020-01-01 00:00:00.000000' WHERE seq = 57",
        "UPDATE audit_entry SET hash = :fake WHERE seq = 57",
        "UPDATE audit_entry SET prev_hash = :fake WHERE seq = 57",
    ],
)
def test_any_edited_column_is_reported(db: Database, sql: str) -> None:
    fill(db, 80)
    raw(db, sql, fake="f" * 64)
    report = verify(db)
    assert (report.ok, report.first_broken_seq) == (False, 57)
    assert report.message.startswith("Trilha violada a partir do registro nº 57:")


def test_an_edit_with_a_recomputed_hash_breaks_the_link_to_the_next_entry(db: Database) -> None:
    """An intruder who knows the algorithm rewrites entry 30 and its hash; entry 31 exposes it."""
    fill(db, 50)
    with db.read_only() as session:
        entry = session.get(AuditEntry, 30)
        assert entry is not None
        values = {name: getattr(entry, name) for name in audit._HASHED_FIELDS}
    values["username"] = "outra.pessoa"
    raw(
        db,
        "UPDATE audit_entry SET username = 'outra.pessoa', hash = :h WHERE seq = 30",
        h=audit.entry_hash(values),
    )
    report = verify(db)
    assert (report.ok, report.first_broken_seq) == (False, 31)
    assert "encadeamento com o registro anterior não confere" in report.message


def test_a_deleted_middle_entry_is_reported_as_missing(db: Database) -> None:
    fill(db, 30)
    raw(db, "DELETE FROM audit_entry WHERE seq = 12")
    report = verify(db)
    assert (report.ok, report.first_broken_seq, report.checked) == (False, 12, 11)
    assert report.message == (
        "Trilha violada a partir do registro nº 12: "
        "registro nº 12 ausente (sequência interrompida)."
    )


def test_a_deleted_first_entry_is_reported(db: Database) -> None:
    fill(db, 5)
    raw(db, "DELETE FROM audit_entry WHERE seq = 1")
    report = verify(db)
    assert (report.ok, report.first_broken_seq) == (False, 1)
    assert "registro nº 1 ausente" in report.message


def test_a_deleted_run_renumbered_to_hide_the_gap_is_reported(db: Database) -> None:
    fill(db, 10)
    raw(db, "DELETE FROM audit_entry WHERE seq IN (4, 5)")
    raw(db, "UPDATE audit_entry SET seq = seq - 2 WHERE seq > 5")
    report = verify(db)
    assert (report.ok, report.first_broken_seq) == (False, 4)


def test_swapped_entries_are_reported(db: Database) -> None:
    fill(db, 10)
    raw(db, "UPDATE audit_entry SET seq = 1000 WHERE seq = 3")
    raw(db, "UPDATE audit_entry SET seq = 3 WHERE seq = 4")
    raw(db, "UPDATE audit_entry SET seq = 4 WHERE seq = 1000")
    report = verify(db)
    assert (report.ok, report.first_broken_seq) == (False, 3)


def test_run_verification_requires_admin_audit_and_is_itself_recorded(db: Database) -> None:
    fill(db, 5)
    with pytest.raises(PermissionDenied), db.unit_of_work() as session:
        audit.run_verification(session, CLERK)
    with db.unit_of_work() as session:
        report = audit.run_verification(session, AUDITOR)
    assert report.message == "Trilha íntegra: 5 registros verificados."
    with db.read_only() as session:
        rows = audit.list_entries(session, AUDITOR, offset=0, limit=1)
    assert rows[0].action_label == "Verificação da trilha de auditoria"
    assert rows[0].username == "auditor"
    assert verify(db).checked == 6


# --- reading -------------------------------------------------------------------------------------


def test_history_of_a_record_is_newest_first_with_portuguese_labels(
    db: Database, clock: FixedClock
) -> None:
    with db.unit_of_work() as session:
        audit.record(
            session,
            CLERK,
            audit.CREATE,
            entity="citizen",
            entity_id=CITIZEN_ID,
            detail={"fields": ["name", "cns"]},
        )
        audit.record(session, CLERK, audit.READ, entity="citizen", entity_id="another")
        audit.record(session, CLERK, audit.PRINT, entity="citizen", entity_id=CITIZEN_ID)
    with db.read_only() as session:
        rows = audit.history_of(session, CLERK, "citizen", CITIZEN_ID)
    assert [(r.seq, r.action_label) for r in rows] == [(3, "Impressão"), (1, "Inclusão")]
    assert rows[1].detail == {"fields": ["name", "cns"]}
    assert rows[1].username == "ana.souza" and rows[1].at == clock.now()


def test_history_needs_registry_read(db: Database) -> None:
    with pytest.raises(PermissionDenied), db.read_only() as session:
        audit.history_of(session, AUDITOR, "citizen", CITIZEN_ID)


def test_the_audit_screen_pages_and_filters(db: Database) -> None:
    fill(db, 25)  # 13 updates, 12 reads
    with db.unit_of_work() as session:
        audit.record(session, AUDITOR, audit.EXPORT, entity="report", entity_id="r-1")
    with db.read_only() as session:
        assert audit.count_entries(session, AUDITOR) == 26
        assert audit.count_entries(session, AUDITOR, action=audit.UPDATE) == 13
        assert audit.count_entries(session, AUDITOR, username="Auditor") == 1
        page = audit.list_entries(session, AUDITOR, offset=9, limit=5, action=audit.READ)
    assert [r.seq for r in page] == [6, 4, 2]
    assert {r.action_label for r in page} == {"Consulta"}


@pytest.mark.parametrize(
    "call",
    [
        lambda s: audit.list_entries(s, CLERK, offset=0, limit=10),
        lambda s: audit.count_entries(s, CLERK),
    ],
)
def test_the_audit_screen_needs_admin_audit(db: Database, call: Callable[..., object]) -> None:
    with pytest.raises(PermissionDenied), db.read_only() as session:
        call(session)


def test_every_action_has_a_portuguese_label() -> None:
    constants = {name: value for name, value in vars(audit).items() if name.isupper()}
    codes = [v for n, v in constants.items() if isinstance(v, str) and n != "GENESIS_HASH"]
    assert set(codes) == set(audit.ACTION_LABELS)
    assert audit.action_label("unknown_action") == "unknown_action"
