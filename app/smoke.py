"""The frozen build's self-test (`saude-municipal --smoke-test`): prove the bundle is complete.

Creates a temporary database, runs every migration, fills a small demo (agendas and holidays
included), renders the citizen ficha to PDF, compiles the e-SUS XML schemas, then removes
everything. Exit code 0 means the packaged app
found its migrations, resources, fonts and libraries.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from app.bootstrap import open_database


def run_smoke_test() -> int:
    """Returns 0 on success; prints what failed otherwise."""
    with tempfile.TemporaryDirectory(prefix="saude-smoke-") as folder:
        db = open_database(str(Path(folder) / "smoke.sqlite3"))
        try:
            return _exercise(db)
        except Exception as exc:  # report any failure as a non-zero exit, with its cause
            print(f"smoke test failed: {exc!r}", file=sys.stderr)
            return 1
        finally:
            db.dispose()


def _exercise(db: object) -> int:
    from app.db.session import Database
    from app.installation.demo import create_demo
    from app.registry.queries import CitizenFilter, find_citizens
    from app.registry.reports import citizen_record_pdf
    from app.security.actor import SYSTEM

    assert isinstance(db, Database)
    create_demo(db, citizens=20, seed=7)
    with db.unit_of_work(SYSTEM.username) as session:
        first = find_citizens(session, SYSTEM, CitizenFilter(), limit=1)[0]
        issued = citizen_record_pdf(session, SYSTEM, first.id)
    if not issued.pdf.startswith(b"%PDF") or issued.page_count < 1:
        print("smoke test failed: the ficha PDF is empty", file=sys.stderr)
        return 1
    if not _esus_schemas_load():
        return 1
    print(f"smoke test ok: ficha {issued.code}, {issued.page_count} página(s), XSD e-SUS ok")
    return 0


def _esus_schemas_load() -> bool:
    """lxml and the bundled e-SUS XSDs work: a foreign document is refused, not crashed on."""
    from app.care.esus import validate_esus_xml

    if validate_esus_xml(b"<documento-qualquer/>"):
        return True
    print("smoke test failed: the e-SUS schemas accepted a foreign document", file=sys.stderr)
    return False
