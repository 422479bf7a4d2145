"""Every change to accounts: keyword-only, typed, transactional, audited.

Refusals are audited too. A refusal that must leave a trace (a failed password, a wrong
code, an officer without the right) is written in its own transaction, which commits, and the
error is raised only afterwards: raising inside the transaction would roll the trace back.

SMS leave through notify's outbox, after the caller's transaction commits.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

import pyotp
import structlog
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from congso.core.audit import audit_record
from congso.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from congso.notify.phone import phone_mask, phone_normalize
from congso.notify.services import message_send
from congso.registry.choices import AgencyKind
from congso.registry.models import Agency, Citizen
from congso.registry.selectors import citizen_get_by_personal_id

from . import eligibility, fieldcrypt, selectors, throttle
from .assurance import ACR_BY_LEVEL
from .errors import (
    CodeRefused,
    Locked,
    LoginRefused,
    RateLimited,
    ResendTooSoon,
    TotpUnavailable,
    activation_too_young,
    code_exhausted,
    code_expired,
    code_wrong,
    level2_guardian_missing,
    level2_too_young,
)
from .models import (
    AccountKind,
    AssuranceLevel,
    AssuranceVerification,
    AuthorisationScope,
    CodePurpose,
    Language,
    LoginEvent,
    LoginOutcome,
    OfficerRole,
    OfficerRoleKind,
    OneTimeCode,
    OrganisationAuthorisation,
    Passkey,
    TotpDevice,
    User,
    UserSession,
)

log = structlog.get_logger(__name__)

CODE_DIGITS = 6
# After the code is confirmed, the password must be set within this time.
_CODE_CONFIRMED_WINDOW = timedelta(minutes=15)
_TEMPLATES = {
    CodePurpose.ACTIVATION: "identity.activation_code",
    CodePurpose.LOGIN: "identity.login_code",
    CodePurpose.RECOVERY: "identity.recovery_code",
}


# --- Limits ---------------------------------------------------------------------------------
def _account_limit() -> throttle.Limit:
    return throttle.Limit(
        limit=settings.CONGSO_LOGIN_MAX_FAILURES,
        window=timedelta(minutes=settings.CONGSO_LOGIN_FAILURE_WINDOW_MINUTES),
        lock_for=timedelta(minutes=settings.CONGSO_LOGIN_LOCKOUT_MINUTES),
    )


def _second_factor_limit() -> throttle.Limit:
    return throttle.Limit(
        limit=settings.CONGSO_LOGIN_MAX_CODE_FAILURES,
        window=timedelta(minutes=settings.CONGSO_LOGIN_FAILURE_WINDOW_MINUTES),
        lock_for=timedelta(minutes=settings.CONGSO_LOGIN_LOCKOUT_MINUTES),
    )


def _address_limit() -> throttle.Limit:
    window = timedelta(minutes=settings.CONGSO_LOGIN_IP_WINDOW_MINUTES)
    return throttle.Limit(limit=settings.CONGSO_LOGIN_IP_MAX_FAILURES, window=window, lock_for=window)


def _hourly(limit: int) -> throttle.Limit:
    return throttle.Limit(limit=limit, window=timedelta(hours=1), lock_for=timedelta(hours=1))


def _login_id_key(personal_id: str) -> str:
    return f"login:id:{personal_id}"


def _login_ip_key(ip: str | None) -> str:
    return f"login:ip:{ip or 'unknown'}"


def _second_factor_key(user: User) -> str:
    return f"login:2fa:{user.pk}"


def _sms_allowance(phone: str) -> None:
    until = throttle.throttle_take(f"sms:{phone}", _hourly(settings.CONGSO_SMS_CODES_PER_PHONE_PER_HOUR))
    if until is not None:
        raise RateLimited(until)


def _request_allowance(kind: str, ip: str | None) -> None:
    limit = _hourly(settings.CONGSO_IDENTITY_REQUESTS_PER_IP_PER_HOUR)
    until = throttle.throttle_take(f"{kind}:ip:{ip or 'unknown'}", limit)
    if until is not None:
        raise RateLimited(until)


def _refused(
    error: DomainError, *, actor: Any, action: str, target: Any = None, details: dict[str, Any]
) -> None:
    """Audit a refusal in its own committed transaction, then raise it."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=action,
            target=target,
            target_type="" if target is not None else "identity.user",
            details={**details, "code": error.code},
        )
    raise error


# --- One-time codes -------------------------------------------------------------------------
def _code_hash(salt: str, code: str) -> str:
    return salted_hmac("congso.identity.onetimecode", f"{salt}:{code}", algorithm="sha256").hexdigest()


def _code_new() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _challenge_create(
    *, purpose: str, phone: str, sent: bool, citizen: Citizen | None = None, user: User | None = None
) -> tuple[OneTimeCode, str]:
    code = _code_new()
    salt = secrets.token_hex(16)
    now = timezone.now()
    challenge = OneTimeCode.objects.create(
        purpose=purpose,
        citizen=citizen,
        user=user,
        phone=phone,
        salt=salt,
        code_hash=_code_hash(salt, code),
        sent=sent,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.CONGSO_OTP_LIFETIME_SECONDS),
    )
    return challenge, code


def _code_send(*, challenge: OneTimeCode, code: str, user: User | None) -> None:
    message_send(
        template=_TEMPLATES[CodePurpose(challenge.purpose)],
        context={"code": code, "minutes": max(1, settings.CONGSO_OTP_LIFETIME_SECONDS // 60)},
        channels=["sms"],
        phone=challenge.phone,
        user=user,
        language=None if user is not None else get_language(),
    )


def _registry_phone(citizen: Citizen) -> str:
    try:
        return phone_normalize(citizen.phone) if citizen.phone else ""
    except InvalidInput:
        return ""


def _citizen_matching(personal_id: str, phone: str) -> Citizen | None:
    try:
        citizen = citizen_get_by_personal_id(personal_id=personal_id)
    except (NotFound, InvalidInput):
        return None
    registry_phone = _registry_phone(citizen)
    if registry_phone and hmac.compare_digest(registry_phone, phone):
        return citizen
    return None


def _code_request(*, purpose: str, personal_id: str, phone: str, ip: str | None) -> OneTimeCode:
    """Activation and recovery start the same way; what is sent differs, what is shown does not."""
    phone = phone_normalize(phone)
    _request_allowance(purpose, ip)
    # Counted per number typed, matched or not, so hitting the limit reveals nothing either.
    _sms_allowance(phone)
    citizen = _citizen_matching(personal_id, phone)
    if purpose == CodePurpose.ACTIVATION and citizen is not None:
        _activation_age_check(citizen, details={"phone": phone_mask(phone), "ip": ip})
    with transaction.atomic():
        account = User.objects.filter(citizen=citizen).first() if citizen is not None else None
        deliver = citizen is not None and (
            (purpose == CodePurpose.ACTIVATION and account is None)
            or (purpose == CodePurpose.RECOVERY and account is not None and account.is_active)
        )
        challenge, code = _challenge_create(
            purpose=purpose,
            phone=phone,
            sent=deliver,
            citizen=citizen if deliver else None,
            user=account if deliver else None,
        )
        if deliver:
            _code_send(challenge=challenge, code=code, user=account)
        elif purpose == CodePurpose.ACTIVATION and account is not None:
            # The holder learns, on their own phone, that someone tried to activate again.
            message_send(
                template="identity.account_exists",
                context={},
                channels=["sms"],
                phone=phone,
                language=account.preferred_language,
            )
        audit_record(
            action=f"identity.{purpose}.requested",
            target=citizen,
            target_type="" if citizen is not None else "identity.onetimecode",
            target_id="" if citizen is not None else str(challenge.pk),
            details={"challenge": challenge.pk, "phone": phone_mask(phone), "sent": deliver, "ip": ip},
        )
    return challenge


def _activation_age_check(citizen: Citizen, *, details: dict[str, Any]) -> None:
    """Refuse, audited, a person under 14: their account is asked for by the guardian at the
    commune police, not activated by themselves (Decree 69/2024/NĐ-CP)."""
    age = eligibility.age_today(citizen.date_of_birth)
    if eligibility.may_activate_alone(age):
        return
    if User.objects.filter(citizen=citizen).exists():
        return  # an account made by the police on the guardian's request: the usual path applies
    _refused(
        activation_too_young(),
        actor=None,
        action="identity.activation.refused",
        target=citizen,
        details={**details, "age": age},
    )


def activation_start(*, personal_id: str, phone: str, ip: str | None) -> OneTimeCode:
    """Send an activation code if the ID number and phone match the population registry.

    Returns a challenge, so the person sees the same next page whether or not the details
    matched. The one exception is a match of a person under 14, who is told that the guardian
    must apply at the commune police: only someone who already holds both the ID number and
    the registry's phone number learns from it that they match.
    """
    return _code_request(purpose=CodePurpose.ACTIVATION, personal_id=personal_id, phone=phone, ip=ip)


def recovery_start(*, personal_id: str, phone: str, ip: str | None) -> OneTimeCode:
    """Send a recovery code to the registry phone if the details match an active account."""
    return _code_request(purpose=CodePurpose.RECOVERY, personal_id=personal_id, phone=phone, ip=ip)


def code_resend(*, challenge_id: int, ip: str | None) -> OneTimeCode:
    """A fresh code replacing the previous one, no sooner than the cooldown allows."""
    old = OneTimeCode.objects.select_related("user", "citizen").filter(pk=challenge_id).first()
    if old is None or old.used_at is not None:
        raise code_expired()
    waited = (timezone.now() - old.created_at).total_seconds()
    if waited < settings.CONGSO_OTP_RESEND_SECONDS:
        raise ResendTooSoon(int(settings.CONGSO_OTP_RESEND_SECONDS - waited) + 1)
    if old.purpose != CodePurpose.LOGIN:
        _request_allowance(old.purpose, ip)
    _sms_allowance(old.phone)
    with transaction.atomic():
        OneTimeCode.objects.filter(pk=old.pk, superseded_at__isnull=True).update(superseded_at=timezone.now())
        challenge, code = _challenge_create(
            purpose=old.purpose, phone=old.phone, sent=old.sent, citizen=old.citizen, user=old.user
        )
        if old.sent:
            _code_send(challenge=challenge, code=code, user=old.user)
        audit_record(
            actor=None,
            action="identity.code.resent",
            target=challenge,
            details={"purpose": old.purpose, "replaces": old.pk, "phone": phone_mask(old.phone), "ip": ip},
        )
    return challenge


def code_verify(*, challenge_id: int, purpose: str, code: str, user: User | None = None) -> OneTimeCode:
    """Check a code: 5-minute life, at most ``CONGSO_OTP_MAX_ATTEMPTS`` tries, single use."""
    max_attempts = settings.CONGSO_OTP_MAX_ATTEMPTS
    now = timezone.now()
    error: CodeRefused | None = None
    with transaction.atomic():
        challenge = OneTimeCode.objects.select_for_update().filter(pk=challenge_id, purpose=purpose).first()
        if challenge is None or (user is not None and challenge.user_id != user.pk):
            raise code_expired()
        if (
            challenge.used_at is not None
            or challenge.verified_at is not None
            or challenge.superseded_at is not None
            or challenge.expires_at <= now
        ):
            error = code_expired()
        elif challenge.attempts >= max_attempts:
            error = code_exhausted()
        else:
            challenge.attempts += 1
            matches = hmac.compare_digest(_code_hash(challenge.salt, code.strip()), challenge.code_hash)
            if challenge.sent and matches:
                challenge.verified_at = now
                if purpose == CodePurpose.LOGIN:
                    challenge.used_at = now
            elif challenge.attempts >= max_attempts:
                error = code_exhausted()
            else:
                error = code_wrong(max_attempts - challenge.attempts)
            challenge.save(update_fields=["attempts", "verified_at", "used_at"])
        audit_record(
            actor=user,
            action="identity.code.refused" if error else "identity.code.verified",
            target=challenge,
            details={
                "purpose": purpose,
                "attempts": challenge.attempts,
                **({"code": error.code} if error else {}),
            },
        )
    if error is not None:
        raise error
    return challenge


def _confirmed_challenge(challenge_id: int, purpose: str) -> OneTimeCode:
    challenge = (
        # of=self: PostgreSQL cannot lock the nullable side of the outer joins.
        OneTimeCode.objects.select_for_update(of=("self",))
        .select_related("citizen", "user")
        .filter(pk=challenge_id, purpose=purpose)
        .first()
    )
    if (
        challenge is None
        or not challenge.sent
        or challenge.verified_at is None
        or challenge.used_at is not None
        or challenge.verified_at + _CODE_CONFIRMED_WINDOW <= timezone.now()
    ):
        raise code_expired()
    return challenge


def password_check_rules(password: str, *, user: User) -> None:
    """Django's validators (common passwords, similarity) plus the eID complexity rule."""
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        text = " ".join(str(message) for message in exc.messages)
        raise InvalidInput(text, text, code="password_rules", field="password") from exc


def _current_language() -> str:
    language = (get_language() or "vi")[:2]
    return language if language in Language.values else Language.VI


def account_activate(*, challenge_id: int, password: str) -> User:
    """Create the level-1 account of the person whose phone confirmed the activation code.

    The age is checked again on the day of activation (Decree 69/2024/NĐ-CP): a code asked
    for before the rule applied does not open an account for a child.
    """
    pending = (
        OneTimeCode.objects.select_related("citizen")
        .filter(pk=challenge_id, purpose=CodePurpose.ACTIVATION)
        .first()
    )
    if pending is not None and pending.citizen is not None:
        _activation_age_check(pending.citizen, details={"challenge": challenge_id})
    return _account_create(challenge_id=challenge_id, password=password)


@transaction.atomic
def _account_create(*, challenge_id: int, password: str) -> User:
    challenge = _confirmed_challenge(challenge_id, CodePurpose.ACTIVATION)
    citizen = challenge.citizen
    if citizen is None:  # only sent challenges can be confirmed, and those name the citizen
        raise code_expired()
    if (
        User.objects.filter(citizen=citizen).exists()
        or User.objects.filter(username=citizen.personal_id).exists()
    ):
        raise Conflict(
            "Tài khoản này đã được kích hoạt. Hãy đăng nhập hoặc dùng chức năng quên mật khẩu.",
            "This account is already activated. Log in, or use 'forgot password'.",
            code="already_active",
        )
    user = User(
        username=citizen.personal_id,
        full_name=citizen.full_name,
        email=citizen.email,
        kind=AccountKind.PERSON,
        citizen=citizen,
        assurance_level=AssuranceLevel.LEVEL1,
        # The language the person activated in: notify writes to them in it.
        preferred_language=_current_language(),
    )
    password_check_rules(password, user=user)
    user.set_password(password)
    user.save()
    challenge.used_at = timezone.now()
    challenge.user = user
    challenge.save(update_fields=["used_at", "user"])
    audit_record(actor=user, action="identity.account.activated", target=user, details={"level": 1})
    return user


@transaction.atomic
def recovery_complete(*, challenge_id: int, password: str) -> User:
    """Set a new password after the registry phone confirmed the recovery code; end all sessions."""
    challenge = _confirmed_challenge(challenge_id, CodePurpose.RECOVERY)
    user = challenge.user
    if user is None or not user.is_active:
        raise code_expired()
    password_check_rules(password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    challenge.used_at = timezone.now()
    challenge.save(update_fields=["used_at"])
    ended = _sessions_end(user=user, reason="password_recovered")
    throttle.throttle_reset(_login_id_key(user.username))
    audit_record(
        actor=user, action="identity.password.recovered", target=user, details={"sessions_ended": ended}
    )
    _notify_password_changed(user)
    return user


# --- Login ----------------------------------------------------------------------------------
_dummy_hashes: dict[str, str] = {}


def _dummy_check(password: str) -> None:
    """Spend the time a real check takes, so an unknown ID number answers as slowly."""
    hasher = settings.PASSWORD_HASHERS[0]
    if hasher not in _dummy_hashes:
        _dummy_hashes[hasher] = make_password(secrets.token_urlsafe(16))
    check_password(password, _dummy_hashes[hasher])


def _login_event(
    *, user: User | None, personal_id: str, outcome: str, method: str, ip: str | None, user_agent: str
) -> None:
    LoginEvent.objects.create(
        user=user, personal_id=personal_id[:20], outcome=outcome, method=method, ip=ip, user_agent=user_agent
    )


def login_password_check(*, personal_id: str, password: str, ip: str | None, user_agent: str) -> User:
    """The first step of a login: the person whose ID number and password these are.

    An unknown ID number, a wrong password, an inactive or organisation account all give the
    same :class:`LoginRefused` after the same amount of hashing work. Failures are counted per
    ID number typed and per source address; reaching either limit locks it for a while.
    """
    personal_id = personal_id.strip()
    base = {"personal_id": personal_id, "ip": ip}
    for key, by_address in ((_login_ip_key(ip), True), (_login_id_key(personal_id), False)):
        until = throttle.throttle_locked_until(key)
        if until is not None:
            known = User.objects.filter(username=personal_id, kind=AccountKind.PERSON).first()
            with transaction.atomic():
                _login_event(
                    user=known,
                    personal_id=personal_id,
                    outcome=LoginOutcome.LOCKED,
                    method="pwd",
                    ip=ip,
                    user_agent=user_agent,
                )
                audit_record(
                    action="identity.login.refused_locked",
                    target=known,
                    target_type="" if known else "identity.user",
                    details={**base, "locked_until": until, "by_address": by_address},
                )
            raise Locked(until, by_address=by_address)

    user = (
        User.objects.filter(username=personal_id, kind=AccountKind.PERSON).select_related("citizen").first()
    )
    if user is None or not user.has_usable_password():
        _dummy_check(password)
        ok = False
    else:
        ok = user.check_password(password) and user.is_active
    if ok and user is not None:
        throttle.throttle_reset(_login_id_key(personal_id))
        return user

    with transaction.atomic():
        account_until = throttle.throttle_hit(_login_id_key(personal_id), _account_limit())
        address_until = throttle.throttle_hit(_login_ip_key(ip), _address_limit())
        _login_event(
            user=user,
            personal_id=personal_id,
            outcome=LoginOutcome.LOCKED if account_until or address_until else LoginOutcome.BAD_CREDENTIALS,
            method="pwd",
            ip=ip,
            user_agent=user_agent,
        )
        target_type = "" if user else "identity.user"
        audit_record(action="identity.login.failed", target=user, target_type=target_type, details=base)
        if account_until is not None:
            audit_record(
                action="identity.account.locked",
                target=user,
                target_type=target_type,
                details={**base, "locked_until": account_until},
            )
        if address_until is not None:
            audit_record(
                action="identity.address.locked",
                target_type="identity.address",
                target_id=str(ip or ""),
                details={"ip": ip, "locked_until": address_until},
            )
    if account_until is not None:
        raise Locked(account_until)
    if address_until is not None:
        raise Locked(address_until, by_address=True)
    raise LoginRefused()


def login_code_send(*, user: User) -> OneTimeCode:
    """Send a login code by SMS to the phone the population registry holds for the person."""
    phone = _registry_phone(user.citizen) if user.citizen else ""
    if not phone:
        raise InvalidInput(
            "Hồ sơ dân cư của bạn chưa có số điện thoại nên không gửi được mã. Hãy dùng ứng dụng xác "
            "thực hoặc khoá truy cập, hoặc đến công an xã/phường để cập nhật số điện thoại.",
            "Your population record has no phone number, so no code can be sent. Use an authenticator "
            "app or a passkey, or visit the commune police to update your phone number.",
            code="no_phone",
        )
    _sms_allowance(phone)
    with transaction.atomic():
        challenge, code = _challenge_create(purpose=CodePurpose.LOGIN, phone=phone, sent=True, user=user)
        _code_send(challenge=challenge, code=code, user=user)
        audit_record(
            actor=None, action="identity.login.code_sent", target=user, details={"phone": phone_mask(phone)}
        )
    return challenge


def second_factor_lock_check(*, user: User) -> None:
    until = throttle.throttle_locked_until(_second_factor_key(user))
    if until is not None:
        raise Locked(until)


def second_factor_failed(*, user: User, method: str, ip: str | None, user_agent: str) -> datetime | None:
    """Count a wrong second factor towards the account's lock; return the lock's end if it locked."""
    with transaction.atomic():
        until = throttle.throttle_hit(_second_factor_key(user), _second_factor_limit())
        _login_event(
            user=user,
            personal_id=user.username,
            outcome=LoginOutcome.LOCKED if until else LoginOutcome.BAD_SECOND_FACTOR,
            method=method,
            ip=ip,
            user_agent=user_agent,
        )
        if until is not None:
            audit_record(
                action="identity.account.locked",
                target=user,
                details={"method": method, "ip": ip, "locked_until": until},
            )
    return until


def login_sms_verify(
    *, user: User, challenge_id: int, code: str, ip: str | None, user_agent: str
) -> OneTimeCode:
    second_factor_lock_check(user=user)
    try:
        return code_verify(challenge_id=challenge_id, purpose=CodePurpose.LOGIN, code=code, user=user)
    except CodeRefused:
        until = second_factor_failed(user=user, method="sms", ip=ip, user_agent=user_agent)
        if until is not None:
            raise Locked(until) from None
        raise


def _totp_matching_step(secret: str, code: str, *, after_step: int, at: datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    code = code.strip().replace(" ", "")
    if len(code) != CODE_DIGITS or not code.isdigit():
        return None
    now_step = totp.timecode(at)
    # One step either side: phone clocks drift (RFC 6238 section 6).
    for step in (now_step - 1, now_step, now_step + 1):
        if step > after_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def login_totp_verify(*, user: User, code: str, ip: str | None, user_agent: str) -> TotpDevice:
    """Check the authenticator app's code.

    A secret that cannot be decrypted raises :class:`TotpUnavailable` (logged by the selector),
    which does not count as a wrong code: the login page offers the SMS code instead.
    """
    second_factor_lock_check(user=user)
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        secret = selectors.totp_secret(device) if device is not None else None
        if device is not None and secret is None:
            raise TotpUnavailable()
        step = (
            _totp_matching_step(secret, code, after_step=device.last_used_step, at=timezone.now())
            if device is not None and secret is not None
            else None
        )
        if device is not None and step is not None:
            device.last_used_step = step
            device.last_used_at = timezone.now()
            device.save(update_fields=["last_used_step", "last_used_at"])
            return device
        audit_record(actor=None, action="identity.totp.refused", target=user, details={"ip": ip})
    until = second_factor_failed(user=user, method="totp", ip=ip, user_agent=user_agent)
    if until is not None:
        raise Locked(until)
    raise CodeRefused(
        "Mã từ ứng dụng xác thực không đúng hoặc đã được dùng.",
        "The authenticator code is wrong or has already been used.",
        code="totp_wrong",
        field="code",
    )


def session_record(
    *, user: User, session_key: str, amr: Sequence[str], method: str, ip: str | None, user_agent: str
) -> UserSession:
    """Note a completed login: its session (ending others if the person keeps one device)."""
    with transaction.atomic():
        record = UserSession.objects.create(
            user=user, session_key=session_key, ip=ip, user_agent=user_agent, amr=list(amr)
        )
        ended = 0
        if user.single_device:
            ended = _sessions_end(user=user, reason="single_device", keep_key=session_key)
        throttle.throttle_reset(_second_factor_key(user))
        _login_event(
            user=user,
            personal_id=user.username,
            outcome=LoginOutcome.SUCCESS,
            method=method,
            ip=ip,
            user_agent=user_agent,
        )
        audit_record(
            actor=user,
            action="identity.login.succeeded",
            target=user,
            details={
                "amr": list(amr),
                "acr": ACR_BY_LEVEL[user.assurance_level],
                "ip": ip,
                "sessions_ended": ended,
            },
        )
    return record


# --- Sessions -------------------------------------------------------------------------------
def _session_store_delete(session_key: str) -> None:
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore(session_key=session_key).delete()


def _sessions_end(
    *, user: User, reason: str, keep_key: str | None = None, only: Iterable[int] | None = None
) -> int:
    sessions = UserSession.objects.active().filter(user=user)
    if keep_key is not None:
        sessions = sessions.exclude(session_key=keep_key)
    if only is not None:
        sessions = sessions.filter(pk__in=list(only))
    ended = 0
    for record in sessions.select_for_update():
        _session_store_delete(record.session_key)
        record.ended_at = timezone.now()
        record.end_reason = reason
        record.save(update_fields=["ended_at", "end_reason"])
        ended += 1
    return ended


@transaction.atomic
def session_end(*, user: User, session_id: int) -> None:
    """Sign out one of the person's own sessions (another device, or this one)."""
    if not UserSession.objects.active().filter(user=user, pk=session_id).exists():
        raise NotFound("Không tìm thấy phiên đăng nhập.", "Session not found.")
    _sessions_end(user=user, reason="signed_out_by_user", only=[session_id])
    audit_record(actor=user, action="identity.session.ended", target=user, details={"session": session_id})


@transaction.atomic
def sessions_end_all(*, user: User, keep_key: str | None = None) -> int:
    """Sign out everywhere (but ``keep_key``, the session asking, if given)."""
    ended = _sessions_end(user=user, reason="signed_out_everywhere", keep_key=keep_key)
    audit_record(actor=user, action="identity.session.ended_all", target=user, details={"ended": ended})
    return ended


@transaction.atomic
def session_logout(*, user: User, session_key: str) -> None:
    UserSession.objects.active().filter(user=user, session_key=session_key).update(
        ended_at=timezone.now(), end_reason="logged_out"
    )
    audit_record(actor=user, action="identity.logout", target=user)


def session_seen(*, session_key: str, ip: str | None) -> None:
    """Bump the session's "last seen"; not audited (it is not a change anyone made)."""
    UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
        last_seen_at=timezone.now(), ip=ip
    )


@transaction.atomic
def single_device_set(*, user: User, enabled: bool, current_session_key: str | None) -> int:
    """Keep one device signed in at a time (VNeID's rule), or allow several again."""
    user.single_device = enabled
    user.save(update_fields=["single_device"])
    ended = _sessions_end(user=user, reason="single_device", keep_key=current_session_key) if enabled else 0
    audit_record(
        actor=user,
        action="identity.single_device.set",
        target=user,
        details={"enabled": enabled, "ended": ended},
    )
    return ended


# --- Passwords ------------------------------------------------------------------------------
def _notify_password_changed(user: User) -> None:
    channels = ["inapp", "sms"] if user.phone else ["inapp"]
    message_send(template="identity.password_changed", context={}, channels=channels, user=user)


def password_change(
    *, user: User, current_password: str, new_password: str, keep_session_key: str | None
) -> None:
    """Change the password after checking the current one; other sessions are signed out."""
    key = _login_id_key(user.username)
    until = throttle.throttle_locked_until(key)
    if until is not None:
        raise Locked(until)
    if not user.check_password(current_password):
        with transaction.atomic():
            until = throttle.throttle_hit(key, _account_limit())
            audit_record(actor=user, action="identity.password.change_refused", target=user)
        if until is not None:
            raise Locked(until)
        raise InvalidInput(
            "Mật khẩu hiện tại không đúng.",
            "The current password is wrong.",
            code="current_password_wrong",
            field="current_password",
        )
    password_check_rules(new_password, user=user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        ended = _sessions_end(user=user, reason="password_changed", keep_key=keep_session_key)
        audit_record(
            actor=user, action="identity.password.changed", target=user, details={"sessions_ended": ended}
        )
        _notify_password_changed(user)


# --- Authenticator apps (TOTP) ----------------------------------------------------------------
def totp_secret_new() -> str:
    return pyotp.random_base32()


def totp_provisioning_uri(*, user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=settings.CONGSO_SITE_NAME)


def totp_secret_seal(*, user_id: int, secret: str) -> str:
    """The secret as stored: encrypted with the current key and bound to the account."""
    return fieldcrypt.field_encrypt(secret, context=selectors.totp_context(user_id))


def totp_enrol(*, user: User, secret: str, code: str, name: str = "") -> TotpDevice:
    """Add an authenticator app once the person has typed a first code from it."""
    step = _totp_matching_step(secret, code, after_step=0, at=timezone.now())
    if step is None:
        with transaction.atomic():
            audit_record(actor=user, action="identity.totp.enrol_refused", target=user)
        raise CodeRefused(
            "Mã xác nhận không đúng. Hãy nhập mã đang hiện trong ứng dụng.",
            "The confirmation code is wrong. Type the code the app shows now.",
            code="totp_wrong",
            field="code",
        )
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        device = TotpDevice.objects.create(
            user=user,
            secret_encrypted=totp_secret_seal(user_id=user.pk, secret=secret),
            name=(name.strip() or "Ứng dụng xác thực")[:100],
            last_used_step=step,
            last_used_at=timezone.now(),
        )
        audit_record(actor=user, action="identity.totp.added", target=user, details={"device": device.pk})
    return device


def _second_factor_count(user: User) -> int:
    has_phone = bool(user.citizen and _registry_phone(user.citizen))
    return (
        int(has_phone)
        + TotpDevice.objects.filter(user=user).count()
        + Passkey.objects.filter(user=user).count()
    )


def _ensure_not_last_factor(user: User) -> None:
    if _second_factor_count(user) <= 1:
        raise Conflict(
            "Không thể gỡ phương thức xác thực cuối cùng của tài khoản.",
            "You cannot remove the account's last second factor.",
            code="last_factor",
        )


@transaction.atomic
def totp_remove(*, user: User) -> None:
    device = TotpDevice.objects.filter(user=user).first()
    if device is None:
        raise NotFound("Chưa có ứng dụng xác thực.", "No authenticator app is set up.")
    _ensure_not_last_factor(user)
    device.delete()
    audit_record(actor=user, action="identity.totp.removed", target=user)


@dataclass(frozen=True)
class ReencryptOutcome:
    key_id: str
    reencrypted: int
    already_current: int
    failed: list[int]  # devices whose secret no configured key opens


def totp_secrets_reencrypt(*, batch_size: int = 500) -> ReencryptOutcome:
    """Seal every authenticator secret with the newest key, so that older keys can be retired.

    Batches of devices, each locked, rewritten and audited in one transaction; a device whose
    secret does not decrypt is left as it is and listed, so the run can be repeated once the
    missing key is configured again.
    """
    key_id = fieldcrypt.key_id_current()
    reencrypted, current, failed = 0, 0, []
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                TotpDevice.objects.select_for_update().filter(pk__gt=last_pk).order_by("pk")[:batch_size]
            )
            if not batch:
                break
            last_pk = batch[-1].pk
            changed: list[TotpDevice] = []
            previous_keys: set[str] = set()
            for device in batch:
                old_key = fieldcrypt.key_id_of(device.secret_encrypted)
                if old_key == key_id:
                    current += 1
                    continue
                secret = selectors.totp_secret(device)
                if secret is None:
                    failed.append(device.pk)
                    continue
                device.secret_encrypted = totp_secret_seal(user_id=device.user_id, secret=secret)
                previous_keys.add(old_key)
                changed.append(device)
            if changed:
                TotpDevice.objects.bulk_update(changed, ["secret_encrypted"])
                audit_record(
                    action="identity.totp.reencrypted",
                    target_type="identity.totpdevice",
                    details={
                        "devices": [device.pk for device in changed],
                        "from_keys": sorted(previous_keys),
                        "to_key": key_id,
                    },
                )
                reencrypted += len(changed)
    return ReencryptOutcome(key_id=key_id, reencrypted=reencrypted, already_current=current, failed=failed)


# --- Passkeys (WebAuthn) --------------------------------------------------------------------
def _webauthn_user_handle(user: User) -> bytes:
    """An opaque, stable handle: the authenticator never learns the ID number from it."""
    return salted_hmac("congso.identity.webauthn.user", str(user.pk), algorithm="sha256").digest()


def _transports(values: Iterable[str]) -> list[AuthenticatorTransport]:
    known = {t.value: t for t in AuthenticatorTransport}
    return [known[v] for v in values if v in known]


def passkey_registration_options(*, user: User, rp_id: str) -> tuple[str, bytes]:
    """Options for navigator.credentials.create(), as JSON, and the challenge to keep."""
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=settings.CONGSO_SITE_NAME,
        user_name=user.username,
        user_id=_webauthn_user_handle(user),
        user_display_name=user.full_name or user.username,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(
                id=base64url_to_bytes(p.credential_id), transports=_transports(p.transports)
            )
            for p in Passkey.objects.filter(user=user)
        ],
    )
    return options_to_json(options), options.challenge


def _credential_parse(credential: str) -> dict[str, Any]:
    try:
        data = json.loads(credential)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("rawId") or data.get("id"), str):
        raise InvalidInput(
            "Trình duyệt không gửi được khoá truy cập.",
            "The browser did not send a passkey.",
            code="passkey_missing",
        )
    return data


def passkey_register(
    *, user: User, credential: str, challenge: bytes, rp_id: str, origins: list[str], name: str
) -> Passkey:
    """Keep a new passkey after checking the authenticator's answer to our challenge."""
    data = _credential_parse(credential)
    try:
        verified = verify_registration_response(
            credential=data,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origins,
            require_user_verification=True,
        )
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as exc:
        with transaction.atomic():
            audit_record(
                actor=user,
                action="identity.passkey.add_refused",
                target=user,
                details={"reason": str(exc)[:200]},
            )
        raise InvalidInput(
            "Không thêm được khoá truy cập. Hãy thử lại.",
            "The passkey could not be added. Try again.",
            code="passkey_invalid",
        ) from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    with transaction.atomic():
        if Passkey.objects.filter(credential_id=credential_id).exists():
            raise Conflict(
                "Khoá truy cập này đã được thêm.", "This passkey is already added.", code="passkey_exists"
            )
        response = data.get("response") or {}
        transports = response.get("transports") if isinstance(response, dict) else None
        passkey = Passkey.objects.create(
            user=user,
            name=(name.strip() or "Khoá truy cập")[:100],
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=[t for t in (transports or []) if isinstance(t, str)][:10],
            aaguid=str(verified.aaguid)[:36],
            backed_up=verified.credential_backed_up,
        )
        audit_record(
            actor=user, action="identity.passkey.added", target=passkey, details={"name": passkey.name}
        )
    return passkey


def passkey_authentication_options(*, rp_id: str, user: User | None = None) -> tuple[str, bytes]:
    """Options for navigator.credentials.get(): any passkey of this site, or ``user``'s."""
    allow = (
        [
            PublicKeyCredentialDescriptor(
                id=base64url_to_bytes(p.credential_id), transports=_transports(p.transports)
            )
            for p in Passkey.objects.filter(user=user)
        ]
        if user is not None
        else None
    )
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=allow,
        user_verification=UserVerificationRequirement.REQUIRED
        if user is None
        else UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options), options.challenge


def passkey_authenticate(
    *,
    credential: str,
    challenge: bytes,
    rp_id: str,
    origins: list[str],
    ip: str | None,
    user_agent: str,
    user: User | None = None,
) -> Passkey:
    """The passkey that signed our challenge. Alone (``user`` None) it must have verified the
    person (PIN or biometrics), which makes it multi-factor; as a second factor it must be
    ``user``'s own."""
    until = throttle.throttle_locked_until(_login_ip_key(ip))
    if until is not None:
        raise Locked(until, by_address=True)
    if user is not None:
        second_factor_lock_check(user=user)
    data = _credential_parse(credential)
    raw_id = str(data.get("rawId") or data.get("id"))
    passkey = Passkey.objects.select_related("user").filter(credential_id=raw_id).first()
    reason = ""
    verified = None
    if passkey is None:
        reason = "unknown credential"
    elif user is not None and passkey.user_id != user.pk:
        reason = "passkey of another account"
    elif not passkey.user.is_active:
        reason = "inactive account"
    else:
        try:
            verified = verify_authentication_response(
                credential=data,
                expected_challenge=challenge,
                expected_rp_id=rp_id,
                expected_origin=origins,
                credential_public_key=bytes(passkey.public_key),
                credential_current_sign_count=passkey.sign_count,
                require_user_verification=user is None,
            )
        except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
            reason = str(exc)[:200] or type(exc).__name__
    if passkey is not None and verified is not None:
        with transaction.atomic():
            passkey.sign_count = verified.new_sign_count
            passkey.last_used_at = timezone.now()
            passkey.backed_up = verified.credential_backed_up
            passkey.save(update_fields=["sign_count", "last_used_at", "backed_up"])
        return passkey
    owner = passkey.user if passkey is not None else user
    with transaction.atomic():
        address_until = throttle.throttle_hit(_login_ip_key(ip), _address_limit())
        _login_event(
            user=owner,
            personal_id=owner.username if owner else "",
            outcome=LoginOutcome.PASSKEY_REFUSED,
            method="passkey",
            ip=ip,
            user_agent=user_agent,
        )
        audit_record(
            action="identity.passkey.refused",
            target=owner,
            target_type="" if owner else "identity.user",
            details={"reason": reason, "ip": ip},
        )
    if address_until is not None:
        raise Locked(address_until, by_address=True)
    raise InvalidInput(
        "Khoá truy cập không được chấp nhận. Hãy thử lại hoặc đăng nhập bằng mật khẩu.",
        "The passkey was not accepted. Try again or log in with your password.",
        code="passkey_refused",
    )


@transaction.atomic
def passkey_remove(*, user: User, passkey_id: int) -> None:
    passkey = Passkey.objects.filter(user=user, pk=passkey_id).first()
    if passkey is None:
        raise NotFound("Không tìm thấy khoá truy cập.", "Passkey not found.")
    _ensure_not_last_factor(user)
    audit_record(
        actor=user, action="identity.passkey.removed", target=passkey, details={"name": passkey.name}
    )
    passkey.delete()


# --- Officer roles ----------------------------------------------------------------------------
def _administers(actor: User | None, agency: Agency) -> bool:
    if actor is None or actor.is_superuser:
        return True  # the system (demo loader, migrations) or an operator
    return (
        OfficerRole.objects.active()
        .filter(user=actor, agency=agency, role=OfficerRoleKind.ADMINISTRATOR)
        .exists()
    )


def officer_role_assign(*, actor: User | None, user: User, agency: Agency, role: str) -> OfficerRole:
    """Give a person a role in an agency; only that agency's administrator (or an operator) may."""
    if role not in OfficerRoleKind.values:
        raise InvalidInput(f"Vai trò '{role}' không tồn tại.", f"Unknown role '{role}'.", field="role")
    details = {"agency": agency.code, "role": role, "user": user.username}
    if not _administers(actor, agency):
        _refused(
            PermissionDenied(
                "Chỉ quản trị của cơ quan mới giao được vai trò.",
                "Only the agency's administrator can assign roles.",
            ),
            actor=actor,
            action="identity.officer_role.assign_refused",
            target=user,
            details=details,
        )
    if user.kind != AccountKind.PERSON or not user.is_active:
        raise InvalidInput(
            "Chỉ giao vai trò cho tài khoản cá nhân đang hoạt động.",
            "Roles go to active personal accounts only.",
            field="personal_id",
        )
    with transaction.atomic():
        existing = OfficerRole.objects.active().filter(user=user, agency=agency, role=role).first()
        if existing is not None:
            return existing
        officer_role = OfficerRole.objects.create(user=user, agency=agency, role=role, granted_by=actor)
        audit_record(
            actor=actor, action="identity.officer_role.assigned", target=officer_role, details=details
        )
    return officer_role


def officer_role_revoke(*, actor: User | None, officer_role: OfficerRole) -> OfficerRole:
    details = {
        "agency": officer_role.agency.code,
        "role": officer_role.role,
        "user": officer_role.user.username,
    }
    if not _administers(actor, officer_role.agency):
        _refused(
            PermissionDenied(
                "Chỉ quản trị của cơ quan mới thu hồi được vai trò.",
                "Only the agency's administrator can revoke roles.",
            ),
            actor=actor,
            action="identity.officer_role.revoke_refused",
            target=officer_role,
            details=details,
        )
    with transaction.atomic():
        if officer_role.revoked_at is None:
            officer_role.revoked_at = timezone.now()
            officer_role.revoked_by = actor
            officer_role.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(
                actor=actor, action="identity.officer_role.revoked", target=officer_role, details=details
            )
    return officer_role


# --- Assurance level 2 ----------------------------------------------------------------------
@dataclass(frozen=True)
class Level2Candidate:
    citizen: Citizen
    account: User | None

    @property
    def age(self) -> int:
        return eligibility.age_today(self.citizen.date_of_birth)

    @property
    def needs_guardian(self) -> bool:
        """Under 14: level 2 only on the guardian's request (Decree 69/2024/NĐ-CP)."""
        return eligibility.level2_needs_guardian(self.age)

    @property
    def level2_allowed(self) -> bool:
        return eligibility.level2_allowed(self.age)


def level2_lookup(*, officer: User, agency: Agency, personal_id: str) -> Level2Candidate:
    """An officer looks a person up to verify them; the look-up is audited (the person sees it)."""
    _level2_permission(officer=officer, agency=agency, action="identity.level2.lookup_refused", target=None)
    citizen = citizen_get_by_personal_id(personal_id=personal_id)
    account = User.objects.filter(citizen=citizen).first()
    with transaction.atomic():
        audit_record(
            actor=officer,
            action="identity.level2.lookup",
            target=citizen,
            details={"agency": agency.code, "has_account": account is not None},
        )
    return Level2Candidate(citizen=citizen, account=account)


def _level2_permission(*, officer: User, agency: Agency, action: str, target: Any) -> None:
    allowed = (
        agency.kind == AgencyKind.POLICE
        and OfficerRole.objects.active().filter(user=officer, agency=agency).exists()
    )
    if not allowed:
        _refused(
            PermissionDenied(
                "Chỉ cán bộ công an được xác thực trực tiếp và nâng tài khoản lên mức 2.",
                "Only a police officer can verify a person in person and raise the account to level 2.",
                code="not_police_officer",
            ),
            actor=officer,
            action=action,
            target=target,
            details={"agency": agency.code},
        )


def _level2_age_check(*, officer: User, agency: Agency, user: User, guardian_request: bool) -> int:
    """The person's age today, if it allows level 2 (Decree 69/2024/NĐ-CP): from 14 always,
    from 6 to 13 only on the guardian's request, under 6 never. Refusals are audited."""
    assert user.citizen is not None
    age = eligibility.age_today(user.citizen.date_of_birth)
    error = None
    if not eligibility.level2_allowed(age):
        error = level2_too_young()
    elif eligibility.level2_needs_guardian(age) and not guardian_request:
        error = level2_guardian_missing()
    if error is not None:
        _refused(
            error,
            actor=officer,
            action="identity.level2.refused",
            target=user,
            details={"agency": agency.code, "age": age, "guardian_request": guardian_request},
        )
    return age


def assurance_level_raise(
    *,
    officer: User,
    agency: Agency,
    user: User,
    checked_in_person: bool,
    reason: str,
    guardian_request: bool = False,
) -> AssuranceVerification:
    """Raise a person's account to level 2 after a police officer checked them in person.

    For a person under 14 the officer also confirms that the parent or legal guardian asked
    for it (``guardian_request``); it is kept on the verification and in the audit entry.
    """
    _level2_permission(officer=officer, agency=agency, action="identity.level2.refused", target=user)
    reason = reason.strip()
    if not checked_in_person:
        raise InvalidInput(
            "Hãy xác nhận đã đối chiếu trực tiếp giấy tờ và sinh trắc học của người dân.",
            "Confirm that you checked the person's documents and biometrics in person.",
            field="checked_in_person",
        )
    if not reason:
        raise InvalidInput("Hãy ghi nội dung đã kiểm tra.", "Write what you checked.", field="reason")
    if officer.pk == user.pk:
        _refused(
            PermissionDenied(
                "Cán bộ không được tự nâng mức tài khoản của chính mình.",
                "An officer cannot raise their own account.",
                code="self_verification",
            ),
            actor=officer,
            action="identity.level2.refused",
            target=user,
            details={"agency": agency.code},
        )
    if user.kind != AccountKind.PERSON or user.citizen_id is None:
        raise InvalidInput(
            "Chỉ tài khoản cá nhân mới có mức định danh.", "Only personal accounts have assurance levels."
        )
    age = _level2_age_check(officer=officer, agency=agency, user=user, guardian_request=guardian_request)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.assurance_level >= AssuranceLevel.LEVEL2:
            raise Conflict(
                "Tài khoản đã ở mức 2.", "The account is already at level 2.", code="already_level2"
            )
        locked.assurance_level = AssuranceLevel.LEVEL2
        locked.save(update_fields=["assurance_level"])
        verification = AssuranceVerification.objects.create(
            user=locked,
            officer=officer,
            agency=agency,
            level=AssuranceLevel.LEVEL2,
            reason=reason[:500],
            guardian_request=guardian_request,
        )
        audit_record(
            actor=officer,
            action="identity.level2.raised",
            target=locked,
            details={
                "agency": agency.code,
                "reason": reason[:500],
                "verification": verification.pk,
                "age": age,
                "guardian_request": guardian_request,
            },
        )
        message_send(
            template="identity.level2_raised",
            context={"agency": agency.name},
            channels=["inapp", "sms"] if locked.phone else ["inapp"],
            user=locked,
        )
    user.assurance_level = AssuranceLevel.LEVEL2
    return verification


# --- Organisations ----------------------------------------------------------------------------
REPRESENTATION_SERVICE = "registry.represented-enterprises"
REPRESENTATION_PURPOSE = "organisation-representation"


def _representation_fresh(user: User, max_age_seconds: float | None) -> bool:
    checked = user.representation_checked_at
    if max_age_seconds is None or checked is None:
        return False
    return (timezone.now() - checked).total_seconds() < max_age_seconds


def _representation_ask(user: User) -> tuple[list[dict[str, str]], str] | None:
    """The business registry's list of enterprises the person represents, through the exchange.

    None when the exchange refuses or the registry does not answer: the caller keeps what it
    knew, since a login must not fail because another agency's system is down.
    """
    from congso.exchange import client as exchange_client

    try:
        result = exchange_client.call(
            client_subsystem=exchange_client.eid_client_id(),
            service=REPRESENTATION_SERVICE,
            data_subject=user.username,
            purpose=REPRESENTATION_PURPOSE,
            user=user,
        )
    except DomainError as error:
        log.warning("identity.representation.unavailable", code=error.code, user_id=user.pk)
        return None
    answer = result.json() if result.ok else None
    if not isinstance(answer, dict) or not isinstance(answer.get("enterprises"), list):
        log.warning("identity.representation.unavailable", status=result.status, user_id=user.pk)
        return None
    enterprises = [
        {"code": str(item["code"]), "name": str(item.get("name") or item["code"])}
        for item in answer["enterprises"]
        if isinstance(item, dict) and item.get("code")
    ]
    return enterprises, result.message_id


def _organisation_account_upsert(*, code: str, name: str, representative: User) -> tuple[User, bool]:
    """The organisation's account, locked, made or updated to this name and representative."""
    account = User.objects.select_for_update().filter(organisation_code=code).first()
    if account is None:
        try:
            with transaction.atomic():
                account = User(
                    username=code,
                    full_name=name,
                    kind=AccountKind.ORGANISATION,
                    organisation_code=code,
                    representative=representative,
                )
                account.set_unusable_password()
                account.save()
                return account, True
        except IntegrityError:  # made meanwhile by another representative's refresh
            account = User.objects.select_for_update().get(organisation_code=code)
    if (account.full_name, account.representative_id) != (name, representative.pk):
        account.full_name = name
        account.representative = representative
        account.save(update_fields=["full_name", "representative"])
    return account, False


def representation_refresh(*, user: User, max_age_seconds: float | None = None) -> bool:
    """Bind the person to the organisations they legally represent, as the registry says now.

    The business registry is another agency's, so the question goes through the exchange
    under the eID system's legal basis (Decree 69/2024/NĐ-CP), and the person sees it in their
    data tracker. Each enterprise gets its account on first sight (nobody logs in to it); one
    the person no longer represents loses them as representative at once, and with them every
    power the person had from representing it. Changes are audited with the exchange message
    that proves them. With ``max_age_seconds``, an answer that recent is reused.

    Call it outside a transaction. Returns whether the registry answered.
    """
    if user.kind != AccountKind.PERSON or not user.citizen_id:
        return False
    if _representation_fresh(user, max_age_seconds):
        return True
    asked = _representation_ask(user)
    if asked is None:
        return False
    enterprises, message_id = asked
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        listed = {item["code"]: item["name"] for item in enterprises}
        mine = User.objects.filter(kind=AccountKind.ORGANISATION, representative=locked)
        before = {str(code) for code in mine.values_list("organisation_code", flat=True)}
        created = [
            code
            for code, name in listed.items()
            if _organisation_account_upsert(code=code, name=name, representative=locked)[1]
        ]
        removed = sorted(before - set(listed))
        if removed:
            mine.filter(organisation_code__in=removed).update(representative=None)
        added = sorted(set(listed) - before)
        locked.representation_checked_at = timezone.now()
        locked.save(update_fields=["representation_checked_at"])
        if added or removed:
            audit_record(
                action="identity.representation.changed",
                target=locked,
                details={
                    "represents": sorted(listed),
                    "added": added,
                    "removed": removed,
                    "accounts_created": sorted(created),
                    "exchange_message_id": message_id,
                },
            )
    user.representation_checked_at = locked.representation_checked_at
    return True


def _is_representative(actor: User | None, organisation: User) -> bool:
    """Asked of the database, not of ``organisation`` in memory: a refresh may have moved it."""
    return bool(
        actor is not None
        and actor.pk is not None
        and User.objects.filter(
            pk=organisation.pk, kind=AccountKind.ORGANISATION, representative=actor
        ).exists()
    )


def _not_representative(actor: User | None, *, target: Any, code: str, action: str) -> None:
    _refused(
        PermissionDenied(
            "Chỉ người đại diện theo pháp luật mới quản lý được tổ chức này.",
            "Only the legal representative can manage this organisation.",
            code="not_representative",
        ),
        actor=actor,
        action=action,
        target=target,
        details={"organisation": code[:20]},
    )


def organisation_authorisation_grant(
    *,
    actor: User,
    organisation: User,
    employee_personal_id: str,
    scopes: Sequence[str],
    expires_at: datetime,
) -> OrganisationAuthorisation:
    """The legal representative lets an employee (a person with an account) act for the organisation."""
    if not _is_representative(actor, organisation):
        _not_representative(
            actor, target=organisation, code=organisation.username, action="identity.organisation.refused"
        )
    scopes = list(dict.fromkeys(scopes))
    if not scopes or any(scope not in AuthorisationScope.values for scope in scopes):
        raise InvalidInput("Hãy chọn phạm vi ủy quyền.", "Choose what the employee may do.", field="scopes")
    if expires_at <= timezone.now():
        raise InvalidInput(
            "Ngày hết hạn phải ở tương lai.", "The expiry date must be in the future.", field="expires_on"
        )
    employee = User.objects.filter(
        username=employee_personal_id.strip(), kind=AccountKind.PERSON, is_active=True
    ).first()
    if employee is None:
        raise InvalidInput(
            "Không tìm thấy tài khoản định danh đã kích hoạt với số định danh này. Người được ủy quyền "
            "cần kích hoạt tài khoản trước.",
            "No activated account has this personal ID number. The employee must activate an account first.",
            field="employee_personal_id",
        )
    if employee.pk == actor.pk:
        raise InvalidInput(
            "Người đại diện theo pháp luật không cần tự ủy quyền.",
            "The legal representative does not need to authorise themself.",
            field="employee_personal_id",
        )
    with transaction.atomic():
        authorisation = OrganisationAuthorisation.objects.create(
            organisation_account=organisation,
            employee=employee,
            scopes=scopes,
            granted_by=actor,
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            action="identity.organisation.authorised",
            target=authorisation,
            details={
                "organisation": organisation.organisation_code,
                "employee": employee.username,
                "scopes": scopes,
                "expires_at": expires_at,
            },
        )
        message_send(
            template="identity.organisation_authorised",
            context={
                "organisation": organisation.full_name,
                "expires_at": timezone.localtime(expires_at).date(),
            },
            channels=["inapp"],
            user=employee,
        )
    return authorisation


def organisation_authorisation_revoke(*, actor: User, authorisation: OrganisationAuthorisation) -> None:
    organisation = authorisation.organisation_account
    if not _is_representative(actor, organisation):
        _refused(
            PermissionDenied(
                "Chỉ người đại diện theo pháp luật mới thu hồi được ủy quyền.",
                "Only the legal representative can revoke an authorisation.",
                code="not_representative",
            ),
            actor=actor,
            action="identity.organisation.revoke_refused",
            target=authorisation,
            details={},
        )
    with transaction.atomic():
        if authorisation.revoked_at is None:
            authorisation.revoked_at = timezone.now()
            authorisation.revoked_by = actor
            authorisation.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(
                actor=actor,
                action="identity.organisation.authorisation_revoked",
                target=authorisation,
                details={
                    "organisation": organisation.organisation_code,
                    "employee": authorisation.employee.username,
                },
            )


def organisation_get_for_representative(*, actor: User, code: str) -> User:
    """The account of the organisation with this enterprise code, if ``actor`` represents it.

    Asks the business registry again first when its last answer is older than
    ``CONGSO_IDENTITY_REPRESENTATION_MAX_AGE_SECONDS``: managing who may act for an
    enterprise needs a recent answer.
    """
    representation_refresh(
        user=actor, max_age_seconds=settings.CONGSO_IDENTITY_REPRESENTATION_MAX_AGE_SECONDS
    )
    organisation = User.objects.filter(kind=AccountKind.ORGANISATION, organisation_code=code.strip()).first()
    if organisation is None or not _is_representative(actor, organisation):
        _not_representative(
            actor, target=organisation or actor, code=code.strip(), action="identity.organisation.refused"
        )
    assert organisation is not None
    return organisation


# --- Demo -----------------------------------------------------------------------------------
DEMO_PASSWORD = "CongSo@2026"  # noqa: S105 - printed by the demo loader; demo data only


def _demo_account(citizen: Citizen, *, password: str, level: int, staff: bool = False) -> User:
    user = (
        User.objects.filter(citizen=citizen).first()
        or User.objects.filter(username=citizen.personal_id).first()
    )
    created = user is None
    if user is None:
        user = User(username=citizen.personal_id, kind=AccountKind.PERSON, citizen=citizen)
    user.full_name = citizen.full_name
    user.email = citizen.email
    user.citizen = citizen
    user.assurance_level = level
    user.is_active = True
    if staff:
        user.is_staff = True
        user.is_superuser = True
    user.set_password(password)  # demo only: the printed password always works
    user.save()
    audit_record(
        action="identity.account.demo_ensured",
        target=user,
        details={"created": created, "level": level, "staff": staff},
    )
    return user


@transaction.atomic
def identity_demo_accounts_ensure(
    *,
    level1: Citizen,
    level2: Citizen,
    police_officer: Citizen,
    police_agency: Agency,
    commune_officer: Citizen,
    commune_agency: Agency,
    operator: Citizen,
    representative: Citizen,
    organisation_name: str,
    password: str = DEMO_PASSWORD,
) -> list[tuple[str, str, str]]:
    """Demo accounts bound to demo citizens; safe to run again. Returns (role, ID number, password).

    ``representative`` is the demo enterprise's legal representative; the enterprise's account
    is bound to them by :func:`identity_demo_representation_bind`, after this transaction. The
    passwords are for the demo only.
    """
    if police_agency.kind != AgencyKind.POLICE:
        raise InvalidInput(
            "Cơ quan công an của bản demo phải thuộc lĩnh vực công an.",
            "The demo police agency must be of kind police.",
            field="police_agency",
        )
    accounts: list[tuple[str, str, str]] = []
    citizen_user = _demo_account(level1, password=password, level=AssuranceLevel.LEVEL1)
    accounts.append(("Công dân, tài khoản mức 1 (citizen, level 1)", citizen_user.username, password))
    citizen2 = _demo_account(level2, password=password, level=AssuranceLevel.LEVEL2)
    accounts.append(("Công dân, tài khoản mức 2 (citizen, level 2)", citizen2.username, password))
    police = _demo_account(police_officer, password=password, level=AssuranceLevel.LEVEL2)
    for role in (OfficerRoleKind.ADMINISTRATOR, OfficerRoleKind.OFFICER):
        officer_role_assign(actor=None, user=police, agency=police_agency, role=role)
    accounts.append(
        (
            f"Cán bộ công an, nâng tài khoản lên mức 2 (police officer: {police_agency.name})",
            police.username,
            password,
        )
    )
    commune = _demo_account(commune_officer, password=password, level=AssuranceLevel.LEVEL2)
    # The commune officer also leads the commune, so one demo account can take a dossier from
    # reception to the signed decision.
    for role in (OfficerRoleKind.ADMINISTRATOR, OfficerRoleKind.OFFICER, OfficerRoleKind.LEADER):
        officer_role_assign(actor=None, user=commune, agency=commune_agency, role=role)
    accounts.append(
        (
            f"Cán bộ, lãnh đạo xã (commune officer and leader: {commune_agency.name})",
            commune.username,
            password,
        )
    )
    operator_user = _demo_account(operator, password=password, level=AssuranceLevel.LEVEL2, staff=True)
    accounts.append(("Quản trị hệ thống (operator, /admin/)", operator_user.username, password))
    representative_user = _demo_account(representative, password=password, level=AssuranceLevel.LEVEL2)
    accounts.append(
        (
            f"Người đại diện theo pháp luật của {organisation_name} (legal representative)",
            representative_user.username,
            password,
        )
    )
    return accounts


def identity_demo_representation_bind(*, representative: Citizen) -> bool:
    """Ask the business registry, through the exchange, what the demo representative represents."""
    user = User.objects.filter(citizen=representative, kind=AccountKind.PERSON).first()
    return user is not None and representation_refresh(user=user)
