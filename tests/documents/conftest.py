"""Fixtures of the document-store tests: files kept in a fresh folder, fast password hashing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from congso.identity.models import User
from congso.identity.testing import force_login_mfa
from tests.identity.factories import make_account, make_citizen


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    """Each test stores its files in its own folder (and can look at what is there)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.MEDIA_ROOT


@pytest.fixture
def media(_media: Path) -> Path:
    return _media


@pytest.fixture
def citizen_user(db: None) -> User:
    return make_account(make_citizen(full_name="Nguyễn Thị Lan"), level=2)


@pytest.fixture
def neighbour(db: None) -> User:
    return make_account(make_citizen(full_name="Trần Văn Hàng Xóm"), level=2)


@pytest.fixture
def logged_in(client: Client, citizen_user: User) -> Client:
    force_login_mfa(client, citizen_user)
    return client
