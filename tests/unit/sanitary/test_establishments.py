"""Establishments as the service and the queries see them: register with CNPJ (alphanumeric too)
or CPF, refusals that leave nothing written, the risk recomputed on every change, status changes
in the audit trail, and the list and detail the screens read.

The database is the demo (illustrative risk table active, 40 establishments); the actor is the
demo inspector "fiscal" (Carla Mendes Oliveira, team "Equipe Alimentos", sanitary.write).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from app.db.session import Database
from app.errors import DuplicateError, ValidationError
from app.registry.models import District
from app.sanitary import risk_table
from app.sanitary.enums import EstablishmentStatus, HolderKind, RiskLevel
from app.sanitary.establishment_queries import (
    EstablishmentFilter,
    count_establishments,
    establishment_detail,
    find_establishments,
)
from app.sanitary.establishments import (
    EstablishmentInput,
    activity_inputs,
    change_status,
    create_establishment,
    recompute_risk,
    update_establishment,
)
from app.sanitary.models import Establishment, EstablishmentActivity
from app.security.actor import SYSTEM, Actor
from app.security.auth import login
from app.security.models import AuditEntry
from tests.ui.shell_helpers import fill_demo

TODAY = date(2026, 3, 2)
ALPHA_CNPJ = "12.ABC.345/01DE-35"  # the Receita's example (br-health §1.3)
BAD_CNPJ = "12.ABC.345/01DE-36"


@pytest.fixture
def fiscal(db: Database) -> Actor:
    fill_demo(db)
    with db.unit_of_work("fiscal") as session:
        result = login(session, "fiscal", "fiscal2026")
    assert result.actor is not None
    return result.actor


def _input(**changes: object) -> EstablishmentInput:
    base = EstablishmentInput(
        holder_kind=HolderKind.CNPJ,
        document=ALPHA_CNPJ,
        legal_name="Marmitaria Sabor de Casa Ltda",
        trade_name="Sabor de Casa",
        street="Rua das Palmeiras",
        number="120",
        phone="(41) 3333-4444",
        email="contato@sabordecasa.com.br",
        technical_name="Ana Souza",
        technical_council="CRN-8 1234",
        activities=activity_inputs(["5620-1/04"], {"5620104": {"1": False, "2": False}}),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _count(db: Database) -> tuple[int, int]:
    with db.read_only() as session:
        return (
            session.scalar(select(func.count()).select_from(Establishment)) or 0,
            session.scalar(select(func.count()).select_from(EstablishmentActivity)) or 0,
        )


def _create(db: Database, actor: Actor, data: EstablishmentInput) -> uuid.UUID:
    with db.unit_of_work(actor.username) as session:
        return create_establishment(session, actor, data).establishment_id


def _refusal(db: Database, actor: Actor, data: EstablishmentInput) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught, db.unit_of_work(actor.username) as session:
        create_establishment(session, actor, data)
    return caught.value.errors


def _row(db: Database, establishment_id: uuid.UUID) -> Establishment:
    with db.read_only() as session:
        row = session.get(Establishment, establishment_id)
        assert row is not None
        session.expunge(row)  # keep the loaded values after the read-only session rolls back
        return row


def test_an_establishment_with_an_alphanumeric_cnpj_is_registered_with_its_risk(
    db: Database, fiscal: Actor
) -> None:
    establishment_id = _create(db, fiscal, _input())
    row = _row(db, establishment_id)
    assert row.document == "12ABC34501DE35"
    assert row.risk is RiskLevel.MEDIUM
    assert row.risk_reason == (
        "CNAE 5620-1/04: respondeu NÃO às 2 perguntas → risco II (IN 66/2020, Anexo IV)."
    )
    assert row.team == "Equipe Alimentos"  # the registering inspector's team
    assert row.next_inspection_on == TODAY  # never inspected: due now
    with db.read_only() as session:
        teams = set(
            session.scalars(
                select(EstablishmentActivity.team).where(
                    EstablishmentActivity.establishment_id == establishment_id
                )
            )
        )
    assert teams == {"Equipe Alimentos"}


def test_a_wrong_check_digit_is_refused_beside_the_field_and_nothing_is_saved(
    db: Database, fiscal: Actor
) -> None:
    before = _count(db)
    errors = _refusal(db, fiscal, _input(document=BAD_CNPJ))
    assert errors == {"document": "CNPJ inválido: os dígitos verificadores não conferem."}
    errors = _refusal(db, fiscal, _input(holder_kind=HolderKind.CPF, document="111.444.777-36"))
    assert errors == {"document": "CPF inválido: os dígitos verificadores não conferem."}
    assert _count(db) == before


def test_a_cnae_missing_from_the_table_is_named(db: Database, fiscal: Actor) -> None:
    before = _count(db)
    errors = _refusal(db, fiscal, _input(activities=activity_inputs(["5620104", "1234567"])))
    assert errors == {"activities": "CNAE 1234-5/67 não está na tabela de risco vigente."}
    assert _count(db) == before


def test_the_same_document_twice_is_refused_naming_the_existing_establishment(
    db: Database, fiscal: Actor
) -> None:
    first = _create(db, fiscal, _input())
    before = _count(db)
    with pytest.raises(DuplicateError) as caught, db.unit_of_work("fiscal") as session:
        create_establishment(session, fiscal, _input(legal_name="Outra Empresa Ltda"))
    assert caught.value.errors == {
        "document": "Este CNPJ já está cadastrado: Marmitaria Sabor de Casa Ltda (Sabor de Casa)."
    }
    assert caught.value.existing_id == first
    assert _count(db) == before


def test_other_fields_are_checked_before_anything_is_written(db: Database, fiscal: Actor) -> None:
    errors = _refusal(
        db, fiscal,
        _input(legal_name="", email="sem-arroba", phone="41 1234", technical_council="",
               activities=()),
    )  # fmt: skip
    assert errors == {
        "legal_name": "Informe a razão social (ou o nome, para pessoa física).",
        "email": "E-mail inválido (ex.: contato@empresa.com.br).",
        "phone": "Informe o telefone com DDD: 10 ou 11 dígitos, sem 0 nem +55 na frente.",
        "technical_council": "Informe o conselho e o registro do responsável técnico.",
        "activities": "Informe a atividade principal (CNAE).",
    }


def test_the_risk_follows_the_answers_and_the_activities(db: Database, fiscal: Actor) -> None:
    establishment_id = _create(db, fiscal, _input())
    yes = activity_inputs(["5620104"], {"5620104": {"1": True, "2": False}})
    with db.unit_of_work("fiscal") as session:
        saved = update_establishment(session, fiscal, establishment_id, _input(activities=yes))
    assert saved.risk is RiskLevel.HIGH
    assert _row(db, establishment_id).risk_reason.startswith(
        "CNAE 5620-1/04: respondeu SIM a 'Prepara refeições para hospitais, creches ou "
        "instituições de longa permanência?' → risco III"
    )
    no = {"5620104": {"1": False, "2": False}}
    with_salon = activity_inputs(["5620104", "9602501"], no)
    with db.unit_of_work("fiscal") as session:
        update_establishment(session, fiscal, establishment_id, _input(activities=with_salon))
    row = _row(db, establishment_id)
    assert row.risk is RiskLevel.MEDIUM
    assert "maior grau entre as 2 atividades" in row.risk_reason
    with_lab = activity_inputs(["5620104", "8640202"], no)
    with db.unit_of_work("fiscal") as session:
        update_establishment(session, fiscal, establishment_id, _input(activities=with_lab))
        live = session.scalars(
            select(EstablishmentActivity.cnae).where(
                EstablishmentActivity.establishment_id == establishment_id,
                EstablishmentActivity.deleted_at.is_(None),
            )
        )
        assert sorted(live) == ["5620104", "8640202"]  # the salon was tombstoned
    row = _row(db, establishment_id)
    assert row.risk is RiskLevel.HIGH
    assert row.risk_reason.startswith("CNAE 8640-2/02: risco III pela tabela de risco vigente")


def test_a_new_municipal_rule_changes_the_stored_risk(db: Database, fiscal: Actor) -> None:
    establishment_id = _create(db, fiscal, _input())
    with db.unit_of_work("visa") as session:
        risk_table.save_override(
            session, SYSTEM, "5620104", RiskLevel.HIGH, "Decreto municipal nº 45/2025"
        )
    row = _row(db, establishment_id)
    assert row.risk is RiskLevel.HIGH
    assert row.risk_reason.startswith("CNAE 5620-1/04: Regra municipal → risco III")
    with db.unit_of_work("fiscal") as session:
        assert recompute_risk(session, establishment_id).level is RiskLevel.HIGH


def test_a_status_change_needs_a_reason_and_is_audited(db: Database, fiscal: Actor) -> None:
    establishment_id = _create(db, fiscal, _input())
    with pytest.raises(ValidationError) as caught, db.unit_of_work("fiscal") as session:
        change_status(session, fiscal, establishment_id, EstablishmentStatus.INTERDICTED, "")
    assert caught.value.errors == {"reason": "Informe o motivo da alteração da situação."}
    with db.unit_of_work("fiscal") as session:
        change_status(session, fiscal, establishment_id, EstablishmentStatus.INTERDICTED,
                      "Termo de interdição TD 0003/2026")  # fmt: skip
    assert _row(db, establishment_id).status is EstablishmentStatus.INTERDICTED
    with db.read_only() as session:
        detail = session.scalars(
            select(AuditEntry.detail)
            .where(AuditEntry.entity_id == str(establishment_id))
            .order_by(AuditEntry.seq.desc())
        ).first()
    assert detail is not None
    assert detail["to"] == "interditado"
    assert detail["reason"] == "Termo de interdição TD 0003/2026"


def test_the_list_finds_by_name_without_accents_by_document_and_by_filters(
    db: Database, fiscal: Actor
) -> None:
    with db.read_only() as session:
        district_id, district_name = session.execute(
            select(District.id, District.name).limit(1)
        ).one()
    data = _input(legal_name="Açaí da Praça Ltda", trade_name="Açaí Central",
                  district_id=str(district_id))  # fmt: skip
    establishment_id = _create(db, fiscal, data)
    with db.read_only() as session:
        by_name = find_establishments(session, fiscal, EstablishmentFilter(text="acai praca"))
        by_document = find_establishments(session, fiscal, EstablishmentFilter(text="12.ABC.345"))
        medium = EstablishmentFilter(risk=RiskLevel.MEDIUM, district_id=str(district_id))
        filtered = find_establishments(session, fiscal, medium)
        high = count_establishments(
            session, fiscal, EstablishmentFilter(text="acai", risk=RiskLevel.HIGH)
        )
    assert [(r.trade_name, r.document_label, r.district) for r in by_name] == [
        ("Açaí Central", ALPHA_CNPJ, district_name)
    ]
    assert [r.id for r in by_document] == [establishment_id]
    assert establishment_id in [r.id for r in filtered]
    assert all(r.risk is RiskLevel.MEDIUM for r in filtered)
    assert high == 0


def test_the_detail_shows_activities_with_their_rule_and_the_history(
    db: Database, fiscal: Actor
) -> None:
    establishment_id = _create(db, fiscal, _input())
    with db.read_only() as session:
        detail = establishment_detail(session, fiscal, establishment_id)
        demo = session.scalars(select(Establishment.id).where(Establishment.id != establishment_id)
                               .order_by(Establishment.created_at).limit(1)).one()  # fmt: skip
        old = establishment_detail(session, fiscal, demo)
    assert detail.document_label == ALPHA_CNPJ
    (activity,) = detail.activities
    assert (activity.cnae_label, activity.main, activity.level) == (
        "5620-1/04",
        True,
        RiskLevel.MEDIUM,
    )
    assert [q.answer for q in activity.questions] == [False, False]
    assert detail.inspections == ()
    done = [i for i in old.inspections if i.outcome is not None]
    assert done and done[0].inspector == "Carla Mendes Oliveira"
    assert done[0].outcome is not None and done[0].outcome.label == "Satisfatória"
