"""Refusals of the dossier domain, each with a message in Vietnamese and English."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from congso.core.errors import Conflict, InvalidInput
from congso.identity.errors import RateLimited

from .choices import Action, Status, label_en, label_vi


class TransitionNotAllowed(Conflict):
    """The action is not allowed from the dossier's current status."""

    code = "transition_not_allowed"

    def __init__(self, *, action: str, status: int, detail_vi: str = "", detail_en: str = "") -> None:
        action_label = str(dict(Action.choices).get(action, action))
        status_label = str(Status(status).label)
        vi = f"Không thể '{label_vi(action_label)}' khi hồ sơ đang ở trạng thái '{label_vi(status_label)}'."
        en = f"Cannot '{label_en(action_label)}' while the dossier is '{label_en(status_label)}'."
        if detail_vi:
            vi, en = f"{vi} {detail_vi}", f"{en} {detail_en}"
        super().__init__(vi, en)
        self.action = action
        # Not ``status``: that is the HTTP status (409) every edge maps the refusal to.
        self.dossier_status = status


class FormInvalid(InvalidInput):
    """The answers do not fit the form: one message per field in ``errors``."""

    code = "form_invalid"

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(
            "Biểu mẫu còn thông tin chưa hợp lệ; xem thông báo ở từng trường.",
            "Some answers are not valid; see the message at each field.",
        )
        self.errors = errors


class ConsentNeeded(InvalidInput):
    """Prefilling needs the applicant's consent to fetch their data from the registries."""

    code = "consent_required"

    def __init__(self, services: list[str]) -> None:
        super().__init__(
            "Cần sự đồng ý của bạn để lấy dữ liệu từ cơ sở dữ liệu quốc gia.",
            "Your consent is needed to fetch your data from the national databases.",
        )
        self.services = services


class TooManyLookups(RateLimited):
    """Too many missed public lookups from one address: it is locked out until ``until``."""

    code = "too_many_lookups"

    def __init__(self, until: datetime) -> None:
        when = timezone.localtime(until).strftime("%H:%M")
        super().__init__(
            until,
            message_vi=f"Tra cứu sai quá nhiều lần; hãy thử lại sau {when}.",
            message_en=f"Too many lookups missed; try again after {when}.",
        )
