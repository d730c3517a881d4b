"""Full-text search of citizen names on SQLite (FTS5, accents ignored) and its upkeep.

`citizen_fts` holds the citizen's name and social name under the citizen table's rowid, tokenised
with `remove_diacritics 2` so "JOSE" finds "José". Triggers, created by revision 0001, keep it in
step with whatever writes the citizen table (services, bulk demo data, sync apply). A later
migration that rebuilds the `citizen` table (Alembic batch mode on SQLite copies it) drops those
triggers and may renumber rowids: it must drop the index first and re-create index, triggers and
content afterwards (revisions are frozen, so it writes the statements out, as 0001 does).
On PostgreSQL the search falls back to prefix matching on the normalised `name_key` column.
"""

from __future__ import annotations


def fts_query(text: str) -> str | None:
    """Turn what the clerk typed into an FTS5 query: every word as a prefix, all required.

    Only letters and digits survive, so no input can inject FTS syntax. None when nothing is left.
    """
    words = ["".join(ch for ch in word if ch.isalnum()) for word in text.split()]
    words = [word for word in words if word]
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words)
