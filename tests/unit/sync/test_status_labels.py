"""The sync center names every kind of record in Portuguese ("Inspeções", never "inspection")."""

from __future__ import annotations

import app.db.all_models  # noqa: F401  (every synced table is registered)
from app.sync.capture import synced_tables
from app.sync.labels import TABLE_LABELS, field_label


def test_every_synced_table_has_a_portuguese_name_in_the_sync_center() -> None:
    assert {"citizen", "establishment", "inspection"} <= set(synced_tables())
    assert sorted(set(synced_tables()) - set(TABLE_LABELS)) == []


def test_the_fields_of_an_inspection_conflict_read_as_words() -> None:
    assert [field_label(n) for n in ("status", "outcome", "performed_on", "inspector_id")] == [
        "Situação",
        "Resultado",
        "Realizada em",
        "Fiscal",
    ]
