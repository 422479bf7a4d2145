"""Tables of the data-exchange platform ("nền tảng trao đổi dữ liệu", NDXP).

The registry of the exchange (members, subsystems, services, access rights) follows X-Road:
a *member* is an agency or an organisation, a *subsystem* one of its information systems, a
*service* something a subsystem provides, an *access right* lets one subsystem call one
service. Around it: client keys, purposes, consents, the hash-chained message log with its
signed checkpoints, monitoring rollups, and events with their webhook deliveries.

Writes go through ``services.py``; the message log only through ``messagelog.py``.
"""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .evidence import GENESIS_HASH
from .ids import ClientId, ServiceId


class MemberClass(models.TextChoices):
    GOV = "GOV", "Cơ quan nhà nước (government)"
    COM = "COM", "Doanh nghiệp (commercial)"
    NGO = "NGO", "Tổ chức khác (non-profit)"


class Member(models.Model):
    """A member of the exchange ("thành viên"): an agency, an enterprise or another organisation."""

    instance = models.CharField("môi trường (instance)", max_length=64)
    member_class = models.CharField("loại thành viên", max_length=8, choices=MemberClass.choices)
    code = models.CharField("mã thành viên", max_length=64)
    name = models.CharField("tên", max_length=255)
    agency = models.ForeignKey(
        "registry.Agency",
        verbose_name="cơ quan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchange_members",
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name="doanh nghiệp, tổ chức",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchange_members",
    )
    # The provider's administrators grant and revoke rights to this member's services.
    administrators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="quản trị viên", blank=True, related_name="exchange_members"
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "thành viên"
        verbose_name_plural = "thành viên"
        ordering = ["instance", "member_class", "code"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "member_class", "code"], name="exchange_member_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.instance}/{self.member_class}/{self.code})"


class Subsystem(models.Model):
    """An information system of a member ("hệ thống thông tin"): the unit that calls and provides."""

    member = models.ForeignKey(
        Member, verbose_name="thành viên", on_delete=models.PROTECT, related_name="subsystems"
    )
    code = models.CharField("mã hệ thống", max_length=64)
    name = models.CharField("tên", max_length=255)
    is_active = models.BooleanField("đang hoạt động", default=True)
    rate_limit_per_minute = models.PositiveIntegerField(
        "giới hạn lượt gọi mỗi phút", null=True, blank=True, help_text="Để trống: dùng mức mặc định."
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "hệ thống thông tin (subsystem)"
        verbose_name_plural = "hệ thống thông tin (subsystem)"
        ordering = ["member__code", "code"]
        constraints = [models.UniqueConstraint(fields=["member", "code"], name="exchange_subsystem_uniq")]

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"

    @property
    def client_id(self) -> str:
        member = self.member
        return str(ClientId(member.instance, member.member_class, member.code, self.code))


class ClientKeyKind(models.TextChoices):
    JWK = "jwk", "Khoá công khai cho JWT (RFC 7523)"
    CERTIFICATE = "certificate", "Chứng thư số TLS (mutual TLS, RFC 8705)"


class ClientKey(models.Model):
    """A credential of a subsystem: a public key for signed assertions, or a TLS certificate."""

    subsystem = models.ForeignKey(
        Subsystem, verbose_name="hệ thống", on_delete=models.CASCADE, related_name="keys"
    )
    kind = models.CharField("loại", max_length=20, choices=ClientKeyKind.choices, default=ClientKeyKind.JWK)
    kid = models.CharField("mã khoá (kid)", max_length=128)
    public_jwk = models.JSONField("khoá công khai (JWK)", default=dict, blank=True)
    certificate_pem = models.TextField("chứng thư (PEM)", blank=True)
    # x5t#S256: base64url SHA-256 of the DER certificate (RFC 8705 section 3.1).
    thumbprint = models.CharField("dấu vân tay chứng thư", max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "khoá của hệ thống"
        verbose_name_plural = "khoá của hệ thống"
        constraints = [
            models.UniqueConstraint(fields=["subsystem", "kid"], name="exchange_clientkey_kid_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.subsystem.code}: {self.kid}"


class Purpose(models.Model):
    """Why data is asked for ("mục đích xử lý dữ liệu"), named in every personal-data request."""

    code = models.SlugField("mã", max_length=64, unique=True)
    name_vi = models.CharField("tên", max_length=255)
    name_en = models.CharField("tên tiếng Anh", max_length=255)
    description = models.TextField("mô tả", blank=True)

    class Meta:
        verbose_name = "mục đích"
        verbose_name_plural = "mục đích"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_vi

    def name(self, language: str) -> str:
        return self.name_en if language.startswith("en") else self.name_vi


class ProviderKind(models.TextChoices):
    ADAPTER = "adapter", "Trong hệ thống (in-project adapter)"
    HTTP = "http", "Hệ thống bên ngoài qua HTTP (external)"


class Service(models.Model):
    """A data service a subsystem provides ("dịch vụ dữ liệu")."""

    provider = models.ForeignKey(
        Subsystem, verbose_name="hệ thống cung cấp", on_delete=models.PROTECT, related_name="services"
    )
    code = models.CharField("mã dịch vụ", max_length=64)
    version = models.CharField("phiên bản", max_length=20, default="v1")
    title = models.CharField("tên", max_length=255)
    title_en = models.CharField("tên tiếng Anh", max_length=255, blank=True)
    description = models.TextField("mô tả", blank=True)
    openapi = models.JSONField("tài liệu OpenAPI", default=dict, blank=True)
    provider_kind = models.CharField(
        "loại cung cấp", max_length=10, choices=ProviderKind.choices, default=ProviderKind.HTTP
    )
    adapter = models.CharField("bộ chuyển đổi", max_length=64, blank=True)
    base_url = models.URLField("địa chỉ gốc", max_length=500, blank=True)
    connect_timeout = models.FloatField("thời gian chờ kết nối (giây)", default=3.0)
    read_timeout = models.FloatField("thời gian chờ trả lời (giây)", default=10.0)
    is_enabled = models.BooleanField("đang cung cấp", default=True)
    personal_data = models.BooleanField("trả về dữ liệu cá nhân", default=False)
    purposes = models.ManyToManyField(
        Purpose, verbose_name="mục đích được phục vụ", blank=True, related_name="+"
    )
    # The name other domains use for a built-in registry service, whatever agency owns it.
    builtin = models.CharField("bí danh dịch vụ dựng sẵn", max_length=64, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "dịch vụ dữ liệu"
        verbose_name_plural = "dịch vụ dữ liệu"
        ordering = ["provider__member__code", "provider__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "code"], name="exchange_service_uniq"),
            models.UniqueConstraint(
                fields=["builtin"], condition=~Q(builtin=""), name="exchange_service_builtin_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.service_id})"

    @property
    def service_id(self) -> str:
        member = self.provider.member
        return str(
            ServiceId(member.instance, member.member_class, member.code, self.provider.code, self.code)
        )

    def title_in(self, language: str) -> str:
        return self.title_en if language.startswith("en") and self.title_en else self.title


class AccessRightQuerySet(models.QuerySet["AccessRight"]):
    def active(self) -> AccessRightQuerySet:
        return self.filter(revoked_at__isnull=True)


class AccessRight(models.Model):
    """Lets a client subsystem call a service ("quyền truy cập"), until revoked.

    ``legal_basis`` names the law under which the client may receive personal data for the
    ``legal_basis_purposes`` without the data subject's consent (Decree 13/2023 art. 17).
    """

    client = models.ForeignKey(
        Subsystem, verbose_name="hệ thống được cấp", on_delete=models.PROTECT, related_name="rights"
    )
    service = models.ForeignKey(
        Service, verbose_name="dịch vụ", on_delete=models.PROTECT, related_name="rights"
    )
    legal_basis = models.CharField("căn cứ pháp lý", max_length=255, blank=True)
    legal_basis_purposes = models.ManyToManyField(
        Purpose, verbose_name="mục đích theo căn cứ pháp lý", blank=True, related_name="+"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người cấp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField("cấp lúc", default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thu hồi",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)

    objects = AccessRightQuerySet.as_manager()

    class Meta:
        verbose_name = "quyền truy cập"
        verbose_name_plural = "quyền truy cập"
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "service"],
                condition=Q(revoked_at__isnull=True),
                name="exchange_right_active_uniq",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} → {self.service}"


class ConsentQuerySet(models.QuerySet["Consent"]):
    def visible_to(self, user: Any) -> ConsentQuerySet:
        """A person sees the consents they gave; officers with the view right see all."""
        from .selectors import personal_id_of

        if user is not None and user.is_authenticated and user.has_perm("exchange.view_consent"):
            return self
        personal_id = personal_id_of(user)
        return self.filter(subject_personal_id=personal_id) if personal_id else self.none()

    def in_force(self, *, at: Any = None) -> ConsentQuerySet:
        now = at or timezone.now()
        return self.filter(revoked_at__isnull=True, valid_from__lte=now, valid_until__gt=now)


class Consent(models.Model):
    """A person's consent that one system receive their data for one purpose ("sự đồng ý").

    Decree 13/2023 art. 11: consent is specific (purpose, data, recipient), can be withdrawn
    at any time, and the controller must be able to prove it; the receipt is that proof.
    """

    receipt_id = models.UUIDField("số biên nhận", default=uuid.uuid4, unique=True, editable=False)
    subject_personal_id = models.CharField("số định danh người đồng ý", max_length=12)
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consumer = models.ForeignKey(
        Subsystem, verbose_name="hệ thống nhận dữ liệu", on_delete=models.PROTECT, related_name="consents"
    )
    purpose = models.ForeignKey(
        Purpose, verbose_name="mục đích", on_delete=models.PROTECT, related_name="consents"
    )
    services = models.ManyToManyField(Service, verbose_name="dữ liệu (dịch vụ)", related_name="consents")
    dossier_ref = models.CharField("mã hồ sơ", max_length=64, blank=True)
    granted_at = models.DateTimeField("đồng ý lúc", default=timezone.now)
    valid_from = models.DateTimeField("hiệu lực từ", default=timezone.now)
    valid_until = models.DateTimeField("hiệu lực đến")
    revoked_at = models.DateTimeField("rút lại lúc", null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = "sự đồng ý"
        verbose_name_plural = "sự đồng ý"
        ordering = ["-granted_at"]
        indexes = [
            models.Index(
                fields=["subject_personal_id", "consumer", "purpose"], name="exchange_consent_lookup"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_personal_id} → {self.consumer.code} ({self.purpose.code})"

    def is_in_force(self, at: Any = None) -> bool:
        now = at or timezone.now()
        return self.revoked_at is None and self.valid_from <= now < self.valid_until


class AssertionUse(models.Model):
    """A client assertion's ``jti``, kept until it expires so that it is accepted once only."""

    client = models.CharField("hệ thống", max_length=255)
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField("hết hạn lúc", db_index=True)

    class Meta:
        verbose_name = "assertion đã dùng"
        verbose_name_plural = "assertion đã dùng"
        constraints = [models.UniqueConstraint(fields=["client", "jti"], name="exchange_assertion_jti_uniq")]

    def __str__(self) -> str:
        return f"{self.client} {self.jti}"


class GatewayKey(models.Model):
    """A public key the gateway has signed log checkpoints, receipts and bundles with."""

    key_id = models.CharField("mã khoá", max_length=16, unique=True)
    public_key = models.CharField("khoá công khai Ed25519 (base64)", max_length=64)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "khoá ký của cổng"
        verbose_name_plural = "khoá ký của cổng"

    def __str__(self) -> str:
        return self.key_id


# --- The message log ------------------------------------------------------------------------------
class MessageLogImmutable(RuntimeError):
    """Raised on any attempt to change or remove a log entry through the ORM."""


class MessageLogQuerySet(models.QuerySet["MessageLogEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise MessageLogImmutable("Nhật ký thông điệp chỉ được ghi thêm / The message log is append-only")

    def delete(self) -> NoReturn:
        raise MessageLogImmutable("Nhật ký thông điệp chỉ được ghi thêm / The message log is append-only")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise MessageLogImmutable("Nhật ký thông điệp chỉ được ghi thêm / The message log is append-only")

    def visible_to(self, user: Any) -> MessageLogQuerySet:
        """A person sees the calls about them (the data tracker); operators with the view right, all."""
        from .selectors import personal_id_of

        if user is not None and user.is_authenticated and user.has_perm("exchange.view_messagelogentry"):
            return self
        personal_id = personal_id_of(user)
        return self.filter(data_subject=personal_id) if personal_id else self.none()


class MessageLogEntry(models.Model):
    """One call through the exchange ("nhật ký thông điệp"): metadata and hashes, never bodies.

    Written only by :func:`congso.exchange.messagelog.log_append`; the hashes are explained
    in :mod:`congso.exchange.evidence`.
    """

    seq = models.PositiveBigIntegerField("số thứ tự", primary_key=True)
    message_id = models.CharField("mã thông điệp", max_length=36, unique=True)
    correlation_id = models.CharField("mã tương quan", max_length=128)
    client = models.CharField("hệ thống gọi", max_length=255)
    service = models.CharField("dịch vụ", max_length=255)
    service_version = models.CharField("phiên bản", max_length=20)
    transport = models.CharField("kênh", max_length=10)
    method = models.CharField("phương thức", max_length=10)
    path = models.CharField("đường dẫn", max_length=1000)
    data_subject = models.CharField("chủ thể dữ liệu", max_length=12)
    purpose = models.CharField("mục đích", max_length=64)
    dossier_ref = models.CharField("mã hồ sơ", max_length=64)
    user_id = models.CharField("người dùng của hệ thống gọi", max_length=100)
    basis = models.CharField("căn cứ", max_length=300)
    requested_at = models.DateTimeField("nhận lúc")
    responded_at = models.DateTimeField("trả lời lúc")
    status = models.PositiveSmallIntegerField("mã trạng thái HTTP")
    error_code = models.CharField("mã lỗi", max_length=50)
    request_size = models.PositiveBigIntegerField("cỡ yêu cầu (byte)")
    response_size = models.PositiveBigIntegerField("cỡ trả lời (byte)")
    request_hash = models.CharField("SHA-256 yêu cầu", max_length=64)
    response_hash = models.CharField("SHA-256 trả lời", max_length=64)
    prev_hash = models.CharField("mã băm trước", max_length=64)
    hash = models.CharField("mã băm", max_length=64)

    objects = MessageLogQuerySet.as_manager()

    class Meta:
        verbose_name = "mục nhật ký thông điệp"
        verbose_name_plural = "nhật ký thông điệp"
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["data_subject", "seq"], name="exchange_log_subject_idx"),
            models.Index(fields=["client", "seq"], name="exchange_log_client_idx"),
            models.Index(fields=["correlation_id"], name="exchange_log_correlation_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.client} → {self.service} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise MessageLogImmutable("Không được sửa mục nhật ký / A log entry cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise MessageLogImmutable("Không được xoá mục nhật ký / A log entry cannot be deleted")

    @property
    def ok(self) -> bool:
        return not self.error_code and self.status < 400


class MessageLogHead(models.Model):
    """The single row naming the log's last entry and last checkpoint; appenders lock it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    # The last entry's prev_hash: lets one UPDATE both advance the head and hand the old
    # hash to the INSERT of the same statement (messagelog._postgres_append_sql).
    prev_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    checkpoint_seq = models.PositiveBigIntegerField(default=0)
    checkpoint_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "đầu nhật ký thông điệp"
        verbose_name_plural = "đầu nhật ký thông điệp"

    def __str__(self) -> str:
        return f"#{self.last_seq}"


class MessageLogCheckpoint(models.Model):
    """The gateway's signature over the log's head at ``seq`` ("điểm kiểm tra có ký số")."""

    seq = models.PositiveBigIntegerField("đến số thứ tự", primary_key=True)
    instance = models.CharField(max_length=64)
    hash = models.CharField("mã băm", max_length=64)
    at = models.DateTimeField("ký lúc")
    key_id = models.CharField("mã khoá", max_length=16)
    signature = models.CharField("chữ ký (base64)", max_length=128)

    class Meta:
        verbose_name = "điểm kiểm tra nhật ký"
        verbose_name_plural = "điểm kiểm tra nhật ký"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq}"


# --- Monitoring ---------------------------------------------------------------------------------
# Upper bounds (seconds) of the latency histogram's buckets, Prometheus style; the last
# bucket of the table (b13) holds everything slower.
LATENCY_BUCKETS: tuple[float, ...] = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)
BUCKET_FIELDS: tuple[str, ...] = tuple(f"b{index}" for index in range(len(LATENCY_BUCKETS) + 1))


class ServiceMetric(models.Model):
    """Calls of one client to one service in one hour: count, errors, latency histogram.

    Metadata only, as X-Road's operational monitoring: never a payload or a data subject.
    """

    hour = models.DateTimeField("giờ")
    client = models.CharField("hệ thống gọi", max_length=255)
    service = models.CharField("dịch vụ", max_length=255)
    count = models.PositiveBigIntegerField("số lượt", default=0)
    errors = models.PositiveBigIntegerField("số lỗi", default=0)
    duration_sum_us = models.PositiveBigIntegerField("tổng thời gian (µs)", default=0)
    b0 = models.PositiveBigIntegerField(default=0)
    b1 = models.PositiveBigIntegerField(default=0)
    b2 = models.PositiveBigIntegerField(default=0)
    b3 = models.PositiveBigIntegerField(default=0)
    b4 = models.PositiveBigIntegerField(default=0)
    b5 = models.PositiveBigIntegerField(default=0)
    b6 = models.PositiveBigIntegerField(default=0)
    b7 = models.PositiveBigIntegerField(default=0)
    b8 = models.PositiveBigIntegerField(default=0)
    b9 = models.PositiveBigIntegerField(default=0)
    b10 = models.PositiveBigIntegerField(default=0)
    b11 = models.PositiveBigIntegerField(default=0)
    b12 = models.PositiveBigIntegerField(default=0)
    b13 = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "số liệu giám sát"
        verbose_name_plural = "giám sát dịch vụ (monitoring)"
        ordering = ["-hour", "service", "client"]
        constraints = [
            models.UniqueConstraint(fields=["hour", "client", "service"], name="exchange_metric_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}h {self.client} → {self.service}"


# --- Events -----------------------------------------------------------------------------------
class EventType(models.Model):
    """A kind of event a provider publishes ("loại sự kiện"), e.g. ``residence.changed``.

    Subscribing needs an active right to ``service``: the event carries that service's data.
    """

    code = models.CharField("mã", max_length=64)
    provider = models.ForeignKey(
        Subsystem, verbose_name="hệ thống phát", on_delete=models.PROTECT, related_name="event_types"
    )
    service = models.ForeignKey(
        Service, verbose_name="dịch vụ liên quan", on_delete=models.PROTECT, related_name="event_types"
    )
    title = models.CharField("tên", max_length=255)

    class Meta:
        verbose_name = "loại sự kiện"
        verbose_name_plural = "loại sự kiện"
        constraints = [models.UniqueConstraint(fields=["provider", "code"], name="exchange_eventtype_uniq")]

    def __str__(self) -> str:
        return f"{self.code} ({self.provider.code})"


class Subscription(models.Model):
    """A subsystem's standing request to receive one event type at a webhook URL."""

    subscriber = models.ForeignKey(
        Subsystem, verbose_name="hệ thống nhận", on_delete=models.PROTECT, related_name="subscriptions"
    )
    event_type = models.ForeignKey(
        EventType, verbose_name="loại sự kiện", on_delete=models.PROTECT, related_name="subscriptions"
    )
    purpose = models.ForeignKey(
        Purpose, verbose_name="mục đích", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    callback_url = models.URLField("địa chỉ nhận (webhook)", max_length=500)
    # Shared with the subscriber to check each delivery's HMAC signature.
    secret = models.CharField("khoá bí mật", max_length=128)
    is_active = models.BooleanField("đang nhận", default=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "đăng ký nhận sự kiện"
        verbose_name_plural = "đăng ký nhận sự kiện"

    def __str__(self) -> str:
        return f"{self.subscriber.code} ← {self.event_type.code}"


class Event(models.Model):
    event_id = models.UUIDField("mã sự kiện", default=uuid.uuid4, unique=True, editable=False)
    event_type = models.ForeignKey(
        EventType, verbose_name="loại", on_delete=models.PROTECT, related_name="events"
    )
    data_subject = models.CharField("chủ thể dữ liệu", max_length=12, blank=True)
    payload = models.JSONField("nội dung", default=dict)
    published_at = models.DateTimeField("phát lúc", default=timezone.now)

    class Meta:
        verbose_name = "sự kiện"
        verbose_name_plural = "sự kiện"
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return f"{self.event_type.code} {self.event_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Đang chờ gửi"
    SENDING = "sending", "Đang gửi"
    DELIVERED = "delivered", "Đã gửi"
    FAILED = "failed", "Gửi không thành công"


class Delivery(models.Model):
    """One event to one subscriber; retried until delivered or out of attempts (at least once)."""

    event = models.ForeignKey(
        Event, verbose_name="sự kiện", on_delete=models.CASCADE, related_name="deliveries"
    )
    subscription = models.ForeignKey(
        Subscription, verbose_name="đăng ký", on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        "trạng thái", max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    next_attempt_at = models.DateTimeField("gửi lại lúc", null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField("đã gửi lúc", null=True, blank=True)
    last_error = models.CharField("lỗi gần nhất", max_length=500, blank=True)

    class Meta:
        verbose_name = "lượt gửi sự kiện"
        verbose_name_plural = "lượt gửi sự kiện"
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="exchange_delivery_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription.subscriber.code}"
