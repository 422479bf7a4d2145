"""For other domains' tests: a logged-in session as the login pages leave it.

``Client.force_login`` alone makes a session without a second factor, which the admin, the
officer pages and every ``login_required_mfa`` page refuse (as they must). Tests that need such
a page log in with :func:`force_login_mfa` instead.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from .assurance import ACR_BY_LEVEL, AMR_PASSWORD_SMS, SESSION_AUTH_KEY


def force_login_mfa(client: Any, user: Any, *, amr: Sequence[str] = tuple(AMR_PASSWORD_SMS)) -> None:
    """Log ``user`` in on the test ``client`` as if through password + SMS code."""
    client.force_login(user)
    session = client.session
    session[SESSION_AUTH_KEY] = {
        "acr": ACR_BY_LEVEL.get(getattr(user, "assurance_level", 1), ACR_BY_LEVEL[1]),
        "amr": list(amr),
        "auth_time": int(time.time()),
    }
    session.save()
