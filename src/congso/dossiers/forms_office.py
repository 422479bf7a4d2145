"""Forms of the back office: one per action an officer takes on a dossier, and the PDF check.

The forms only parse what was typed (dates, choices, lines); every rule about the dossier
(a reason is required, a supplement only once, the new date after the old one) is the
service's, and its refusal is put back on the field it names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import Action, ReturnMode, StepRole, label_en, label_vi

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

REASON_MAX = 4000


def in_language(label: Any) -> str:
    """One half of a bilingual choice label "Tiếng Việt (English)", in the page's language."""
    text = str(label)
    if (get_language() or "vi").startswith("en"):
        english = label_en(text)
        return english[:1].upper() + english[1:]
    return label_vi(text)


def _reason(label: StrOrPromise, *, hint: StrOrPromise = "") -> forms.CharField:
    # Not required here: the service asks for the reason, in the words every channel uses.
    return forms.CharField(
        label=label,
        help_text=hint,
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _note() -> forms.CharField:
    return forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def person_choices(people: list[tuple[Any, set[str]]]) -> list[tuple[str, str]]:
    """(user id, "Name — roles") for an assignee select."""
    choices = []
    for user, roles in people:
        kinds = ", ".join(
            in_language(StepRole(role).label) for role in sorted(roles) if role in StepRole.values
        )
        name = getattr(user, "full_name", "") or user.get_username()
        choices.append((str(user.pk), f"{name} — {kinds}" if kinds else str(name)))
    return choices


class OfficeActionForm(forms.Form):
    """An action form: its title, a sentence saying what it does, and its button."""

    action: ClassVar[str]
    title: ClassVar[StrOrPromise]
    hint: ClassVar[StrOrPromise] = ""
    submit: ClassVar[StrOrPromise]
    danger: ClassVar[bool] = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.action)
        super().__init__(*args, **kwargs)

    def _choices(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])


class ReceiveForm(OfficeActionForm):
    action = Action.RECEIVE
    title = _("Receive the dossier")
    hint = _("The dossier is complete and valid: accept it. The applicant is told at once.")
    submit = _("Receive")

    note = _note()


class RefuseForm(OfficeActionForm):
    action = Action.REFUSE
    title = _("Refuse the dossier")
    hint = _("The dossier cannot be accepted. A refusal notice with the reason is sent to the applicant.")
    submit = _("Refuse")
    danger = True

    reason = _reason(_("Reason for refusing"))


class SupplementForm(OfficeActionForm):
    action = Action.REQUEST_SUPPLEMENT
    title = _("Ask for a supplement")
    hint = _(
        "A supplement can be asked for only once: list everything that is missing or must be corrected. "
        "The waiting time does not count against the deadline."
    )
    submit = _("Send the supplement request")

    missing = forms.CharField(
        label=_("What is missing"),
        help_text=_("One item per line."),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    note = _note()

    def clean_missing(self) -> list[str]:
        text = self.cleaned_data.get("missing") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class AssignForm(OfficeActionForm):
    action = Action.ASSIGN
    title = _("Assign for processing")
    hint = _("Choose the unit and the officer who will process the dossier.")
    submit = _("Assign")

    unit = forms.ChoiceField(label=_("Processing unit"))
    assignee = forms.ChoiceField(label=_("Officer"))
    note = _note()

    def __init__(
        self, *args: Any, units: list[Any], people: list[tuple[Any, set[str]]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._choices("unit").choices = [(str(unit.pk), unit.name) for unit in units]
        self._choices("assignee").choices = [("", _("Choose an officer")), *person_choices(people)]


class ForwardForm(OfficeActionForm):
    action = Action.FORWARD
    title = _("Forward to the next step")
    submit = _("Forward")

    assignee = forms.ChoiceField(label=_("Hand the dossier to"))
    note = _note()

    def __init__(self, *args: Any, people: list[tuple[Any, set[str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("assignee").choices = [("", _("Choose a person")), *person_choices(people)]


class ApologiseForm(OfficeActionForm):
    action = Action.APOLOGISE
    title = _("Apologise and set a new date")
    hint = _(
        "Only before the due date, and only once: the applicant receives an apology letter with the reason "
        "and the new date."
    )
    submit = _("Send the apology")

    reason = _reason(_("Reason for the delay"))
    new_due_on = forms.DateField(
        label=_("New due date"),
        help_text=_("A working day after the current due date, for example 31/12/2026."),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class StopForm(OfficeActionForm):
    action = Action.STOP
    title = _("Stop processing")
    hint = _("Processing ends without a result. A stop notice with the reason is sent to the applicant.")
    submit = _("Stop processing")
    danger = True

    reason = _reason(_("Reason for stopping"))


OUTCOME_APPROVE = "approve"
OUTCOME_REJECT = "reject"


class DecideForm(OfficeActionForm):
    action = Action.DECIDE
    title = _("Decide")
    hint = _("The result is issued as a PDF signed with the agency's key and sent to the applicant.")
    submit = _("Sign and issue the result")

    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[(OUTCOME_APPROVE, _("Approve")), (OUTCOME_REJECT, _("Reject"))],
    )
    reason = _reason(_("Reason or content"), hint=_("Required when rejecting."))


class ReturnResultForm(OfficeActionForm):
    action = Action.RETURN_RESULT
    title = _("Return the result")
    hint = _("Record how the applicant received the result.")
    submit = _("Record the return")

    mode = forms.ChoiceField(label=_("How the result was returned"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("mode").choices = [(value, in_language(label)) for value, label in ReturnMode.choices]


class VerifyUploadForm(forms.Form):
    """A copy of a result to compare with the signed original."""

    file = forms.FileField(
        label=_("PDF file of the result"),
        help_text=_("The file is checked and not kept."),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
