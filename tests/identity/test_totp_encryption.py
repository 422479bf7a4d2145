"""Authenticator secrets are encrypted at rest, rotate with the keys, and a key problem never
locks a person out: the SMS code is offered instead."""

from __future__ import annotations

import importlib
import time
from typing import Any

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from congso.core.models import AuditEntry
from congso.identity import fieldcrypt, selectors, services
from congso.identity.errors import TotpUnavailable
from congso.identity.models import LoginEvent, LoginOutcome, Throttle, TotpDevice, User

from .factories import PASSWORD, last_sms_code, make_account, make_citizen, make_totp_device, sms_count

pytestmark = pytest.mark.django_db


def stored_column(device: TotpDevice) -> str:
    """The column as the database holds it, read without the ORM."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_encrypted FROM identity_totpdevice WHERE id = %s", [device.pk])
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def enrol(user: User) -> tuple[TotpDevice, str]:
    secret = services.totp_secret_new()
    device = services.totp_enrol(user=user, secret=secret, code=pyotp.TOTP(secret).now(), name="Điện thoại")
    return device, secret


def password_step(client: Client, user: User) -> None:
    response = client.post("/dang-nhap/", {"personal_id": user.username, "password": PASSWORD})
    assert response["Location"] == "/dang-nhap/xac-thuc/"


def next_code(secret: str) -> str:
    """A code of a later time step than the enrolment's, which is spent."""
    return pyotp.TOTP(secret).at(int(time.time()) + 30)


@pytest.fixture
def keys(settings: Any) -> list[str]:
    generated = [fieldcrypt.key_generate() for _ in range(3)]
    settings.CONGSO_FIELD_ENCRYPTION_KEYS = [generated[0]]
    return generated


def test_the_stored_column_never_holds_the_secret(keys: list[str]) -> None:
    user = make_account(make_citizen(phone="0912345678"))

    device, secret = enrol(user)

    stored = stored_column(device)
    assert secret not in stored
    assert secret.lower() not in stored.lower()
    assert stored.startswith(f"v1.{fieldcrypt.key_id_current()}.")
    assert selectors.totp_secret(device) == secret


def test_login_with_the_authenticator_works_with_the_encrypted_secret(keys: list[str]) -> None:
    user = make_account(make_citizen(phone="0912345678"))
    _device, secret = enrol(user)
    client = Client()

    password_step(client, user)
    response = client.post("/dang-nhap/xac-thuc/", {"action": "verify", "code": next_code(secret)})

    assert response["Location"] == "/tai-khoan/"
    assert sms_count("0912345678") == 0
    assert LoginEvent.objects.get(outcome=LoginOutcome.SUCCESS).method == "totp"


def test_a_secret_copied_onto_another_account_does_not_open_it(keys: list[str]) -> None:
    mine = make_account(make_citizen(phone="0912345678"))
    victim = make_account(make_citizen(phone="0912345679"))
    my_device, secret = enrol(mine)
    victim_device, _victim_secret = make_totp_device(victim)
    TotpDevice.objects.filter(pk=victim_device.pk).update(secret_encrypted=stored_column(my_device))

    with pytest.raises(TotpUnavailable):
        services.login_totp_verify(user=victim, code=next_code(secret), ip="203.0.113.5", user_agent="t")
    assert User.objects.get(pk=victim.pk).last_login is None


def test_rotation_keeps_old_secrets_readable_and_reencrypts_them(settings: Any, keys: list[str]) -> None:
    user = make_account(make_citizen(phone="0912345678"))
    device, secret = enrol(user)
    old_key_id = fieldcrypt.key_id_current()
    settings.CONGSO_FIELD_ENCRYPTION_KEYS = [keys[1], keys[0]]
    new_key_id = fieldcrypt.key_id_current()

    assert fieldcrypt.key_id_of(stored_column(device)) == old_key_id
    assert selectors.totp_secret(TotpDevice.objects.get(pk=device.pk)) == secret  # old key still decrypts

    call_command("identity_reencrypt", stdout=None)

    assert fieldcrypt.key_id_of(stored_column(device)) == new_key_id
    entry = AuditEntry.objects.get(action="identity.totp.reencrypted")
    assert entry.details == {"devices": [device.pk], "from_keys": [old_key_id], "to_key": new_key_id}
    settings.CONGSO_FIELD_ENCRYPTION_KEYS = [keys[1]]  # the old key can go now
    client = Client()
    password_step(client, user)
    response = client.post("/dang-nhap/xac-thuc/", {"action": "verify", "code": next_code(secret)})
    assert response["Location"] == "/tai-khoan/"


def test_reencrypting_twice_changes_nothing_the_second_time(settings: Any, keys: list[str]) -> None:
    make_totp_device(make_account())
    settings.CONGSO_FIELD_ENCRYPTION_KEYS = [keys[1], keys[0]]

    first = services.totp_secrets_reencrypt(batch_size=1)
    second = services.totp_secrets_reencrypt()

    assert (first.reencrypted, first.already_current) == (1, 0)
    assert (second.reencrypted, second.already_current) == (0, 1)
    assert AuditEntry.objects.filter(action="identity.totp.reencrypted").count() == 1


def test_a_wrong_key_offers_the_sms_code_and_logs_an_error(
    settings: Any, keys: list[str], monkeypatch: Any
) -> None:
    user = make_account(make_citizen(phone="0912345678"))
    device, _secret = enrol(user)
    errors: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(selectors.log, "error", lambda event, **fields: errors.append((event, fields)))
    settings.CONGSO_FIELD_ENCRYPTION_KEYS = [keys[2]]  # the key that sealed it is gone
    client = Client()

    password_step(client, user)

    assert sms_count("0912345678") == 1  # straight to the SMS code, no authenticator step
    page = client.get("/dang-nhap/xac-thuc/").content.decode()
    assert 'value="use_totp"' not in page
    response = client.post("/dang-nhap/xac-thuc/", {"action": "verify", "code": last_sms_code("0912345678")})
    assert response["Location"] == "/tai-khoan/"
    assert errors[0][0] == "identity.totp.secret_undecryptable"
    assert errors[0][1]["device_id"] == device.pk
    assert errors[0][1]["key_id"] == fieldcrypt.key_id_of(stored_column(device))


def test_a_key_lost_mid_login_switches_to_sms_without_counting_a_failure(
    settings: Any, keys: list[str]
) -> None:
    user = make_account(make_citizen(phone="0912345678"))
    _device, secret = enrol(user)
    client = Client()
    password_step(client, user)
    settings.CONGSO_FIELD_ENCRYPTION_KEYS = [keys[2]]

    response = client.post(
        "/dang-nhap/xac-thuc/", {"action": "verify", "code": next_code(secret)}, follow=True
    )

    assert response.status_code == 200
    assert "Hiện không dùng được ứng dụng xác thực" in response.content.decode()
    assert sms_count("0912345678") == 1
    assert not LoginEvent.objects.filter(outcome=LoginOutcome.BAD_SECOND_FACTOR).exists()
    assert not Throttle.objects.filter(key=f"login:2fa:{user.pk}").exists()


def test_reencrypt_reports_secrets_no_key_opens_and_leaves_them(settings: Any, keys: list[str]) -> None:
    device, _secret = make_totp_device(make_account())
    before = stored_column(device)
    settings.CONGSO_FIELD_ENCRYPTION_KEYS = [keys[1]]

    with pytest.raises(CommandError, match=f"ids: {device.pk}"):
        call_command("identity_reencrypt")

    assert stored_column(device) == before


def test_malformed_keys_are_named_by_the_system_check(settings: Any) -> None:
    from congso.identity.checks import check_field_encryption_keys

    settings.CONGSO_FIELD_ENCRYPTION_KEYS = ["not-a-key"]

    assert [message.id for message in check_field_encryption_keys()] == ["identity.E001"]


def test_the_data_migration_encrypts_and_decrypts_existing_secrets(keys: list[str]) -> None:
    from django.apps import apps

    migration = importlib.import_module("congso.identity.migrations.0007_totp_secret_encrypted")
    device, _ = make_totp_device(make_account())
    plain = pyotp.random_base32()
    TotpDevice.objects.filter(pk=device.pk).update(secret_encrypted=plain)

    class Editor:
        connection = connection

    migration.encrypt_secrets(apps, Editor())
    sealed = stored_column(device)
    migration.encrypt_secrets(apps, Editor())  # run twice: nothing sealed twice

    assert plain not in sealed
    assert stored_column(device) == sealed
    assert selectors.totp_secret(TotpDevice.objects.get(pk=device.pk)) == plain
    migration.decrypt_secrets(apps, Editor())
    assert stored_column(device) == plain
