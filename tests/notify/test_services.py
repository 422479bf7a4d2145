from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client

from congso.core.errors import InvalidInput
from congso.notify.models import Channel, DevPhoneMessage, Message, MessageStatus, MessageTemplate
from congso.notify.phone import phone_normalize
from congso.notify.rendering import template_render
from congso.notify.services import REDACTED, message_send, template_save
from congso.notify.sms import sms_prepare

from .support import FakeGateway, make_user

pytestmark = pytest.mark.django_db

DOSSIER = {"code": "000.00.01.H01-261128-0001", "procedure": "Cấp bản sao trích lục khai sinh"}


def dossier_context() -> dict[str, Any]:
    return {**DOSSIER, "due_date": datetime.date(2026, 12, 3)}


def activate_then_fail() -> None:
    """An account activation that queues its SMS, then fails and rolls back."""
    with transaction.atomic():
        message_send(
            template="identity.activation_code",
            context={"code": "482913", "minutes": 5},
            channels=[Channel.SMS],
            phone="0912345678",
        )
        raise RuntimeError("the activation failed after the SMS was queued")


def test_rolled_back_transaction_sends_nothing(
    gateway: FakeGateway, immediate_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        activate_then_fail()
    assert callbacks == []
    assert not Message.objects.exists()
    assert gateway.requests == []  # no phone received the code of an account that does not exist


def test_after_commit_the_sms_reaches_the_dev_phone(
    dev_phone: Any, immediate_tasks: Any, django_capture_on_commit_callbacks: Any, client: Client
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        [message] = message_send(
            template="identity.activation_code",
            context={"code": "482913", "minutes": 5},
            channels=[Channel.SMS],
            phone="091 234 5678",
        )
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 1
    [sms] = client.get("/dev/phone.json").json()["messages"]
    assert sms["to"] == "+84912345678"
    assert "mã kích hoạt tài khoản của bạn là 482913" in sms["text"]
    page = client.get("/dev/phone")
    assert page.status_code == 200
    assert "482913" in page.content.decode()
    assert "+84912345678" in page.content.decode()


def test_one_time_codes_are_not_kept_in_the_outbox_once_sent(
    dev_phone: Any, immediate_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        [message] = message_send(
            template="identity.activation_code",
            context={"code": "482913", "minutes": 5},
            channels=[Channel.SMS],
            phone="0912345678",
        )
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert "482913" not in message.body
    assert message.body == REDACTED
    assert "482913" in DevPhoneMessage.objects.get().text


def test_the_user_language_chooses_the_wording(immediate_tasks: Any) -> None:
    user = make_user(preferred_language="en")
    [english] = message_send(
        template="dossier.received", context=dossier_context(), channels=[Channel.INAPP], user=user
    )
    [vietnamese] = message_send(
        template="dossier.received",
        context=dossier_context(),
        channels=[Channel.INAPP],
        user=make_user(),
    )
    assert english.language == "en"
    assert english.subject == "Dossier 000.00.01.H01-261128-0001 received"
    assert "Result due on 03/12/2026" in english.body
    assert vietnamese.language == "vi"
    assert vietnamese.subject == "Hồ sơ 000.00.01.H01-261128-0001 đã được tiếp nhận"
    assert "Ngày hẹn trả kết quả: 03/12/2026" in vietnamese.body


def test_render_in_vietnamese_and_english() -> None:
    vi = template_render(
        key="identity.activation_code", channel="sms", language="vi", context={"code": "111222", "minutes": 5}
    )
    en = template_render(
        key="identity.activation_code", channel="sms", language="en", context={"code": "111222", "minutes": 5}
    )
    assert vi.body.startswith("Cổng Số: mã kích hoạt tài khoản của bạn là 111222, hiệu lực 5 phút.")
    assert en.body.startswith("Cong So: your account activation code is 111222, valid for 5 minutes.")


def test_operator_wording_replaces_the_default_and_blank_english_falls_back_to_vietnamese() -> None:
    template, _ = MessageTemplate.objects.get_or_create(key="dossier.received")
    template.sms_vi = "Hồ sơ {{ code }} đã nhận. Tra cứu tại dichvucong.gov.vn"
    template.sms_en = ""
    template_save(template=template, actor=None, changed=["sms_vi"])
    vi = template_render(key="dossier.received", channel="sms", language="vi", context=dossier_context())
    en = template_render(key="dossier.received", channel="sms", language="en", context=dossier_context())
    assert vi.body == "Hồ sơ 000.00.01.H01-261128-0001 đã nhận. Tra cứu tại dichvucong.gov.vn"
    # English left blank by the operator: the code default in English, not the Vietnamese text.
    assert en.body.startswith("Cong So: dossier 000.00.01.H01-261128-0001")


def test_operator_cannot_save_a_template_that_reaches_outside_its_box() -> None:
    template, _ = MessageTemplate.objects.get_or_create(key="dossier.received")
    template.sms_vi = "{% include 'web/base.html' %}"
    with pytest.raises(InvalidInput, match="include"):
        template_save(template=template, actor=None, changed=["sms_vi"])
    template.sms_vi = "{% if code %}unterminated"
    with pytest.raises(InvalidInput, match="syntax"):
        template_save(template=template, actor=None, changed=["sms_vi"])


def test_context_must_be_plain_data() -> None:
    user = make_user()
    with pytest.raises(TypeError, match="plain data"):
        message_send(template="dossier.received", context={"user": user}, channels=[Channel.INAPP], user=user)
    assert not Message.objects.exists()


def test_email_is_sent_with_an_escaped_html_part(
    immediate_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    context = {**dossier_context(), "procedure": "<script>alert(1)</script> & khai sinh"}
    with django_capture_on_commit_callbacks(execute=True):
        [message] = message_send(
            template="dossier.received", context=context, channels=[Channel.EMAIL], email="an@example.vn"
        )
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    [email] = mail.outbox
    assert email.to == ["an@example.vn"]
    assert email.subject == "Hồ sơ 000.00.01.H01-261128-0001 đã được tiếp nhận"
    assert "<script>alert(1)</script> & khai sinh" in email.body  # plain text is as written
    html = email.alternatives[0][0]  # type: ignore[attr-defined]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; khai sinh" in html
    assert "<script>" not in html


def test_in_app_message_is_in_the_inbox_at_once_and_never_queued() -> None:
    user = make_user()
    [message] = message_send(
        template="dossier.received", context=dossier_context(), channels=[Channel.INAPP], user=user
    )
    assert message.status == MessageStatus.SENT
    assert Message.objects.visible_to(user).inbox().get() == message


def test_one_call_gives_one_message_per_channel(
    dev_phone: Any, immediate_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = make_user(email="binh@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        messages = message_send(
            template="dossier.received",
            context=dossier_context(),
            channels=[Channel.SMS, Channel.EMAIL, Channel.INAPP, Channel.SMS],
            user=user,
            phone="+84 987 654 321",
        )
    assert sorted(m.channel for m in messages) == ["email", "inapp", "sms"]
    assert DevPhoneMessage.objects.get().to == "+84987654321"
    assert mail.outbox[0].to == ["binh@example.vn"]
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_sms_without_a_phone_number_is_refused_and_nothing_is_queued() -> None:
    with pytest.raises(InvalidInput) as refused:
        message_send(
            template="dossier.received",
            context=dossier_context(),
            channels=[Channel.INAPP, Channel.SMS],
            user=make_user(),
        )
    assert refused.value.code == "no_phone"
    assert not Message.objects.exists()


def test_unknown_template_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        message_send(template="no.such.message", context={}, channels=[Channel.SMS], phone="0912345678")
    assert refused.value.code == "template_missing"


@pytest.mark.parametrize(
    "raw",
    ["0912345678", "091 234 5678", "091.234.5678", "+84912345678", "84912345678", "(+84) 912-345-678"],
)
def test_vietnamese_mobile_numbers_are_normalised(raw: str) -> None:
    assert phone_normalize(raw) == "+84912345678"


@pytest.mark.parametrize("raw", ["", "12345", "0212345678", "01912345678", "+1 202 555 0100", "09123456789"])
def test_invalid_mobile_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        phone_normalize(raw)


def test_long_sms_is_cut_to_the_segment_limit_with_an_ellipsis() -> None:
    vietnamese = sms_prepare("Hồ sơ " * 100, max_segments=2)
    assert vietnamese.truncated
    assert vietnamese.encoding == "ucs2"
    assert len(vietnamese.text) == 134  # 2 segments of 67 UCS-2 characters
    assert vietnamese.text.endswith("…")
    short = sms_prepare("Ho so da duoc tiep nhan", max_segments=1)
    assert (short.encoding, short.segments, short.truncated) == ("gsm7", 1, False)


def test_sms_without_accents_when_the_deployment_asks_for_it() -> None:
    prepared = sms_prepare("Cổng Số: hồ sơ đã được tiếp nhận – Đà Nẵng", plain=True)
    assert prepared.text == "Cong So: ho so da duoc tiep nhan - Da Nang"
    assert prepared.encoding == "gsm7"
