"""Reads of the identity domain, for its pages and for other domains (the OIDC provider first).

Contract with the OpenID Connect provider: :func:`session_assurance` (acr, amr, auth_time of
the current login) and :func:`user_claims` (the person's registry data as claims).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from congso.core.errors import InvalidInput
from congso.core.errors import PermissionDenied as DomainPermissionDenied
from congso.notify.phone import phone_normalize
from congso.registry.choices import AgencyKind, Sex
from congso.registry.models import Agency, Citizen

from . import fieldcrypt
from .assurance import ACR_BY_LEVEL, ACR_LEVEL1, SESSION_AUTH_KEY, Assurance
from .models import (
    AccountKind,
    LoginEvent,
    OfficerRole,
    OfficerRoleKind,
    OrganisationAuthorisation,
    Passkey,
    TotpDevice,
    User,
    UserSession,
    last_day_before,
)

log = structlog.get_logger(__name__)

__all__ = [
    "Assurance",
    "OrganisationActing",
    "citizen_address_formatted",
    "login_history",
    "organisation_acting_get",
    "organisation_may_act",
    "organisations_user_may_act_for",
    "session_assurance",
    "user_claims",
]


# --- The OIDC contract -------------------------------------------------------------------------
def session_assurance(request: HttpRequest) -> Assurance:
    """What the current login proves: the account's level then, the methods used, and when.

    A session that did not come through the login pages (e.g. a test's ``force_login``) proves
    nothing beyond level 1 with no methods; an anonymous request is refused.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise DomainPermissionDenied("Chưa đăng nhập.", "Not logged in.", code="not_authenticated")
    recorded = request.session.get(SESSION_AUTH_KEY)
    if not isinstance(recorded, dict):
        last_login = user.last_login
        return Assurance(acr=ACR_LEVEL1, amr=[], auth_time=int(last_login.timestamp()) if last_login else 0)
    return Assurance(
        acr=str(recorded.get("acr", ACR_LEVEL1)),
        amr=[str(method) for method in recorded.get("amr", [])],
        auth_time=int(recorded.get("auth_time", 0)),
    )


def _name_parts(full_name: str) -> dict[str, str]:
    """Vietnamese order: family name first, given name last, middle names between."""
    words = full_name.split()
    if len(words) < 2:
        return {}
    parts = {"family_name": words[0], "given_name": words[-1]}
    if len(words) > 2:
        parts["middle_name"] = " ".join(words[1:-1])
    return parts


def citizen_address_formatted(citizen: Citizen) -> str:
    """Permanent residence as one line: address, commune, province."""
    commune = citizen.permanent_commune
    parts = [citizen.permanent_address, commune.name]
    if commune.parent_id and commune.parent is not None:
        parts.append(commune.parent.name)
    return ", ".join(part for part in parts if part)


def _phone_e164(raw: str) -> str | None:
    if not raw:
        return None
    try:
        return phone_normalize(raw)
    except InvalidInput:
        return None


def user_claims(user: User) -> dict[str, Any]:
    """The person's data as the population registry holds it, as OpenID Connect claims.

    Keys: ``name`` (and ``family_name``/``middle_name``/``given_name``), ``birthdate`` (ISO),
    ``gender`` (``male``/``female``), ``phone_number`` (E.164) and ``phone_number_verified``,
    ``address`` (``{"formatted": ..., "country": "VN"}``, OIDC Core 5.1.1), ``personal_id``,
    ``assurance_level`` (1 or 2), ``locale``. An organisation account has ``name``,
    ``organisation_code`` and no personal claims; a value the registry lacks is None.
    """
    if user.kind == AccountKind.ORGANISATION:
        return {
            "name": user.full_name,
            "organisation_code": user.organisation_code or user.username,
            "assurance_level": None,
            "locale": user.preferred_language,
        }
    citizen = (
        Citizen.objects.select_related("permanent_commune__parent").filter(pk=user.citizen_id).first()
        if user.citizen_id
        else None
    )
    if citizen is None:
        return {
            "name": user.full_name or user.username,
            "birthdate": None,
            "gender": None,
            "phone_number": None,
            "phone_number_verified": False,
            "address": None,
            "personal_id": None,
            "assurance_level": user.assurance_level,
            "locale": user.preferred_language,
        }
    phone = _phone_e164(citizen.phone)
    return {
        "name": citizen.full_name,
        **_name_parts(citizen.full_name),
        "birthdate": citizen.date_of_birth.isoformat(),
        "gender": "female" if citizen.sex == Sex.FEMALE else "male",
        "phone_number": phone,
        # The registry's number, confirmed by the SMS code at activation.
        "phone_number_verified": phone is not None,
        "address": {"formatted": citizen_address_formatted(citizen), "country": "VN"},
        "personal_id": citizen.personal_id,
        "assurance_level": user.assurance_level,
        "locale": user.preferred_language,
    }


def acr_for_user(user: User) -> str:
    return ACR_BY_LEVEL.get(user.assurance_level, ACR_LEVEL1)


# --- Account pages ------------------------------------------------------------------------------
def login_history(*, user: User, limit: int = 50) -> list[LoginEvent]:
    """The person's latest login attempts (successes and failures), newest first."""
    return list(LoginEvent.objects.filter(user=user).order_by("-at", "-id")[:limit])


def sessions_active(*, user: User) -> QuerySet[UserSession]:
    """Sessions not signed out and not yet expired (seen within the session lifetime)."""
    alive_since = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return (
        UserSession.objects.active()
        .filter(user=user, last_seen_at__gte=alive_since)
        .order_by("-last_seen_at", "-id")
    )


@dataclass(frozen=True)
class Factors:
    sms_phone: str | None  # masked registry phone, or None when the registry has none
    totp: TotpDevice | None
    passkeys: list[Passkey]


def factors_for(*, user: User) -> Factors:
    from congso.notify.phone import phone_mask

    phone = _phone_e164(user.citizen.phone) if user.citizen_id and user.citizen else None
    return Factors(
        sms_phone=phone_mask(phone) if phone else None,
        totp=TotpDevice.objects.filter(user=user).first(),
        passkeys=list(Passkey.objects.filter(user=user)),
    )


def user_has_totp(*, user: User) -> bool:
    return TotpDevice.objects.filter(user=user).exists()


def totp_context(user_id: int) -> str:
    """What a device's secret is bound to: its account (migration 0007 uses the same words)."""
    return f"identity.totpdevice.secret:{user_id}"


def totp_secret(device: TotpDevice) -> str | None:
    """The device's secret in clear, or None (logged as an error) when it cannot be decrypted.

    None means the keys are misconfigured or a key was retired too early: the person is not
    at fault, so the login offers the SMS code instead of failing.
    """
    try:
        return fieldcrypt.field_decrypt(device.secret_encrypted, context=totp_context(device.user_id))
    except (fieldcrypt.FieldDecryptionError, fieldcrypt.FieldKeyError) as error:
        log.error(
            "identity.totp.secret_undecryptable",
            user_id=device.user_id,
            device_id=device.pk,
            key_id=getattr(error, "key_id", ""),
            reason=str(error),
        )
        return None


def totp_usable(*, user: User) -> bool:
    """The person has an authenticator app and its secret can be read now."""
    device = TotpDevice.objects.filter(user=user).first()
    return device is not None and totp_secret(device) is not None


def user_has_passkey(*, user: User) -> bool:
    return Passkey.objects.filter(user=user).exists()


# --- Officers -------------------------------------------------------------------------------
def officer_roles_active(*, user: User) -> QuerySet[OfficerRole]:
    return OfficerRole.objects.active().filter(user=user).select_related("agency")


def police_agencies_of(*, user: User) -> list[Agency]:
    """Police agencies where the person holds a role: where they may verify people in person."""
    roles = officer_roles_active(user=user).filter(agency__kind=AgencyKind.POLICE)
    return list({role.agency_id: role.agency for role in roles}.values())


def agencies_administered_by(*, user: User) -> list[Agency]:
    roles = officer_roles_active(user=user).filter(role=OfficerRoleKind.ADMINISTRATOR)
    return list({role.agency_id: role.agency for role in roles}.values())


def officer_roles_in_agency(*, agency: Agency) -> QuerySet[OfficerRole]:
    return (
        OfficerRole.objects.active().filter(agency=agency).select_related("user").order_by("user__username")
    )


def is_officer(*, user: User) -> bool:
    return user.is_authenticated and OfficerRole.objects.active().filter(user=user).exists()


# --- Organisations ----------------------------------------------------------------------------
@dataclass(frozen=True)
class OrganisationActing:
    """An organisation the person may act for, and how far.

    ``account`` is the organisation's account; its code and name are the business registry's
    answer when the representative was last looked up (``services.representation_refresh``).
    """

    account: User
    as_representative: bool
    scopes: list[str]
    expires_at: datetime | None

    @property
    def code(self) -> str:
        return self.account.organisation_code or self.account.username

    @property
    def name(self) -> str:
        return self.account.full_name or self.code

    @property
    def last_day(self) -> date | None:
        """The last day the authorisation is in force; None for the legal representative."""
        return last_day_before(self.expires_at) if self.expires_at is not None else None

    @property
    def scope_labels(self) -> list[str]:
        from .models import AuthorisationScope

        labels = dict(AuthorisationScope.choices)
        return [str(labels.get(scope, scope)) for scope in self.scopes]


def organisations_user_may_act_for(user: User) -> list[OrganisationActing]:
    """Organisations the person represents by law, or acts for under an authorisation in force.

    Representation is as of the last answer of the business registry; the login and the pages
    for acting on an organisation's behalf refresh it when it is older than
    ``CONGSO_IDENTITY_REPRESENTATION_MAX_AGE_SECONDS``.
    """
    if not user.is_authenticated or user.kind != AccountKind.PERSON:
        return []
    from .models import AuthorisationScope

    acting: dict[int, OrganisationActing] = {}
    represented = User.objects.filter(kind=AccountKind.ORGANISATION, representative=user, is_active=True)
    for account in represented.order_by("full_name", "organisation_code"):
        acting[account.pk] = OrganisationActing(
            account=account,
            as_representative=True,
            scopes=list(AuthorisationScope.values),
            expires_at=None,
        )
    authorisations = (
        OrganisationAuthorisation.objects.in_force()
        .filter(employee=user, organisation_account__is_active=True)
        .select_related("organisation_account")
        .order_by("expires_at")
    )
    for authorisation in authorisations:
        account = authorisation.organisation_account
        previous = acting.get(account.pk)
        if previous is not None and previous.as_representative:
            continue
        if previous is not None:
            scopes = list(dict.fromkeys([*previous.scopes, *authorisation.scopes]))
            expires = max(previous.expires_at or authorisation.expires_at, authorisation.expires_at)
        else:
            scopes, expires = list(authorisation.scopes), authorisation.expires_at
        acting[account.pk] = OrganisationActing(
            account=account, as_representative=False, scopes=scopes, expires_at=expires
        )
    return list(acting.values())


def organisation_may_act(*, user: User, organisation: User, scope: str) -> bool:
    """Whether the person may, right now, do ``scope`` for the organisation (its account)."""
    return any(
        entry.account.pk == organisation.pk and scope in entry.scopes
        for entry in organisations_user_may_act_for(user)
    )


def organisation_acting_get(*, user: User, code: str) -> OrganisationActing | None:
    """How the person may act for the organisation with this enterprise code, if at all."""
    wanted = code.strip()
    return next((entry for entry in organisations_user_may_act_for(user) if entry.code == wanted), None)


def organisation_authorisations(*, organisation: User) -> QuerySet[OrganisationAuthorisation]:
    """Every authorisation of the organisation, newest first (in force, expired, revoked)."""
    return (
        OrganisationAuthorisation.objects.filter(organisation_account=organisation)
        .select_related("employee", "granted_by", "revoked_by")
        .order_by("-granted_at", "-id")
    )
