"""Passwords are stored as Argon2id at the OWASP parameters, and older hashes are upgraded."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password

import congso.settings as production


@pytest.fixture(autouse=True)
def _production_hashers(settings: Any) -> None:
    # The identity tests hash with MD5 for speed; these check what production stores.
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS


def test_new_passwords_are_argon2id_at_19_mib_two_passes_one_lane() -> None:
    encoded = make_password("Mat-khau-1a!")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("Mat-khau-1a!", encoded)
    assert not check_password("mat-khau-1a!", encoded)


@pytest.mark.django_db
def test_a_hash_with_the_old_parameters_is_upgraded_at_the_next_login() -> None:
    from congso.identity.models import User

    user = User.objects.create(username="001090123456")
    user.password = Argon2PasswordHasher().encode("Mat-khau-1a!", Argon2PasswordHasher().salt())
    user.save()
    assert "m=102400" in user.password

    assert user.check_password("Mat-khau-1a!")
    user.refresh_from_db()
    assert "m=19456,t=2,p=1" in user.password
