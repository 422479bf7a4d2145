"""The provider's RSA signing keys: one active key signs, older ones stay published.

Two sources, chosen by settings:

* the environment (``CONGSO_OIDC_RSA_PRIVATE_KEY``, plus ``CONGSO_OIDC_RSA_PRIVATE_KEYS_INACTIVE``
  holding any number of older PEM blocks): what a national deployment does, keys come from its
  secret store and rotation is a configuration change;
* a key directory inside ``DATA_DIR`` (embedded and single-server tiers): the first start
  generates a key there, ``manage.py oidc_rotate_key`` adds a newer one. The newest file is the
  active key; the others stay in the JWKS as inactive keys so that id_tokens they signed keep
  verifying while relying parties catch up (retired keys move to ``retired/``).

Every key is named in tokens and in the JWKS by its RFC 7638 thumbprint (``kid``), the same
value django-oauth-toolkit puts in the id_token header. The directory is re-read when it
changes (one ``stat`` per use), so a rotation reaches every worker without a restart.

This module is imported by settings: it must not import Django models.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

if TYPE_CHECKING:
    from jwcrypto.jwk import JWK

KEY_SIZE = 2048
_PEM_BLOCK = re.compile(
    r"-----BEGIN (?:RSA )?PRIVATE KEY-----.+?-----END (?:RSA )?PRIVATE KEY-----", re.DOTALL
)


class KeyConfigurationError(Exception):
    """The configured keys cannot be used (an operator must fix the configuration)."""


def generate_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode("ascii")


def split_pems(text: str) -> list[str]:
    """Every PEM private key block in ``text`` (e.g. several keys in one environment variable)."""
    return [match.group(0) + "\n" for match in _PEM_BLOCK.finditer(text.replace("\\n", "\n"))]


def _write_exclusive(path: Path, content: str) -> bool:
    """Write ``content`` to ``path`` unless it exists; atomic, so readers never see half a key.

    Several workers may start at once: each writes its own temporary file and hard-links it
    into place; the first link wins and the others read the winner's key.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{time.time_ns()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink()
    return True


def stored_secret(path: Path) -> str:
    """A random secret generated once into ``path`` (like the secret key), then read back."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_exclusive(path, secrets.token_urlsafe(48))
    return path.read_text().strip()


def key_files(key_dir: Path) -> list[Path]:
    """The key files, oldest first (names are zero-padded creation times)."""
    return sorted(key_dir.glob("*.pem"))


def ensure_key_dir(key_dir: Path) -> None:
    """Create the directory and its first key if there is none yet."""
    key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not key_files(key_dir):
        # A fixed name: concurrent first starts agree on one key.
        _write_exclusive(key_dir / f"{0:020d}.pem", generate_pem())


def add_key(key_dir: Path) -> Path:
    """A new key file, newer than every existing one: it becomes the active key."""
    key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    while True:
        path = key_dir / f"{time.time_ns():020d}.pem"
        if _write_exclusive(path, generate_pem()):
            return path


def retire_old_keys(key_dir: Path, *, keep: int) -> list[Path]:
    """Move all but the ``keep`` newest keys to ``retired/`` (kept on disk, not published)."""
    files = key_files(key_dir)
    old = files[: max(len(files) - keep, 0)]
    if old:
        retired = key_dir / "retired"
        retired.mkdir(mode=0o700, exist_ok=True)
        for path in old:
            path.rename(retired / path.name)
    return old


def startup_pems(*, key_dir: Path | None, env_active: str, env_inactive: str) -> tuple[str, list[str]]:
    """(active PEM, inactive PEMs) for settings, generating the first key when needed."""
    if env_active:
        active = split_pems(env_active)
        if len(active) != 1:
            raise KeyConfigurationError("CONGSO_OIDC_RSA_PRIVATE_KEY must hold exactly one PEM private key")
        return active[0], split_pems(env_inactive)
    if key_dir is None:
        raise KeyConfigurationError("no OpenID Connect signing key: set CONGSO_OIDC_RSA_PRIVATE_KEY")
    ensure_key_dir(key_dir)
    pems = [path.read_text() for path in reversed(key_files(key_dir))]
    return pems[0], pems[1:]


@dataclass(frozen=True)
class SigningKey:
    pem: str
    active: bool

    @cached_property
    def jwk(self) -> JWK:
        from jwcrypto.jwk import JWK

        return JWK.from_pem(self.pem.encode("ascii"))

    @cached_property
    def kid(self) -> str:
        return str(self.jwk.thumbprint())

    def public_jwk(self) -> dict[str, Any]:
        return {**self.jwk.export_public(as_dict=True), "kid": self.kid, "alg": "RS256", "use": "sig"}


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[SigningKey, ...]

    @property
    def active(self) -> SigningKey:
        return self.keys[0]

    def find(self, kid: str) -> SigningKey | None:
        return next((key for key in self.keys if key.kid == kid), None)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self.keys]}


def _ring(active: str, inactive: list[str]) -> KeyRing:
    ring = KeyRing((SigningKey(active, True), *(SigningKey(pem, False) for pem in inactive)))
    for key in ring.keys:  # fail at load, not in the middle of a token request
        _ = key.kid
    return ring


_lock = threading.Lock()
_cache: dict[str, tuple[Any, KeyRing]] = {}


def keyring() -> KeyRing:
    """The current key ring (the key directory is re-read when it has changed)."""
    from django.conf import settings

    key_dir: Path | None = getattr(settings, "CONGSO_OIDC_KEY_DIR", None)
    provider = settings.OAUTH2_PROVIDER
    if key_dir is None:
        version: Any = (provider["OIDC_RSA_PRIVATE_KEY"], tuple(provider["OIDC_RSA_PRIVATE_KEYS_INACTIVE"]))
        source = "settings"
    else:
        key_dir = Path(key_dir)
        try:
            version = (str(key_dir), key_dir.stat().st_mtime_ns)
        except FileNotFoundError:
            version = None
        source = "dir"
    cached = _cache.get(source)
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        if key_dir is None:
            ring = _ring(provider["OIDC_RSA_PRIVATE_KEY"], list(provider["OIDC_RSA_PRIVATE_KEYS_INACTIVE"]))
        else:
            ensure_key_dir(key_dir)
            version = (str(key_dir), key_dir.stat().st_mtime_ns)
            pems = [path.read_text() for path in reversed(key_files(key_dir))]
            ring = _ring(pems[0], pems[1:])
        _cache[source] = (version, ring)
    return ring
