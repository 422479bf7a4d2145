"""Accounts of the platform ("tài khoản định danh điện tử") and everything that secures them.

The username of a person's account is their 12-digit personal identification number
(Decree 69/2024 art. 2); operators and officers are people too and log in the same way. An
organisation's account is named by its enterprise code and is never logged in to: its legal
representative, and employees they authorise, act for it with their own accounts. Who the
representative is comes from the business registry, another agency's, through the exchange
(``services.representation_refresh``): identity keeps the enterprise's code, its name and
the account of its representative as last answered, never a link into that registry.

Reads that depend on who is asking go through the selectors; every write goes through
``services.py`` and is audited.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone


class AccountKind(models.TextChoices):
    PERSON = "person", "Cá nhân (person)"
    ORGANISATION = "organisation", "Tổ chức (organisation)"


class AssuranceLevel(models.IntegerChoices):
    """Decree 69/2024 art. 12: level 2 adds an in-person check at the police."""

    LEVEL1 = 1, "Mức 1 (level 1)"
    LEVEL2 = 2, "Mức 2 (level 2)"


class Language(models.TextChoices):
    VI = "vi", "Tiếng Việt"
    EN = "en", "English"


class User(AbstractUser):
    """An account: a person (bound to the population registry) or an organisation."""

    full_name = models.CharField("họ và tên", max_length=200, blank=True)
    kind = models.CharField(
        "loại tài khoản", max_length=20, choices=AccountKind.choices, default=AccountKind.PERSON
    )
    citizen = models.OneToOneField(
        "registry.Citizen",
        verbose_name="công dân",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
    )
    # Organisation accounts: the enterprise code (mã số doanh nghiệp) and its legal
    # representative as the business registry last answered.
    organisation_code = models.CharField(
        "mã số doanh nghiệp", max_length=14, unique=True, null=True, blank=True
    )
    representative = models.ForeignKey(
        "self",
        verbose_name="người đại diện theo pháp luật",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="represented_organisations",
        limit_choices_to={"kind": AccountKind.PERSON},
    )
    # Person accounts: when the business registry was last asked whom they represent.
    representation_checked_at = models.DateTimeField(
        "lần cuối hỏi quyền đại diện doanh nghiệp", null=True, blank=True
    )
    assurance_level = models.PositiveSmallIntegerField(
        "mức độ định danh", choices=AssuranceLevel.choices, default=AssuranceLevel.LEVEL1
    )
    preferred_language = models.CharField(
        "ngôn ngữ ưa dùng", max_length=8, choices=Language.choices, default=Language.VI
    )
    # VNeID lets one device be active at a time; here it is the holder's choice.
    single_device = models.BooleanField("chỉ một thiết bị đăng nhập", default=False)

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"
        constraints = [
            models.CheckConstraint(
                condition=Q(assurance_level__in=[1, 2]), name="identity_user_assurance_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(
                    kind=AccountKind.PERSON, organisation_code__isnull=True, representative__isnull=True
                )
                | Q(kind=AccountKind.ORGANISATION, citizen__isnull=True, organisation_code__isnull=False),
                name="identity_user_kind_matches_binding",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def language(self) -> str:
        """The language notify writes to this person in."""
        return self.preferred_language

    @property
    def phone(self) -> str:
        """The mobile number the population registry holds (where codes go), or ''."""
        return self.citizen.phone if self.citizen_id and self.citizen else ""

    @property
    def is_organisation(self) -> bool:
        return self.kind == AccountKind.ORGANISATION


# --- One-time codes -------------------------------------------------------------------------
class CodePurpose(models.TextChoices):
    ACTIVATION = "activation", "Kích hoạt tài khoản (activation)"
    LOGIN = "login", "Đăng nhập (login)"
    RECOVERY = "recovery", "Khôi phục mật khẩu (recovery)"


class OneTimeCode(models.Model):
    """A 6-digit code sent by SMS, stored only as a keyed hash ("mã xác thực một lần").

    A request whose details match nothing still gets a row (``sent`` false, a hash of a code
    nobody receives), so the next page, the attempts and the timing are the same whether or not
    the details matched: nobody learns who is registered.
    """

    purpose = models.CharField("mục đích", max_length=20, choices=CodePurpose.choices)
    citizen = models.ForeignKey(
        "registry.Citizen", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    phone = models.CharField("số điện thoại (E.164)", max_length=16, blank=True)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    sent = models.BooleanField("đã gửi", default=False)
    created_at = models.DateTimeField("tạo lúc", default=timezone.now)
    expires_at = models.DateTimeField("hết hạn lúc")
    attempts = models.PositiveSmallIntegerField("số lần nhập", default=0)
    verified_at = models.DateTimeField("xác nhận lúc", null=True, blank=True)
    used_at = models.DateTimeField("đã dùng lúc", null=True, blank=True)
    superseded_at = models.DateTimeField("bị thay lúc", null=True, blank=True)

    class Meta:
        verbose_name = "mã xác thực một lần"
        verbose_name_plural = "mã xác thực một lần"
        indexes = [models.Index(fields=["purpose", "created_at"], name="identity_otp_purpose_created")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} #{self.pk}"


# --- Second factors -------------------------------------------------------------------------
class TotpDevice(models.Model):
    """An authenticator app (RFC 6238), confirmed by a first code before it counts.

    The shared secret is kept encrypted and bound to the account (``fieldcrypt``); only
    ``services`` seal and open it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="totp_device",
        verbose_name="tài khoản",
    )
    name = models.CharField("tên", max_length=100, default="Ứng dụng xác thực")
    secret_encrypted = models.CharField("khoá bí mật (đã mã hoá)", max_length=200)
    # RFC 6238 section 5.2: a code is accepted once; later codes must come from later steps.
    last_used_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField("thêm lúc", default=timezone.now)
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)

    class Meta:
        verbose_name = "ứng dụng xác thực"
        verbose_name_plural = "ứng dụng xác thực"

    def __str__(self) -> str:
        return self.name


class Passkey(models.Model):
    """A WebAuthn credential ("khoá truy cập"): phishing-resistant, and multi-factor on its own."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys", verbose_name="tài khoản"
    )
    name = models.CharField("tên", max_length=100)
    credential_id = models.CharField("mã khoá (base64url)", max_length=1400, unique=True)
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    aaguid = models.CharField(max_length=36, blank=True)
    backed_up = models.BooleanField(default=False)
    created_at = models.DateTimeField("thêm lúc", default=timezone.now)
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)

    class Meta:
        verbose_name = "khoá truy cập (passkey)"
        verbose_name_plural = "khoá truy cập (passkey)"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


# --- Rate limits, sessions, history ----------------------------------------------------------
class Throttle(models.Model):
    """A counter of events per key in a time window, with an optional lock.

    Keys name what is limited: ``login:id:<personal ID>`` (failed passwords per account,
    whether or not the account exists), ``login:ip:<address>``, ``sms:<phone>``... Kept in the
    database so every web worker and node sees the same count.
    """

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "bộ đếm giới hạn"
        verbose_name_plural = "bộ đếm giới hạn"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class LoginOutcome(models.TextChoices):
    SUCCESS = "success", "Đăng nhập thành công (signed in)"
    BAD_CREDENTIALS = "bad_credentials", "Sai số định danh hoặc mật khẩu (wrong ID number or password)"
    LOCKED = "locked", "Bị tạm khoá (locked)"
    BAD_SECOND_FACTOR = "bad_second_factor", "Sai mã xác thực (wrong code)"
    PASSKEY_REFUSED = "passkey_refused", "Khoá truy cập không hợp lệ (passkey refused)"


class LoginEvent(models.Model):
    """One attempt to log in ("lịch sử đăng nhập"), shown to the account holder."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="login_events"
    )
    personal_id = models.CharField("số định danh đã nhập", max_length=20, blank=True)
    at = models.DateTimeField("thời điểm", default=timezone.now)
    outcome = models.CharField("kết quả", max_length=30, choices=LoginOutcome.choices)
    method = models.CharField("phương thức", max_length=30, blank=True)
    ip = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True)
    user_agent = models.CharField("trình duyệt", max_length=300, blank=True)

    class Meta:
        verbose_name = "lượt đăng nhập"
        verbose_name_plural = "lịch sử đăng nhập"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="identity_loginevent_user_at")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.outcome}"


class UserSessionQuerySet(models.QuerySet["UserSession"]):
    def active(self) -> UserSessionQuerySet:
        return self.filter(ended_at__isnull=True)


class UserSession(models.Model):
    """A signed-in browser or device, so the holder can see it and sign it out."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField("đăng nhập lúc", default=timezone.now)
    last_seen_at = models.DateTimeField("hoạt động lần cuối", default=timezone.now)
    ip = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True)
    user_agent = models.CharField("trình duyệt", max_length=300, blank=True)
    amr = models.JSONField(default=list)
    ended_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    end_reason = models.CharField(max_length=40, blank=True)

    objects = UserSessionQuerySet.as_manager()

    class Meta:
        verbose_name = "phiên đăng nhập"
        verbose_name_plural = "phiên đăng nhập"
        ordering = ["-last_seen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%d/%m/%Y %H:%M}"


# --- Assurance level 2 and officer roles ------------------------------------------------------
class AssuranceVerification(models.Model):
    """An in-person check by the police that raised an account to level 2 (Decree 69/2024 art. 12)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assurance_verifications"
    )
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("registry.Agency", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(choices=AssuranceLevel.choices)
    reason = models.CharField("ghi chú", max_length=500)
    # Decree 69/2024/NĐ-CP: under 14, level 2 only on request of the parent or legal guardian.
    guardian_request = models.BooleanField("theo đề nghị của người đại diện hợp pháp", default=False)
    verified_at = models.DateTimeField("xác thực lúc", default=timezone.now)

    class Meta:
        verbose_name = "xác thực trực tiếp"
        verbose_name_plural = "xác thực trực tiếp"
        ordering = ["-verified_at"]

    def __str__(self) -> str:
        return f"{self.user} → {self.level}"


class OfficerRoleKind(models.TextChoices):
    ADMINISTRATOR = "administrator", "Quản trị cơ quan (agency administrator)"
    OFFICER = "officer", "Cán bộ (officer)"
    # Approves and signs decisions on dossiers (the last processing step).
    LEADER = "leader", "Lãnh đạo (leader)"


class OfficerRoleQuerySet(models.QuerySet["OfficerRole"]):
    def active(self) -> OfficerRoleQuerySet:
        return self.filter(revoked_at__isnull=True)


class OfficerRole(models.Model):
    """A person's role within an agency ("vai trò cán bộ"), given by that agency's administrator."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer_roles")
    agency = models.ForeignKey("registry.Agency", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("vai trò", max_length=20, choices=OfficerRoleKind.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField("giao lúc", default=timezone.now)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OfficerRoleQuerySet.as_manager()

    class Meta:
        verbose_name = "vai trò cán bộ"
        verbose_name_plural = "vai trò cán bộ"
        ordering = ["agency_id", "user_id", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"],
                condition=Q(revoked_at__isnull=True),
                name="identity_officerrole_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency_id}"


# --- Organisations ----------------------------------------------------------------------------
class AuthorisationScope(models.TextChoices):
    SUBMIT_DOSSIERS = "dossiers.submit", "Nộp và theo dõi hồ sơ (submit and follow dossiers)"
    PAY_FEES = "payments.pay", "Thanh toán phí, lệ phí (pay fees)"
    RECEIVE_RESULTS = "results.receive", "Nhận kết quả (receive results)"


class OrganisationAuthorisationQuerySet(models.QuerySet["OrganisationAuthorisation"]):
    def in_force(self, *, at: Any = None) -> OrganisationAuthorisationQuerySet:
        moment = at or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=moment)


class OrganisationAuthorisation(models.Model):
    """The legal representative lets an employee act for the organisation ("ủy quyền")."""

    organisation_account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="authorisations_given",
        limit_choices_to={"kind": AccountKind.ORGANISATION},
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authorisations_received"
    )
    scopes = models.JSONField("phạm vi", default=list)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField("ủy quyền lúc", default=timezone.now)
    expires_at = models.DateTimeField("hết hạn lúc")
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OrganisationAuthorisationQuerySet.as_manager()

    class Meta:
        verbose_name = "ủy quyền của tổ chức"
        verbose_name_plural = "ủy quyền của tổ chức"
        ordering = ["-granted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation_account} → {self.employee}"

    def scope_labels(self) -> list[str]:
        labels = dict(AuthorisationScope.choices)
        return [str(labels.get(scope, scope)) for scope in self.scopes]

    @property
    def last_day(self) -> date:
        """The last day it is in force: it ends as the next day starts (portal time)."""
        return last_day_before(self.expires_at)


def last_day_before(moment: datetime) -> date:
    """The local day that ends at ``moment`` when it is a midnight (else the day it falls in)."""
    return timezone.localtime(moment - timedelta(microseconds=1)).date()
