"""Fixtures of the catalog tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from congso.catalog.services import ImportReport, catalog_demo_load


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    """Labels are translated; tests read them in the site's default language."""
    with translation.override("vi"):
        yield


@pytest.fixture
def demo_catalog(db: None) -> ImportReport:
    return catalog_demo_load()
