"""Audit log: append-only entries chained with SHA-256. (Being implemented.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models


def audit_record(
    *,
    actor: Any = None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    details: Mapping[str, Any] | None = None,
) -> Any:
    """Append one entry to the audit chain inside the caller's transaction."""
    return None
