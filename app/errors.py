"""Exceptions that services raise and screens translate into messages for the user.

Every message here is Portuguese because it reaches a person; the class names are English because
they reach developers. A service never returns None for "failed": it raises one of these.
"""

from __future__ import annotations

from collections.abc import Mapping


class UserFacingError(Exception):
    """An error whose message can be shown to the user as is."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class ValidationError(UserFacingError):
    """Input was refused; `errors` maps each form field to its Portuguese message.

    The key "" holds messages that belong to the form as a whole.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


class DuplicateError(ValidationError):
    """The record would duplicate an existing one (same CNS or CPF); `existing_id` points to it."""

    def __init__(self, errors: Mapping[str, str], existing_id: object) -> None:
        super().__init__(errors)
        self.existing_id = existing_id


class PermissionDenied(UserFacingError):
    """The acting account lacks the permission (or the unit) the operation needs."""


class NotFound(UserFacingError):
    """The record asked for does not exist (or was deleted)."""


class AuthenticationError(UserFacingError):
    """Login refused: wrong credentials, inactive account or lockout."""


class DatabaseError(UserFacingError):
    """The database cannot be opened or upgraded (newer schema, unreadable file, …)."""
