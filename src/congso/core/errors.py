"""Domain errors: typed exceptions that carry a message a citizen can act on.

Every domain raises subclasses of :class:`DomainError`; the web and API edges map them once
to an HTTP status and a message in Vietnamese first, English second.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal the user can understand and act on."""

    status: int = 400
    code: str = "domain_error"

    def __init__(
        self, message_vi: str, message_en: str, *, code: str | None = None, field: str | None = None
    ):
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en
        self.field = field
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        """Vietnamese first, English second, as every user-facing message is."""
        return f"{self.message_vi} ({self.message_en})"

    def as_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "message": self.message,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "field": self.field,
        }


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"


class Conflict(DomainError):
    status = 409
    code = "conflict"
