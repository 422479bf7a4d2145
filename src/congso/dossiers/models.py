"""Dossiers ("hồ sơ"): drafts, submitted dossiers, their documents, history and ratings.

A dossier's status changes only through :mod:`congso.dossiers.services`, which checks the
transition, appends a :class:`DossierEvent` and an audit entry in the same transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import Action, Channel, Outcome, ReturnMode, Status, StepRole


class ProcessStep(models.Model):
    """One processing step of a procedure after reception ("quy trình nội bộ").

    A procedure without configured steps uses :data:`congso.dossiers.workflow.DEFAULT_STEPS`:
    an officer handles the dossier, then a leader approves. The decision is taken at the last
    step, which must be a leader's.
    """

    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name="thủ tục", on_delete=models.CASCADE, related_name="process_steps"
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=1)
    name = models.CharField("tên bước", max_length=200)
    name_en = models.CharField("tên bước (tiếng Anh)", max_length=200, blank=True)
    role = models.CharField(
        "người thực hiện", max_length=20, choices=StepRole.choices, default=StepRole.OFFICER
    )
    working_days = models.PositiveSmallIntegerField("số ngày làm việc", default=1)

    class Meta:
        verbose_name = "bước xử lý"
        verbose_name_plural = "các bước xử lý"
        ordering = ["procedure", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "order"], name="dossiers_step_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class DossierDraft(models.Model):
    """An application being written in the wizard; saved at every step and resumable.

    Its ``public_id`` is also the idempotency key of the submission: however many times the
    applicant presses "Nộp hồ sơ", one draft makes one dossier.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dossier_drafts"
    )
    # The organisation's account (identity's), when applying on its behalf.
    organisation = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        "registry.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField("dữ liệu biểu mẫu", default=dict, blank=True)
    # Field name -> {"value": ..., "service": ..., "message_id": ...}: what the State supplied.
    prefilled = models.JSONField("dữ liệu lấy từ cơ sở dữ liệu", default=dict, blank=True)
    # Required-document id (as text) -> list of StoredDocument public ids.
    documents = models.JSONField("giấy tờ đã chọn", default=dict, blank=True)
    step = models.CharField("bước", max_length=20, default="guide")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    dossier = models.OneToOneField(
        "Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="draft"
    )

    class Meta:
        verbose_name = "hồ sơ nháp"
        verbose_name_plural = "hồ sơ nháp"
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.procedure_id} — {self.public_id}"


class DossierQuerySet(models.QuerySet["Dossier"]):
    def visible_to_applicant(self, user: Any) -> DossierQuerySet:
        """Dossiers the user applied for, or that an organisation they may act for applied for."""
        from congso.identity import selectors as identity_selectors
        from congso.identity.models import AuthorisationScope

        if not getattr(user, "is_authenticated", False):
            return self.none()
        condition = Q(applicant=user)
        organisation_ids = [
            acting.account.pk
            for acting in identity_selectors.organisations_user_may_act_for(user)
            if AuthorisationScope.SUBMIT_DOSSIERS in acting.scopes
        ]
        if organisation_ids:
            condition |= Q(organisation_id__in=organisation_ids)
        return self.filter(condition)

    def visible_to_officer(self, user: Any) -> DossierQuerySet:
        """Dossiers of the agencies where the user holds an active officer role."""
        from congso.identity import selectors as identity_selectors

        if not getattr(user, "is_authenticated", False):
            return self.none()
        # Officers and leaders process dossiers; an agency administrator only manages roles.
        agency_ids = list(
            identity_selectors.officer_roles_active(user=user)
            .filter(role__in=[StepRole.OFFICER, StepRole.LEADER])
            .values_list("agency_id", flat=True)
        )
        return self.filter(agency_id__in=agency_ids) if agency_ids else self.none()

    def visible_to(self, user: Any) -> DossierQuerySet:
        """Every dossier the user may see: their own, their organisations', their agencies'."""
        return self.visible_to_applicant(user) | self.visible_to_officer(user)


class Dossier(models.Model):
    """A submitted application for an administrative procedure ("hồ sơ thủ tục hành chính")."""

    code = models.CharField("mã hồ sơ", max_length=40, unique=True)
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name="thủ tục", on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "registry.Agency", verbose_name="cơ quan giải quyết", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "registry.Agency",
        verbose_name="đơn vị xử lý",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người nộp", on_delete=models.PROTECT, related_name="dossiers"
    )
    # The organisation's account (identity's), when a person applied on its behalf.
    organisation = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tổ chức nộp",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicant_personal_id = models.CharField("số định danh người nộp", max_length=12)
    applicant_name = models.CharField("tên người nộp", max_length=255)
    data = models.JSONField("dữ liệu biểu mẫu", default=dict)
    prefilled = models.JSONField("dữ liệu lấy từ cơ sở dữ liệu", default=dict, blank=True)
    channel = models.PositiveSmallIntegerField("kênh nộp", choices=Channel.choices, default=Channel.ONLINE)
    status = models.PositiveSmallIntegerField("trạng thái", choices=Status.choices, default=Status.NEW)
    idempotency_key = models.UUIDField("khóa chống nộp trùng", unique=True, editable=False)

    submitted_at = models.DateTimeField("nộp lúc")
    received_on = models.DateField("ngày tiếp nhận")
    due_on = models.DateField("ngày hẹn trả")
    original_due_on = models.DateField("ngày hẹn trả ban đầu")
    # Waiting for the applicant does not count against the agency (Decree 61/2018 art. 19).
    paused_since = models.DateTimeField("chờ bổ sung từ", null=True, blank=True)
    paused_working_days = models.PositiveIntegerField("số ngày chờ bổ sung", default=0)
    resume_status = models.PositiveSmallIntegerField(choices=Status.choices, null=True, blank=True)
    supplement_requested_at = models.DateTimeField("yêu cầu bổ sung lúc", null=True, blank=True)
    apologised_at = models.DateTimeField("xin lỗi lúc", null=True, blank=True)

    step = models.PositiveSmallIntegerField("bước xử lý", default=0)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người đang xử lý",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    outcome = models.CharField("kết quả", max_length=20, choices=Outcome.choices, blank=True)
    decision_reason = models.TextField("lý do / nội dung", blank=True)
    decided_at = models.DateTimeField("quyết định lúc", null=True, blank=True)
    result_document = models.ForeignKey(
        "documents.StoredDocument",
        verbose_name="kết quả điện tử",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result_sha256 = models.CharField("SHA-256 của kết quả", max_length=64, blank=True)
    returned_at = models.DateTimeField("trả kết quả lúc", null=True, blank=True)
    return_mode = models.CharField("hình thức trả", max_length=20, choices=ReturnMode.choices, blank=True)
    closed_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            # The officer's queue: one agency, open statuses, oldest due date first.
            models.Index(fields=["agency", "status", "due_on"], name="dossiers_queue"),
            # The default queue (every open dossier, oldest due date first): PostgreSQL walks the
            # due dates in order and stops after one page instead of sorting the whole agency.
            models.Index(
                fields=["agency", "due_on", "id"],
                name="dossiers_queue_open",
                condition=Q(status__in=[1, 2, 4, 5]),
            ),
            # "Assigned to me": the same walk in due-date order, per holder.
            models.Index(
                fields=["holder", "due_on", "id"],
                name="dossiers_mine_open",
                condition=Q(status__in=[1, 2, 4, 5]),
            ),
            # Officers search by the start of a dossier code: LIKE 'H15.50-26%' needs a
            # pattern index on PostgreSQL (ignored elsewhere).
            models.Index(fields=["code"], name="dossiers_code_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["applicant", "-submitted_at"], name="dossiers_mine"),
            models.Index(fields=["organisation", "-submitted_at"], name="dossiers_organisation"),
            models.Index(fields=["holder", "status"], name="dossiers_holder"),
        ]

    def __str__(self) -> str:
        return self.code


class DossierDocument(models.Model):
    """A document of a dossier, kept in the applicant's personal document store."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(
        "catalog.RequiredDocument", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requirement_name = models.CharField("thành phần hồ sơ", max_length=500)
    document = models.ForeignKey("documents.StoredDocument", on_delete=models.PROTECT, related_name="+")
    reused = models.BooleanField("dùng lại từ kho", default=False)
    supplement = models.BooleanField("nộp bổ sung", default=False)
    added_at = models.DateTimeField("thêm lúc", auto_now_add=True)

    class Meta:
        verbose_name = "giấy tờ của hồ sơ"
        verbose_name_plural = "giấy tờ của hồ sơ"
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.requirement_name


class DossierEvent(models.Model):
    """One event of a dossier's history: who did what, when, from which status to which, why.

    Append-only; the process control sheet ("phiếu kiểm soát quá trình giải quyết") is read from
    these rows.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("lúc")
    action = models.CharField("hành động", max_length=30, choices=Action.choices)
    from_status = models.PositiveSmallIntegerField(choices=Status.choices, null=True, blank=True)
    to_status = models.PositiveSmallIntegerField(choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("người thực hiện", max_length=255, blank=True)
    actor_agency = models.ForeignKey(
        "registry.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder_name = models.CharField("người nhận xử lý", max_length=255, blank=True)
    step = models.PositiveSmallIntegerField("bước", default=0)
    step_name = models.CharField("tên bước", max_length=200, blank=True)
    reason = models.TextField("lý do / nội dung", blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "lịch sử hồ sơ"
        verbose_name_plural = "lịch sử hồ sơ"
        ordering = ["dossier", "at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class DossierRating(models.Model):
    """The applicant's rating of the service (Decision 766: satisfaction indicators)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField("điểm (1-5)")
    comment = models.TextField("nhận xét", blank=True)
    complaint = models.BooleanField("phản ánh, kiến nghị", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "đánh giá"
        verbose_name_plural = "đánh giá"
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="dossiers_rating_score_1_5")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.score}"


__all__ = [
    "Action",
    "Dossier",
    "DossierDocument",
    "DossierDraft",
    "DossierEvent",
    "DossierRating",
    "Outcome",
    "ProcessStep",
    "ReturnMode",
    "Status",
]
