"""The signing app's settings, with their defaults (the settings block may override any of them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

_DEFAULTS: dict[str, Any] = {
    "CONGSO_PKI_DIR": None,  # DATA_DIR / "pki"
    "CONGSO_PKI_PASSPHRASE": "",
    "CONGSO_SIGNING_DEMO_CA": True,
    "CONGSO_SIGNING_CERTIFICATE_DAYS": 1095,
    "CONGSO_PDF_FONT_DIR": "/usr/share/fonts/truetype/dejavu",
    "CONGSO_SIGNING_VERIFY_MAX_BYTES": 10 * 1024 * 1024,
    "CONGSO_SIGNING_VERIFY_PER_IP_PER_HOUR": 60,
    "CONGSO_SITE_NAME": "Cổng Số",
}


def setting(name: str) -> Any:
    return getattr(settings, name, _DEFAULTS[name])


def pki_dir() -> Path:
    configured = setting("CONGSO_PKI_DIR")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "pki"
