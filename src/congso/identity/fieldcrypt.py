"""Encryption at rest of the few secrets the platform must be able to read back.

An authenticator app's secret (RFC 6238) cannot be stored as a hash: the server computes the
expected code from it. So it is kept encrypted with AES-256-GCM under a key that never lives in
the database, and bound to its row by the associated data (``context``): a ciphertext copied
onto another person's device does not decrypt, so someone who can write to the database still
cannot make their own authenticator open another account.

A stored value reads ``v1.<key id>.<nonce and ciphertext, base64url>``. The keys come from
``CONGSO_FIELD_ENCRYPTION_KEYS`` (comma-separated, 32 bytes each in urlsafe base64): the first
encrypts, every one decrypts. The key id names which key sealed a value, so rotation is a
configuration change followed by ``manage.py identity_reencrypt``, and an old value whose key
was removed fails with the key named instead of a bare authentication error.

This module is imported by settings: it must not import Django models.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1"
_KEY_BYTES = 32
_NONCE_BYTES = 12


class FieldKeyError(Exception):
    """The configured keys cannot be used (an operator must fix the configuration)."""


class FieldDecryptionError(Exception):
    """A stored value cannot be decrypted: unknown key id, wrong key, wrong row, or damaged."""

    def __init__(self, message: str, *, key_id: str = "") -> None:
        super().__init__(message)
        self.key_id = key_id


@dataclass(frozen=True)
class FieldKey:
    key_id: str
    cipher: AESGCM


def key_generate() -> str:
    """A new key in the format ``CONGSO_FIELD_ENCRYPTION_KEYS`` expects."""
    return base64.urlsafe_b64encode(secrets.token_bytes(_KEY_BYTES)).decode("ascii")


def key_derive(secret: str) -> str:
    """A key derived from a longer secret (the one generated into the data directory).

    HKDF with its own label: the same secret could not yield this key for any other purpose.
    """
    derived = HKDF(
        algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=None, info=b"congso.identity.field-encryption"
    ).derive(secret.encode("utf-8"))
    return base64.urlsafe_b64encode(derived).decode("ascii")


def _key_id(raw: bytes) -> str:
    """Eight hex digits naming the key; a fingerprint, it tells nothing about the key itself."""
    return hashlib.sha256(b"congso.identity.field-key-id:" + raw).hexdigest()[:8]


def _key_parse(text: str, position: int) -> FieldKey:
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != _KEY_BYTES:
        raise FieldKeyError(
            f"CONGSO_FIELD_ENCRYPTION_KEYS: key {position + 1} is not 32 bytes in urlsafe base64 "
            "(make one with: manage.py shell -c 'from congso.identity.fieldcrypt import key_generate; "
            "print(key_generate())')"
        )
    return FieldKey(key_id=_key_id(raw), cipher=AESGCM(raw))


@lru_cache(maxsize=8)
def _keys_parsed(configured: tuple[str, ...]) -> tuple[FieldKey, ...]:
    if not configured:
        raise FieldKeyError("CONGSO_FIELD_ENCRYPTION_KEYS is empty: at least one key is needed.")
    keys = tuple(_key_parse(text, position) for position, text in enumerate(configured))
    if len({key.key_id for key in keys}) != len(keys):
        raise FieldKeyError("CONGSO_FIELD_ENCRYPTION_KEYS lists the same key twice.")
    return keys


def keys_configured() -> tuple[FieldKey, ...]:
    """The keys from settings, newest (the one that encrypts) first."""
    from django.conf import settings

    return _keys_parsed(tuple(settings.CONGSO_FIELD_ENCRYPTION_KEYS))


def key_id_current() -> str:
    return keys_configured()[0].key_id


def key_id_of(token: str) -> str:
    """The id of the key that sealed ``token`` ("" if it is not a sealed value)."""
    parts = token.split(".")
    return parts[1] if len(parts) == 3 and parts[0] == VERSION else ""


def field_encrypt(plaintext: str, *, context: str) -> str:
    """Seal ``plaintext`` with the current key, bound to ``context`` (e.g. the row it belongs to)."""
    key = keys_configured()[0]
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = key.cipher.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    data = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
    return f"{VERSION}.{key.key_id}.{data}"


def field_decrypt(token: str, *, context: str) -> str:
    """Open a value sealed by :func:`field_encrypt` with any configured key, for this ``context``."""
    key_id = key_id_of(token)
    if not key_id:
        raise FieldDecryptionError("the stored value is not an encrypted field")
    key = next((key for key in keys_configured() if key.key_id == key_id), None)
    if key is None:
        raise FieldDecryptionError(f"key {key_id} is not among CONGSO_FIELD_ENCRYPTION_KEYS", key_id=key_id)
    try:
        data = token.split(".")[2]
        blob = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        plain = key.cipher.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], context.encode("utf-8"))
        return plain.decode("utf-8")
    except (InvalidTag, binascii.Error, ValueError) as error:
        raise FieldDecryptionError(
            f"the value does not decrypt with key {key_id} for this record", key_id=key_id
        ) from error
