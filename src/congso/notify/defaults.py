"""Default wording of every message, registered in code so that a fresh install can send.

Operators change the wording in the admin (``MessageTemplate`` rows); a blank field there
falls back to the default here. A domain that sends a new kind of message registers its
default from its ``AppConfig.ready()``::

    from congso.notify.defaults import TemplateDefault, template_default_register

    template_default_register(TemplateDefault(key="feedback.answered", sms_vi="...", ...))

Template syntax is Django's, without ``{% load %}``, ``{% include %}`` or ``{% extends %}``.
Context values must be plain data (text, numbers, dates, lists and dicts of them).
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, kw_only=True)
class TemplateDefault:
    key: str
    description: str = ""
    # Secrets (one-time codes): the stored copy is blanked once delivered or failed.
    sensitive: bool = False
    sms_vi: str = ""
    sms_en: str = ""
    email_subject_vi: str = ""
    email_subject_en: str = ""
    email_body_vi: str = ""
    email_body_en: str = ""
    inapp_title_vi: str = ""
    inapp_title_en: str = ""
    inapp_body_vi: str = ""
    inapp_body_en: str = ""


# The wording fields, shared by name with MessageTemplate.
TEMPLATE_FIELDS = tuple(
    f.name for f in fields(TemplateDefault) if f.name not in {"key", "description", "sensitive"}
)

_registry: dict[str, TemplateDefault] = {}


def template_default_register(default: TemplateDefault) -> None:
    """Register (or replace) the code default of one message key."""
    _registry[default.key] = default


def template_default_get(key: str) -> TemplateDefault | None:
    return _registry.get(key)


def template_default_all() -> list[TemplateDefault]:
    return sorted(_registry.values(), key=lambda d: d.key)


template_default_register(
    TemplateDefault(
        key="identity.activation_code",
        description="Mã kích hoạt tài khoản định danh điện tử (context: code, minutes)",
        sensitive=True,
        sms_vi=(
            "Cổng Số: mã kích hoạt tài khoản của bạn là {{ code }}, hiệu lực {{ minutes }} phút. "
            "Không cung cấp mã này cho bất kỳ ai."
        ),
        sms_en=(
            "Cong So: your account activation code is {{ code }}, valid for {{ minutes }} minutes. "
            "Never share this code with anyone."
        ),
        email_subject_vi="Mã kích hoạt tài khoản Cổng Số",
        email_subject_en="Your Cổng Số activation code",
        email_body_vi=(
            "Xin chào,\n\nMã kích hoạt tài khoản của bạn là: {{ code }}\n"
            "Mã có hiệu lực trong {{ minutes }} phút. Không cung cấp mã này cho bất kỳ ai, "
            "kể cả người tự xưng là cán bộ.\n\nCổng Số"
        ),
        email_body_en=(
            "Hello,\n\nYour account activation code is: {{ code }}\n"
            "It is valid for {{ minutes }} minutes. Never share it with anyone, "
            "including people who claim to be officials.\n\nCổng Số"
        ),
    )
)

template_default_register(
    TemplateDefault(
        key="dossier.received",
        description="Hồ sơ đã được tiếp nhận (context: code, procedure, due_date)",
        sms_vi=(
            "Cổng Số: hồ sơ {{ code }} ({{ procedure }}) đã được tiếp nhận, "
            "hẹn trả kết quả ngày {{ due_date|date:'d/m/Y' }}."
        ),
        sms_en=(
            "Cong So: dossier {{ code }} ({{ procedure }}) has been received; "
            "result due on {{ due_date|date:'d/m/Y' }}."
        ),
        email_subject_vi="Hồ sơ {{ code }} đã được tiếp nhận",
        email_subject_en="Dossier {{ code }} received",
        email_body_vi=(
            "Hồ sơ {{ code }} – {{ procedure }} đã được tiếp nhận.\n\n"
            "Ngày hẹn trả kết quả: {{ due_date|date:'d/m/Y' }}.\n\nCổng Số"
        ),
        email_body_en=(
            "Dossier {{ code }} – {{ procedure }} has been received.\n\n"
            "Result due on: {{ due_date|date:'d/m/Y' }}.\n\nCổng Số"
        ),
        inapp_title_vi="Hồ sơ {{ code }} đã được tiếp nhận",
        inapp_title_en="Dossier {{ code }} received",
        inapp_body_vi="{{ procedure }}. Ngày hẹn trả kết quả: {{ due_date|date:'d/m/Y' }}.",
        inapp_body_en="{{ procedure }}. Result due on {{ due_date|date:'d/m/Y' }}.",
    )
)
