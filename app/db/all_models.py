"""Imports every models module so that `Base.metadata` knows every table (Alembic, tests)."""

from app.care import models as care_models
from app.db.base import Base
from app.installation import models as installation_models
from app.reference import models as reference_models
from app.registry import models as registry_models
from app.reports import models as reports_models
from app.sanitary import models as sanitary_models
from app.security import models as security_models
from app.sync import models as sync_models

__all__ = [
    "Base",
    "care_models",
    "installation_models",
    "reference_models",
    "registry_models",
    "reports_models",
    "sanitary_models",
    "security_models",
    "sync_models",
]
