"""The citizen registry as a clerk meets it: validation, duplicates, search, paging, capture."""

from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.brazil.identifiers import generate_cns, generate_cpf
from app.clock import FixedClock
from app.db.session import Database
from app.errors import DuplicateError, PermissionDenied, ValidationError
from app.installation.demo import create_demo
from app.registry.enums import Race, Sex
from app.registry.queries import CitizenFilter, find_citizens, get_citizen
from app.registry.rules import CitizenInput
from app.registry.service import PossibleDuplicate, create_citizen, update_citizen
from app.security.actor import SYSTEM, Actor
from app.sync.models import ChangeLogEntry

CLERK = Actor(None, "clerk", "Clerk", frozenset({"registry.read", "registry.write"}))
RNG = random.Random(11)


def _person(name: str = "Joaquina Conceição Araújo", **extra: object) -> CitizenInput:
    base: dict[str, object] = {
        "name": name,
        "birth_date": date(1980, 5, 17),
        "sex": Sex.FEMALE,
        "cns": generate_cns(RNG),
        "mother_name": "Benedita Araújo",
    }
    base.update(extra)
    return CitizenInput(**base)  # type: ignore[arg-type]


@pytest.fixture
def demo(db: Database) -> Database:
    create_demo(db, citizens=400, seed=5)
    return db


def _search(db: Database, text: str, actor: Actor = CLERK) -> list[str]:
    with db.read_only() as s:
        return [row.name for row in find_citizens(s, actor, CitizenFilter(text=text))]


def test_invalid_identifiers_are_refused_field_by_field_and_nothing_written(
    demo: Database,
) -> None:
    with pytest.raises(ValidationError) as caught, demo.unit_of_work() as s:
        create_citizen(
            s, CLERK, _person(cns="123456789012345", cpf="22222222222", birth_date=date(2031, 1, 1))
        )
    errors = caught.value.errors
    assert "CNS" in errors["cns"] and "todos os dígitos são iguais" in errors["cpf"]
    assert "futuro" in errors["birth_date"]
    assert _search(demo, "joaquina") == []


def test_etnia_is_required_for_indigenous_citizens_and_refused_for_others(db: Database) -> None:
    """e-SUS and BPA-I need the etnia of race 05; for any other race it would be a typing error."""
    cases = [
        (Race.INDIGENOUS, "", "Para raça/cor indígena, informe a etnia (código de 4 dígitos)."),
        (Race.INDIGENOUS, "12", "A etnia é um código de 4 dígitos da tabela de etnias indígenas."),
        (Race.WHITE, "0123", "Etnia só se informa para raça/cor indígena."),
    ]
    for race, ethnicity, message in cases:
        with pytest.raises(ValidationError) as caught, db.unit_of_work() as s:
            create_citizen(s, SYSTEM, _person(race=race, ethnicity=ethnicity))
        assert caught.value.errors == {"ethnicity": message}
    with db.unit_of_work() as s:
        created = create_citizen(s, SYSTEM, _person(race=Race.INDIGENOUS, ethnicity="0123"))
    with db.read_only() as s:
        detail = get_citizen(s, SYSTEM, created.citizen_id)
    assert (detail.race, detail.ethnicity) == (Race.INDIGENOUS, "0123")


def test_saved_citizen_is_found_by_surname_prefix_typed_without_accents(demo: Database) -> None:
    with demo.unit_of_work() as s:
        create_citizen(s, CLERK, _person())
    assert "Joaquina Conceição Araújo" in _search(demo, "arauj")
    assert "Joaquina Conceição Araújo" in _search(demo, "joaq conc")
    assert _search(demo, "joaq xyz") == []


def test_exact_cns_and_cpf_search(demo: Database) -> None:
    cns, cpf = generate_cns(RNG), generate_cpf(RNG)
    with demo.unit_of_work() as s:
        create_citizen(s, CLERK, _person(cns=cns, cpf=cpf))
    masked_cpf = f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"
    assert _search(demo, cns) == ["Joaquina Conceição Araújo"]
    assert _search(demo, masked_cpf) == ["Joaquina Conceição Araújo"]


def test_same_cns_is_refused_pointing_to_the_existing_record(demo: Database) -> None:
    cns = generate_cns(RNG)
    with demo.unit_of_work() as s:
        first = create_citizen(s, CLERK, _person(cns=cns)).citizen_id
    with pytest.raises(DuplicateError) as caught, demo.unit_of_work() as s:
        create_citizen(s, CLERK, _person("Outra Pessoa Qualquer", cns=cns))
    assert caught.value.existing_id == first
    assert "Joaquina Conceição Araújo" in caught.value.errors["cns"]
    assert _search(demo, "qualquer") == []


def test_same_name_birth_and_mother_warns_and_saves_only_when_confirmed(demo: Database) -> None:
    with demo.unit_of_work() as s:
        create_citizen(s, CLERK, _person())
    twin = _person("JOAQUINA CONCEICAO ARAUJO", cns=generate_cns(RNG))
    with pytest.raises(PossibleDuplicate), demo.unit_of_work() as s:
        create_citizen(s, CLERK, twin)
    assert len(_search(demo, "joaquina")) == 1
    with demo.unit_of_work() as s:
        create_citizen(s, CLERK, twin, confirm_duplicate=True)
    assert len(_search(demo, "joaquina")) == 2


def test_keyset_paging_walks_every_citizen_once_in_name_order(demo: Database) -> None:
    seen: list[str] = []
    after = None
    with demo.read_only() as s:
        while page := find_citizens(s, CLERK, CitizenFilter(), after=after, limit=70):
            seen.extend(row.name for row in page)
            after = page[-1].cursor
    assert len(seen) == 400


def test_account_limited_to_a_unit_sees_only_its_citizens(demo: Database) -> None:
    limited = Actor(None, "ubs", "UBS", frozenset({"registry.read"}), frozenset({"7654321"}))
    with demo.read_only() as s:
        everyone = find_citizens(s, CLERK, CitizenFilter(), limit=1000)
        mine = find_citizens(s, limited, CitizenFilter(), limit=1000)
    assert 0 < len(mine) < len(everyone)


def test_reader_cannot_write(demo: Database) -> None:
    reader = Actor(None, "leitor", "Leitor", frozenset({"registry.read"}))
    with pytest.raises(PermissionDenied), demo.unit_of_work() as s:
        create_citizen(s, reader, _person())
    assert _search(demo, "joaquina") == []


def test_update_changes_search_and_change_log_together(demo: Database, tmp_path: Path) -> None:
    with demo.unit_of_work("clerk") as s:
        saved = create_citizen(s, CLERK, _person())
    with demo.unit_of_work("clerk") as s:
        detail = get_citizen(s, CLERK, saved.citizen_id)
        data = _person("Joaquina Conceição Peçanha", cns=detail.cns)
        result = update_citizen(s, CLERK, saved.citizen_id, data)
    assert result.fields == ("name",)
    assert _search(demo, "joaquina conc pecanha") == ["Joaquina Conceição Peçanha"]
    assert _search(demo, "joaquina arauj") == []
    with demo.read_only() as s:
        log = [
            (e.op, e.base_version, e.new_version, e.changed_fields, e.account)
            for e in s.scalars(
                select(ChangeLogEntry)
                .where(ChangeLogEntry.row_id == str(saved.citizen_id))
                .order_by(ChangeLogEntry.seq)
            )
        ]
    assert log == [("upsert", 0, 1, [], "clerk"), ("upsert", 1, 2, ["name", "name_key"], "clerk")]


def test_a_failed_write_leaves_no_change_log_row(demo: Database) -> None:
    with demo.read_only() as s:
        before = len(s.scalars(select(ChangeLogEntry)).all())
    with pytest.raises(RuntimeError), demo.unit_of_work() as s:
        create_citizen(s, SYSTEM, _person())
        raise RuntimeError("power cut before commit")
    with demo.read_only() as s:
        assert len(s.scalars(select(ChangeLogEntry)).all()) == before
    path = Path(demo.url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_record_dates_come_from_the_database_clock(demo: Database) -> None:
    """The ficha prints "cadastrado em": the injected clock's date, not the machine's."""
    with demo.unit_of_work() as s:
        saved = create_citizen(s, CLERK, _person())
    assert isinstance(demo.clock, FixedClock)
    demo.clock.advance(timedelta(days=3))
    with demo.unit_of_work() as s:
        detail = get_citizen(s, CLERK, saved.citizen_id)
        update_citizen(s, CLERK, saved.citizen_id, _person("Joaquina Peçanha", cns=detail.cns))
    with demo.read_only() as s:
        after = get_citizen(s, CLERK, saved.citizen_id)
    assert after.created_at == demo.clock.now() - timedelta(days=3)
    assert after.updated_at == demo.clock.now()
