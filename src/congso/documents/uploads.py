"""An upload handler that stops a file as soon as it passes the size limit.

Without it Django writes the whole upload to a temporary file before the view can refuse it;
with it first in ``request.upload_handlers`` nothing beyond the limit reaches memory or disk.
The rest of that file's bytes are read and dropped (``SkipFile``) rather than the connection
reset, so the person gets a page that says what went wrong, and the form fields after the
file still arrive.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from congso.core.errors import InvalidInput

from . import errors
from .sniffing import file_name_clean


class UploadSizeLimitHandler(FileUploadHandler):
    """Passes chunks on until a file exceeds ``max_bytes``, then skips the rest of it."""

    def __init__(self, request: HttpRequest, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self._received = 0
        # The file names that were stopped, by form field.
        self.refused: dict[str, str] = {}

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self._received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self._received += len(raw_data)
        if self._received > self.max_bytes:
            self.refused[self.field_name] = file_name_clean(self.file_name)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the file

    def refusal(self, field_name: str) -> InvalidInput | None:
        """The error to show on ``field_name`` if its file was stopped, else None."""
        name = self.refused.get(field_name)
        if name is None:
            return None
        return errors.file_too_large(name=name, limit=self.max_bytes)
