"""Discovery and keys, read by an independent client over HTTP; key rotation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from django.core.management import CommandError, call_command
from joserfc import jwt
from joserfc.jwk import KeySet

from congso.identity.oidc.keys import keyring

from .flows import AuthRequest, RelyingParty, consent_if_asked, query_of

pytestmark = pytest.mark.django_db(transaction=True)


def discover(base: str) -> dict[str, Any]:
    response = requests.get(f"{base}/.well-known/openid-configuration", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    data: dict[str, Any] = response.json()
    return data


def test_discovery_names_this_site_as_issuer_and_only_safe_choices(live_server: Any) -> None:
    meta = discover(live_server.url)

    assert meta["issuer"] == live_server.url
    assert meta["authorization_endpoint"] == f"{live_server.url}/oidc/authorize/"
    assert meta["token_endpoint"] == f"{live_server.url}/oidc/token/"
    assert meta["userinfo_endpoint"] == f"{live_server.url}/oidc/userinfo/"
    assert meta["jwks_uri"] == f"{live_server.url}/oidc/jwks.json"
    assert meta["end_session_endpoint"] == f"{live_server.url}/oidc/logout/"
    # Code flow with PKCE S256 only; pairwise subjects; RS256.
    assert meta["response_types_supported"] == ["code"]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert meta["subject_types_supported"] == ["pairwise"]
    assert meta["id_token_signing_alg_values_supported"] == ["RS256"]
    assert meta["acr_values_supported"] == ["urn:congso:eid:level1", "urn:congso:eid:level2"]
    assert set(meta["scopes_supported"]) == {"openid", "profile", "phone", "address", "personal_id"}
    assert {"acr", "amr", "auth_time", "personal_id", "phone_number", "address"} <= set(
        meta["claims_supported"]
    )


def test_every_endpoint_in_discovery_answers(live_server: Any) -> None:
    meta = discover(live_server.url)

    jwks = requests.get(meta["jwks_uri"], timeout=10)
    userinfo = requests.get(meta["userinfo_endpoint"], timeout=10)
    token = requests.post(meta["token_endpoint"], data={"grant_type": "authorization_code"}, timeout=10)

    assert jwks.status_code == 200
    assert userinfo.status_code == 401  # no token, but the endpoint exists
    assert userinfo.headers["WWW-Authenticate"].startswith("Bearer")
    assert token.status_code in {400, 401}
    assert "error" in token.json()


def test_jwks_publishes_public_keys_only_named_by_kid(live_server: Any) -> None:
    keys = requests.get(f"{live_server.url}/oidc/jwks.json", timeout=10).json()["keys"]

    assert keys, "no signing key published"
    for key in keys:
        assert key["kty"] == "RSA"
        assert key["alg"] == "RS256"
        assert key["use"] == "sig"
        assert key["kid"]
        assert "d" not in key, "a private key part is published"
        assert "p" not in key, "a private key part is published"
    assert keys[0]["kid"] == keyring().active.kid


# --- rotation ------------------------------------------------------------------------------
@pytest.fixture
def own_key_dir(settings: Any, tmp_path: Path) -> Path:
    """A key directory of this test alone, so rotating does not disturb tests running beside it."""
    settings.CONGSO_OIDC_KEY_DIR = tmp_path / "keys"
    return tmp_path / "keys"


def _tokens(live_server: Any, browser: requests.Session, rp: RelyingParty) -> tuple[dict[str, Any], str]:
    meta = discover(live_server.url)
    client = OAuth2Session(
        rp.client_id,
        rp.secret,
        scope="openid profile",
        redirect_uri=rp.redirect_uri,
        code_challenge_method="S256",
    )
    request = AuthRequest(rp)
    url, state = client.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=request.verifier, nonce=request.nonce
    )
    response = consent_if_asked(browser, browser.get(url, allow_redirects=False))
    assert response.status_code == 302, response.text[:500]
    assert query_of(response.headers["Location"])["state"] == state
    token = client.fetch_token(
        meta["token_endpoint"],
        authorization_response=response.headers["Location"],
        code_verifier=request.verifier,
    )
    return dict(token), request.nonce


def _verify(live_server: Any, id_token: str, audience: str) -> Any:
    meta = discover(live_server.url)
    key_set = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    token = jwt.decode(id_token, key_set, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": meta["issuer"]}, aud={"essential": True, "value": audience}
    ).validate(token.claims)
    return token


def test_a_token_signed_before_rotation_still_verifies_after_it(
    live_server: Any, own_key_dir: Path, make_rp: Any, person: Any, browser_for: Any
) -> None:
    rp = make_rp(base=live_server.url)
    browser = browser_for(person)
    before, _nonce = _tokens(live_server, browser, rp)
    old_kid = _verify(live_server, before["id_token"], rp.client_id).header["kid"]

    call_command("oidc_rotate_key")

    kids = [
        key["kid"] for key in requests.get(f"{live_server.url}/oidc/jwks.json", timeout=10).json()["keys"]
    ]
    assert len(kids) == 2
    assert kids[1] == old_kid  # the old key is still published, as inactive
    # The old id_token verifies against the JWKS published now...
    assert _verify(live_server, before["id_token"], rp.client_id).claims["aud"] == rp.client_id
    # ...and new tokens are signed with the new key.
    after, _nonce = _tokens(live_server, browser, rp)
    new_kid = _verify(live_server, after["id_token"], rp.client_id).header["kid"]
    assert new_kid == kids[0] != old_kid


def test_rotation_keeps_a_bounded_number_of_keys_published(own_key_dir: Path, db: None) -> None:
    first = keyring().active.kid

    for _ in range(3):
        call_command("oidc_rotate_key", "--keep", "2")

    published = [key.kid for key in keyring().keys]
    assert len(published) == 2
    assert first not in published
    assert len(list((own_key_dir / "retired").glob("*.pem"))) == 2  # kept on disk, not published


def test_rotation_refuses_when_keys_come_from_the_environment(settings: Any, db: None) -> None:
    settings.CONGSO_OIDC_KEY_DIR = None

    with pytest.raises(CommandError, match="CONGSO_OIDC_RSA_PRIVATE_KEY"):
        call_command("oidc_rotate_key")
