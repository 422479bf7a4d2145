"""Fixtures of the registry tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from congso.core import audit as core_audit
from congso.registry.models import AdministrativeUnit

from . import factories


@pytest.fixture
def units(db: None) -> dict[str, AdministrativeUnit]:
    return factories.units()


class AuditSpy:
    """Records the calls the registry makes to ``audit_record``, and passes them on."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        return core_audit.audit_record(**kwargs)

    def actions(self) -> list[str]:
        return [call["action"] for call in self.calls]


@pytest.fixture
def audit(monkeypatch: pytest.MonkeyPatch) -> AuditSpy:
    """Watch the registry's calls to the audit chain, in every module that writes."""
    spy = AuditSpy()
    for module in ("services", "importing", "admin"):
        monkeypatch.setattr(f"congso.registry.{module}.audit_record", spy)
    return spy


@pytest.fixture
def write_csv(tmp_path: Any) -> Callable[..., Any]:
    """Write text to a CSV file in ``encoding`` and return its path."""

    def write(text: str, *, name: str = "data.csv", encoding: str = "utf-8") -> Any:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write
