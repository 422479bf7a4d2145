"""The account pages: what a person sees and can change, the guards in front of them, the admin."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from django.test import Client

from congso.identity import selectors, services
from congso.identity.assurance import SESSION_AUTH_KEY
from congso.identity.models import OfficerRole, Passkey, TotpDevice, User, UserSession
from congso.notify.models import Channel, Message
from congso.registry.choices import AgencyKind

from .factories import (
    PASSWORD,
    business_registry,
    last_sms_code,
    login,
    make_account,
    make_agency,
    make_citizen,
    make_organisation,
    make_totp_device,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Doi-Mat-Khau-7?"


@pytest.mark.parametrize(
    "url",
    [
        "/dang-nhap/",
        "/dang-nhap/xac-thuc/",
        "/dang-nhap/khoa-truy-cap/tuy-chon/",
        "/dang-nhap/khoa-truy-cap/",
        "/dang-xuat/",
        "/kich-hoat/",
        "/quen-mat-khau/",
        "/tai-khoan/bao-mat/mot-thiet-bi/",
        "/tai-khoan/phien-dang-nhap/",
    ],
)
def test_every_form_refuses_a_post_without_csrf_token(url: str) -> None:
    response = Client(enforce_csrf_checks=True).post(
        url, {"personal_id": "001190000001", "phone": "0912345678"}
    )

    assert response.status_code == 403
    assert "Không gửi được biểu mẫu" in response.content.decode()


def test_my_account_shows_the_registry_data_read_only_with_links() -> None:
    citizen = make_citizen(full_name="Bùi Thị Thu", phone="0912345678")
    client = Client()
    login(client, make_account(citizen))

    page = client.get("/tai-khoan/").content.decode()

    for text in ("Bùi Thị Thu", citizen.personal_id, "17/05/1990", "Nữ", "Số 12 phố Đội Cấn, Phường Ba Đình"):
        assert text in page
    assert "<input" not in page.split('id="data-title"')[1].split("</section>")[0]
    assert 'href="/tai-khoan/thong-bao/"' in page
    assert "Mức 1" in page


@pytest.mark.parametrize("url", ["/tai-khoan/", "/tai-khoan/bao-mat/", "/tai-khoan/phien-dang-nhap/"])
def test_account_pages_send_visitors_to_the_login(url: str) -> None:
    assert Client().get(url)["Location"] == f"/dang-nhap/?next={url}"


def test_a_security_change_needs_a_recent_login() -> None:
    user = make_account(make_citizen(phone="0912345678"))
    client = Client()
    login(client, user)
    session = client.session
    session[SESSION_AUTH_KEY] = {**session[SESSION_AUTH_KEY], "auth_time": 1}
    session.save()

    response = client.post("/tai-khoan/bao-mat/mot-thiet-bi/", {"enabled": "1"})

    assert response["Location"].startswith("/dang-nhap/?next=")
    assert not User.objects.get(pk=user.pk).single_device


def test_pages_switch_to_english() -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/dang-nhap/"})

    page = client.get("/dang-nhap/").content.decode()

    assert "Personal identification number" in page
    assert "No account yet?" in page


def test_field_errors_are_tied_to_their_inputs() -> None:
    page = Client().post("/dang-nhap/", {"personal_id": "12345", "password": ""}).content.decode()

    assert 'aria-describedby="id_personal_id-hint id_personal_id-error"' in page
    assert 'aria-invalid="true"' in page
    assert 'id="id_personal_id-error"' in page
    assert "Số định danh cá nhân có đúng 12 chữ số." in page
    assert '<a href="#id_password">Hãy nhập mật khẩu.</a>' in page


def test_setting_up_an_authenticator_app_by_qr_code() -> None:
    user = make_account(make_citizen(phone="0912345678"))
    client = Client()
    login(client, user)

    page = client.get("/tai-khoan/bao-mat/ung-dung-xac-thuc/").content.decode()
    assert 'src="data:image/svg+xml;charset=utf-8,%3Csvg' in page
    secret = client.session["congso.identity.totp_secret"]
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page

    wrong_code = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    wrong = client.post("/tai-khoan/bao-mat/ung-dung-xac-thuc/", {"code": wrong_code}).content.decode()
    assert "Mã xác nhận không đúng" in wrong
    done = client.post(
        "/tai-khoan/bao-mat/ung-dung-xac-thuc/",
        {"code": pyotp.TOTP(secret).now(), "name": "Điện thoại Lan"},
        follow=True,
    )
    assert "Đã thiết lập ứng dụng xác thực" in done.content.decode()
    assert "Điện thoại Lan" in done.content.decode()
    stored = TotpDevice.objects.get(user=user).secret_encrypted
    assert secret not in stored
    assert selectors.totp_secret(TotpDevice.objects.get(user=user)) == secret


def test_the_last_second_factor_cannot_be_removed() -> None:
    user = make_account(make_citizen(phone=""))
    make_totp_device(user)

    with pytest.raises(services.Conflict):
        services.totp_remove(user=user)
    Passkey.objects.create(user=user, name="Khoá", credential_id="abc", public_key=b"k")
    services.totp_remove(user=user)
    assert not TotpDevice.objects.filter(user=user).exists()


def test_keeping_one_device_signs_out_the_others() -> None:
    user = make_account(make_citizen(phone="0912345678"))
    first, second = Client(), Client()
    login(first, user)
    login(second, user)
    second.post("/tai-khoan/bao-mat/mot-thiet-bi/", {"enabled": "1"})
    assert first.get("/tai-khoan/")["Location"].startswith("/dang-nhap/")

    third = Client()
    login(third, user)

    assert second.get("/tai-khoan/")["Location"].startswith("/dang-nhap/")
    assert third.get("/tai-khoan/").status_code == 200
    assert UserSession.objects.active().filter(user=user).count() == 1


def test_sessions_list_and_sign_out_everywhere_else() -> None:
    user = make_account(make_citizen(phone="0912345678"))
    here, phone, laptop = (
        Client(HTTP_USER_AGENT="Firefox trên máy bàn"),
        Client(HTTP_USER_AGENT="Safari iPhone"),
        Client(),
    )
    login(phone, user)
    login(laptop, user)
    login(here, user)

    page = here.get("/tai-khoan/phien-dang-nhap/").content.decode()
    assert "Safari iPhone" in page
    assert "Thiết bị này" in page
    phone_session = UserSession.objects.get(user_agent="Safari iPhone")
    here.post("/tai-khoan/phien-dang-nhap/", {"session": phone_session.pk})
    assert phone.get("/tai-khoan/")["Location"].startswith("/dang-nhap/")
    assert laptop.get("/tai-khoan/").status_code == 200

    here.post("/tai-khoan/phien-dang-nhap/", {"action": "end_all"})

    assert laptop.get("/tai-khoan/")["Location"].startswith("/dang-nhap/")
    assert here.get("/tai-khoan/").status_code == 200


def test_changing_the_password_asks_for_the_current_one_and_signs_out_elsewhere() -> None:
    user = make_account(make_citizen(phone="0912345678"))
    other, client = Client(), Client()
    login(other, user)
    login(client, user)

    wrong = client.post(
        "/tai-khoan/bao-mat/mat-khau/",
        {"current_password": "Khong-dung-1!", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert "Mật khẩu hiện tại không đúng" in wrong.content.decode()

    done = client.post(
        "/tai-khoan/bao-mat/mat-khau/",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )

    assert done["Location"] == "/tai-khoan/bao-mat/"
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    assert client.get("/tai-khoan/").status_code == 200
    assert other.get("/tai-khoan/")["Location"].startswith("/dang-nhap/")
    assert Message.objects.filter(
        user=user, template_key="identity.password_changed", channel=Channel.SMS
    ).exists()


def test_recovery_by_sms_to_the_registry_phone() -> None:
    user = make_account(make_citizen(phone="0912345678"))
    signed_in = Client()
    login(signed_in, user)
    client = Client()

    response = client.post("/quen-mat-khau/", {"personal_id": user.username, "phone": "0912345678"})
    assert response["Location"] == "/quen-mat-khau/ma-xac-thuc/"
    unknown = Client().post("/quen-mat-khau/", {"personal_id": "001190999999", "phone": "0912345678"})
    assert unknown["Location"] == response["Location"]

    client.post("/quen-mat-khau/ma-xac-thuc/", {"action": "verify", "code": last_sms_code("0912345678")})
    done = client.post(
        "/quen-mat-khau/mat-khau/", {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )

    assert done["Location"] == "/dang-nhap/"
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    assert signed_in.get("/tai-khoan/")["Location"].startswith("/dang-nhap/")


def test_the_admin_uses_this_login_and_needs_staff_and_a_second_factor() -> None:
    assert Client().get("/admin/")["Location"].startswith("/admin/login/?next=/admin/")
    assert Client().get("/admin/login/?next=/admin/")["Location"] == "/dang-nhap/?next=/admin/"

    operator = make_account(make_citizen(phone="0912345678"), is_staff=True, is_superuser=True)
    without_second_factor = Client()
    without_second_factor.force_login(operator)
    assert without_second_factor.get("/admin/").status_code == 302

    client = Client()
    login(client, operator)
    assert client.get("/admin/").status_code == 200

    citizen = Client()
    login(citizen, make_account(make_citizen(phone="0912345679")))
    assert citizen.get("/admin/login/?next=/admin/").status_code == 403


def test_demo_accounts_are_created_once_and_work() -> None:
    police = make_agency(kind=AgencyKind.POLICE)
    commune = make_agency(kind=AgencyKind.PEOPLES_COMMITTEE, name="UBND phường Ba Đình")
    business_registry()
    people = [make_citizen(phone=f"09123450{i:02d}") for i in range(6)]
    organisation = make_organisation(representative=people[5])
    arguments: dict[str, Any] = {
        "level1": people[0],
        "level2": people[1],
        "police_officer": people[2],
        "police_agency": police,
        "commune_officer": people[3],
        "commune_agency": commune,
        "operator": people[4],
        "representative": people[5],
        "organisation_name": organisation.name,
    }

    first = services.identity_demo_accounts_ensure(**arguments)
    again = services.identity_demo_accounts_ensure(**arguments)

    assert first == again
    assert len(first) == 6
    assert services.identity_demo_representation_bind(representative=people[5])
    assert User.objects.count() == 7  # six people and the organisation
    _role, personal_id, password = first[0]
    client = Client()
    login(client, User.objects.get(username=personal_id), password=password)
    assert client.get("/tai-khoan/").status_code == 200
    assert User.objects.get(username=people[1].personal_id).assurance_level == 2
    assert OfficerRole.objects.active().filter(user__username=people[2].personal_id, agency=police).exists()
    assert User.objects.get(username=people[4].personal_id).is_superuser
    account = User.objects.get(organisation_code=organisation.code)
    assert (account.kind, account.full_name, account.representative) == (
        "organisation",
        organisation.name,
        User.objects.get(username=people[5].personal_id),
    )


def test_pages_carry_no_inline_script() -> None:
    client = Client()
    for url in ("/dang-nhap/", "/kich-hoat/", "/quen-mat-khau/"):
        page = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert " style=" not in page


def test_the_header_links_to_login_then_to_my_account() -> None:
    client = Client()
    home = client.get("/").content.decode()
    assert '<a class="site-nav__link" href="/dang-nhap/">Đăng nhập</a>' in home

    login(client, make_account(make_citizen(phone="0912345678")))

    assert (
        '<a class="site-nav__link" href="/tai-khoan/">Tài khoản của tôi</a>'
        in client.get("/").content.decode()
    )


def test_logging_out_of_the_admin_ends_the_session_record() -> None:
    operator = make_account(make_citizen(phone="0912345678"), is_staff=True, is_superuser=True)
    client = Client()
    login(client, operator)

    response = client.post("/admin/logout/")

    assert response["Location"] == "/"
    assert UserSession.objects.get(user=operator).ended_at is not None
    assert client.get("/admin/").status_code == 302


def test_an_expired_session_is_not_listed_as_a_device() -> None:
    from datetime import timedelta

    from django.utils import timezone

    user = make_account(make_citizen(phone="0912345678"))
    old, client = Client(HTTP_USER_AGENT="Máy cũ"), Client(HTTP_USER_AGENT="Máy mới")
    login(old, user)
    login(client, user)
    UserSession.objects.filter(user_agent="Máy cũ").update(last_seen_at=timezone.now() - timedelta(hours=2))

    page = client.get("/tai-khoan/phien-dang-nhap/").content.decode()

    assert "Máy mới" in page
    assert "Máy cũ" not in page


def test_the_testing_helper_opens_the_admin_to_staff_only() -> None:
    from congso.identity.testing import force_login_mfa

    operator = make_account(is_staff=True)
    citizen = make_account()
    staff_client, citizen_client = Client(), Client()
    force_login_mfa(staff_client, operator)
    force_login_mfa(citizen_client, citizen)

    assert staff_client.get("/admin/").status_code == 200
    assert citizen_client.get("/admin/").status_code == 302
