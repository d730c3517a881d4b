"""The department's parameters (prazos, validities, inspection frequencies, fines) as one row.

`current_config` returns the row, creating it with the defaults (Lei 6.437/1977 and the common
municipal practice) the first time; `config_values` gives the plain, frozen copy that rules and
screens use; `update_config` lets the coordination change them, checked and audited.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.sanitary.enums import Gravity, RiskLevel
from app.sanitary.models import DEFAULT_FINE_BASIS, SanitaryConfig
from app.security import audit
from app.security.actor import Actor


@dataclass(frozen=True)
class ConfigValues:
    """A copy of the parameters: what rules, services and screens read."""

    department_name: str
    legal_basis: str
    frequency_low_months: int
    frequency_medium_months: int
    frequency_high_months: int
    licence_months: int
    provisional_licence_months: int
    defence_days: int
    reply_days: int
    judgement_days: int
    appeal_days: int
    complaint_days: int
    business_days: bool
    fine_light_min: Decimal
    fine_light_max: Decimal
    fine_serious_min: Decimal
    fine_serious_max: Decimal
    fine_very_serious_min: Decimal
    fine_very_serious_max: Decimal
    fine_basis: str = DEFAULT_FINE_BASIS

    def frequency_months(self, risk: RiskLevel) -> int:
        """Months between routine inspections for an establishment of `risk`."""
        return {
            RiskLevel.LOW: self.frequency_low_months,
            RiskLevel.MEDIUM: self.frequency_medium_months,
            RiskLevel.HIGH: self.frequency_high_months,
        }[risk]

    def fine_range(self, gravity: Gravity) -> tuple[Decimal, Decimal]:
        """The fine range (minimum, maximum) of an infraction of `gravity`."""
        return {
            Gravity.LIGHT: (self.fine_light_min, self.fine_light_max),
            Gravity.SERIOUS: (self.fine_serious_min, self.fine_serious_max),
            Gravity.VERY_SERIOUS: (self.fine_very_serious_min, self.fine_very_serious_max),
        }[gravity]


_NAMES = tuple(f.name for f in fields(ConfigValues))


def current_config(session: Session) -> SanitaryConfig:
    """The parameters row (the oldest live one), created with the defaults when missing."""
    query = select(SanitaryConfig).where(SanitaryConfig.deleted_at.is_(None))
    row = session.scalars(query.order_by(SanitaryConfig.created_at).limit(1)).first()
    if row is None:
        row = SanitaryConfig()
        session.add(row)
        session.flush()
    return row


def config_values(session: Session) -> ConfigValues:
    """The parameters as a frozen copy."""
    row = current_config(session)
    return ConfigValues(**{name: getattr(row, name) for name in _NAMES})


def _problems(values: ConfigValues) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in _NAMES:
        value = getattr(values, name)
        if isinstance(value, int) and not isinstance(value, bool) and not 1 <= value <= 120:
            errors[name] = "Informe um número entre 1 e 120."
    for gravity in Gravity:
        low, high = values.fine_range(gravity)
        if low <= 0 or high < low:
            errors[f"fine_{gravity.name.lower()}_max"] = (
                f"Multa {gravity.label.lower()}: o máximo deve ser maior ou igual ao mínimo, "
                "e o mínimo maior que zero."
            )
    if not values.legal_basis.strip():
        errors["legal_basis"] = "Informe a base legal (código sanitário) dos documentos."
    if not values.fine_basis.strip():
        errors["fine_basis"] = "Informe o dispositivo que fixa as multas (ex.: art. 2º, § 1º)."
    return errors


def update_config(session: Session, actor: Actor, values: ConfigValues) -> ConfigValues:
    """Store new parameters (coordination only); nothing changes if any value is refused."""
    actor.require("sanitary.manage")
    errors = _problems(values)
    if errors:
        raise ValidationError(errors)
    row = current_config(session)
    changed = [name for name in _NAMES if getattr(row, name) != getattr(values, name)]
    for name, value in asdict(values).items():
        setattr(row, name, value)
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        entity="sanitary_config",
        entity_id=str(row.id),
        detail={"fields": changed},
    )
    return config_values(session)
