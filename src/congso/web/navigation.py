"""Links of the site shell, shown only once the page behind them exists."""

from __future__ import annotations

from django.urls import Resolver404, get_script_prefix, resolve

# Owned by the registry domain; the shell links to it by its public address.
ENTERPRISE_LOOKUP_PATH = "/tra-cuu/doanh-nghiep/"


def routed_url(path: str) -> str | None:
    """The URL of ``path`` if a view answers it, else None: the shell never links to a missing page."""
    try:
        resolve(path)
    except Resolver404:
        return None
    return get_script_prefix() + path.lstrip("/")
