"""Roteiros de inspeção: drafts, publishing, new versions, the roteiro of an establishment, and the
`.smroteiro` file (export, import, refusal of damaged or foreign files).

The database is the demo (two published roteiros: "Serviços de alimentação", 10 items, prefixes
5611/5620/1091/4721/4722/4711; "Drogarias e farmácias", 5 items, prefix 4771); the acting account
is the demo coordination ("visa"), which holds sanitary.manage.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.session import Database
from app.errors import PermissionDenied, ValidationError
from app.sanitary import checklist_items as item_svc
from app.sanitary import checklist_queries as svc
from app.sanitary import checklist_versions as version_svc
from app.sanitary import checklists as roteiro_svc
from app.sanitary.checklist_file import export_version, import_file
from app.sanitary.enums import ItemClass
from app.sanitary.models import Checklist, ChecklistItem, Establishment, EstablishmentActivity
from app.security.actor import Actor
from app.security.auth import login
from tests.ui.shell_helpers import fill_demo

FOOD = "Serviços de alimentação"


def login_as(db: Database, username: str, password: str) -> Actor:
    with db.unit_of_work(username) as session:
        result = login(session, username, password)
    assert result.actor is not None
    return result.actor


@pytest.fixture
def visa(db: Database) -> Actor:
    fill_demo(db)
    return login_as(db, "visa", "visa2026")


def row_named(db: Database, actor: Actor, name: str) -> svc.ChecklistRow:
    with db.read_only() as session:
        return next(r for r in svc.list_checklists(session, actor) if r.name == name)


def item(
    section: str, text: str, kind: ItemClass | None = ItemClass.NECESSARY
) -> item_svc.ItemInput:
    return item_svc.ItemInput(
        section, text, kind, legal_reference="Código Sanitário Municipal, art. 5º"
    )


def new_roteiro(
    db: Database, actor: Actor, *items: item_svc.ItemInput
) -> roteiro_svc.ChecklistCreated:
    with db.unit_of_work(actor.username) as session:
        created = roteiro_svc.create_checklist(
            session,
            actor,
            roteiro_svc.ChecklistInput("Academias", "Condicionamento físico", ("9313",)),
        )
        for data in items:
            item_svc.add_item(session, actor, created.version_id, data)
    return created


def test_demo_roteiros_are_listed_with_their_current_version(db: Database, visa: Actor) -> None:
    food = row_named(db, visa, FOOD)
    assert (food.published_number, food.published_items, food.draft_number) == (1, 10, None)
    assert food.status_label == "Publicado"


def test_items_are_numbered_per_section_and_published(db: Database, visa: Actor) -> None:
    created = new_roteiro(
        db,
        visa,
        item("Instalações", "Piso lavável"),
        item("Equipamentos", "Aparelhos com manutenção em dia", ItemClass.ESSENTIAL),
        item("Instalações", "Vestiários separados por sexo", ItemClass.RECOMMENDED),
    )
    with db.read_only() as session:
        draft = svc.version_view(session, visa, created.version_id)
    shown = [(s.name, [(i.code, i.text) for i in s.items]) for s in draft.sections]
    assert shown == [
        ("Instalações", [("1.1", "Piso lavável"), ("1.2", "Vestiários separados por sexo")]),
        ("Equipamentos", [("2.1", "Aparelhos com manutenção em dia")]),
    ]
    with db.unit_of_work("visa") as session:
        assert version_svc.publish_version(session, visa, created.version_id) == 1
    row = row_named(db, visa, "Academias")
    assert (row.published_number, row.published_items, row.status_label) == (1, 3, "Publicado")


def test_a_published_version_cannot_be_edited(db: Database, visa: Actor) -> None:
    food = row_named(db, visa, FOOD)
    assert food.published_version_id is not None
    with db.read_only() as session:
        first = svc.version_view(session, visa, food.published_version_id).items[0]
    with pytest.raises(ValidationError) as refused, db.unit_of_work("visa") as session:
        item_svc.update_item(session, visa, first.id, item(first.section, "Outro texto"))
    assert "já foi publicada e não pode ser alterada" in refused.value.message
    for action in (
        lambda s: item_svc.add_item(s, visa, food.published_version_id, item("Nova", "Novo item")),
        lambda s: item_svc.remove_item(s, visa, first.id),
        lambda s: item_svc.move_item(s, visa, first.id, 1),
    ):
        with pytest.raises(ValidationError), db.unit_of_work("visa") as session:
            action(session)
    with db.read_only() as session:
        again = svc.version_view(session, visa, food.published_version_id)
    assert again.items[0].text == first.text and len(again.items) == 10


def test_new_version_copies_items_and_leaves_the_old_one_unchanged(
    db: Database, visa: Actor
) -> None:
    food = row_named(db, visa, FOOD)
    assert food.published_version_id is not None
    with db.unit_of_work("visa") as session:
        draft_id = version_svc.new_version(session, visa, food.id)
    with db.read_only() as session:
        old = svc.version_view(session, visa, food.published_version_id)
        draft = svc.version_view(session, visa, draft_id)
    assert draft.number == 2 and draft.is_draft
    assert [(i.code, i.text) for i in draft.items] == [(i.code, i.text) for i in old.items]
    with db.unit_of_work("visa") as session:
        item_svc.update_item(
            session,
            visa,
            draft.items[0].id,
            item(draft.items[0].section, "Piso, paredes e teto íntegros e laváveis"),
        )
        item_svc.remove_item(session, visa, draft.items[1].id)
        version_svc.publish_version(session, visa, draft_id)
    with db.read_only() as session:
        old_again = svc.version_view(session, visa, food.published_version_id)
        new = svc.version_view(session, visa, draft_id)
    assert old_again.items == old.items
    assert new.items[0].text == "Piso, paredes e teto íntegros e laváveis"
    assert len(new.items) == 9 and [i.code for i in new.items[:3]] == ["1.1", "1.2", "2.1"]
    row = row_named(db, visa, FOOD)
    assert (row.published_number, row.published_items) == (2, 9)


def test_a_second_draft_is_refused(db: Database, visa: Actor) -> None:
    food = row_named(db, visa, FOOD)
    with db.unit_of_work("visa") as session:
        version_svc.new_version(session, visa, food.id)
    with pytest.raises(ValidationError) as refused, db.unit_of_work("visa") as session:
        version_svc.new_version(session, visa, food.id)
    assert "já tem um rascunho (versão 2)" in refused.value.message


def test_bad_items_and_empty_publication_are_refused_in_portuguese(
    db: Database, visa: Actor
) -> None:
    created = new_roteiro(db, visa)
    with pytest.raises(ValidationError) as refused, db.unit_of_work("visa") as session:
        item_svc.add_item(session, visa, created.version_id, item("Instalações", "  ", None))
    assert refused.value.errors["text"].startswith("Escreva o texto do item")
    assert refused.value.errors["classification"].startswith("Escolha a classificação")
    with pytest.raises(ValidationError) as empty, db.unit_of_work("visa") as session:
        version_svc.publish_version(session, visa, created.version_id)
    assert empty.value.errors[""] == version_svc.EMPTY_VERSION


def test_moving_an_item_renumbers_its_section(db: Database, visa: Actor) -> None:
    created = new_roteiro(db, visa, item("A", "primeiro"), item("A", "segundo"))
    with db.read_only() as session:
        second = svc.version_view(session, visa, created.version_id).items[1]
    with db.unit_of_work("visa") as session:
        item_svc.move_item(session, visa, second.id, -1)
    with db.read_only() as session:
        items = svc.version_view(session, visa, created.version_id).items
    assert [(i.code, i.text) for i in items] == [("1.1", "segundo"), ("1.2", "primeiro")]


def test_the_inspector_may_read_but_not_change_roteiros(db: Database, visa: Actor) -> None:
    fiscal = login_as(db, "fiscal", "fiscal2026")
    with db.read_only() as session:
        assert len(svc.list_checklists(session, fiscal)) == 2
    with pytest.raises(PermissionDenied), db.unit_of_work("fiscal") as session:
        roteiro_svc.create_checklist(session, fiscal, roteiro_svc.ChecklistInput("Qualquer"))


def test_roteiro_for_picks_the_longest_matching_prefix(db: Database, visa: Actor) -> None:
    food = row_named(db, visa, FOOD)
    created = new_roteiro(db, visa, item("Carnes", "Câmara fria com termômetro"))
    with db.unit_of_work("visa") as session:
        roteiro_svc.update_checklist(
            session,
            visa,
            created.checklist_id,
            roteiro_svc.ChecklistInput("Açougues", "", ("4722901",)),
        )
        version_svc.publish_version(session, visa, created.version_id)
        butcher, salon = (
            session.scalars(
                select(EstablishmentActivity.establishment_id)
                .where(EstablishmentActivity.cnae == cnae)
                .limit(1)
            ).one()
            for cnae in ("4722901", "9602501")
        )
        restaurant = session.scalars(
            select(EstablishmentActivity.establishment_id)
            .where(EstablishmentActivity.cnae == "5611201")
            .limit(1)
        ).one()
        assert svc.roteiro_for(session, butcher) == created.version_id
        assert svc.roteiro_for(session, restaurant) == food.published_version_id
        assert svc.roteiro_for(session, salon) is None


def test_roteiro_for_ignores_drafts_and_inactive_roteiros(db: Database, visa: Actor) -> None:
    food = row_named(db, visa, FOOD)
    with db.unit_of_work("visa") as session:
        draft = version_svc.new_version(session, visa, food.id)
        restaurant = session.scalars(
            select(Establishment.id)
            .join(EstablishmentActivity, EstablishmentActivity.establishment_id == Establishment.id)
            .where(EstablishmentActivity.cnae == "5611201")
            .limit(1)
        ).one()
        assert svc.roteiro_for(session, restaurant) == food.published_version_id
        version_svc.publish_version(session, visa, draft)
        assert svc.roteiro_for(session, restaurant) == draft
        roteiro_svc.update_checklist(
            session,
            visa,
            food.id,
            roteiro_svc.ChecklistInput(FOOD, "", food.cnae_prefixes, active=False),
        )
        assert svc.roteiro_for(session, restaurant) is None


# --- the .smroteiro file -------------------------------------------------------------------------


def export_food(db: Database, actor: Actor, folder: Path) -> Path:
    food = row_named(db, actor, FOOD)
    assert food.published_version_id is not None
    with db.unit_of_work("visa") as session:
        result = export_version(session, actor, food.published_version_id, folder / "alimentos")
    assert result.path.name == "alimentos.smroteiro" and result.item_count == 10
    return result.path


def count_rows(db: Database) -> tuple[int, int]:
    with db.read_only() as session:
        return (
            session.scalar(select(func.count()).select_from(Checklist)) or 0,
            session.scalar(select(func.count()).select_from(ChecklistItem)) or 0,
        )


def test_export_then_import_reproduces_the_items(db: Database, visa: Actor, tmp_path: Path) -> None:
    path = export_food(db, visa, tmp_path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["roteiro"]["name"] == FOOD and document["version"]["number"] == 1
    with db.unit_of_work("visa") as session:  # another municipality: rename the local one
        food = row_named(db, visa, FOOD)
        roteiro_svc.update_checklist(
            session,
            visa,
            food.id,
            roteiro_svc.ChecklistInput("Alimentos (antigo)", "", food.cnae_prefixes),
        )
    with db.unit_of_work("visa") as session:
        result = import_file(session, visa, path)
    assert result.created_checklist and result.version_number == 1 and result.item_count == 10
    with db.read_only() as session:
        imported = svc.version_view(session, visa, result.version_id)
        original = svc.version_view(session, visa, food.published_version_id)  # type: ignore[arg-type]
    assert imported.is_draft and imported.checklist_name == FOOD

    def shape(view: svc.VersionView) -> list[tuple[str, str, str, ItemClass, str]]:
        return [
            (i.section, i.code, i.text, i.classification, i.legal_reference) for i in view.items
        ]

    assert shape(imported) == shape(original)
    row = row_named(db, visa, FOOD)
    assert row.cnae_prefixes == ("5611", "5620", "1091", "4721", "4722", "4711")


def test_importing_a_known_roteiro_makes_a_new_draft_version(
    db: Database, visa: Actor, tmp_path: Path
) -> None:
    path = export_food(db, visa, tmp_path)
    with db.unit_of_work("visa") as session:
        result = import_file(session, visa, path)
    assert not result.created_checklist and result.version_number == 2
    row = row_named(db, visa, FOOD)
    assert (row.published_number, row.draft_number, row.draft_items) == (1, 2, 10)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda text: text[: len(text) // 2], "danificado ou incompleto"),
        (lambda text: text.replace("saude-municipal.roteiro", "outro.sistema"), "não é um roteiro"),
        (lambda text: text.replace("Piso, paredes", "Teto, paredes"), "foi alterado ou danificado"),
        (lambda _text: "\x00\xff binário", "danificado ou incompleto"),
    ],
    ids=["truncated", "foreign", "altered", "binary"],
)
def test_a_damaged_or_foreign_file_is_refused_and_nothing_written(
    db: Database, visa: Actor, tmp_path: Path, damage: object, message: str
) -> None:
    path = export_food(db, visa, tmp_path)
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    before = count_rows(db)
    with pytest.raises(ValidationError) as refused, db.unit_of_work("visa") as session:
        import_file(session, visa, path)
    assert message in refused.value.message
    assert count_rows(db) == before


def test_a_file_without_items_is_refused(db: Database, visa: Actor, tmp_path: Path) -> None:
    from app.sanitary.checklist_file import FORMAT_NAME, _digest

    content = {
        "roteiro": {"name": "Vazio", "cnae_prefixes": []},
        "version": {"number": 1},
        "items": [],
    }
    document = {"format": FORMAT_NAME, "format_version": 1, **content, "sha256": _digest(content)}
    path = tmp_path / "vazio.smroteiro"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValidationError) as refused, db.unit_of_work("visa") as session:
        import_file(session, visa, path)
    assert refused.value.message == "O arquivo está incompleto: o roteiro não tem itens."


def test_a_draft_cannot_be_exported(db: Database, visa: Actor, tmp_path: Path) -> None:
    created = new_roteiro(db, visa, item("A", "um item"))
    with pytest.raises(ValidationError) as refused, db.unit_of_work("visa") as session:
        export_version(session, visa, created.version_id, tmp_path / "x.smroteiro")
    assert "Só uma versão publicada" in refused.value.message
    assert not (tmp_path / "x.smroteiro").exists()
