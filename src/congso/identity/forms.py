"""Forms of the identity pages: parse and check what was typed; the rules live in services."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congso.core.errors import InvalidInput
from congso.notify.phone import phone_normalize

from .models import AuthorisationScope, OfficerRoleKind, User
from .passwords import MAX_LENGTH


def _personal_id_field(label: Any = None, *, someone_else: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label or _("Personal identification number"),
        help_text=(
            _("The 12 digits on the person's citizen identity card.")
            if someone_else
            else _("The 12 digits on your citizen identity card.")
        ),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter your personal identification number.")},
    )


def _clean_personal_id(value: str) -> str:
    value = "".join(value.split())
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise forms.ValidationError(_("The personal identification number has exactly 12 digits."))
    return value


class LoginForm(forms.Form):
    personal_id = _personal_id_field()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )

    def clean_personal_id(self) -> str:
        return _clean_personal_id(self.cleaned_data["personal_id"])


class CodeRequestForm(forms.Form):
    """ID number and phone: the start of activation and of recovery."""

    personal_id = _personal_id_field()
    phone = forms.CharField(
        label=_("Mobile phone number"),
        help_text=_("The number registered with your personal data, for example 0912345678."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
        error_messages={"required": _("Enter your mobile phone number.")},
    )

    def clean_personal_id(self) -> str:
        return _clean_personal_id(self.cleaned_data["personal_id"])

    def clean_phone(self) -> str:
        try:
            return phone_normalize(self.cleaned_data["phone"])
        except InvalidInput:
            raise forms.ValidationError(
                _("Enter a Vietnamese mobile number of 10 digits, for example 0912345678.")
            ) from None


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        help_text=_("The 6 digits in the text message."),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the code.")},
    )

    def clean_code(self) -> str:
        value = "".join(self.cleaned_data["code"].split())
        if len(value) != 6 or not value.isascii() or not value.isdigit():
            raise forms.ValidationError(_("The code has 6 digits."))
        return value


class TotpCodeForm(CodeForm):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The 6 digits the app shows now."),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the code.")},
    )


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        help_text=_(
            "8 to 20 characters, with at least one upper-case letter, one lower-case letter, "
            "one digit and one symbol."
        ),
        strip=False,
        max_length=MAX_LENGTH + 100,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Enter a new password.")},
    )
    password_confirm = forms.CharField(
        label=_("Type the new password again"),
        strip=False,
        max_length=MAX_LENGTH + 100,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Type the new password again.")},
    )

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        password_validation.validate_password(password, user=self.user)
        return password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password"), cleaned.get("password_confirm")
        if first and second and first != second:
            self.add_error("password_confirm", _("The two passwords are different."))
        return cleaned


class PasswordChangeForm(SetPasswordForm):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your current password.")},
    )
    field_order = ["current_password", "password", "password_confirm"]


class TotpEnrolForm(TotpCodeForm):
    name = forms.CharField(
        label=_("Name of this app (optional)"),
        help_text=_("For example the phone it is on."),
        required=False,
        max_length=100,
    )


class PasskeyAddForm(forms.Form):
    name = forms.CharField(
        label=_("Name of this passkey"),
        help_text=_("For example the device or the security key it is on."),
        max_length=100,
        required=False,
    )
    credential = forms.CharField(widget=forms.HiddenInput, required=False)


class PasskeyLoginForm(forms.Form):
    credential = forms.CharField(widget=forms.HiddenInput, required=False)


class Level2LookupForm(forms.Form):
    personal_id = _personal_id_field(_("Personal identification number of the person"), someone_else=True)

    def clean_personal_id(self) -> str:
        return _clean_personal_id(self.cleaned_data["personal_id"])


class Level2RaiseForm(forms.Form):
    personal_id = forms.CharField(widget=forms.HiddenInput)
    agency = forms.ChoiceField(label=_("Police agency"))
    checked_in_person = forms.BooleanField(
        label=_(
            "I checked the person's citizen identity card, portrait and fingerprints in person, "
            "and they match the population registry."
        ),
        error_messages={"required": _("Confirm that you checked the person in person.")},
    )
    guardian_request = forms.BooleanField(
        label=_(
            "The person is under 14 and their parent or legal guardian asked in person for the "
            "level 2 account."
        ),
        required=False,
    )
    reason = forms.CharField(
        label=_("What you checked"),
        help_text=_("For example: ID card checked, fingerprints matched at the counter."),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write what you checked.")},
    )

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agencies  # type: ignore[attr-defined]


class OfficerRoleAssignForm(forms.Form):
    personal_id = _personal_id_field(_("Personal identification number of the officer"), someone_else=True)
    agency = forms.ChoiceField(label=_("Agency"))
    role = forms.ChoiceField(label=_("Role"), choices=OfficerRoleKind.choices)

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agencies  # type: ignore[attr-defined]

    def clean_personal_id(self) -> str:
        return _clean_personal_id(self.cleaned_data["personal_id"])


class AuthorisationGrantForm(forms.Form):
    employee_personal_id = _personal_id_field(
        _("Personal identification number of the employee"), someone_else=True
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the employee may do for the organisation"),
        choices=AuthorisationScope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one thing the employee may do.")},
    )
    expires_on = forms.DateField(
        label=_("Valid until (inclusive)"),
        help_text=_("The authorisation ends at the end of this day."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"required": _("Enter the last day of the authorisation.")},
    )

    def clean_employee_personal_id(self) -> str:
        return _clean_personal_id(self.cleaned_data["employee_personal_id"])

    def clean_expires_on(self) -> date:
        value: date = self.cleaned_data["expires_on"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The last day cannot be in the past."))
        return value

    def expires_at(self) -> datetime:
        """The end of the chosen day in the portal's time zone."""
        day: date = self.cleaned_data["expires_on"]
        zone = ZoneInfo(settings.TIME_ZONE)
        return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
