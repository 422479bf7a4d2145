"""Relying parties, the authorizations issued to them and the consents citizens gave.

``Application`` replaces django-oauth-toolkit's (``OAUTH2_PROVIDER_APPLICATION_MODEL``): it adds
what a government identity provider needs to know about a relying party and makes redirect
matching exact.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from oauth2_provider.models import AbstractApplication, ApplicationManager
from oauth2_provider.settings import oauth2_settings

from congso.identity.assurance import ACR_LEVEL1

PORTAL_CLIENT_ID = "congso-portal"


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def uri_scheme_problem(uri: str) -> str | None:
    """Why ``uri`` cannot be registered: https only, except for loopback (RFC 8252 §7.3)."""
    parts = urlsplit(uri)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and _is_loopback(parts.hostname):
        return None
    return f"{uri}: dùng https (http chỉ cho máy cục bộ) / use https (http only for loopback)"


class Application(AbstractApplication):
    """A relying party ("dịch vụ liên kết"): a service whose users log in with Cổng Số."""

    LEVEL_CHOICES = [(1, "Mức độ 1 (level 1)"), (2, "Mức độ 2 (level 2)")]

    # RS256 only: id_tokens are verified with the published keys, never with client secrets.
    algorithm = models.CharField(
        max_length=5,
        choices=[(AbstractApplication.RS256_ALGORITHM, "RSA with SHA-2 256")],
        default=AbstractApplication.RS256_ALGORITHM,
        verbose_name="thuật toán ký (algorithm)",
    )
    # Who registered it (django-oauth-toolkit's field, with a related name type checkers resolve).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        related_name="+",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name="người đăng ký (registered by)",
    )
    # The authorization code flow only (with PKCE); no implicit, password or hybrid grants.
    authorization_grant_type = models.CharField(
        max_length=44,
        choices=AbstractApplication.GRANT_TYPES,
        default=AbstractApplication.GRANT_AUTHORIZATION_CODE,
        verbose_name="luồng cấp quyền (grant type)",
    )
    organisation = models.CharField(
        "cơ quan, tổ chức (organisation)",
        max_length=255,
        blank=True,
        help_text="Hiện cho người dân trên màn hình đồng ý / shown on the consent screen.",
    )
    description = models.TextField(
        "mô tả (description)",
        blank=True,
        help_text="Dịch vụ dùng dữ liệu để làm gì; hiện trên màn hình đồng ý / "
        "what the service uses the data for; shown on the consent screen.",
    )
    min_assurance_level = models.PositiveSmallIntegerField(
        "mức độ tài khoản tối thiểu (minimum assurance level)",
        choices=LEVEL_CHOICES,
        default=1,
        help_text="Tài khoản thấp hơn bị từ chối / accounts below it are refused.",
    )
    sector_identifier = models.CharField(
        "nhóm định danh (sector identifier)",
        max_length=255,
        blank=True,
        help_text="Các dịch vụ cùng nhóm nhận cùng 'sub' cho một người; để trống: tên miền của "
        "địa chỉ chuyển hướng đầu tiên / services of one sector see the same 'sub' for a person; "
        "empty: the host of the first redirect URI.",
    )
    is_active = models.BooleanField(
        "đang hoạt động (active)",
        default=True,
        help_text="Tắt để chặn ngay mọi đăng nhập và token của dịch vụ / "
        "untick to stop every login and token of this service at once.",
    )

    objects = ApplicationManager()

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"
        verbose_name = "dịch vụ liên kết (relying party)"
        verbose_name_plural = "dịch vụ liên kết (relying parties)"

    def natural_key(self) -> tuple[str]:
        return (self.client_id,)

    # --- exact redirect matching (open-redirect protection) -----------------------------------
    def redirect_uri_allowed(self, uri: str) -> bool:
        """Simple string comparison with a registered URI (OpenID Connect Core §3.1.2.1).

        django-oauth-toolkit would let a loopback redirect change its port (RFC 8252); a
        government provider registers every redirect exactly.
        """
        return uri in self.redirect_uris.split()

    def post_logout_redirect_uri_allowed(self, uri: str) -> bool:
        return uri in self.post_logout_redirect_uris.split()

    def is_usable(self, request: Any) -> bool:
        return self.is_active

    @property
    def jwk_key(self) -> Any:
        from .keys import keyring

        return keyring().active.jwk

    @property
    def sector(self) -> str:
        """The pairwise sector: who may correlate a person's ``sub`` across services."""
        if self.sector_identifier:
            return self.sector_identifier
        uris = self.redirect_uris.split()
        return (urlsplit(uris[0]).hostname or self.client_id) if uris else self.client_id

    def clean(self) -> None:
        super().clean()
        problems: dict[str, list[str]] = {}
        if self.authorization_grant_type != AbstractApplication.GRANT_AUTHORIZATION_CODE:
            problems["authorization_grant_type"] = [
                "Chỉ hỗ trợ luồng mã xác thực (authorization code) / only the authorization code flow"
            ]
        for field in ("redirect_uris", "post_logout_redirect_uris"):
            found = [p for uri in getattr(self, field).split() if (p := uri_scheme_problem(uri))]
            if found:
                problems[field] = found
        if problems:
            raise ValidationError(problems)


class Authorization(models.Model):
    """One authorization code issued to a relying party, and what became of it.

    Holds how the person authenticated (``acr``, ``amr``, ``auth_time``), which the token
    endpoint puts in the id_token (it has no browser session to ask), and lets a second use of
    the code revoke what the first use obtained (RFC 6749 §4.1.2). The code itself is not
    stored, only its SHA-256.
    """

    code_checksum = models.CharField(max_length=64, unique=True)
    application = models.ForeignKey(oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.TextField(blank=True)
    acr = models.CharField(max_length=100, default=ACR_LEVEL1)
    amr = models.JSONField(default=list)
    auth_time = models.DateTimeField()
    created = models.DateTimeField(auto_now_add=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    # What the code was exchanged for: the first access token and its refresh-token family.
    access_token = models.ForeignKey(
        oauth2_settings.ACCESS_TOKEN_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token_family = models.UUIDField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "lần cấp quyền (authorization)"
        verbose_name_plural = "lần cấp quyền (authorizations)"

    def __str__(self) -> str:
        return f"Authorization #{self.pk}"


class Consent(models.Model):
    """A person's remembered yes to a relying party for a set of scopes ("sự đồng ý")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE)
    scopes = models.TextField(help_text="space-separated, sorted")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sự đồng ý chia sẻ (consent)"
        verbose_name_plural = "sự đồng ý chia sẻ (consents)"
        constraints = [
            models.UniqueConstraint(fields=["user", "application"], name="oidc_consent_one_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.application_id}: {self.scopes}"

    def covers(self, scopes: list[str] | set[str]) -> bool:
        return set(scopes) <= set(self.scopes.split())
