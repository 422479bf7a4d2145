"""Default wording of the identity domain's messages, registered with notify at start-up."""

from __future__ import annotations

from congso.notify.defaults import TemplateDefault, template_default_register

_DEFAULTS = [
    TemplateDefault(
        key="identity.login_code",
        description="Mã đăng nhập (context: code, minutes)",
        sensitive=True,
        sms_vi=(
            "Cổng Số: mã đăng nhập của bạn là {{ code }}, hiệu lực {{ minutes }} phút. "
            "Không cung cấp mã này cho bất kỳ ai."
        ),
        sms_en=(
            "Cong So: your login code is {{ code }}, valid for {{ minutes }} minutes. "
            "Never share this code with anyone."
        ),
    ),
    TemplateDefault(
        key="identity.recovery_code",
        description="Mã đặt lại mật khẩu (context: code, minutes)",
        sensitive=True,
        sms_vi=(
            "Cổng Số: mã đặt lại mật khẩu của bạn là {{ code }}, hiệu lực {{ minutes }} phút. "
            "Nếu bạn không yêu cầu, hãy bỏ qua tin nhắn này."
        ),
        sms_en=(
            "Cong So: your password reset code is {{ code }}, valid for {{ minutes }} minutes. "
            "If you did not ask for it, ignore this message."
        ),
    ),
    TemplateDefault(
        key="identity.account_exists",
        description="Có yêu cầu kích hoạt một tài khoản đã kích hoạt (no context)",
        sms_vi=(
            "Cổng Số: có yêu cầu kích hoạt tài khoản bằng số điện thoại này, nhưng tài khoản của bạn "
            "đã được kích hoạt. Nếu quên mật khẩu, hãy dùng chức năng Quên mật khẩu."
        ),
        sms_en=(
            "Cong So: someone asked to activate an account with this phone number, but your account "
            "is already active. If you forgot your password, use 'Forgot password'."
        ),
    ),
    TemplateDefault(
        key="identity.password_changed",
        description="Mật khẩu đã được thay đổi (no context)",
        sms_vi=(
            "Cổng Số: mật khẩu tài khoản của bạn vừa được thay đổi. Nếu không phải bạn, hãy dùng "
            "chức năng Quên mật khẩu ngay."
        ),
        sms_en=(
            "Cong So: your account password was just changed. If it was not you, use 'Forgot password' now."
        ),
        inapp_title_vi="Mật khẩu đã được thay đổi",
        inapp_title_en="Your password was changed",
        inapp_body_vi=(
            "Mật khẩu tài khoản của bạn vừa được thay đổi và các thiết bị khác đã được đăng xuất. "
            "Nếu không phải bạn, hãy dùng chức năng Quên mật khẩu ngay."
        ),
        inapp_body_en=(
            "Your account password was just changed and your other devices were signed out. "
            "If it was not you, use 'Forgot password' now."
        ),
    ),
    TemplateDefault(
        key="identity.level2_raised",
        description="Tài khoản được nâng lên mức 2 (context: agency)",
        sms_vi="Cổng Số: tài khoản định danh điện tử của bạn đã được nâng lên mức 2 bởi {{ agency }}.",
        sms_en="Cong So: your electronic identity account was raised to level 2 by {{ agency }}.",
        inapp_title_vi="Tài khoản đã lên mức 2",
        inapp_title_en="Your account is now level 2",
        inapp_body_vi=(
            "{{ agency }} đã xác thực trực tiếp và nâng tài khoản định danh điện tử của bạn lên mức 2. "
            "Bạn có thể dùng mọi dịch vụ công trực tuyến."
        ),
        inapp_body_en=(
            "{{ agency }} verified you in person and raised your electronic identity account to level 2. "
            "You can now use every online public service."
        ),
    ),
    TemplateDefault(
        key="identity.organisation_authorised",
        description="Được ủy quyền thay mặt tổ chức (context: organisation, expires_at)",
        inapp_title_vi="Bạn được ủy quyền thay mặt {{ organisation }}",
        inapp_title_en="You may act for {{ organisation }}",
        inapp_body_vi=(
            "Người đại diện theo pháp luật của {{ organisation }} đã ủy quyền cho bạn đến hết ngày "
            "{{ expires_at|date:'d/m/Y' }}."
        ),
        inapp_body_en=(
            "The legal representative of {{ organisation }} authorised you to act for it until the end of "
            "{{ expires_at|date:'d/m/Y' }}."
        ),
    ),
]


def register_message_defaults() -> None:
    for default in _DEFAULTS:
        template_default_register(default)
