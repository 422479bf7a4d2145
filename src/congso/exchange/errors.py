"""The gateway's refusals: stable codes, HTTP statuses and messages, sent as problem+json.

The codes are an interface: clients branch on them, so a code never changes meaning and is
never reused. Each answer is an RFC 9457 problem document with ``code`` and the message id.
"""

from __future__ import annotations

from dataclasses import dataclass

from congso.core.errors import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:congso:exchange:"


@dataclass(frozen=True)
class Problem:
    status: int
    title: str
    message_vi: str
    message_en: str


PROBLEMS: dict[str, Problem] = {
    "unauthorized": Problem(
        401,
        "Unauthorized",
        "Thiếu hoặc sai mã truy cập (access token), hoặc mã đã hết hạn.",
        "The access token is missing, invalid or expired.",
    ),
    "invalid_request": Problem(
        400,
        "Bad Request",
        "Yêu cầu thiếu tham số bắt buộc hoặc tham số không hợp lệ.",
        "The request lacks a required parameter or has an invalid one.",
    ),
    "client_header_invalid": Problem(
        400,
        "Bad Request",
        "Thiếu tiêu đề X-Road-Client (hoặc Information-Mediator-Client) dạng INSTANCE/CLASS/MEMBER/SUBSYSTEM.",
        "The X-Road-Client (or Information-Mediator-Client) header INSTANCE/CLASS/MEMBER/SUBSYSTEM is missing or malformed.",
    ),
    "client_mismatch": Problem(
        403,
        "Forbidden",
        "Hệ thống ghi trong tiêu đề không phải hệ thống đã xác thực.",
        "The client named in the header is not the authenticated client.",
    ),
    "client_disabled": Problem(
        403,
        "Forbidden",
        "Hệ thống gọi đã bị tạm dừng trên nền tảng trao đổi dữ liệu.",
        "The calling system is suspended on the exchange.",
    ),
    "unknown_service": Problem(
        404,
        "Not Found",
        "Không có dịch vụ này trên nền tảng trao đổi dữ liệu.",
        "There is no such service on the exchange.",
    ),
    "service_disabled": Problem(
        503,
        "Service Unavailable",
        "Dịch vụ đang tạm ngừng cung cấp.",
        "The service is disabled by its provider.",
    ),
    "access_denied": Problem(
        403,
        "Forbidden",
        "Hệ thống của bạn chưa được cấp quyền sử dụng dịch vụ này.",
        "Your system has no access right to this service.",
    ),
    "rate_limited": Problem(
        429,
        "Too Many Requests",
        "Hệ thống của bạn gọi quá số lượt cho phép mỗi phút; hãy thử lại sau.",
        "Your system exceeded its calls per minute; try again later.",
    ),
    "data_subject_required": Problem(
        400,
        "Bad Request",
        "Dịch vụ trả về dữ liệu cá nhân: cần tiêu đề Information-Mediator-Data-Subject là số định danh 12 chữ số.",
        "The service returns personal data: the Information-Mediator-Data-Subject header must be a 12-digit personal ID.",
    ),
    "purpose_required": Problem(
        400,
        "Bad Request",
        "Dịch vụ trả về dữ liệu cá nhân: cần nêu mục đích trong tiêu đề Information-Mediator-Purpose.",
        "The service returns personal data: state the purpose in the Information-Mediator-Purpose header.",
    ),
    "purpose_not_allowed": Problem(
        403,
        "Forbidden",
        "Dịch vụ không phục vụ mục đích đã nêu.",
        "The service does not serve the stated purpose.",
    ),
    "consent_required": Problem(
        403,
        "Forbidden",
        "Không có sự đồng ý còn hiệu lực của chủ thể dữ liệu, cũng không có căn cứ pháp lý, cho mục đích này.",
        "There is neither a consent in force from the data subject nor a legal basis for this purpose.",
    ),
    "body_too_large": Problem(
        413,
        "Content Too Large",
        "Nội dung yêu cầu vượt quá dung lượng cho phép.",
        "The request body is larger than allowed.",
    ),
    "provider_unavailable": Problem(
        502,
        "Bad Gateway",
        "Không kết nối được với hệ thống cung cấp dịch vụ.",
        "The service provider could not be reached.",
    ),
    "provider_timeout": Problem(
        504,
        "Gateway Timeout",
        "Hệ thống cung cấp dịch vụ không trả lời kịp thời hạn.",
        "The service provider did not answer in time.",
    ),
    "provider_response_too_large": Problem(
        502,
        "Bad Gateway",
        "Câu trả lời của hệ thống cung cấp vượt quá dung lượng cho phép.",
        "The provider's answer is larger than allowed.",
    ),
    "provider_error": Problem(
        502,
        "Bad Gateway",
        "Hệ thống cung cấp dịch vụ gặp lỗi khi xử lý yêu cầu.",
        "The service provider failed while handling the request.",
    ),
}


class ExchangeError(DomainError):
    """A refusal by the exchange, raised by the in-process client (the HTTP edge answers problem+json)."""

    code = "exchange_error"

    def __init__(self, code: str, *, message_id: str = "", detail: str = "") -> None:
        problem = PROBLEMS[code]
        vi, en = problem.message_vi, problem.message_en
        if detail:
            vi, en = f"{vi} {detail}", f"{en} {detail}"
        super().__init__(vi, en, code=code)
        self.status = problem.status
        self.message_id = message_id


def problem_document(
    code: str, *, message_id: str = "", correlation_id: str = "", detail: str = ""
) -> dict[str, object]:
    problem = PROBLEMS[code]
    document: dict[str, object] = {
        "type": PROBLEM_TYPE_PREFIX + code,
        "title": problem.title,
        "status": problem.status,
        "code": code,
        "detail": f"{problem.message_vi} ({problem.message_en})" + (f" {detail}" if detail else ""),
        "detail_vi": problem.message_vi,
        "detail_en": problem.message_en,
    }
    if message_id:
        document["instance"] = f"urn:uuid:{message_id}"
        document["message_id"] = message_id
    if correlation_id:
        document["correlation_id"] = correlation_id
    return document
