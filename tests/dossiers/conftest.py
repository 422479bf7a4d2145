"""Fixtures of the dossier tests."""

from __future__ import annotations

from typing import Any

import pytest

from . import factories


@pytest.fixture(autouse=True)
def _dossier_settings(settings: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db: None) -> factories.World:
    return factories.world()
