"""Refusals of the identity domain, each with a message in Vietnamese and English.

Messages never say whether an ID number or phone number is registered: an unknown ID number
and a wrong password get the same :class:`LoginRefused`; a lock applies to whatever ID number
was typed, registered or not.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.utils import timezone

from congso.core.errors import DomainError, PermissionDenied


def local_time(moment: datetime) -> str:
    """``14:35 ngày 28/11/2026`` style, in the portal's time zone."""
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def seconds_until(moment: datetime) -> int:
    """Whole seconds from now until ``moment``, at least 1: a ``Retry-After`` value."""
    return max(1, math.ceil((moment - timezone.now()).total_seconds()))


class LoginRefused(DomainError):
    status = 400
    code = "login_refused"

    def __init__(self) -> None:
        super().__init__(
            "Số định danh cá nhân hoặc mật khẩu không đúng.",
            "The personal ID number or the password is wrong.",
        )


class Locked(DomainError):
    """Too many failures: nothing is checked until ``until``."""

    status = 429
    code = "locked"

    def __init__(self, until: datetime, *, by_address: bool = False) -> None:
        self.until = until
        when = local_time(until)
        if by_address:
            vi = f"Có quá nhiều lần đăng nhập sai từ mạng của bạn. Vui lòng thử lại lúc {when}."
            en = f"Too many failed attempts from your network. Please try again at {when}."
        else:
            vi = f"Tài khoản tạm khoá do đăng nhập sai nhiều lần. Vui lòng thử lại lúc {when}."
            en = f"The account is locked after too many failed attempts. Please try again at {when}."
        super().__init__(vi, en, code="address_locked" if by_address else "account_locked")


class RateLimited(DomainError):
    """Too many requests (codes sent, activation attempts): wait until ``until``.

    Other domains' limits subclass it with their own code and words.
    """

    status = 429
    code = "rate_limited"

    def __init__(self, until: datetime, *, message_vi: str = "", message_en: str = "") -> None:
        self.until = until
        when = local_time(until)
        super().__init__(
            message_vi or f"Bạn đã yêu cầu quá nhiều lần. Vui lòng thử lại lúc {when}.",
            message_en or f"Too many requests. Please try again at {when}.",
        )

    @property
    def retry_after(self) -> int:
        """Seconds until the limit lifts, for a ``Retry-After`` header."""
        return seconds_until(self.until)


class ResendTooSoon(DomainError):
    status = 429
    code = "resend_too_soon"

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        super().__init__(
            f"Vui lòng chờ {seconds} giây rồi yêu cầu gửi lại mã.",
            f"Please wait {seconds} seconds before asking for a new code.",
        )


class CodeRefused(DomainError):
    """A one-time or authenticator code that does not let the person in."""

    status = 400
    code = "code_refused"


def code_wrong(remaining: int) -> CodeRefused:
    return CodeRefused(
        f"Mã xác thực không đúng. Bạn còn {remaining} lần thử.",
        f"The code is wrong. You have {remaining} tries left.",
        code="code_wrong",
        field="code",
    )


def code_exhausted() -> CodeRefused:
    return CodeRefused(
        "Bạn đã nhập sai mã quá số lần cho phép. Hãy yêu cầu mã mới.",
        "Too many wrong codes. Ask for a new code.",
        code="code_exhausted",
        field="code",
    )


def code_expired() -> CodeRefused:
    return CodeRefused(
        "Mã xác thực đã hết hạn hoặc đã được sử dụng. Hãy yêu cầu mã mới.",
        "The code has expired or has already been used. Ask for a new code.",
        code="code_expired",
        field="code",
    )


class AssuranceTooLow(PermissionDenied):
    code = "assurance_too_low"

    def __init__(self, level: int) -> None:
        self.level = level
        super().__init__(
            f"Chức năng này cần tài khoản định danh điện tử mức {level}. Hãy đến công an xã/phường "
            "để được xác thực trực tiếp.",
            f"This needs an electronic identity account of level {level}. Visit the commune police "
            "to be verified in person.",
        )


class GuardianRequired(PermissionDenied):
    """A person too young for what is asked without their legal guardian (Decree 69/2024/NĐ-CP)."""

    code = "guardian_required"


def activation_too_young() -> GuardianRequired:
    return GuardianRequired(
        "Người dưới 14 tuổi không tự kích hoạt được tài khoản định danh điện tử. Cha, mẹ hoặc người "
        "giám hộ cần đến công an xã/phường nơi cư trú để đề nghị cấp tài khoản cho người này.",
        "People under 14 cannot activate an electronic identity account themselves. A parent or legal "
        "guardian must apply for the account at the commune police where the child lives.",
    )


def level2_guardian_missing() -> GuardianRequired:
    return GuardianRequired(
        "Người dưới 14 tuổi chỉ được nâng tài khoản lên mức 2 theo đề nghị của cha, mẹ hoặc người "
        "giám hộ. Hãy xác nhận người đại diện hợp pháp đã đề nghị.",
        "A person under 14 can be raised to level 2 only on request of a parent or legal guardian. "
        "Confirm that the guardian made the request.",
        field="guardian_request",
    )


def level2_too_young() -> GuardianRequired:
    return GuardianRequired(
        "Người dưới 6 tuổi chỉ được cấp tài khoản định danh điện tử mức 1, kể cả khi người giám hộ đề nghị.",
        "A person under 6 can only have a level 1 electronic identity account, even on the "
        "guardian's request.",
        code="level2_too_young",
    )


class TotpUnavailable(DomainError):
    """The authenticator app's secret cannot be read (key configuration): the SMS code is offered.

    Not the person's fault, so it never counts towards the second-factor lock.
    """

    status = 503
    code = "totp_unavailable"

    def __init__(self) -> None:
        super().__init__(
            "Hiện không dùng được ứng dụng xác thực. Hãy nhận mã xác thực qua tin nhắn SMS.",
            "The authenticator app cannot be used right now. Get a code by text message instead.",
        )
