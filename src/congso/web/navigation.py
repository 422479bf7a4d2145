"""Links of the site shell, shown only once the page behind them exists."""

from __future__ import annotations

from django.urls import Resolver404, get_script_prefix, resolve

# Owned by the registry domain; the shell links to it by its public address.
ENTERPRISE_LOOKUP_PATH = "/tra-cuu/doanh-nghiep/"
# Owned by the dossiers domain: anyone with a dossier code and the ID number follows it.
DOSSIER_LOOKUP_PATH = "/tra-cuu/ho-so/"
# Owned by the catalog domain: the procedure search.
PROCEDURES_PATH = "/thu-tuc/"
# Owned by the identity domain.
ACTIVATION_PATH = "/kich-hoat/"
LOGIN_PATH = "/dang-nhap/"
# Owned by the exchange domain: what a citizen sees of the data shared about them.
DATA_TRACKER_PATH = "/tai-khoan/du-lieu-cua-toi/"
CONSENTS_PATH = "/tai-khoan/dong-y/"


def routed_url(path: str) -> str | None:
    """The URL of ``path`` if a view answers it, else None: the shell never links to a missing page."""
    try:
        resolve(path)
    except Resolver404:
        return None
    return get_script_prefix() + path.lstrip("/")
