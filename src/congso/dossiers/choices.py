"""Statuses, actions and other fixed vocabularies of the dossier lifecycle."""

from __future__ import annotations

from django.db import models


class Status(models.IntegerChoices):
    """Dossier status, numbered as one-stop systems report it to the national portal.

    The numbers are the ``TrangThai`` codes one-stop systems sync to the National Public Service
    Portal (vietnam.md section 2); they are stored as is so that a sync needs no mapping.
    """

    NEW = 1, "Mới nộp (new)"
    RECEIVED = 2, "Đã tiếp nhận (received)"
    REFUSED = 3, "Từ chối tiếp nhận (refused at reception)"
    PROCESSING = 4, "Đang xử lý (processing)"
    SUPPLEMENT_REQUESTED = 5, "Yêu cầu bổ sung (supplement requested)"
    FINANCIAL_OBLIGATION = 6, "Yêu cầu thực hiện nghĩa vụ tài chính (financial obligation requested)"
    WITHDRAWN = 7, "Công dân rút hồ sơ (withdrawn by the applicant)"
    STOPPED = 8, "Dừng xử lý (processing stopped)"
    PROCESSED = 9, "Đã xử lý xong (processed)"
    RETURNED = 10, "Đã trả kết quả (result returned)"


# Statuses in which the agency is still working on the dossier (its clock may be running).
OPEN_STATUSES = frozenset({Status.NEW, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED})
# Statuses after which nothing more happens to the dossier except a rating.
CLOSED_STATUSES = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})


class Channel(models.IntegerChoices):
    """How the dossier was submitted (``KenhThucHien``)."""

    IN_PERSON = 1, "Trực tiếp (in person)"
    ONLINE = 2, "Trực tuyến (online)"
    POST = 3, "Qua bưu chính công ích (public post)"


class Outcome(models.TextChoices):
    APPROVED = "approved", "Chấp thuận (approved)"
    REJECTED = "rejected", "Không chấp thuận (rejected)"


class ReturnMode(models.TextChoices):
    ONLINE = "online", "Trả trực tuyến (online)"
    IN_PERSON = "in_person", "Trao trực tiếp (handed over in person)"
    POST = "post", "Gửi qua bưu chính (sent by post)"


class StepRole(models.TextChoices):
    """Who may hold a processing step: any officer of the agency, or one of its leaders."""

    OFFICER = "officer", "Chuyên viên (officer)"
    LEADER = "leader", "Lãnh đạo (leader)"


class Action(models.TextChoices):
    """Every event of a dossier's history; one row per event, never changed."""

    SUBMIT = "submit", "Nộp hồ sơ (submitted)"
    RECEIVE = "receive", "Tiếp nhận (received)"
    REFUSE = "refuse", "Từ chối tiếp nhận (refused)"
    REQUEST_SUPPLEMENT = "request_supplement", "Yêu cầu bổ sung (supplement requested)"
    SUPPLY = "supply", "Bổ sung hồ sơ (supplement provided)"
    ASSIGN = "assign", "Phân công xử lý (assigned)"
    FORWARD = "forward", "Chuyển bước xử lý (forwarded)"
    APOLOGISE = "apologise", "Xin lỗi và hẹn lại ngày trả (apology, new date)"
    STOP = "stop", "Dừng xử lý (stopped)"
    WITHDRAW = "withdraw", "Rút hồ sơ (withdrawn)"
    DECIDE = "decide", "Ra kết quả (decided)"
    RETURN_RESULT = "return_result", "Trả kết quả (result returned)"


class DeadlineState(models.TextChoices):
    """The colour of a dossier in an officer's queue."""

    ON_TIME = "on_time", "Trong hạn (on time)"
    DUE_SOON = "due_soon", "Sắp đến hạn (due soon)"
    LATE = "late", "Quá hạn (late)"
    PAUSED = "paused", "Chờ công dân bổ sung (waiting for the applicant)"
    DONE = "done", "Đã xong (done)"


def label_vi(label: str) -> str:
    """The Vietnamese half of a bilingual choice label "Tiếng Việt (English)"."""
    return label.split(" (", 1)[0]


def label_en(label: str) -> str:
    """The English half of a bilingual choice label "Tiếng Việt (English)"."""
    return label.rsplit(" (", 1)[-1].rstrip(")") if " (" in label else label
