"""The acting account as services see it: who, which permissions, which units.

Produced by a successful login and passed to every service and query. Services call
`actor.require(...)` before doing anything; hiding a button in the UI is only a convenience.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from app.errors import PermissionDenied
from app.security.permissions import label_of

ALL = "*"


@dataclass(frozen=True)
class Actor:
    """An authenticated account (or the system itself for start-up and CLI work)."""

    account_id: uuid.UUID | None
    username: str
    full_name: str
    permissions: frozenset[str] = field(default_factory=frozenset)
    # CNES codes the account is limited to; empty means every unit.
    units: frozenset[str] = field(default_factory=frozenset)

    def can(self, permission: str) -> bool:
        return ALL in self.permissions or permission in self.permissions

    def may_use_unit(self, unit_cnes: str | None) -> bool:
        return not self.units or unit_cnes is None or unit_cnes in self.units

    def require(self, permission: str, unit_cnes: str | None = None) -> None:
        """Raise PermissionDenied unless the account holds `permission` (for `unit_cnes`)."""
        if not self.can(permission):
            raise PermissionDenied(
                f"Seu perfil não permite esta operação ({label_of(permission)}). "
                "Peça ao administrador do sistema."
            )
        if not self.may_use_unit(unit_cnes):
            raise PermissionDenied(
                f"Sua conta não tem acesso aos registros da unidade CNES {unit_cnes}."
            )

    def departments(self) -> set[str]:
        """Departments (the part before the dot) the account has any permission in."""
        if ALL in self.permissions:
            from app.security.permissions import PERMISSIONS

            return {name.split(".", 1)[0] for name in PERMISSIONS}
        return {name.split(".", 1)[0] for name in self.permissions}


SYSTEM = Actor(
    account_id=None, username="sistema", full_name="Sistema", permissions=frozenset({ALL})
)
