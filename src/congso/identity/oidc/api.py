"""``/api/v1/me``: the claims an access token from the provider releases, for API clients."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.security.http import HttpAuthBase
from oauth2_provider.models import AccessToken

from . import selectors
from .errors import BearerTokenError
from .scopes import SCOPE_OPENID

router = Router(tags=["identity"])


class ProviderAccessToken(HttpAuthBase):
    """Bearer authentication with an access token issued by this provider (RFC 6750).

    A missing, unknown, revoked or expired token, or one without the required scopes, raises
    :class:`BearerTokenError`, which :func:`bearer_error_response` turns into a 401/403 with a
    clear JSON message and a ``WWW-Authenticate`` challenge.
    """

    openapi_type: str = "http"
    openapi_scheme: str = "bearer"

    def __init__(self, *, scopes: list[str] | None = None) -> None:
        super().__init__()
        self.scopes = list(scopes or [SCOPE_OPENID])

    def __call__(self, request: HttpRequest) -> AccessToken:
        return selectors.access_token_check(request.headers.get("Authorization", ""), scopes=self.scopes)


def bearer_error_response(
    request: HttpRequest, error: BearerTokenError | type[BearerTokenError]
) -> HttpResponse:
    """The API's exception handler for :class:`BearerTokenError` (registered in congso.api)."""
    failure = error if isinstance(error, BearerTokenError) else error.missing()
    return failure.response()


class AddressOut(Schema):
    formatted: str
    country: str | None = None


class MeOut(Schema):
    sub: str
    name: str | None = None
    family_name: str | None = None
    middle_name: str | None = None
    given_name: str | None = None
    birthdate: str | None = None
    gender: str | None = None
    phone_number: str | None = None
    phone_number_verified: bool | None = None
    address: AddressOut | None = None
    personal_id: str | None = None


@router.get(
    "",
    response=MeOut,
    auth=ProviderAccessToken(scopes=[SCOPE_OPENID]),
    exclude_none=True,
    summary="The person behind the access token",
    description=(
        "Thông tin về người dùng mà access token cho phép (giống userinfo) / the claims the access "
        "token's scopes release, the same as the OpenID Connect userinfo endpoint."
    ),
)
def me(request: HttpRequest) -> dict[str, Any]:
    token: AccessToken = request.auth  # type: ignore[attr-defined]
    assert token.user is not None  # checked by ProviderAccessToken
    assert token.application is not None
    return selectors.claims_for(user=token.user, application=token.application, scopes=token.scope.split())
