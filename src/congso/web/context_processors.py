from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .navigation import DOSSIER_LOOKUP_PATH, ENTERPRISE_LOOKUP_PATH, PROCEDURES_PATH, routed_url


def site(request: HttpRequest) -> dict[str, Any]:
    """Site name, demo flag and the main navigation, for every template."""
    navigation = []
    for path, label in (
        ("/", _("Home")),
        (PROCEDURES_PATH, _("Administrative procedures")),
        (ENTERPRISE_LOOKUP_PATH, _("Enterprise lookup")),
        (DOSSIER_LOOKUP_PATH, _("Dossier lookup")),
    ):
        url = routed_url(path)
        if url is None:
            continue
        current = request.path_info == path if path == "/" else request.path_info.startswith(path)
        navigation.append({"url": url, "label": label, "current": current})
    return {"SITE_NAME": settings.CONGSO_SITE_NAME, "DEMO_MODE": settings.DEMO_MODE, "NAVIGATION": navigation}
