"""Lockout and rate limits: per account (per ID number typed) and per source address."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from congso.core.models import AuditEntry
from congso.identity import throttle
from congso.identity.models import LoginEvent, LoginOutcome, Throttle

from .factories import PASSWORD, make_account, make_citizen, make_totp_device

LOCKED = "Tài khoản tạm khoá do đăng nhập sai nhiều lần. Vui lòng thử lại lúc"


@pytest.fixture
def three_strikes(settings: Any) -> Any:
    settings.CONGSO_LOGIN_MAX_FAILURES = 3
    settings.CONGSO_LOGIN_LOCKOUT_MINUTES = 15
    return settings


def _try(personal_id: str, password: str, *, ip: str = "198.51.100.7") -> str:
    return (
        Client()
        .post("/dang-nhap/", {"personal_id": personal_id, "password": password}, REMOTE_ADDR=ip)
        .content.decode()
    )


@pytest.mark.django_db
def test_the_account_locks_after_the_configured_failures_and_says_until_when(three_strikes: Any) -> None:
    user = make_account()
    assert LOCKED not in _try(user.username, "Sai-mat-khau-1")
    assert LOCKED not in _try(user.username, "Sai-mat-khau-2")

    third = _try(user.username, "Sai-mat-khau-3")

    until = timezone.localtime(Throttle.objects.get(key=f"login:id:{user.username}").locked_until)
    assert LOCKED in third
    assert f"{until:%H:%M %d/%m/%Y}" in third
    assert "The account is locked after too many failed attempts. Please try again at" in third
    # Even the right password is refused until then, without being checked.
    assert LOCKED in _try(user.username, PASSWORD)
    assert AuditEntry.objects.filter(action="identity.login.failed", target_id=str(user.pk)).count() == 3
    assert AuditEntry.objects.filter(action="identity.account.locked", target_id=str(user.pk)).count() == 1
    assert AuditEntry.objects.filter(action="identity.login.refused_locked").count() == 1
    assert LoginEvent.objects.filter(user=user, outcome=LoginOutcome.LOCKED).count() == 2


@pytest.mark.django_db
def test_the_lock_ends_after_the_configured_minutes(three_strikes: Any) -> None:
    user = make_account()
    for attempt in range(3):
        _try(user.username, f"Sai-mat-khau-{attempt}")
    Throttle.objects.filter(key=f"login:id:{user.username}").update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )

    response = Client().post("/dang-nhap/", {"personal_id": user.username, "password": PASSWORD})

    assert response["Location"] == "/dang-nhap/xac-thuc/"


@pytest.mark.django_db
def test_an_unknown_id_locks_the_same_way(three_strikes: Any) -> None:
    user = make_account()
    known = [_try(user.username, "Sai-mat-khau-1") for _ in range(4)]
    unknown = [_try("001190999999", "Sai-mat-khau-1") for _ in range(4)]

    assert (
        [LOCKED in page for page in known]
        == [LOCKED in page for page in unknown]
        == [False, False, True, True]
    )


@pytest.mark.django_db
def test_a_success_clears_the_count(three_strikes: Any) -> None:
    user = make_account(make_citizen(phone="0912345678"))
    _try(user.username, "Sai-mat-khau-1")
    _try(user.username, "Sai-mat-khau-2")
    assert (
        Client().post("/dang-nhap/", {"personal_id": user.username, "password": PASSWORD}).status_code == 302
    )

    assert LOCKED not in _try(user.username, "Sai-mat-khau-3")
    assert LOCKED not in _try(user.username, "Sai-mat-khau-4")


@pytest.mark.django_db
def test_one_address_trying_many_ids_is_stopped(settings: Any) -> None:
    settings.CONGSO_LOGIN_IP_MAX_FAILURES = 4
    users = [make_account() for _ in range(5)]
    pages = [_try(user.username, "Sai-mat-khau-1", ip="203.0.113.50") for user in users]

    assert "Có quá nhiều lần đăng nhập sai từ mạng của bạn. Vui lòng thử lại lúc" in pages[3]
    assert "Too many failed attempts from your network" in pages[4]
    # Someone elsewhere is not affected.
    elsewhere = Client().post(
        "/dang-nhap/", {"personal_id": users[4].username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.1"
    )
    assert elsewhere["Location"] == "/dang-nhap/xac-thuc/"
    assert AuditEntry.objects.filter(action="identity.address.locked").count() == 1


@pytest.mark.django_db
def test_wrong_authenticator_codes_lock_the_account(settings: Any) -> None:
    settings.CONGSO_LOGIN_MAX_CODE_FAILURES = 3
    user = make_account()
    _device, secret = make_totp_device(user)
    client = Client()
    client.post("/dang-nhap/", {"personal_id": user.username, "password": PASSWORD})
    right = pyotp.TOTP(secret).now()
    wrong = "000000" if right != "000000" else "111111"

    pages = [
        client.post("/dang-nhap/xac-thuc/", {"action": "verify", "code": wrong}).content.decode()
        for _ in range(3)
    ]
    assert LOCKED in pages[2]
    locked = client.post("/dang-nhap/xac-thuc/", {"action": "verify", "code": right})
    assert locked.status_code == 200
    assert LOCKED in locked.content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_failures_are_all_counted() -> None:
    """Workers share the count through the database: none is lost, the lock is set once."""
    limit = throttle.Limit(limit=6, window=timedelta(hours=1), lock_for=timedelta(minutes=15))
    results: list[Any] = []
    errors: list[BaseException] = []

    def hit() -> None:
        try:
            results.append(throttle.throttle_hit("login:id:race", limit))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Throttle.objects.get(key="login:id:race").count == 6
    assert sum(1 for result in results if result is not None) == 1
