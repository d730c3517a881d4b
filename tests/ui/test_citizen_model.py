"""The lazy citizen table model: checked by qtmodeltester and paged 200 rows at a time.

Rows come from a real migrated database filled by the demo generator, through the same
`find_citizens` keyset query the citizen page uses.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from PySide6.QtCore import QModelIndex, Qt

from app.db.session import Database
from app.registry.enums import Sex
from app.registry.queries import CitizenFilter, CitizenRow, Cursor, find_citizens
from app.security.actor import SYSTEM
from tests.ui.shell_helpers import install_demo
from ui.models.citizens import PAGE_SIZE, CitizenTableModel, FetchPage


def _fetcher(db: Database, flt: CitizenFilter | None = None) -> FetchPage:
    def fetch(after: Cursor | None) -> list[CitizenRow]:
        with db.read_only() as session:
            return find_citizens(
                session, SYSTEM, flt or CitizenFilter(), after=after, limit=PAGE_SIZE
            )

    return fetch


@pytest.fixture
def demo_db(db: Database) -> Database:
    install_demo(db, citizens=450, seed=1)
    return db


def test_model_passes_qtmodeltester(qtmodeltester, demo_db: Database) -> None:
    model = CitizenTableModel(_fetcher(demo_db))
    model.fetchMore(QModelIndex())
    qtmodeltester.check(model)
    qtmodeltester.check(CitizenTableModel(_fetcher(demo_db)), force_py=True)
    assert model.rowCount() > 0


def test_pages_arrive_200_at_a_time_until_the_end(qtbot, demo_db: Database) -> None:
    model = CitizenTableModel(_fetcher(demo_db))
    assert model.canFetchMore(QModelIndex())
    counts = []
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        counts.append(model.rowCount())
    assert counts == [200, 400, 450]
    assert model.is_complete()
    names = [model.row_at(model.index(row, 0)).name for row in range(model.rowCount())]
    assert (
        len(set(names)) > 1 and len({model.row_at(model.index(r, 0)).id for r in range(450)}) == 450
    )


def test_first_page_given_by_a_worker_then_lazy(qtbot, demo_db: Database) -> None:
    fetch = _fetcher(demo_db)
    model = CitizenTableModel(fetch, first_page=fetch(None))
    assert model.rowCount() == 200 and model.canFetchMore(QModelIndex())
    with qtbot.waitSignal(model.modelReset):
        model.reset_with(fetch, fetch(None)[:3])
    assert model.rowCount() == 3 and not model.canFetchMore(QModelIndex())


def _row(**changes: object) -> CitizenRow:
    values: dict[str, object] = dict(
        key=uuid.uuid4(), name="Joana Conceição Araújo", social_name="", cns="898001160623457",
        cpf="52998224725", birth_date=date(1980, 7, 4), sex=Sex.FEMALE,
        mother_name="Maria Araújo", district="Centro", cursor=("x",),
    )  # fmt: skip
    values.update(changes)
    return CitizenRow(**values)  # type: ignore[arg-type]


def test_cells_show_what_a_clerk_reads(qtbot) -> None:
    model = CitizenTableModel(first_page=[_row(), _row(social_name="Joaquim Araújo")])
    texts = [model.index(0, column).data() for column in range(7)]
    assert texts == ["Joana Conceição Araújo", "898 0011 6062 3457", "529.982.247-25",
                     "04/07/1980", "Feminino", "Maria Araújo", "Centro"]  # fmt: skip
    assert model.index(1, 0).data() == "Joaquim Araújo (nome civil: Joana Conceição Araújo)"
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert headers == ["Nome", "CNS", "CPF", "Nascimento", "Sexo", "Mãe", "Bairro"]
