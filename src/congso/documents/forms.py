"""The upload form: what was typed and chosen. The rules about the file live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from congso.catalog.choices import FILE_TYPES

from .services import TITLE_MAX_LENGTH


class DocumentUploadForm(forms.Form):
    title = forms.CharField(
        label=_("Document title"),
        help_text=_("For example: Birth certificate. If you leave it empty, the file name is used."),
        max_length=TITLE_MAX_LENGTH,
        required=False,
        error_messages={"max_length": _("The title is at most %(limit_value)d characters.")},
    )
    file = forms.FileField(
        label=_("File"),
        # Empty files reach the service, whose refusal names the file.
        allow_empty_file=True,
        error_messages={
            "required": _("Choose a file to upload."),
            "invalid": _("No file was received. Choose the file again."),
        },
        widget=forms.FileInput(attrs={"accept": ",".join(f".{type_name}" for type_name in FILE_TYPES)}),
    )

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "PDF, JPG, PNG, Word (DOC, DOCX), XML or DWG, at most %(size)s. "
            "The file must really be of the type its name says."
        ) % {"size": filesizeformat(max_bytes)}

    def file_refused(self, message: str) -> None:
        """Show ``message`` on the file field instead of whatever else it said (the file was
        stopped while uploading, so the field only knows that it is missing)."""
        self.is_valid()
        self.errors.pop("file", None)
        self.add_error("file", message)
