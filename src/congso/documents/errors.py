"""The refusals of an upload, each naming the file and the reason, Vietnamese first.

They are :class:`~congso.core.errors.InvalidInput` on the field ``file``; ``code`` says which
rule refused it: ``file_name``, ``file_name_too_long``, ``file_type``, ``file_empty``,
``file_too_large``.
"""

from __future__ import annotations

from collections.abc import Iterable

from congso.core.errors import InvalidInput, NotFound

FIELD = "file"


def size_text(size: int) -> tuple[str, str]:
    """A size people read, in Vietnamese (decimal comma) and English: "1,5 MB" / "1.5 MB"."""
    if size < 1024:
        return f"{size} byte", f"{size} bytes"
    value, unit = (size / 1024, "KB") if size < 1024 * 1024 else (size / (1024 * 1024), "MB")
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text.replace('.', ',')} {unit}", f"{text} {unit}"


def file_name_missing() -> InvalidInput:
    return InvalidInput(
        "Tệp tải lên không có tên; hãy đặt tên cho tệp rồi tải lên lại",
        "The uploaded file has no name; name the file and upload it again",
        code="file_name",
        field=FIELD,
    )


def file_name_too_long(*, name: str, limit: int) -> InvalidInput:
    start = name[:40]
    return InvalidInput(
        f"Tên tệp '{start}…' dài quá {limit} ký tự; hãy đổi tên ngắn hơn rồi tải lên lại",
        f"The file name '{start}…' is longer than {limit} characters; rename the file and upload it again",
        code="file_name_too_long",
        field=FIELD,
    )


def file_type_not_accepted(*, name: str, accepted: Iterable[str]) -> InvalidInput:
    listed = ", ".join(type_name.upper() for type_name in accepted)
    return InvalidInput(
        f"Tệp '{name}' không thuộc loại được nhận; chỉ nhận tệp {listed}",
        f"File '{name}' is not of an accepted type; accepted: {listed}",
        code="file_type",
        field=FIELD,
    )


def file_content_mismatch(
    *, name: str, expected_vi: str, expected_en: str, reason_vi: str, reason_en: str
) -> InvalidInput:
    return InvalidInput(
        f"Tệp '{name}' không phải {expected_vi}: {reason_vi}",
        f"File '{name}' is not {expected_en}: {reason_en}",
        code="file_type",
        field=FIELD,
    )


def file_refused(*, name: str, reason_vi: str, reason_en: str) -> InvalidInput:
    return InvalidInput(
        f"Tệp '{name}' không được nhận: {reason_vi}",
        f"File '{name}' is refused: {reason_en}",
        code="file_type",
        field=FIELD,
    )


def file_empty(*, name: str) -> InvalidInput:
    return InvalidInput(
        f"Tệp '{name}' rỗng (0 byte); hãy chọn đúng tệp",
        f"File '{name}' is empty (0 bytes); choose the right file",
        code="file_empty",
        field=FIELD,
    )


def file_too_large(*, name: str, limit: int, size: int | None = None) -> InvalidInput:
    """``size`` when known; an upload stopped at the limit only knows it is larger."""
    limit_vi, limit_en = size_text(limit)
    if size is None:
        return InvalidInput(
            f"Tệp '{name}' lớn hơn dung lượng tối đa {limit_vi}",
            f"File '{name}' is larger than the {limit_en} limit",
            code="file_too_large",
            field=FIELD,
        )
    size_vi, size_en = size_text(size)
    return InvalidInput(
        f"Tệp '{name}' quá lớn ({size_vi}); dung lượng tối đa là {limit_vi}",
        f"File '{name}' is too large ({size_en}); the limit is {limit_en}",
        code="file_too_large",
        field=FIELD,
    )


def document_not_found() -> NotFound:
    """The same answer for another person's document, a removed one and one that never was."""
    return NotFound(
        "Không tìm thấy giấy tờ này trong kho dữ liệu của bạn",
        "This document is not in your document store",
        code="document_not_found",
    )
