"""Reference tables reach every node as whole versions, signed by the hub (SYNC.md "reference").

The hub loads CID-10, CBO and a SIGTAP competence; after one exchange a unit and a field laptop
hold the same versions row for row, the CID-10 search works there, and nothing is sent twice.
A package altered on the way is refused, quarantined with its reason, and loads nothing; a node
that had loaded the same files itself keeps its one version.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from app.db.session import Database
from app.installation.models import NodeKind
from app.reference.cbo import load_occupations
from app.reference.cid10 import load_cid10, search_icd10
from app.reference.models import (
    Icd10Code,
    Occupation,
    ReferenceKind,
    ReferenceVersion,
    SigtapProcedure,
    SigtapProcedureCbo,
)
from app.reference.sigtap_sample import import_sample_sigtap
from app.sync.exporter import export_to
from app.sync.folder import import_folder, quarantined
from app.sync.hub import ingest
from app.sync.models import SyncBatch
from tests.integration.sync.network import UNIT_A, Network, make_network

COMPETENCE = "202603"


def _hub_with_tables(tmp_path: Path) -> Network:
    net = make_network(tmp_path)
    (tmp_path / "sigtap").mkdir()
    with net.hub.unit_of_work("admin") as session:
        load_cid10(session)
        load_occupations(session)
        import_sample_sigtap(session, tmp_path / "sigtap", COMPETENCE)
    return net


def _count(db: Database, model: type) -> int:
    with db.read_only() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _versions(db: Database) -> list[tuple[str, str, str]]:
    with db.read_only() as session:
        rows = session.execute(
            select(ReferenceVersion.kind, ReferenceVersion.label, ReferenceVersion.sha256)
        )
        return sorted((kind.value, label, sha) for kind, label, sha in rows)


def test_every_node_receives_the_hubs_reference_versions_whole(tmp_path: Path) -> None:
    net = _hub_with_tables(tmp_path)
    unit = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    field = net.add("Notebook VISA", NodeKind.FIELD, "7654372")
    net.round()
    for node in (unit, field):
        assert _versions(node) == _versions(net.hub)
        for model in (Icd10Code, Occupation, SigtapProcedure, SigtapProcedureCbo):
            assert _count(node, model) == _count(net.hub, model) > 0
    with unit.read_only() as session:
        found = [row.code for row in search_icd10(session, "dengue")]
    assert "A90" in found  # the search index was filled with the rows


def test_a_version_is_sent_once_and_the_node_records_it(tmp_path: Path) -> None:
    net = _hub_with_tables(tmp_path)
    unit = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    net.round()
    net.round()
    packages = list((net.share / "arquivo").glob("referencia_*.smref"))
    assert len(packages) == 3  # CID-10, CBO, one SIGTAP competence: once each
    with unit.read_only() as session:
        reasons = set(session.scalars(select(SyncBatch.reason).where(SyncBatch.direction == "in")))
    assert {"Tabela CID-10 2008", f"Tabela SIGTAP {COMPETENCE}"} <= reasons


def test_an_altered_package_is_refused_and_loads_nothing(tmp_path: Path) -> None:
    net = _hub_with_tables(tmp_path)
    unit = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    export_to(unit, net.hub_id(), net.share)
    ingest(net.hub, net.share)
    sigtap = next((net.share / "saida" / unit.node_id).glob("referencia_sigtap_*.smref"))
    document = json.loads(sigtap.read_text(encoding="utf-8"))
    document["payload"]["tables"]["sigtap_procedure"]["rows"][0][2] = "PROCEDIMENTO FORJADO"
    sigtap.write_text(json.dumps(document), encoding="utf-8")
    outcomes = import_folder(unit, net.share)
    refused = [o for o in outcomes if o.status == "refused"]
    assert [o.file.name for o in refused] == [sigtap.name]
    assert "assinatura" in refused[0].message.lower()
    assert _count(unit, SigtapProcedure) == 0
    assert [path.name for path, _ in quarantined(net.share)] == [sigtap.name]
    assert _count(unit, Icd10Code) == _count(net.hub, Icd10Code)  # the good ones still loaded


def test_a_node_that_loaded_the_same_files_keeps_one_version(tmp_path: Path) -> None:
    net = _hub_with_tables(tmp_path)
    unit = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    with unit.unit_of_work("admin") as session:
        load_cid10(session)
    before = _count(unit, Icd10Code)
    net.round()
    with unit.read_only() as session:
        cid_versions = session.scalar(
            select(func.count())
            .select_from(ReferenceVersion)
            .where(ReferenceVersion.kind == ReferenceKind.CID10)
        )
    assert cid_versions == 1
    assert _count(unit, Icd10Code) == before
