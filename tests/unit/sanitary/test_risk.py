"""Risk classification: the pure rules (IN 66/2020 questions, highest of activities, municipal
rules) and the CNAE risk table service (CSV import all-or-nothing, one active version,
recomputation).

The database tests run on the demo (its illustrative table is active: 5620-1/04 "depende" with two
questions, 9602-5/01 with the example municipal rule raising it to II) as the coordination account
"visa" (sanitary.manage).
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from app.db.session import Database
from app.errors import PermissionDenied, ValidationError
from app.sanitary import risk_table
from app.sanitary.enums import HolderKind, RiskLevel, RiskRule
from app.sanitary.establishments import (
    EstablishmentInput,
    activity_inputs,
    create_establishment,
)
from app.sanitary.models import CnaeRisk, CnaeRiskQuestion, CnaeRiskTable, Establishment
from app.sanitary.risk import (
    CnaeInfo,
    activity_risk,
    cnae_error,
    establishment_risk,
    format_cnae,
)
from app.security.actor import Actor
from app.security.auth import login
from tests.ui.shell_helpers import fill_demo

MEALS = CnaeInfo(
    "5620104",
    "Fornecimento de alimentos preparados preponderantemente para consumo domiciliar",
    RiskRule.DEPENDS,
    (
        "Prepara refeições para hospitais, creches ou instituições de longa permanência?",
        "Produz mais de 500 refeições por dia?",
    ),
)
RESTAURANT = CnaeInfo("5611201", "Restaurantes e similares", RiskRule.MEDIUM)
PHARMACY = CnaeInfo("4771701", "Drogarias", RiskRule.HIGH)
SALON = CnaeInfo("9602501", "Cabeleireiros", RiskRule.LOW)
SALON_MUNICIPAL = CnaeInfo(
    "9602501", "Cabeleireiros", RiskRule.MEDIUM, (), True, "Decreto municipal 12/2025", RiskRule.LOW
)

GOOD_CSV = """# Tabela ILUSTRATIVA para testes
cnae;descricao;risco;perguntas
5611-2/01;Restaurantes e similares;III;
5620-1/04;Fornecimento de alimentos preparados;depende;Atende hospitais?|Mais de 500 refeições?
9602501;Cabeleireiros, manicure e pedicure;I;
"""

BAD_CSV = """cnae;descricao;risco;perguntas
5611-2/01;Restaurantes e similares;III;
56201;Fornecimento de alimentos;II;
9602501;Cabeleireiros;IV;
4771701;Drogarias;depende;
5611201;Restaurantes de novo;II;
"""


# --- pure rules ------------------------------------------------------------------------------


def test_cnae_is_shown_with_its_punctuation_and_checked_for_seven_digits() -> None:
    assert format_cnae("5620104") == "5620-1/04"
    assert cnae_error("5620-1/04") is None
    assert cnae_error("5620-1/0") == "O CNAE deve ter 7 dígitos (ex.: 5620-1/04)."


def test_depends_on_information_answered_yes_is_high_risk_naming_the_question() -> None:
    risk = activity_risk(MEALS, {"1": False, "2": True})
    assert risk.level is RiskLevel.HIGH
    assert risk.reason == (
        "CNAE 5620-1/04: respondeu SIM a 'Produz mais de 500 refeições por dia?' → risco III "
        "(IN 66/2020, Anexo IV)"
    )


def test_depends_on_information_all_no_is_medium_risk() -> None:
    risk = activity_risk(MEALS, {"1": False, "2": False})
    assert risk.level is RiskLevel.MEDIUM
    assert risk.reason == (
        "CNAE 5620-1/04: respondeu NÃO às 2 perguntas → risco II (IN 66/2020, Anexo IV)"
    )


def test_unanswered_questions_count_as_high_risk_until_answered() -> None:
    risk = activity_risk(MEALS, {"1": False})
    assert risk.level is RiskLevel.HIGH
    assert risk.pending == (2,)
    assert "pergunta 2 sem resposta → tratado como risco III até responder" in risk.reason
    result = establishment_risk([(MEALS, {})])
    assert not result.complete
    assert "perguntas 1 e 2 sem respostas" in result.reason


def test_an_establishment_takes_the_highest_risk_of_its_activities() -> None:
    result = establishment_risk([(RESTAURANT, {}), (PHARMACY, {}), (SALON, {})])
    assert result.level is RiskLevel.HIGH
    assert result.label == "III – alto risco"
    assert result.reason == (
        "CNAE 4771-7/01: risco III pela tabela de risco vigente — maior grau entre as 3 atividades."
    )
    medium = establishment_risk([(RESTAURANT, {}), (MEALS, {"1": False, "2": False})])
    assert medium.level is RiskLevel.MEDIUM
    assert medium.reason.startswith("CNAE 5611-2/01")  # the main activity wins a tie


def test_a_municipal_rule_prevails_over_the_table() -> None:
    result = establishment_risk([(SALON_MUNICIPAL, {})])
    assert result.level is RiskLevel.MEDIUM
    assert result.reason == (
        "CNAE 9602-5/01: Regra municipal → risco II: Decreto municipal 12/2025."
    )


def test_no_activity_means_no_risk_yet() -> None:
    result = establishment_risk([])
    assert result.level is None
    assert result.reason == "Nenhuma atividade (CNAE) informada."


# --- the table service -----------------------------------------------------------------------


@pytest.fixture
def visa(db: Database) -> Actor:
    fill_demo(db)
    with db.unit_of_work("visa") as session:
        result = login(session, "visa", "visa2026")
    assert result.actor is not None
    return result.actor


def _counts(db: Database) -> tuple[int, int, int]:
    with db.read_only() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model))
            for model in (CnaeRiskTable, CnaeRisk, CnaeRiskQuestion)
        )


def test_a_good_csv_becomes_an_inactive_version_with_its_questions(
    db: Database, visa: Actor
) -> None:
    with db.unit_of_work("visa") as session:
        result = risk_table.import_table(
            session, visa, GOOD_CSV.encode("utf-8"), name="Tabela do teste", source="Teste"
        )
    assert (result.rows, result.questions) == (3, 2)
    with db.read_only() as session:
        versions = risk_table.list_versions(session, visa)
        rows = risk_table.list_rows(session, visa, result.table_id, "aliment")
    new = next(v for v in versions if v.id == result.table_id)
    assert (new.name, new.active, new.rows) == ("Tabela do teste", False, 3)
    assert [(r.cnae_label, r.rule, r.questions) for r in rows] == [
        ("5620-1/04", RiskRule.DEPENDS, ("Atende hospitais?", "Mais de 500 refeições?"))
    ]


def test_an_iso_8859_1_file_keeps_its_accents(db: Database, visa: Actor) -> None:
    with db.unit_of_work("visa") as session:
        result = risk_table.import_table(
            session, visa, GOOD_CSV.encode("iso-8859-1"), name="Tabela Latin-1"
        )
        rows = risk_table.list_rows(session, visa, result.table_id, "5620")
    assert rows[0].questions[1] == "Mais de 500 refeições?"


def test_a_bad_csv_is_refused_whole_with_every_bad_line_named(db: Database, visa: Actor) -> None:
    before = _counts(db)
    with pytest.raises(ValidationError) as caught, db.unit_of_work("visa") as session:
        risk_table.import_table(session, visa, BAD_CSV.encode(), name="Tabela ruim")
    message = caught.value.errors["file"]
    assert message.startswith("A tabela não foi importada: 4 linha(s) com problema.")
    assert "Linha 3: CNAE '56201' inválido (use 7 dígitos, ex.: 5620-1/04)" in message
    assert "Linha 4: risco 'IV' inválido (use I, II, III ou depende)" in message
    assert "Linha 5: risco 'depende' exige as perguntas, separadas por '|'" in message
    assert "Linha 6: CNAE 5611-2/01 repetido (já está na linha 2)" in message
    assert _counts(db) == before


def test_only_managers_import(db: Database, visa: Actor) -> None:
    fiscal = Actor(None, "fiscal", "Fiscal", frozenset({"sanitary.read", "sanitary.write"}))
    with pytest.raises(PermissionDenied), db.unit_of_work("fiscal") as session:
        risk_table.import_table(session, fiscal, GOOD_CSV.encode(), name="X")


def _meals_establishment(db: Database, actor: Actor, answers: dict[str, bool]) -> uuid.UUID:
    data = EstablishmentInput(
        holder_kind=HolderKind.CNPJ,
        document="12ABC34501DE35",
        legal_name="Marmitaria Boa Mesa Ltda",
        trade_name="Boa Mesa",
        activities=activity_inputs(["5620104", "5611201"], {"5620104": answers}),
    )
    with db.unit_of_work(actor.username) as session:
        saved = create_establishment(session, actor, data)
    return saved.establishment_id


def _risk(db: Database, establishment_id: uuid.UUID) -> tuple[RiskLevel | None, str]:
    with db.read_only() as session:
        row = session.get(Establishment, establishment_id)
        assert row is not None
        return row.risk, row.risk_reason


def test_activating_a_version_leaves_one_active_and_recomputes_establishments(
    db: Database, visa: Actor
) -> None:
    establishment = _meals_establishment(db, visa, {"1": False, "2": False})
    assert _risk(db, establishment)[0] is RiskLevel.MEDIUM
    with db.unit_of_work("visa") as session:
        imported = risk_table.import_table(session, visa, GOOD_CSV.encode(), name="Nova tabela")
        changed = risk_table.activate_version(session, visa, imported.table_id)
    assert changed >= 1
    with db.read_only() as session:
        versions = risk_table.list_versions(session, visa)
    assert [v.name for v in versions if v.active] == ["Nova tabela"]
    # In the new version restaurants (the secondary activity) are III.
    level, reason = _risk(db, establishment)
    assert level is RiskLevel.HIGH
    assert reason.startswith("CNAE 5611-2/01: risco III pela tabela de risco vigente")


def test_a_municipal_rule_recomputes_the_establishments_with_that_cnae(
    db: Database, visa: Actor
) -> None:
    establishment = _meals_establishment(db, visa, {"1": False, "2": False})
    with db.unit_of_work("visa") as session:
        risk_table.save_override(
            session, visa, "5620-1/04", RiskLevel.HIGH, "Decreto municipal nº 45/2025, art. 3º"
        )
    level, reason = _risk(db, establishment)
    assert level is RiskLevel.HIGH
    assert reason.startswith(
        "CNAE 5620-1/04: Regra municipal → risco III: Decreto municipal nº 45/2025, art. 3º"
    )
    with db.unit_of_work("visa") as session:
        info = risk_table.lookup_cnae(session, "5620104")
        assert info is not None and info.overridden
        risk_table.remove_override(session, visa, "5620104")
        assert risk_table.lookup_cnae(session, "5620104").rule is RiskRule.DEPENDS  # type: ignore[union-attr]
    assert _risk(db, establishment)[0] is RiskLevel.MEDIUM


def test_editing_a_row_of_the_active_version_recomputes(db: Database, visa: Actor) -> None:
    establishment = _meals_establishment(db, visa, {"1": False, "2": False})
    with db.unit_of_work("visa") as session:
        table_id = risk_table.active_table_id(session)
        assert table_id is not None
        risk_table.update_row(
            session, visa, table_id, "5620104",
            description="Fornecimento de alimentos preparados", rule=RiskRule.DEPENDS,
            questions=["Atende hospitais?", "Mais de 500 refeições?", "Faz entregas a escolas?"],
        )  # fmt: skip
    level, reason = _risk(db, establishment)
    assert level is RiskLevel.HIGH
    assert "pergunta 3 sem resposta" in reason
