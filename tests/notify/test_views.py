from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client

from congso.notify.models import Channel, DevPhoneMessage, Message, MessageTemplate
from congso.notify.services import message_send

from .support import make_user

pytestmark = pytest.mark.django_db


def notify_in_app(user: Any, code: str) -> Message:
    [message] = message_send(
        template="dossier.received",
        context={"code": code, "procedure": "Đăng ký kết hôn", "due_date": datetime.date(2026, 12, 3)},
        channels=[Channel.INAPP],
        user=user,
    )
    return message


@pytest.mark.parametrize("path", ["/dev/phone", "/dev/phone.json", "/dev/mail", "/dev/mail.json"])
def test_dev_inboxes_do_not_exist_outside_demo_and_debug(settings: Any, client: Client, path: str) -> None:
    settings.DEMO_MODE = False
    settings.DEBUG = False
    DevPhoneMessage.objects.create(to="+84912345678", text="Cổng Số: mã kích hoạt 482913")
    response = client.get(path)
    assert response.status_code == 404
    assert "482913" not in response.content.decode()


def test_dev_phone_is_on_in_debug_mode_too(settings: Any, client: Client) -> None:
    settings.DEMO_MODE = False
    settings.DEBUG = True
    DevPhoneMessage.objects.create(to="+84912345678", text="mã 482913")
    assert client.get("/dev/phone.json").json()["messages"][0]["text"] == "mã 482913"


def test_dev_phone_lists_newest_first_and_filters_by_number(dev_phone: Any, client: Client) -> None:
    DevPhoneMessage.objects.create(to="+84912345678", text="cũ hơn 111111")
    DevPhoneMessage.objects.create(to="+84987654321", text="người khác 222222")
    DevPhoneMessage.objects.create(to="+84912345678", text="mới nhất 333333")

    everything = client.get("/dev/phone.json").json()["messages"]
    assert [m["text"] for m in everything] == ["mới nhất 333333", "người khác 222222", "cũ hơn 111111"]

    mine = client.get("/dev/phone.json", {"phone": "091 234 5678"}).json()["messages"]
    assert [m["text"] for m in mine] == ["mới nhất 333333", "cũ hơn 111111"]
    assert {m["to"] for m in mine} == {"+84912345678"}

    page = client.get("/dev/phone", {"phone": "0912345678"}).content.decode()
    assert "333333" in page
    assert "222222" not in page
    assert page.index("333333") < page.index("111111")


def test_inbox_shows_only_my_own_messages(client: Client) -> None:
    me, neighbour = make_user(), make_user()
    notify_in_app(me, "HS-CUA-TOI-1")
    notify_in_app(me, "HS-CUA-TOI-2")
    notify_in_app(neighbour, "HS-HANG-XOM")
    client.force_login(me)
    page = client.get("/tai-khoan/thong-bao/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "HS-CUA-TOI-1" in html
    assert "HS-CUA-TOI-2" in html
    assert "HS-HANG-XOM" not in html
    assert "<strong>2</strong> thông báo chưa đọc" in html


def test_inbox_needs_a_login(client: Client) -> None:
    response = client.get("/tai-khoan/thong-bao/")
    assert response.status_code == 302
    assert "next=/tai-khoan/thong-bao/" in response["Location"]


def test_marking_a_message_read(client: Client) -> None:
    me = make_user()
    message = notify_in_app(me, "HS-DOC-ROI")
    client.force_login(me)
    response = client.post(f"/tai-khoan/thong-bao/{message.pk}/da-doc/")
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/thong-bao/"
    message.refresh_from_db()
    assert message.read_at is not None
    html = client.get("/tai-khoan/thong-bao/").content.decode()
    assert "Bạn đã đọc hết thông báo." in html
    assert "Đánh dấu đã đọc" not in html


def test_cannot_mark_someone_elses_message(client: Client) -> None:
    neighbour = make_user()
    message = notify_in_app(neighbour, "HS-HANG-XOM")
    client.force_login(make_user())
    assert client.post(f"/tai-khoan/thong-bao/{message.pk}/da-doc/").status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_mark_read_needs_the_csrf_token() -> None:
    me = make_user()
    message = notify_in_app(me, "HS-CSRF")
    client = Client(enforce_csrf_checks=True)
    client.force_login(me)
    assert client.post(f"/tai-khoan/thong-bao/{message.pk}/da-doc/").status_code == 403
    message.refresh_from_db()
    assert message.read_at is None
    page = client.get("/tai-khoan/thong-bao/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


@pytest.fixture
def operator(client: Client, monkeypatch: pytest.MonkeyPatch) -> Client:
    """A logged-in operator. The admin's second-factor gate is the identity domain's (and
    tested there); here the session counts as having passed it."""
    monkeypatch.setattr(
        admin.site, "has_permission", lambda request: request.user.is_active and request.user.is_staff
    )
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def test_operator_edits_wording_in_admin_and_the_next_message_uses_it(operator: Client) -> None:
    client = operator
    template, _ = MessageTemplate.objects.get_or_create(key="dossier.received")
    url = f"/admin/notify/messagetemplate/{template.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200
    # The default wording is shown to the operator as the text a blank field stands for.
    assert "đã được tiếp nhận" in form.content.decode()

    fields = {
        "key": "dossier.received",
        "description": "Hồ sơ đã được tiếp nhận",
        "inapp_title_vi": "Đã nhận hồ sơ {{ code }}",
    }
    bad = client.post(url, {**fields, "inapp_body_vi": "{% load static %}"})
    assert bad.status_code == 200
    assert "load" in bad.content.decode()
    assert client.post(url, fields).status_code == 302

    message = notify_in_app(make_user(), "HS-2026-7")
    assert message.subject == "Đã nhận hồ sơ HS-2026-7"
    # The body was left blank: it still reads as the default.
    assert "Ngày hẹn trả kết quả: 03/12/2026" in message.body


def test_outbox_is_read_only_in_admin(operator: Client) -> None:
    client = operator
    message = notify_in_app(make_user(), "HS-ADMIN")
    listing = client.get("/admin/notify/message/", {"status__exact": "sent"})
    assert listing.status_code == 200
    assert "dossier.received" in listing.content.decode()
    assert client.get("/admin/notify/message/add/").status_code == 403
    assert client.post(f"/admin/notify/message/{message.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Message.objects.filter(pk=message.pk).exists()


def test_inbox_speaks_english_to_who_chose_it(client: Client, settings: Any) -> None:
    me = make_user()
    notify_in_app(me, "HS-EN")
    client.force_login(me)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/tai-khoan/thong-bao/").content.decode()
    assert "My notifications" in html
    assert "You have <strong>1</strong> unread notification." in html
    assert "Mark as read" in html
