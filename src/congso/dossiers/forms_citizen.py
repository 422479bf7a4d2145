"""Forms of the applicant's pages: parse what was typed. The rules live in the services and in
the procedure's form schema, whose messages are shown next to each field."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Status, label_en, label_vi

# Values the procedures' schemas use for well-known choices, shown in words.
ENUM_LABELS: dict[str, Any] = {"M": _("Male"), "F": _("Female")}


class _AnyChoice:
    """Choice fields whose value the form's schema checks (with a message in both languages)."""

    def valid_value(self, value: Any) -> bool:
        return True


class LenientChoiceField(_AnyChoice, forms.ChoiceField):
    pass


class LenientMultipleChoiceField(_AnyChoice, forms.MultipleChoiceField):
    pass


def _choices(schema: Mapping[str, Any]) -> list[tuple[str, Any]]:
    items = schema.get("items") if schema.get("type") == "array" else None
    source = items if isinstance(items, dict) else schema
    if isinstance(source.get("oneOf"), list):
        return [
            (
                str(option.get("const")),
                option.get("title") or ENUM_LABELS.get(str(option.get("const")), option.get("const")),
            )
            for option in source["oneOf"]
            if isinstance(option, dict) and "const" in option
        ]
    return [(str(value), ENUM_LABELS.get(str(value), value)) for value in source.get("enum", [])]


def answer_text(schema: Mapping[str, Any], value: Any) -> Any:
    """An answer as the applicant reads it: "F" -> "Nữ", True -> "Có", "2026-11-02" -> "02/11/2026"."""
    if isinstance(value, list):
        return ", ".join(str(answer_text(schema, item)) for item in value)
    for key, label in _choices(schema):
        if key == str(value):
            return label
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if schema.get("format") == "date" and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
    return value


class AnswerForm(forms.Form):
    """The procedure's questions, built from its form schema and UI hints.

    Every field is optional here: the schema decides what is required and what is valid, so
    that the messages are the same ones the submission gives. ``confirmed`` names the answers
    the State supplied and the applicant cannot change: they are shown, not asked.
    """

    def __init__(
        self,
        *args: Any,
        questions: Sequence[Any],
        confirmed: Iterable[str] = (),
        hints: Mapping[str, Any] | None = None,
        prefilled_from: Mapping[str, str] | None = None,
        english: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        skipped = set(confirmed)
        hints = hints or {}
        prefilled_from = prefilled_from or {}
        self.questions = {question.name: question for question in questions if question.name not in skipped}
        for name, question in self.questions.items():
            hint = hints.get(name, {}) if isinstance(hints.get(name), dict) else {}
            field = self._field(question)
            field.label = question.title_en if english else question.title
            help_text = str(hint.get("help_en" if english else "help") or hint.get("help") or "")
            if name in prefilled_from:
                taken = _("Taken from the %(database)s; correct it if it is wrong.") % {
                    "database": prefilled_from[name]
                }
                help_text = f"{help_text} {taken}".strip()
            field.help_text = help_text
            self.fields[name] = field

    @staticmethod
    def _field(question: Any) -> forms.Field:
        schema = question.schema
        widget = question.widget
        kind = schema.get("type")
        if widget == "textarea":
            return forms.CharField(required=False, strip=True, widget=forms.Textarea(attrs={"rows": 4}))
        if widget in ("radio", "select"):
            choices = _choices(schema)
            if widget == "select":
                return LenientChoiceField(required=False, choices=[("", "—"), *choices])
            return LenientChoiceField(required=False, choices=choices, widget=forms.RadioSelect)
        if widget == "checkbox":
            if kind == "array":
                return LenientMultipleChoiceField(
                    required=False, choices=_choices(schema), widget=forms.CheckboxSelectMultiple
                )
            return forms.BooleanField(required=False)
        attrs: dict[str, str] = {}
        if widget == "date":
            attrs["type"] = "date"
        elif widget == "number" or kind in ("integer", "number"):
            attrs["inputmode"] = "numeric" if kind == "integer" else "decimal"
        elif widget == "email":
            attrs.update(type="email", autocomplete="email", spellcheck="false")
        elif widget == "tel":
            attrs.update(type="tel", autocomplete="tel")
        return forms.CharField(required=False, strip=True, widget=forms.TextInput(attrs=attrs))

    def answers(self) -> dict[str, Any]:
        """The answers as the schema expects them; empty answers are left out."""
        answers: dict[str, Any] = {}
        for name, question in self.questions.items():
            value = self.cleaned_data.get(name)
            kind = question.schema.get("type")
            if isinstance(value, bool):
                answers[name] = value
            elif isinstance(value, list):
                if value:
                    answers[name] = value
            elif value not in (None, ""):
                answers[name] = _typed(str(value), kind)
        return answers

    def show_errors(self, errors: Mapping[str, Any]) -> None:
        """Put each message of the schema check next to its field (or above the form)."""
        for name, error in errors.items():
            top = name.split(".")[0]
            if top in self.fields:
                self.add_error(top, error.message)
            else:
                self.add_error(None, error.message)


def _typed(value: str, kind: Any) -> Any:
    """Numbers as numbers when they are numbers; otherwise the text, for the schema to refuse."""
    if kind == "integer":
        try:
            return int(value)
        except ValueError:
            return value
    if kind == "number":
        try:
            return int(value)
        except ValueError:
            try:
                return float(value.replace(",", "."))
            except ValueError:
                return value
    return value


class AgencyForm(forms.Form):
    """The agency that will handle the dossier, when the procedure is handled by several."""

    agency = forms.ChoiceField(
        label=_("Agency that will handle your application"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the agency."), "invalid_choice": _("Choose the agency.")},
    )

    def __init__(self, *args: Any, agencies: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(agency.code, agency.name) for agency in agencies]


class OnBehalfForm(forms.Form):
    """Whom the application is for: the person, or an organisation they may apply for."""

    SELF = "self"

    # Not answering means applying for oneself, as before the person represented anyone.
    on_behalf = forms.ChoiceField(
        label=_("Who is applying"),
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Choose who is applying.")},
    )

    def __init__(self, *args: Any, person: str, organisations: Sequence[Any], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on_behalf": self.SELF})
        super().__init__(*args, **kwargs)
        self._accounts = {entry.code: entry.account for entry in organisations}
        field = self.fields["on_behalf"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (self.SELF, _("Myself (%(name)s)") % {"name": person}),
            *[(entry.code, f"{entry.name} ({entry.code})") for entry in organisations],
        ]

    def organisation(self) -> Any:
        """The chosen organisation's account, or None for oneself (the form must be valid)."""
        return self._accounts.get(self.cleaned_data["on_behalf"])


class UploadForm(forms.Form):
    requirement = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("Upload a file"),
        allow_empty_file=True,  # the store refuses it with a message naming the file
        error_messages={
            "required": _("Choose a file to upload."),
            "invalid": _("No file was received. Choose the file again."),
        },
    )


class PickForm(forms.Form):
    requirement = forms.IntegerField(widget=forms.HiddenInput)
    document = forms.UUIDField(
        label=_("Or use a document from My documents"),
        error_messages={"required": _("Choose a document."), "invalid": _("Choose a document.")},
    )


class RemoveForm(forms.Form):
    requirement = forms.IntegerField(widget=forms.HiddenInput)
    document = forms.UUIDField(widget=forms.HiddenInput)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class SupplementForm(forms.Form):
    attachments = MultipleFileField(
        label=_("Files"),
        required=False,
        allow_empty_file=True,
        help_text=_("You can choose several files at once."),
    )
    note = forms.CharField(
        label=_("What you are adding"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing the dossier?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Give the reason.")},
    )
    confirm = forms.BooleanField(
        label=_("I understand that the agency will stop handling this dossier."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the service?"),
        choices=[
            ("5", _("5 – Very satisfied")),
            ("4", _("4 – Satisfied")),
            ("3", _("3 – Neither satisfied nor dissatisfied")),
            ("2", _("2 – Dissatisfied")),
            ("1", _("1 – Very dissatisfied")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a score from 1 to 5."),
            "invalid_choice": _("Choose a score from 1 to 5."),
        },
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    complaint = forms.BooleanField(
        label=_("I want to file a complaint about how my dossier was handled"), required=False
    )


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Dossier code"),
        help_text=_("As printed on your receipt, for example H15.50-261207-0001."),
        max_length=40,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": _("Enter the dossier code.")},
    )
    personal_id = forms.CharField(
        label=_("Personal identification number of the applicant"),
        help_text=_("The 12 digits on the applicant's citizen identity card."),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": _("Enter the personal identification number.")},
    )

    def clean_personal_id(self) -> str:
        return "".join(self.cleaned_data["personal_id"].split())


class StatusFilterForm(forms.Form):
    """``?trang_thai=5``: the applicant's dossiers in one status."""

    trang_thai = forms.TypedChoiceField(label=_("Status"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, english: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pick = label_en if english else label_vi
        field = self.fields["trang_thai"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("All statuses")),
            *[(str(value), pick(str(label))) for value, label in Status.choices],
        ]
