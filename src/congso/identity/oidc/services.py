"""Every change the OpenID Connect provider makes, each audited in its own transaction."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from oauth2_provider.models import AccessToken, RefreshToken, revoke_access_token

from congso.core.audit import audit_record
from congso.identity import throttle
from congso.identity.assurance import Assurance

from . import keys, selectors
from .models import PORTAL_CLIENT_ID, Application, Authorization, Consent


def code_checksum(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _short(value: str | None, limit: int = 300) -> str:
    return (value or "")[:limit]


# --- Authorization requests ----------------------------------------------------------------
def authorization_refuse(
    *, actor: Any, application: Application | None, client_id: str, error: str, details: dict[str, Any]
) -> None:
    """Record a refused authorization request (bad client, redirect, PKCE, level, prompt...)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="oidc.authorize.refuse",
            target=application,
            target_type="" if application else "oidc.application",
            target_id="" if application else _short(client_id, 100),
            details={"client_id": _short(client_id), "error": error, **details},
        )


@transaction.atomic
def consent_grant(*, user: Any, application: Application, scopes: list[str]) -> Consent:
    """The person agreed to share ``scopes`` with ``application``; remember it for next time."""
    consent, created = Consent.objects.select_for_update().get_or_create(
        user=user, application=application, defaults={"scopes": " ".join(sorted(set(scopes)))}
    )
    if not created:
        consent.scopes = " ".join(sorted(set(consent.scopes.split()) | set(scopes)))
        consent.save(update_fields=["scopes", "updated"])
    audit_record(
        actor=user,
        action="oidc.consent.grant",
        target=consent,
        details={"client_id": application.client_id, "scopes": sorted(set(scopes))},
    )
    return consent


def consent_deny(*, user: Any, application: Application, scopes: list[str]) -> None:
    """The person said no: nothing is remembered, so the service must ask again next time."""
    with transaction.atomic():
        audit_record(
            actor=user,
            action="oidc.consent.deny",
            target=application,
            details={"client_id": application.client_id, "scopes": sorted(set(scopes))},
        )


def authorization_record(
    *, code: str, application: Application, user: Any, scope: str, assurance: Assurance
) -> Authorization:
    """Remember an issued code: how the person authenticated, for the token endpoint."""
    with transaction.atomic():
        authorization = Authorization.objects.create(
            code_checksum=code_checksum(code),
            application=application,
            user=user,
            scope=scope,
            acr=assurance.acr,
            amr=list(assurance.amr),
            auth_time=datetime.fromtimestamp(assurance.auth_time, tz=UTC),
        )
        audit_record(
            actor=user,
            action="oidc.code.issue",
            target=authorization,
            details={"client_id": application.client_id, "scope": scope, "acr": assurance.acr},
        )
    return authorization


def authorization_redeem(*, code: str, application: Application) -> Authorization | None:
    """Claim the code for this token request; None if it was already claimed (a replay).

    A conditional UPDATE, so of two concurrent uses exactly one wins, on any database.
    """
    claimed = Authorization.objects.filter(
        code_checksum=code_checksum(code), application=application, redeemed_at__isnull=True
    ).update(redeemed_at=timezone.now())
    if not claimed:
        return None
    return Authorization.objects.get(code_checksum=code_checksum(code))


def code_replay_revoke(*, code: str, application: Application) -> bool:
    """A spent code came back: revoke what it was exchanged for (RFC 6749 §4.1.2).

    Returns whether the code was one of ours that had been used.
    """
    with transaction.atomic():
        authorization = (
            Authorization.objects.select_for_update()
            .filter(code_checksum=code_checksum(code), application=application, redeemed_at__isnull=False)
            .first()
        )
        if authorization is None:
            return False
        revoked_access = 0
        if authorization.access_token_id:
            access_token = AccessToken.objects.filter(pk=authorization.access_token_id).first()
            if access_token is not None:
                revoke_access_token(access_token)
                revoked_access = 1
        if authorization.token_family:
            # Every refresh token rotated from it, and their access tokens.
            RefreshToken.revoke_family(authorization.token_family)
        audit_record(
            actor=authorization.user,
            action="oidc.code.replay",
            target=authorization,
            details={
                "client_id": application.client_id,
                "revoked_access_token": revoked_access,
                "revoked_token_family": str(authorization.token_family or ""),
            },
        )
    return True


def token_issue_record(
    *,
    user: Any,
    application: Application,
    grant_type: str,
    scope: str,
    access_token: AccessToken | None,
    refresh_token: RefreshToken | None,
    authorization: Authorization | None,
) -> None:
    """Audit issued tokens, and bind a code's first tokens to it (for replay revocation).

    Runs inside django-oauth-toolkit's token transaction, so the audit entry exists exactly
    when the tokens do.
    """
    if authorization is not None and grant_type == "authorization_code":
        authorization.access_token = access_token
        authorization.token_family = refresh_token.token_family if refresh_token else None
        authorization.save(update_fields=["access_token", "token_family"])
    audit_record(
        actor=user,
        action="oidc.token.issue",
        target=access_token,
        target_type="" if access_token else "oidc.application",
        target_id="" if access_token else str(application.pk),
        details={"client_id": application.client_id, "grant_type": grant_type, "scope": scope},
    )


def token_refuse(*, client_id: str, grant_type: str, error: str) -> None:
    with transaction.atomic():
        audit_record(
            action="oidc.token.refuse",
            target_type="oidc.application",
            target_id=_short(client_id, 100),
            details={"client_id": _short(client_id), "grant_type": _short(grant_type, 100), "error": error},
        )


def _token_refusal_limit(limit: int) -> throttle.Limit:
    window = timedelta(minutes=settings.CONGSO_OIDC_TOKEN_REFUSAL_WINDOW_MINUTES)
    return throttle.Limit(limit=limit, window=window, lock_for=window)


def token_refusal_count(*, ip: str | None, client_id: str, client_authenticated: bool) -> None:
    """Count a refused token request towards the limits of its address and of its client.

    Every refusal counts for the address. It counts for the client only when the client proved
    itself with its secret: client_ids are public (every authorization URL shows one), so a
    count that anyone could push would let anyone shut a service's logins. Reaching a limit
    locks the key for a window; the lock is audited once, by the refusal that set it, not by
    the requests it then turns away.
    """
    address_until = throttle.throttle_hit_locking(
        selectors.token_refusal_address_key(ip),
        _token_refusal_limit(settings.CONGSO_OIDC_TOKEN_REFUSALS_PER_ADDRESS),
    )
    client_until = (
        throttle.throttle_hit_locking(
            selectors.token_refusal_client_key(client_id),
            _token_refusal_limit(settings.CONGSO_OIDC_TOKEN_REFUSALS_PER_CLIENT),
        )
        if client_authenticated and client_id
        else None
    )
    if address_until is None and client_until is None:
        return
    with transaction.atomic():
        if address_until is not None:
            audit_record(
                action="oidc.token.throttle",
                target_type="identity.address",
                target_id=str(ip or ""),
                details={"ip": ip, "client_id": _short(client_id), "locked_until": address_until},
            )
        if client_until is not None:
            audit_record(
                action="oidc.token.throttle",
                target_type="oidc.application",
                target_id=_short(client_id, 100),
                details={"ip": ip, "client_id": _short(client_id), "locked_until": client_until},
            )


def logout_record(*, user: Any, application: Application | None, redirect_uri: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=user,
            action="oidc.logout",
            target=application,
            target_type="" if application else "identity.user",
            target_id="" if application else str(getattr(user, "pk", "") or ""),
            details={
                "client_id": application.client_id if application else "",
                "redirect_uri": _short(redirect_uri),
            },
        )


def logout_refuse(*, actor: Any, client_id: str, error: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="oidc.logout.refuse",
            target_type="oidc.application",
            target_id=_short(client_id, 100),
            details={"client_id": _short(client_id), "error": error},
        )


# --- The portal's own client ----------------------------------------------------------------
def portal_callback_allowed(redirect_uri: str) -> bool:
    """May the portal's callback at this address be registered automatically?

    Only on the configured issuer's origin, or on a host named exactly in ALLOWED_HOSTS: a
    wildcard there must never let a forged Host header register a foreign callback.
    """
    parts = urlsplit(redirect_uri)
    if settings.CONGSO_OIDC_ISSUER:
        issuer = urlsplit(settings.CONGSO_OIDC_ISSUER)
        return (parts.scheme, parts.netloc) == (issuer.scheme, issuer.netloc)
    return parts.hostname is not None and parts.hostname in settings.ALLOWED_HOSTS


@transaction.atomic
def portal_client_ensure(*, redirect_uri: str) -> Application:
    """The portal's first-party client, created on first use and idempotent.

    It is a public client (PKCE protects the code; it has no secret to keep), trusted to skip
    the consent screen, and its redirect URIs are the portal's callback on each origin the
    site is served from.
    """
    application = Application.objects.select_for_update().filter(client_id=PORTAL_CLIENT_ID).first()
    if application is None:
        application = Application(
            client_id=PORTAL_CLIENT_ID,
            name=settings.CONGSO_SITE_NAME,
            organisation=settings.CONGSO_SITE_NAME,
            client_type=Application.CLIENT_PUBLIC,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            algorithm=Application.RS256_ALGORITHM,
            client_secret="",
            skip_authorization=True,
            sector_identifier=PORTAL_CLIENT_ID,
            redirect_uris=redirect_uri,
        )
        application.save()
        audit_record(
            action="oidc.application.create", target=application, details={"client_id": PORTAL_CLIENT_ID}
        )
    elif redirect_uri not in application.redirect_uris.split():
        application.redirect_uris = " ".join([*application.redirect_uris.split(), redirect_uri])
        application.save(update_fields=["redirect_uris", "updated"])
        audit_record(
            action="oidc.application.update",
            target=application,
            details={"client_id": PORTAL_CLIENT_ID, "added_redirect_uri": redirect_uri},
        )
    return application


def portal_login_record(*, user: Any, acr: str, outcome: str, details: dict[str, Any] | None = None) -> None:
    with transaction.atomic():
        audit_record(
            actor=user,
            action="oidc.portal.login" if outcome == "ok" else "oidc.portal.refuse",
            target_type="identity.user",
            target_id=str(getattr(user, "pk", "") or ""),
            details={"acr": acr, "outcome": outcome, **(details or {})},
        )


# --- Keys and relying parties ----------------------------------------------------------------
def signing_key_rotate(*, keep: int) -> tuple[str, list[str]]:
    """Make a new active signing key; keep ``keep`` keys published (kids: new, retired)."""
    key_dir = settings.CONGSO_OIDC_KEY_DIR
    if key_dir is None:
        raise keys.KeyConfigurationError(
            "Khoá ký lấy từ biến môi trường: đổi CONGSO_OIDC_RSA_PRIVATE_KEY và chuyển khoá cũ sang "
            "CONGSO_OIDC_RSA_PRIVATE_KEYS_INACTIVE / the signing keys come from the environment: set a new "
            "CONGSO_OIDC_RSA_PRIVATE_KEY and move the old one to CONGSO_OIDC_RSA_PRIVATE_KEYS_INACTIVE"
        )
    keys.ensure_key_dir(key_dir)
    new_path = keys.add_key(key_dir)
    retired = keys.retire_old_keys(key_dir, keep=max(keep, 2))
    new_kid = keys.SigningKey(new_path.read_text(), True).kid
    retired_kids = [
        keys.SigningKey((key_dir / "retired" / path.name).read_text(), False).kid for path in retired
    ]
    with transaction.atomic():
        audit_record(
            action="oidc.key.rotate",
            target_type="oidc.signing_key",
            target_id=new_kid[:100],
            details={"kid": new_kid, "retired": retired_kids},
        )
    return new_kid, retired_kids


def application_change_record(
    *, actor: Any, application: Application, action: str, fields: list[str]
) -> None:
    """Audit an operator's change to a relying party (inside the admin's transaction)."""
    audit_record(
        actor=actor,
        action=f"oidc.application.{action}",
        target=application,
        details={"client_id": application.client_id, "fields": sorted(fields)},
    )


def expired_clear() -> int:
    """Run django-oauth-toolkit's cleanup, then drop authorizations no token can refer to: old
    ones whose refresh-token family has no live member (a family refreshed regularly keeps its
    authorization, which holds the acr of its id_tokens). Not audited: it removes nothing anyone
    could still use."""
    from datetime import timedelta

    from oauth2_provider.models import clear_expired
    from oauth2_provider.settings import oauth2_settings

    clear_expired()
    keep = timedelta(
        seconds=oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS
        + (oauth2_settings.REFRESH_TOKEN_EXPIRE_SECONDS or 0)
    ) + timedelta(days=1)
    live_family = RefreshToken.objects.filter(token_family=OuterRef("token_family"), revoked__isnull=True)
    deleted, _ = (
        Authorization.objects.filter(created__lt=timezone.now() - keep).exclude(Exists(live_family)).delete()
    )
    return deleted
