"""Account and role administration as the administration screens use it.

Refusals are checked for what the administrator sees (the message beside the field) and for what
did not happen (no row, no audit entry); successes for what the lists show afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from app.clock import FixedClock
from app.db.session import Database
from app.errors import PermissionDenied, ValidationError
from app.security import audit
from app.security.accounts import (
    LAST_ADMIN,
    AccountInput,
    AccountUpdate,
    RoleInput,
    create_account,
    create_role,
    list_accounts,
    list_roles,
    reset_password,
    update_account,
    update_role,
)
from app.security.actor import Actor
from app.security.auth import LOCKOUT, MAX_FAILED_ATTEMPTS, actor_for
from app.security.models import Account, AuditEntry
from app.security.permissions import PERMISSIONS
from app.security.roles_seed import ensure_default_roles
from tests.unit.security.conftest import PASSWORD, Login, MakeAccount

Counter = Callable[[type[Account] | type[AuditEntry]], int]
CLERK = Actor(uuid.uuid4(), "recepcao", "Recepção", frozenset({"registry.read", "registry.write"}))


def new_account(roles: dict[str, uuid.UUID], **changes: Any) -> AccountInput:
    values: dict[str, Any] = {
        "username": "Maria.Silva",
        "full_name": "  Maria   da Silva ",
        "password": "Ipê-amarelo-2026",
        "role_ids": [roles["Recepção"]],
        "unit_restriction": ["2077485"],
    }
    values.update(changes)
    return AccountInput(**values)


def refusal(db: Database, actor: Actor, data: AccountInput) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused, db.unit_of_work() as session:
        create_account(session, actor, data)
    return refused.value.errors


def accounts(db: Database, admin: Actor) -> dict[str, Any]:
    with db.read_only() as session:
        return {row.username: row for row in list_accounts(session, admin)}


# --- accounts ------------------------------------------------------------------------------------


def test_a_new_account_appears_in_the_list_and_must_change_its_password(
    db: Database, admin: Actor, roles: dict[str, uuid.UUID], try_login: Login
) -> None:
    with db.unit_of_work() as session:
        account_id = create_account(session, admin, new_account(roles))
    row = accounts(db, admin)["maria.silva"]
    assert row.id == account_id
    assert row.full_name == "Maria da Silva"
    assert row.role_names == ("Recepção",)
    assert row.units == ("2077485",)
    assert row.must_change_password and row.active and not row.locked
    assert try_login("maria.silva", "Ipê-amarelo-2026").must_change_password


def test_creation_is_audited_with_field_names_only(
    db: Database, admin: Actor, roles: dict[str, uuid.UUID]
) -> None:
    with db.unit_of_work() as session:
        account_id = create_account(session, admin, new_account(roles))
    with db.read_only() as session:
        rows = audit.history_of(session, admin, "account", str(account_id))
    assert [(r.action_label, r.username) for r in rows] == [("Inclusão", "admin")]
    assert "password" not in rows[0].detail["fields"]
    assert "Ipê-amarelo-2026" not in repr(rows) and "$argon2" not in repr(rows)


def test_without_admin_accounts_nothing_is_written(
    db: Database, roles: dict[str, uuid.UUID], count_rows: Counter
) -> None:
    before = (count_rows(Account), count_rows(AuditEntry))
    with pytest.raises(PermissionDenied) as denied, db.unit_of_work() as session:
        create_account(session, CLERK, new_account(roles))
    assert "Gerenciar contas de usuário e perfis" in denied.value.message
    assert (count_rows(Account), count_rows(AuditEntry)) == before


def test_a_duplicate_username_is_refused_beside_the_field(
    db: Database, admin: Actor, roles: dict[str, uuid.UUID], count_rows: Counter
) -> None:
    with db.unit_of_work() as session:
        create_account(session, admin, new_account(roles))
    before = count_rows(Account)
    errors = refusal(db, admin, new_account(roles, username=" MARIA.SILVA "))
    assert errors == {"username": "Este nome de usuário já está em uso."}
    assert count_rows(Account) == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "ma"}, "username", "Use de 3 a 40 caracteres"),
        ({"username": "joão"}, "username", "Use de 3 a 40 caracteres"),
        ({"username": "maria silva"}, "username", "Use de 3 a 40 caracteres"),
        ({"full_name": "   "}, "full_name", "Informe o nome completo."),
        ({"password": "curta"}, "password", "A senha deve ter pelo menos 8 caracteres."),
        ({"password": "maria.silva"}, "password", "A senha não pode ser igual ao nome de usuário."),
        ({"role_ids": []}, "role_ids", "Escolha ao menos um perfil."),
        ({"role_ids": [uuid.uuid4()]}, "role_ids", "Perfil não encontrado"),
        ({"unit_restriction": ["12345"]}, "unit_restriction", "O CNES deve ter 7 dígitos. (12345)"),
        ({"unit_restriction": ["20774A5"]}, "unit_restriction", "somente números"),
    ],
)
def test_invalid_input_is_refused_beside_the_field(
    db: Database,
    admin: Actor,
    roles: dict[str, uuid.UUID],
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    errors = refusal(db, admin, new_account(roles, **changes))
    assert list(errors) == [field]
    assert message in errors[field]


def test_all_problems_are_reported_at_once(
    db: Database, admin: Actor, roles: dict[str, uuid.UUID]
) -> None:
    data = new_account(roles, username="x", full_name="", password="1", role_ids=[])
    assert set(refusal(db, admin, data)) == {"username", "full_name", "password", "role_ids"}


def test_update_changes_only_what_differs_and_says_what(
    db: Database, admin: Actor, roles: dict[str, uuid.UUID], make_account: MakeAccount
) -> None:
    account_id = make_account("ana.souza", units=("2077485",))
    same = AccountUpdate("Pessoa ana.souza", [roles["Recepção"]], ["2077485"])
    other = AccountUpdate("Ana Souza", [roles["Consulta"]], [], active=False)
    with db.unit_of_work() as session:
        unchanged = update_account(session, admin, account_id, same)
        changed = update_account(session, admin, account_id, other)
    assert unchanged.fields == ()
    assert changed.fields == ("full_name", "roles", "unit_restriction", "active")
    row = accounts(db, admin)["ana.souza"]
    assert (row.full_name, row.role_names, row.units) == ("Ana Souza", ("Consulta",), ())
    assert not row.active
    with db.read_only() as session:
        history = audit.history_of(session, admin, "account", str(account_id))
    assert history[0].detail == {"fields": ["full_name", "roles", "unit_restriction", "active"]}


def test_the_last_administrator_cannot_be_deactivated_or_demoted(
    db: Database, admin: Actor, roles: dict[str, uuid.UUID]
) -> None:
    assert admin.account_id is not None
    for data in (
        AccountUpdate("Admin", [roles["Administrador"]], [], active=False),
        AccountUpdate("Admin", [roles["Consulta"]], []),
    ):
        with pytest.raises(ValidationError) as refused, db.unit_of_work() as session:
            update_account(session, admin, admin.account_id, data)
        assert refused.value.errors == {"": LAST_ADMIN}
    with pytest.raises(ValidationError) as refused, db.unit_of_work() as session:
        demoted = RoleInput("Administrador", "", ["registry.read"])
        update_role(session, admin, roles["Administrador"], demoted)
    assert refused.value.errors == {"permissions": LAST_ADMIN}
    with db.read_only() as session:
        assert actor_for(session, admin.account_id).can("admin.accounts")


def test_with_a_second_administrator_the_first_may_step_down(
    db: Database, admin: Actor, roles: dict[str, uuid.UUID], make_account: MakeAccount
) -> None:
    assert admin.account_id is not None
    make_account("chefe", role="Administrador")
    with db.unit_of_work() as session:
        data = AccountUpdate("Admin", [roles["Consulta"]], [])
        assert update_account(session, admin, admin.account_id, data).fields
    assert accounts(db, admin)["admin"].role_names == ("Consulta",)


def test_reset_password_unlocks_and_forces_a_change(
    db: Database,
    admin: Actor,
    make_account: MakeAccount,
    try_login: Login,
    clock: FixedClock,
) -> None:
    account_id = make_account("ana.souza", must_change_password=False)
    for n in range(MAX_FAILED_ATTEMPTS):
        try_login("ana.souza", f"errada-{n}-xyz")
    assert accounts(db, admin)["ana.souza"].locked
    with pytest.raises(ValidationError) as refused, db.unit_of_work() as session:
        reset_password(session, admin, account_id, "123")
    assert refused.value.errors == {"password": "A senha deve ter pelo menos 8 caracteres."}
    with db.unit_of_work() as session:
        reset_password(session, admin, account_id, "Senha-provisoria-9")
    row = accounts(db, admin)["ana.souza"]
    assert not row.locked and row.must_change_password
    assert try_login("ana.souza", PASSWORD).error == "Usuário ou senha incorretos."
    result = try_login("ana.souza", "Senha-provisoria-9")
    assert result.ok and result.must_change_password
    with db.read_only() as session:
        history = audit.history_of(session, admin, "account", str(account_id))
    assert "Senha redefinida pelo administrador" in [r.action_label for r in history]


def test_the_lock_shows_until_when_and_ends_by_itself(
    db: Database, admin: Actor, make_account: MakeAccount, try_login: Login, clock: FixedClock
) -> None:
    make_account("ana.souza")
    for n in range(MAX_FAILED_ATTEMPTS):
        try_login("ana.souza", f"errada-{n}-xyz")
    row = accounts(db, admin)["ana.souza"]
    assert row.locked and row.locked_until == clock.now() + LOCKOUT
    clock.advance(row.locked_until - clock.now())
    assert not accounts(db, admin)["ana.souza"].locked


# --- roles ---------------------------------------------------------------------------------------


def test_the_standard_roles_are_created_once(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as session:
        first = ensure_default_roles(session)
    with db.unit_of_work() as session:
        again = ensure_default_roles(session)
    assert first == again
    with db.read_only() as session:
        listed = {row.name: row for row in list_roles(session, admin)}
    assert set(listed) == {
        "Administrador",
        "Recepção",
        "Faturamento",
        "Consulta",
        "Auditor",
        "Fiscal sanitário",
        "Coordenação da VISA",
    }
    assert listed["Administrador"].permissions == tuple(sorted(PERMISSIONS))
    assert listed["Consulta"].permissions == ("registry.read",)
    assert listed["Administrador"].account_count == 1


def test_a_role_with_an_unknown_permission_is_refused(db: Database, admin: Actor) -> None:
    data = RoleInput("Fiscal", "Vigilância", ["registry.read", "sanitary.fly"])
    with pytest.raises(ValidationError) as refused, db.unit_of_work() as session:
        create_role(session, admin, data)
    assert refused.value.errors == {"permissions": "Permissão desconhecida: sanitary.fly."}


def test_a_role_name_is_unique_ignoring_case(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError) as refused, db.unit_of_work() as session:
        create_role(session, admin, RoleInput("RECEPÇÃO", "", ["registry.read"]))
    assert refused.value.errors == {"name": "Já existe um perfil com este nome."}


def test_a_new_role_grants_its_permissions_at_the_next_login(
    db: Database, admin: Actor, make_account: MakeAccount, try_login: Login
) -> None:
    with db.unit_of_work() as session:
        role_id = create_role(session, admin, RoleInput(" Impressão ", "", ["registry.print"]))
    account_id = make_account("ana.souza", role="Consulta")
    with db.unit_of_work() as session:
        data = AccountUpdate("Ana", [role_id], [])
        update_account(session, admin, account_id, data)
        wider = RoleInput("Impressão", "Imprime fichas", ["registry.print", "registry.read"])
        changes = update_role(session, admin, role_id, wider)
    assert changes.fields == ("description", "permissions")
    result = try_login("ana.souza", PASSWORD)
    assert result.actor is not None
    assert result.actor.permissions == {"registry.print", "registry.read"}


@pytest.mark.parametrize(
    "call",
    [
        lambda s, roles: list_accounts(s, CLERK),
        lambda s, roles: list_roles(s, CLERK),
        lambda s, roles: create_role(s, CLERK, RoleInput("Novo", "", [])),
        lambda s, roles: update_role(s, CLERK, roles["Consulta"], RoleInput("Consulta", "", [])),
        lambda s, roles: reset_password(s, CLERK, uuid.uuid4(), "Senha-provisoria-9"),
        lambda s, roles: update_account(s, CLERK, uuid.uuid4(), AccountUpdate("X", [], [])),
    ],
)
def test_every_administration_service_needs_admin_accounts(
    db: Database, roles: dict[str, uuid.UUID], call: Callable[..., object]
) -> None:
    with pytest.raises(PermissionDenied), db.unit_of_work() as session:
        call(session, roles)
