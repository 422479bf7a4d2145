"""Activation: ID number + phone → SMS code → password → a level-1 account."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congso.core.models import AuditEntry
from congso.identity.models import OneTimeCode, User
from congso.notify.models import Message

from .factories import PASSWORD, last_sms_code, make_account, make_citizen, sms_count

pytestmark = pytest.mark.django_db

SAME_ANSWER = "Nếu thông tin bạn cung cấp khớp với dữ liệu của chúng tôi"


def _start(client: Client, personal_id: str, phone: str) -> Any:
    return client.post("/kich-hoat/", {"personal_id": personal_id, "phone": phone})


def _page_text(response: Any) -> str:
    """The page without what differs on every render (CSRF tokens)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_matching_details_get_a_code_then_a_level1_account() -> None:
    citizen = make_citizen(phone="0912345678")
    client = Client()

    response = _start(client, citizen.personal_id, "091 234 5678")
    assert response.status_code == 302
    assert response["Location"] == "/kich-hoat/ma-xac-thuc/"
    code_page = client.get("/kich-hoat/ma-xac-thuc/")
    assert SAME_ANSWER in code_page.content.decode()

    response = client.post(
        "/kich-hoat/ma-xac-thuc/", {"action": "verify", "code": last_sms_code("0912345678")}
    )
    assert response["Location"] == "/kich-hoat/mat-khau/"
    response = client.post("/kich-hoat/mat-khau/", {"password": PASSWORD, "password_confirm": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/"
    user = User.objects.get(username=citizen.personal_id)
    assert user.citizen == citizen
    assert user.assurance_level == 1
    assert user.check_password(PASSWORD)
    assert AuditEntry.objects.filter(action="identity.account.activated", target_id=str(user.pk)).exists()
    assert "Tài khoản của bạn đã được kích hoạt" in client.get("/dang-nhap/").content.decode()


def test_the_answer_is_the_same_whether_or_not_the_details_match() -> None:
    citizen = make_citizen(phone="0912345678")
    answers = []
    for personal_id, phone in [
        (citizen.personal_id, "0912345678"),  # matches
        (citizen.personal_id, "0987654321"),  # another phone
        ("001190999999", "0912345678"),  # nobody has this ID number
    ]:
        client = Client()
        started = _start(client, personal_id, phone)
        answers.append(
            (started.status_code, started["Location"], _page_text(client.get(started["Location"])))
        )

    assert answers[0] == answers[1] == answers[2]
    assert sms_count("0912345678") == 1  # only the matching request sent anything
    assert sms_count("0987654321") == 0


def test_codes_are_stored_only_as_a_hash() -> None:
    citizen = make_citizen(phone="0912345678")
    _start(Client(), citizen.personal_id, "0912345678")

    code = last_sms_code("0912345678")
    challenge = OneTimeCode.objects.get(sent=True)
    assert code not in challenge.code_hash
    assert len(challenge.code_hash) == 64


def test_five_wrong_codes_exhaust_the_code() -> None:
    citizen = make_citizen(phone="0912345678")
    client = Client()
    _start(client, citizen.personal_id, "0912345678")
    right = last_sms_code("0912345678")
    wrong = "000000" if right != "000000" else "111111"

    for remaining in (4, 3, 2, 1):
        page = client.post("/kich-hoat/ma-xac-thuc/", {"action": "verify", "code": wrong}).content.decode()
        assert f"Bạn còn {remaining} lần thử" in page
    page = client.post("/kich-hoat/ma-xac-thuc/", {"action": "verify", "code": wrong}).content.decode()
    assert "Bạn đã nhập sai mã quá số lần cho phép" in page

    response = client.post("/kich-hoat/ma-xac-thuc/", {"action": "verify", "code": right})
    assert response.status_code == 200  # no way forward, even with the right code now
    assert "Bạn đã nhập sai mã quá số lần cho phép" in response.content.decode()
    assert client.get("/kich-hoat/mat-khau/")["Location"] == "/kich-hoat/"
    assert AuditEntry.objects.filter(action="identity.code.refused").count() == 6


def test_an_expired_code_is_refused() -> None:
    citizen = make_citizen(phone="0912345678")
    client = Client()
    _start(client, citizen.personal_id, "0912345678")
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(
        "/kich-hoat/ma-xac-thuc/", {"action": "verify", "code": last_sms_code("0912345678")}
    )

    assert response.status_code == 200
    assert "Mã xác thực đã hết hạn hoặc đã được sử dụng" in response.content.decode()
    assert not User.objects.filter(username=citizen.personal_id).exists()


def test_a_code_cannot_be_used_twice() -> None:
    citizen = make_citizen(phone="0912345678")
    client = Client()
    _start(client, citizen.personal_id, "0912345678")
    code = last_sms_code("0912345678")
    assert client.post("/kich-hoat/ma-xac-thuc/", {"action": "verify", "code": code}).status_code == 302
    client.post("/kich-hoat/mat-khau/", {"password": PASSWORD, "password_confirm": PASSWORD})

    other = Client()
    other.session  # noqa: B018 - a fresh session
    session = other.session
    session["congso.identity.activation"] = {"challenge": OneTimeCode.objects.get().pk, "verified": False}
    session.save()
    response = other.post("/kich-hoat/ma-xac-thuc/", {"action": "verify", "code": code})

    assert "Mã xác thực đã hết hạn hoặc đã được sử dụng" in response.content.decode()
    assert other.get("/kich-hoat/mat-khau/")["Location"] == "/kich-hoat/"


def test_a_new_code_only_after_the_cooldown_and_it_replaces_the_old_one() -> None:
    citizen = make_citizen(phone="0912345678")
    client = Client()
    _start(client, citizen.personal_id, "0912345678")
    first = last_sms_code("0912345678")

    page = client.post("/kich-hoat/ma-xac-thuc/", {"action": "resend"}, follow=True).content.decode()
    assert "Vui lòng chờ" in page
    assert sms_count("0912345678") == 1

    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    client.post("/kich-hoat/ma-xac-thuc/", {"action": "resend"})
    assert sms_count("0912345678") == 2
    second = last_sms_code("0912345678")

    old_challenge = OneTimeCode.objects.order_by("pk").first()
    assert old_challenge is not None
    assert old_challenge.superseded_at is not None  # the first code no longer works
    if first != second:
        stale = client.post("/kich-hoat/ma-xac-thuc/", {"action": "verify", "code": first})
        assert "Mã xác thực không đúng" in stale.content.decode()
    response = client.post("/kich-hoat/ma-xac-thuc/", {"action": "verify", "code": second})
    assert response["Location"] == "/kich-hoat/mat-khau/"


def test_codes_per_phone_are_limited_per_hour_matching_or_not(settings: Any) -> None:
    settings.CONGSO_SMS_CODES_PER_PHONE_PER_HOUR = 2
    citizen = make_citizen(phone="0912345678")
    for personal_id in (citizen.personal_id, citizen.personal_id):
        assert _start(Client(), personal_id, "0912345678").status_code == 302

    refused = _start(Client(), citizen.personal_id, "0912345678").content.decode()
    assert "Bạn đã yêu cầu quá nhiều lần. Vui lòng thử lại lúc" in refused
    assert sms_count("0912345678") == 2

    # The same limit, with the same words, for a number that matches nobody.
    for _ in range(2):
        _start(Client(), "001190999999", "0987654321")
    assert "Bạn đã yêu cầu quá nhiều lần" in _start(Client(), "001190999999", "0987654321").content.decode()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("abc", "8 đến 20 ký tự"),
        ("Aa1!" + "x" * 17, "8 đến 20 ký tự"),
        ("matkhau-dai-9!", "chữ in hoa"),
        ("MATKHAU-DAI-9!", "chữ thường"),
        ("Matkhau-dai-!", "chữ số"),
        ("Matkhaudai99", "ký hiệu"),
    ],
)
def test_the_password_must_follow_the_eid_rule(password: str, message: str) -> None:
    citizen = make_citizen(phone="0912345678")
    client = Client()
    _start(client, citizen.personal_id, "0912345678")
    client.post("/kich-hoat/ma-xac-thuc/", {"action": "verify", "code": last_sms_code("0912345678")})

    response = client.post("/kich-hoat/mat-khau/", {"password": password, "password_confirm": password})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username=citizen.personal_id).exists()


def test_a_common_password_is_refused() -> None:
    citizen = make_citizen(phone="0912345678")
    client = Client()
    _start(client, citizen.personal_id, "0912345678")
    client.post("/kich-hoat/ma-xac-thuc/", {"action": "verify", "code": last_sms_code("0912345678")})

    response = client.post(
        "/kich-hoat/mat-khau/", {"password": "Password1!", "password_confirm": "Password1!"}
    )

    assert response.status_code == 200
    assert "Mật khẩu này quá phổ biến" in response.content.decode()
    assert not User.objects.filter(username=citizen.personal_id).exists()


def test_activating_an_active_account_sends_no_code_but_warns_the_holder() -> None:
    user = make_account(make_citizen(phone="0912345678"))

    response = _start(Client(), user.username, "0912345678")

    assert response["Location"] == "/kich-hoat/ma-xac-thuc/"
    sms = Message.objects.filter(to="+84912345678").get()
    assert sms.template_key == "identity.account_exists"
    assert not re.search(r"\b\d{6}\b", sms.body)
