"""Login: ID number + password, then a second factor; what the session then proves."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from django.test import Client, RequestFactory

from congso.core.errors import PermissionDenied
from congso.core.models import AuditEntry
from congso.identity import selectors
from congso.identity.assurance import ACR_LEVEL1, ACR_LEVEL2
from congso.identity.models import LoginEvent, LoginOutcome, OneTimeCode, User

from .factories import PASSWORD, last_sms_code, login, make_account, make_citizen, make_totp_device, sms_count
from .hashers import CountingHasher

pytestmark = pytest.mark.django_db

WRONG = "Số định danh cá nhân hoặc mật khẩu không đúng."


def _page_text(response: Any) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_password_then_sms_code_logs_in_at_the_account_level() -> None:
    user = make_account(make_citizen(full_name="Trần Văn Bình", phone="0912345678"), level=2)
    client = Client()

    response = client.post("/dang-nhap/", {"personal_id": user.username, "password": PASSWORD})
    assert response["Location"] == "/dang-nhap/xac-thuc/"
    assert client.get("/tai-khoan/")["Location"].startswith("/dang-nhap/")  # not logged in yet
    page = client.get("/dang-nhap/xac-thuc/").content.decode()
    assert "+8491****678" in page

    response = client.post("/dang-nhap/xac-thuc/", {"action": "verify", "code": last_sms_code("0912345678")})

    assert response["Location"] == "/tai-khoan/"
    assert "Trần Văn Bình" in client.get("/tai-khoan/").content.decode()
    request = RequestFactory().get("/")
    request.user = user
    request.session = client.session
    assurance = selectors.session_assurance(request)
    assert assurance.acr == ACR_LEVEL2
    assert assurance.amr == ["pwd", "otp", "sms"]
    assert assurance.auth_time > 0
    assert LoginEvent.objects.filter(user=user, outcome=LoginOutcome.SUCCESS, method="sms").count() == 1
    assert AuditEntry.objects.filter(action="identity.login.succeeded", target_id=str(user.pk)).exists()


def test_unknown_id_and_wrong_password_get_identical_answers() -> None:
    user = make_account()
    unknown = Client().post("/dang-nhap/", {"personal_id": "001190999999", "password": "Sai-mat-khau-1"})
    wrong = Client().post("/dang-nhap/", {"personal_id": user.username, "password": "Sai-mat-khau-1"})

    assert unknown.status_code == wrong.status_code == 200
    assert WRONG in unknown.content.decode()
    assert _page_text(unknown).replace("001190999999", "ID") == _page_text(wrong).replace(user.username, "ID")


def test_an_unknown_id_costs_a_password_check_like_a_known_one(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["tests.identity.hashers.CountingHasher"]
    user = make_account()
    CountingHasher.checks = 0
    Client().post("/dang-nhap/", {"personal_id": user.username, "password": "Sai-mat-khau-1"})
    known = CountingHasher.checks

    CountingHasher.checks = 0
    Client().post("/dang-nhap/", {"personal_id": "001190999999", "password": "Sai-mat-khau-1"})

    assert known == CountingHasher.checks == 1


def test_an_organisation_account_cannot_log_in() -> None:
    from congso.identity import services

    from .factories import business_registry, make_organisation

    business_registry()
    representative = make_account()
    organisation = make_organisation(representative=representative.citizen)  # type: ignore[arg-type]
    assert services.representation_refresh(user=representative)
    account = User.objects.get(organisation_code=organisation.code)

    response = Client().post("/dang-nhap/", {"personal_id": account.username, "password": ""})

    assert response.status_code == 200
    assert "Location" not in response


def test_the_authenticator_app_replaces_the_sms_and_a_code_works_once() -> None:
    user = make_account(make_citizen(phone="0912345678"))
    _device, secret = make_totp_device(user)
    client = Client()

    client.post("/dang-nhap/", {"personal_id": user.username, "password": PASSWORD})
    assert sms_count("0912345678") == 0
    assert "ứng dụng xác thực" in client.get("/dang-nhap/xac-thuc/").content.decode()
    code = pyotp.TOTP(secret).now()
    response = client.post("/dang-nhap/xac-thuc/", {"action": "verify", "code": code})

    assert response["Location"] == "/tai-khoan/"
    assert LoginEvent.objects.get(outcome=LoginOutcome.SUCCESS).method == "totp"
    again = Client()
    again.post("/dang-nhap/", {"personal_id": user.username, "password": PASSWORD})
    replay = again.post("/dang-nhap/xac-thuc/", {"action": "verify", "code": code})
    assert replay.status_code == 200
    assert "đã được dùng" in replay.content.decode()


def test_sms_is_always_there_as_a_fallback_for_an_app_user() -> None:
    user = make_account(make_citizen(phone="0912345678"))
    make_totp_device(user)
    client = Client()
    client.post("/dang-nhap/", {"personal_id": user.username, "password": PASSWORD})

    client.post("/dang-nhap/xac-thuc/", {"action": "use_sms"})
    response = client.post("/dang-nhap/xac-thuc/", {"action": "verify", "code": last_sms_code("0912345678")})

    assert response["Location"] == "/tai-khoan/"


def test_five_wrong_login_codes_exhaust_the_code_and_a_new_one_works() -> None:
    user = make_account(make_citizen(phone="0912345678"))
    client = Client()
    client.post("/dang-nhap/", {"personal_id": user.username, "password": PASSWORD})
    right = last_sms_code("0912345678")
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        page = client.post("/dang-nhap/xac-thuc/", {"action": "verify", "code": wrong}).content.decode()
    assert "Bạn đã nhập sai mã quá số lần cho phép" in page
    assert "Bạn đã nhập sai mã quá số lần cho phép" in (
        client.post("/dang-nhap/xac-thuc/", {"action": "verify", "code": right}).content.decode()
    )

    OneTimeCode.objects.update(created_at=OneTimeCode.objects.get().created_at.replace(year=2000))
    client.post("/dang-nhap/xac-thuc/", {"action": "resend"})
    response = client.post("/dang-nhap/xac-thuc/", {"action": "verify", "code": last_sms_code("0912345678")})
    assert response["Location"] == "/tai-khoan/"


def test_the_second_step_needs_the_first() -> None:
    response = Client().get("/dang-nhap/xac-thuc/")
    assert response["Location"] == "/dang-nhap/"


@pytest.mark.parametrize(
    ("next_url", "landing"),
    [
        ("/tai-khoan/bao-mat/", "/tai-khoan/bao-mat/"),
        ("https://evil.example/phish", "/tai-khoan/"),
        ("//evil.example/phish", "/tai-khoan/"),
        ("/\\evil.example", "/tai-khoan/"),
        ("javascript:alert(1)", "/tai-khoan/"),
    ],
)
def test_next_is_followed_only_within_the_site(next_url: str, landing: str) -> None:
    user = make_account(make_citizen(phone="0912345678"))
    client = Client()
    client.get("/dang-nhap/", {"next": next_url})
    client.post("/dang-nhap/", {"personal_id": user.username, "password": PASSWORD, "next": next_url})

    response = client.post("/dang-nhap/xac-thuc/", {"action": "verify", "code": last_sms_code("0912345678")})

    assert response["Location"] == landing


def test_the_login_form_refuses_a_post_without_csrf_token() -> None:
    user = make_account()
    client = Client(enforce_csrf_checks=True)

    refused = client.post("/dang-nhap/", {"personal_id": user.username, "password": PASSWORD})
    assert refused.status_code == 403

    page = client.get("/dang-nhap/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    accepted = client.post(
        "/dang-nhap/",
        {"personal_id": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
    )
    assert accepted["Location"] == "/dang-nhap/xac-thuc/"


def test_login_history_shows_failures_and_successes() -> None:
    user = make_account(make_citizen(phone="0912345678"))
    Client().post(
        "/dang-nhap/", {"personal_id": user.username, "password": "Sai-mat-khau-1"}, REMOTE_ADDR="203.0.113.9"
    )
    client = Client()
    login(client, user)

    page = client.get("/tai-khoan/lich-su-dang-nhap/").content.decode()

    assert "203.0.113.9" in page
    assert "Sai số định danh hoặc mật khẩu" in page
    assert "Đăng nhập thành công" in page


def test_session_assurance_refuses_an_anonymous_request() -> None:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        selectors.session_assurance(request)


def test_a_session_not_made_by_the_login_proves_only_level1_without_methods() -> None:
    user = make_account(level=2)
    client = Client()
    client.force_login(user)
    request = RequestFactory().get("/")
    request.user = user
    request.session = client.session

    assurance = selectors.session_assurance(request)

    assert assurance.acr == ACR_LEVEL1
    assert assurance.amr == []
    assert not assurance.multi_factor
    assert client.get("/tai-khoan/")["Location"].startswith("/dang-nhap/")


def test_user_claims_come_from_the_population_registry() -> None:
    citizen = make_citizen(full_name="Lê Thị Minh Anh", phone="0912345678")
    user = make_account(citizen, level=2)

    claims = selectors.user_claims(user)

    assert claims["name"] == "Lê Thị Minh Anh"
    assert claims["family_name"] == "Lê"
    assert claims["given_name"] == "Anh"
    assert claims["birthdate"] == "1990-05-17"
    assert claims["gender"] == "female"
    assert claims["phone_number"] == "+84912345678"
    assert claims["address"] == {
        "formatted": "Số 12 phố Đội Cấn, Phường Ba Đình, Thành phố Hà Nội",
        "country": "VN",
    }
    assert claims["personal_id"] == citizen.personal_id
    assert claims["assurance_level"] == 2


def test_logout_ends_the_session() -> None:
    user = make_account(make_citizen(phone="0912345678"))
    client = Client()
    login(client, user)

    response = client.post("/dang-xuat/")

    assert response["Location"] == "/"
    assert client.get("/tai-khoan/")["Location"].startswith("/dang-nhap/")
    assert user.sessions.get().ended_at is not None
