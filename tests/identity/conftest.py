"""Fixtures of the identity tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    """MD5 instead of Argon2: the tests are about behaviour, not the cost of hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
