"""The oauthlib request validator: django-oauth-toolkit's, plus what a national eID needs.

* id_tokens carry ``acr``, ``amr`` and ``auth_time`` as they were when the person approved the
  request (stored with the code, since the token endpoint has no browser session);
* ``sub`` is pairwise; the id_token says who and how, userinfo what (claims per :mod:`.scopes`);
* django-oauth-toolkit's repeated reads of one code are served from one query;
* a second use of a code revokes what the first one obtained;
* tokens are verified by the ``kid`` that signed them, so rotation does not break them;
* every issued token is audited.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from jwcrypto import jws
from jwcrypto.jwk import JWK
from oauth2_provider.models import AccessToken, Grant
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.common import Request
from oauthlib.oauth2.rfc6749 import errors

from . import selectors, services
from .keys import keyring
from .models import Application, Authorization
from .scopes import ACR_LEVEL1, CLAIM_SCOPE, SCOPES, released_claims

# The client_id of a confidential client that proved itself with its secret in the token request
# being handled (set by the validator, read by the token view to count refusals per client).
authenticated_client: ContextVar[str] = ContextVar("congso_oidc_authenticated_client", default="")


class CongsoOAuth2Validator(OAuth2Validator):
    oidc_claim_scope = CLAIM_SCOPE

    # --- client authentication ----------------------------------------------------------------
    def authenticate_client(self, request: Request, *args: Any, **kwargs: Any) -> bool:
        authenticated = bool(super().authenticate_client(request, *args, **kwargs))
        client = getattr(request, "client", None)
        if authenticated and client is not None and client.client_type == Application.CLIENT_CONFIDENTIAL:
            authenticated_client.set(str(client.client_id))
        return authenticated

    # --- claims -------------------------------------------------------------------------------
    # The id_token says who (a pairwise ``sub``) and how (``acr``, ``amr``, ``auth_time``); what
    # is known about the person comes from userinfo, as OpenID Connect Core §5.4 has it for the
    # code flow. An id_token travels further than an access token (it is sent back through the
    # browser as ``id_token_hint`` at logout) and must not carry an ID number or an address.
    def get_claim_dict(self, request: Request) -> dict[str, Any]:
        return {
            **selectors.person_claims(request.user),
            "sub": selectors.subject_for(user_id=request.user.pk, application=request.client),
        }

    def get_discovery_claims(self, request: Any) -> list[str]:
        return [claim for _scope, (_text, claims) in SCOPES.items() for claim in claims]

    def get_oidc_claims(self, token: Any, token_handler: Any, request: Request) -> dict[str, Any]:
        return {"sub": selectors.subject_for(user_id=request.user.pk, application=request.client)}

    def get_userinfo_claims(self, request: Request) -> dict[str, Any]:
        claims = self.get_claim_dict(request)
        return {"sub": claims["sub"], **released_claims(claims, request.scopes)}

    def get_id_token_dictionary(
        self, token: Any, token_handler: Any, request: Request
    ) -> tuple[dict[str, Any], Any]:
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        authorization = self._authorization_of(request)
        if authorization is not None:
            claims["acr"] = authorization.acr
            claims["amr"] = list(authorization.amr)
            claims["auth_time"] = int(authorization.auth_time.timestamp())
        else:  # cannot happen for codes from our authorize endpoint; never claim more than level 1
            claims["acr"] = ACR_LEVEL1
        return claims, expiration_time

    def _authorization_of(self, request: Request) -> Authorization | None:
        authorization = getattr(request, "congso_authorization", None)
        if authorization is None and request.grant_type == "refresh_token":
            refresh = getattr(request, "refresh_token_instance", None)
            if refresh is not None and refresh.token_family:
                authorization = Authorization.objects.filter(token_family=refresh.token_family).first()
                request.congso_authorization = authorization
        return authorization

    # --- prompt=none: the view has already checked the session and the consent ----------------
    def validate_silent_login(self, request: Request) -> bool:
        return True

    def validate_silent_authorization(self, request: Request) -> bool:
        return True

    # --- authorization codes ------------------------------------------------------------------
    def _create_authorization_code(self, request: Request, code: dict[str, str], expires: Any = None) -> Any:
        assurance = getattr(request, "congso_assurance", None)
        if assurance is None:
            raise errors.ServerError(description="authentication context missing", request=request)
        with transaction.atomic():
            grant = super()._create_authorization_code(request, code, expires)
            services.authorization_record(
                code=code["code"],
                application=request.client,
                user=request.user,
                scope=grant.scope,
                assurance=assurance,
            )
        return grant

    # django-oauth-toolkit reads the same Grant row up to seven times per token request; read it
    # once (with its user) and keep it on the oauthlib request.
    def _grant(self, request: Request, code: str, client: Any = None) -> Grant | None:
        cache: dict[str, Grant | None] | None = getattr(request, "congso_grants", None)
        if cache is None:
            cache = request.congso_grants = {}
        if code not in cache:
            cache[code] = Grant.objects.select_related("user").filter(code=code).first()
        grant = cache[code]
        if grant is None or (client is not None and grant.application_id != client.pk):
            return None
        return grant

    def get_authorization_code_scopes(
        self, client_id: str, code: str, redirect_uri: str, request: Request
    ) -> list[str]:
        grant = self._grant(request, code)
        return grant.scope.split() if grant is not None else []

    def get_authorization_code_nonce(
        self, client_id: str, code: str, redirect_uri: str, request: Request
    ) -> str | None:
        grant = self._grant(request, code)
        return grant.nonce if grant is not None and grant.nonce else None

    def get_code_challenge(self, code: str, request: Request) -> str | None:
        grant = self._grant(request, code, request.client)
        return grant.code_challenge if grant is not None and grant.code_challenge else None

    def get_code_challenge_method(self, code: str, request: Request) -> str | None:
        grant = self._grant(request, code, request.client)
        return grant.code_challenge_method if grant is not None and grant.code_challenge_method else None

    def confirm_redirect_uri(
        self,
        client_id: str,
        code: str,
        redirect_uri: str,
        client: Any,
        request: Request,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        grant = self._grant(request, code, client)
        return grant is not None and bool(grant.redirect_uri_allowed(redirect_uri))

    def _check_and_set_request_resource(self, request: Request) -> None:
        if request.grant_type == "authorization_code" and not getattr(request, "resource", None):
            grant = self._grant(request, request.code, request.client)
            if grant is not None and not grant.resource:
                request.resource = []  # no resource indicators asked for, none on the grant
                return
        super()._check_and_set_request_resource(request)

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        grant = self._grant(request, code, client)
        if grant is not None and not grant.is_expired():
            authorization = services.authorization_redeem(code=code, application=client)
            if authorization is not None:
                request.scopes = grant.scope.split(" ")
                request.user = grant.user
                if grant.nonce:
                    request.nonce = grant.nonce
                if grant.claims:
                    request.claims = json.loads(grant.claims)
                request.congso_authorization = authorization
                # Spent now (the claim above is what makes it single-use); deleted here rather
                # than after the tokens, so that the transaction ends right after the audit entry
                # that holds the chain's lock. The rest of the request reads the cached row.
                Grant.objects.filter(pk=grant.pk).delete()
                request.congso_grant_spent = True
                return True
        # Unknown, expired or already used: if it was used, revoke what it was exchanged for.
        services.code_replay_revoke(code=code, application=client)
        return False

    def invalidate_authorization_code(
        self, client_id: str, code: str, request: Request, *args: Any, **kwargs: Any
    ) -> None:
        if not getattr(request, "congso_grant_spent", False):
            super().invalidate_authorization_code(client_id, code, request, *args, **kwargs)

    # --- tokens -------------------------------------------------------------------------------
    def _create_access_token(
        self, expires: Any, request: Request, token: Any, source_refresh_token: Any = None
    ) -> Any:
        id_token = getattr(request, "id_token", None)
        if token.get("id_token") and id_token is None:
            access_token = super()._create_access_token(expires, request, token, source_refresh_token)
        else:
            # django-oauth-toolkit would parse and verify the id_token it has just signed and read
            # it back by its jti; finalize_id_token left the row on the request.
            access_token = AccessToken(
                user=request.user,
                scope=token["scope"],
                expires=expires,
                id_token=id_token if token.get("id_token") else None,
                application=request.client,
                source_refresh_token=source_refresh_token,
                resource=getattr(request, "resource", []),
            )
            self._set_token_value(access_token, token["access_token"])
            access_token.save()
        request.congso_access_token = access_token
        return access_token

    def _create_refresh_token(
        self, request: Request, refresh_token_code: str, access_token: Any, previous_refresh_token: Any
    ) -> Any:
        refresh_token = super()._create_refresh_token(
            request, refresh_token_code, access_token, previous_refresh_token
        )
        request.congso_refresh_token = refresh_token
        return refresh_token

    def save_bearer_token(self, token: dict[str, Any], request: Request, *args: Any, **kwargs: Any) -> None:
        if transaction.get_connection().in_atomic_block:
            # The token views run each request in one transaction: no savepoint needed.
            self._save_bearer_token(token, request, *args, **kwargs)
        else:
            super().save_bearer_token(token, request, *args, **kwargs)

    def _save_bearer_token(self, token: dict[str, Any], request: Request, *args: Any, **kwargs: Any) -> None:
        # Inside the token transaction (save_bearer_token).
        super()._save_bearer_token(token, request, *args, **kwargs)
        services.token_issue_record(
            user=request.user,
            application=request.client,
            grant_type=request.grant_type,
            scope=token.get("scope", ""),
            access_token=getattr(request, "congso_access_token", None),
            refresh_token=getattr(request, "congso_refresh_token", None),
            authorization=self._authorization_of(request),
        )

    # --- verifying our own id_tokens (id_token_hint at logout) -----------------------------
    def _get_key_for_token(self, token: str) -> JWK | None:
        unverified = jws.JWS()
        unverified.deserialize(token)
        header = unverified.jose_header
        kid = header.get("kid") if isinstance(header, dict) else None
        if not kid:
            return None
        key = keyring().find(str(kid))
        if key is None:
            return None
        payload = json.loads(unverified.objects["payload"].decode("utf-8"))
        return key.jwk if "aud" in payload else None
