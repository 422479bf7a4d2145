"""Errors of the provider that reach relying parties and API clients."""

from __future__ import annotations

from django.http import JsonResponse

from congso.core.errors import DomainError


class BearerTokenError(DomainError):
    """A request to userinfo or the API whose bearer token is missing, bad or too narrow.

    ``code`` is the RFC 6750 §3.1 error code, or "" when the request carried no token at all
    (the RFC then wants a bare challenge).
    """

    status = 401

    def __init__(self, message_vi: str, message_en: str, *, code: str, status: int = 401) -> None:
        super().__init__(message_vi, message_en, code=code)
        self.status = status

    @classmethod
    def missing(cls) -> BearerTokenError:
        return cls(
            "Thiếu access token: gửi tiêu đề 'Authorization: Bearer <token>'.",
            "Missing access token: send an 'Authorization: Bearer <token>' header.",
            code="",
        )

    @classmethod
    def invalid(cls) -> BearerTokenError:
        return cls(
            "Access token không hợp lệ hoặc đã bị thu hồi.",
            "The access token is not valid or has been revoked.",
            code="invalid_token",
        )

    @classmethod
    def expired(cls) -> BearerTokenError:
        return cls(
            "Access token đã hết hạn: lấy token mới.",
            "The access token has expired: get a new one.",
            code="invalid_token",
        )

    @classmethod
    def insufficient_scope(cls, scopes: list[str]) -> BearerTokenError:
        wanted = " ".join(scopes)
        return cls(
            f"Access token thiếu phạm vi cần thiết: {wanted}.",
            f"The access token lacks the scope this needs: {wanted}.",
            code="insufficient_scope",
            status=403,
        )

    def www_authenticate(self) -> str:
        if not self.code:
            return 'Bearer realm="congso"'
        description = self.message_en.replace('"', "'")
        return f'Bearer realm="congso", error="{self.code}", error_description="{description}"'

    def response(self) -> JsonResponse:
        body = {
            "error": self.code or "invalid_request",
            "error_description": self.message_en,
            "detail": self.message,
            **{key: value for key, value in self.as_dict().items() if key != "field"},
        }
        response = JsonResponse(body, status=self.status)
        response["WWW-Authenticate"] = self.www_authenticate()
        response["Cache-Control"] = "no-store"
        return response


class TokenRequestsThrottled(DomainError):
    """Too many refused token requests from this address or for this client: wait.

    Answered ``invalid_request`` with HTTP 429 and ``Retry-After``. RFC 6749 §5.2 has no error
    code for this; ``slow_down`` exists only for the device flow's polling (RFC 8628 §3.5),
    where it means "poll 5 seconds slower", and a code-flow client library would not know it.
    ``invalid_request`` is the §5.2 code every client handles, "temporarily_unavailable" is an
    authorization-endpoint code (§4.1.2.1), and the status and header (RFC 6585 §4, RFC 9110
    §10.2.3) carry what a client needs: not now, and from when.
    """

    status = 429

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            f"Có quá nhiều yêu cầu token bị từ chối. Vui lòng thử lại sau {retry_after} giây.",
            f"Too many refused token requests. Try again in {retry_after} seconds.",
            code="invalid_request",
        )

    def response(self) -> JsonResponse:
        # error_description is limited to ASCII (RFC 6749 §5.2): the Vietnamese goes in "detail".
        body = {"error": self.code, "error_description": self.message_en, "detail": self.message}
        response = JsonResponse(body, status=self.status)
        response["Retry-After"] = str(self.retry_after)
        response["Cache-Control"] = "no-store"
        return response
