"""Fixtures of the signing tests: a private key directory per test, agencies, documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation

from congso.registry.models import Agency

from . import factories


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    """Labels are translated; tests read them in the site's default language."""
    with translation.override("vi"):
        yield


@pytest.fixture(autouse=True)
def pki_dir(tmp_path: Path) -> Iterator[Path]:
    """Each test has its own key directory and passphrase, as a fresh installation would."""
    directory = tmp_path / "pki"
    with override_settings(
        CONGSO_PKI_DIR=directory, CONGSO_PKI_PASSPHRASE="test-passphrase-" + tmp_path.name
    ):
        yield directory


@pytest.fixture
def agency(db: None) -> Agency:
    return factories.agency()


@pytest.fixture
def receipt_pdf() -> bytes:
    return factories.receipt_pdf()
