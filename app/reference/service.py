"""Commands on the reference tables done by a person: importing a SIGTAP competence from a screen.

`import_sigtap` itself takes no actor (the CLI and the demo load tables as the system); this
service is what the "Tabelas de referência" page calls. It checks `reference.manage`, imports,
and records the import in the audit trail in the same transaction, so a refused or failed import
leaves neither rows nor an entry.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from app.reference.sigtap import SigtapImport, import_sigtap
from app.security.actor import Actor
from app.security.audit import IMPORT, record

MANAGE = "reference.manage"


def import_sigtap_file(
    session: Session, actor: Actor, path: Path | str, *, replace: bool = False
) -> SigtapImport:
    """Import the official SIGTAP zip at `path` for `actor` (see `import_sigtap` for refusals)."""
    actor.require(MANAGE)
    result = import_sigtap(session, path, replace=replace)
    record(
        session,
        actor,
        IMPORT,
        entity="reference_version",
        entity_id=str(result.version_id),
        detail={"kind": "SIGTAP", "code": result.competence},
    )
    return result
