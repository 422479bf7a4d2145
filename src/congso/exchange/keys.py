"""The gateway's Ed25519 signing key: log checkpoints, consent receipts, evidence bundles.

The private key comes from ``CONGSO_EXCHANGE_SIGNING_KEY`` (PEM, or base64 of the 32-byte
seed) or, in the embedded tier, is generated once into ``DATA_DIR/exchange_signing_key.pem``
(mode 0600). Only its public half is stored in the database (:class:`GatewayKey`), so that
anyone can check a signature; the log verifier trusts the current key plus the rotated-out
keys listed in ``CONGSO_EXCHANGE_TRUSTED_LOG_KEYS``, never a key merely found in the
database.
"""

from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from django.conf import settings

from .conf import setting
from .evidence import b64, key_id, public_key_raw, unb64

_KEY_FILE = "exchange_signing_key.pem"


@dataclass(frozen=True)
class GatewaySigningKey:
    private: Ed25519PrivateKey
    key_id: str
    public_b64: str

    def sign(self, message: bytes) -> str:
        return b64(self.private.sign(message))


_lock = threading.Lock()
_cache: dict[tuple[str, str], GatewaySigningKey] = {}


def _load(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = load_pem_private_key(text.encode("ascii"), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("CONGSO_EXCHANGE_SIGNING_KEY must be an Ed25519 key")
        return key
    return Ed25519PrivateKey.from_private_bytes(unb64(text))


def _from_file(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        return _load(path.read_text())
    # Written whole under a private name, then linked into place: a process starting at the
    # same moment either wins the link or reads the complete key of the one that did.
    key = Ed25519PrivateKey.generate()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    try:
        os.link(temporary, path)
    except FileExistsError:
        return _load(path.read_text())
    finally:
        temporary.unlink()
    return key


def gateway_signing_key() -> GatewaySigningKey:
    configured = str(setting("CONGSO_EXCHANGE_SIGNING_KEY") or "")
    path = Path(settings.DATA_DIR) / _KEY_FILE
    cache_key = (configured, str(path))
    with _lock:
        found = _cache.get(cache_key)
        if found is None:
            private = _load(configured) if configured else _from_file(path)
            raw = public_key_raw(private)
            found = GatewaySigningKey(private=private, key_id=key_id(raw), public_b64=b64(raw))
            _cache[cache_key] = found
    return found


def gateway_key_publish() -> GatewaySigningKey:
    """The signing key, with its public half recorded in the database."""
    from .models import GatewayKey

    key = gateway_signing_key()
    GatewayKey.objects.get_or_create(key_id=key.key_id, defaults={"public_key": key.public_b64})
    return key


def trusted_log_keys() -> dict[str, str]:
    """key id → base64 public key of every key whose checkpoints the verifier accepts."""
    current = gateway_signing_key()
    keys = {current.key_id: current.public_b64}
    for public_b64 in setting("CONGSO_EXCHANGE_TRUSTED_LOG_KEYS"):
        keys[key_id(unb64(public_b64))] = public_b64
    return keys
