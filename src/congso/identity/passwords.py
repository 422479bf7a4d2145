"""The password rule of the national eID (Decree 69/2024): 8-20 characters of four kinds."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 20


class ComplexityValidator:
    """8-20 characters with an upper-case letter, a lower-case letter, a digit and a symbol.

    Letters with Vietnamese diacritics count as letters; a symbol is anything printable that
    is neither a letter nor a digit nor a space.
    """

    def validate(self, password: str, user: Any = None) -> None:
        errors = []
        if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
            errors.append(
                ValidationError(_("The password must be 8 to 20 characters long."), code="password_length")
            )
        if not any(c.isupper() for c in password):
            errors.append(ValidationError(_("Add an upper-case letter."), code="password_no_upper"))
        if not any(c.islower() for c in password):
            errors.append(ValidationError(_("Add a lower-case letter."), code="password_no_lower"))
        if not any(c.isdigit() for c in password):
            errors.append(ValidationError(_("Add a digit."), code="password_no_digit"))
        if not any(not c.isalnum() and not c.isspace() for c in password):
            errors.append(ValidationError(_("Add a symbol such as ! @ # $ %."), code="password_no_symbol"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _(
            "8 to 20 characters, with at least one upper-case letter, one lower-case letter, "
            "one digit and one symbol."
        )


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id at the OWASP Password Storage parameters (19 MiB, 2 passes, 1 lane).

    Django's default (100 MiB, 8 lanes) costs ~210 ms of CPU per login on a 2-core server, which
    caps a province's login peak at about ten a second; these parameters keep the memory-hardness
    that defeats GPU cracking at a fraction of the cost. Hashes made with other parameters are
    re-hashed on the next successful login (Django's ``must_update``).
    """

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
