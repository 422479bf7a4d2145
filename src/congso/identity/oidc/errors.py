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
