"""System checks of the identity domain."""

from __future__ import annotations

from typing import Any

from django.core import checks

from . import fieldcrypt


@checks.register(checks.Tags.security)
def check_field_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Keys that cannot be parsed would otherwise surface only when a secret is read."""
    try:
        fieldcrypt.keys_configured()
    except fieldcrypt.FieldKeyError as error:
        return [
            checks.Error(
                str(error),
                hint="Each key is 32 random bytes in urlsafe base64; the first one encrypts.",
                id="identity.E001",
            )
        ]
    return []
