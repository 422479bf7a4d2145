"""Enumerations of the procedure catalog.

Labels are English msgids translated to Vietnamese (the site's default language), so the same
value reads correctly on the Vietnamese and the English page.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcedureLevel(models.TextChoices):
    """The level of government that settles the procedure ("cấp thực hiện").

    The values are those of ``registry.choices.AgencyLevel``, so a procedure's level matches the
    level of the agencies that implement it.
    """

    MINISTRY = "ministry", _("Ministry level")
    PROVINCE = "province", _("Province level")
    COMMUNE = "commune", _("Commune level")


class OnlineLevel(models.TextChoices):
    """How much of the procedure can be done online (Decree 42/2022/NĐ-CP art. 11)."""

    # "Toàn trình": submit, process and receive the result entirely online (or by public post).
    FULL = "full", _("Full online service")
    # "Một phần": some step (usually presenting originals or collecting the result) is in person.
    PARTIAL = "partial", _("Partial online service")


class ResultType(models.TextChoices):
    """What the applicant receives at the end ("kết quả thực hiện")."""

    CERTIFICATE = "certificate", _("Certificate")
    LICENCE = "licence", _("Licence or permit")
    EXTRACT = "extract", _("Civil-status extract")
    CERTIFIED_COPY = "certified_copy", _("Certified copy")
    CONFIRMATION = "confirmation", _("Confirmation")
    CARD = "card", _("Card")
    DECISION = "decision", _("Decision")
    OTHER = "other", _("Other document")


class AssuranceLevel(models.IntegerChoices):
    """The electronic-identity level an applicant needs (Decree 69/2024/NĐ-CP)."""

    LEVEL_1 = 1, _("Level 1 electronic identity")
    LEVEL_2 = 2, _("Level 2 electronic identity")


# File types an operator may accept for an uploaded document.
FILE_TYPES: tuple[str, ...] = ("pdf", "jpg", "jpeg", "png", "doc", "docx", "xml", "dwg")
