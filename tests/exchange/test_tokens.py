"""Client authentication at the token endpoint: RFC 7523 assertions and mutual TLS."""

from __future__ import annotations

import base64
import datetime as dt
import time
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from django.test import Client
from jwcrypto import jwk, jwt

from congso.core.models import AuditEntry
from congso.exchange import services
from congso.exchange.models import ClientKey

from .conftest import World
from .support import FakeProvider, assertion, client_key, token_form


def _refused(response: Any, error: str = "invalid_client") -> str:
    assert response.status_code == (401 if error == "invalid_client" else 400), response.content
    assert response["Cache-Control"].startswith("max-age=0")
    assert response.json()["error"] == error
    return str(response.json()["error_description"])


def test_a_valid_assertion_gets_a_short_lived_bearer_token(client: Client, world: World) -> None:
    response = client.post(
        "/exchange/oauth/token",
        token_form(assertion(client_id=world.consumer.client_id, key=world.consumer_key)),
    )

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="exchange.token.issue", target_id=str(world.consumer.pk)).exists()


def test_an_eddsa_key_works_too(client: Client, world: World, provider: FakeProvider) -> None:
    key = client_key("OKP")
    services.client_key_add(subsystem=world.consumer, jwk=key.export_public(as_dict=True))

    response = client.post(
        "/exchange/oauth/token", token_form(assertion(client_id=world.consumer.client_id, key=key))
    )

    assert response.status_code == 200


def test_assertion_signed_with_a_key_the_client_does_not_have(client: Client, world: World) -> None:
    stranger = client_key("EC")

    description = _refused(
        client.post(
            "/exchange/oauth/token", token_form(assertion(client_id=world.consumer.client_id, key=stranger))
        )
    )

    assert "signature" in description
    assert AuditEntry.objects.filter(
        action="exchange.token.refused", target_id=str(world.consumer.pk)
    ).exists()


def test_a_replayed_assertion_is_refused(client: Client, world: World) -> None:
    signed = assertion(client_id=world.consumer.client_id, key=world.consumer_key)

    assert client.post("/exchange/oauth/token", token_form(signed)).status_code == 200
    assert "replay" in _refused(client.post("/exchange/oauth/token", token_form(signed)))


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"audience": "https://another-gateway.example/token"}, "aud"),
        ({"expires_in": 600}, "too far"),
        ({"expires_in": -120}, "expired"),
        ({"subject": "VN/GOV/000.00.21.H15/KHAC"}, "iss and sub"),
    ],
)
def test_assertion_claims_are_checked(
    client: Client, world: World, changes: dict[str, Any], fragment: str
) -> None:
    signed = assertion(client_id=world.consumer.client_id, key=world.consumer_key, **changes)

    assert fragment in _refused(client.post("/exchange/oauth/token", token_form(signed)))


def test_symmetric_algorithms_are_refused(client: Client, world: World) -> None:
    secret = jwk.JWK.generate(kty="oct", size=256)
    now = int(time.time())
    token = jwt.JWT(
        header={"alg": "HS256"},
        claims={
            "iss": world.consumer.client_id,
            "sub": world.consumer.client_id,
            "aud": "http://testserver/exchange/oauth/token",
            "exp": now + 60,
            "jti": "a",
        },
    )
    token.make_signed_token(secret)

    assert "algorithm" in _refused(client.post("/exchange/oauth/token", token_form(token.serialize())))


def test_unknown_client_is_refused_without_an_audit_entry(client: Client, world: World) -> None:
    before = AuditEntry.objects.count()

    _refused(
        client.post(
            "/exchange/oauth/token", token_form(assertion(client_id="VN/GOV/KHONG-CO/X", key=client_key()))
        )
    )

    assert AuditEntry.objects.count() == before


def test_a_revoked_key_no_longer_authenticates(client: Client, world: World) -> None:
    key = ClientKey.objects.get(subsystem=world.consumer)
    services.client_key_revoke(key=key)

    _refused(
        client.post(
            "/exchange/oauth/token",
            token_form(assertion(client_id=world.consumer.client_id, key=world.consumer_key)),
        )
    )


def test_only_client_credentials(client: Client, world: World) -> None:
    form = {
        **token_form(assertion(client_id=world.consumer.client_id, key=world.consumer_key)),
        "grant_type": "password",
    }

    _refused(client.post("/exchange/oauth/token", form), error="unsupported_grant_type")


def test_a_private_key_is_never_registered(world: World) -> None:
    with pytest.raises(Exception, match="private key"):
        services.client_key_add(subsystem=world.consumer, jwk=client_key().export(as_dict=True))


# --- Mutual TLS (RFC 8705) -----------------------------------------------------------------------
def _certificate(common_name: str) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )


def _header(certificate: x509.Certificate) -> str:
    return ":" + base64.b64encode(certificate.public_bytes(Encoding.DER)).decode() + ":"


def test_mutual_tls_gets_a_certificate_bound_token(
    client: Client, world: World, provider: FakeProvider, settings: Any
) -> None:
    settings.CONGSO_EXCHANGE_MTLS_CERT_HEADER = "Client-Cert"
    certificate = _certificate("hoso.hoankiem.hanoi.gov.vn")
    services.client_key_add(
        subsystem=world.consumer, certificate_pem=certificate.public_bytes(Encoding.PEM).decode()
    )
    form = {"grant_type": "client_credentials", "client_id": world.consumer.client_id}

    response = client.post("/exchange/oauth/token", form, HTTP_CLIENT_CERT=_header(certificate))
    assert response.status_code == 200, response.content
    token = response.json()["access_token"]
    path = world.service_path(rest="/status/200")
    base = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_X_ROAD_CLIENT": world.consumer.client_id}

    assert client.get(path, HTTP_CLIENT_CERT=_header(certificate), **base).status_code == 200
    assert client.get(path, **base).status_code == 401  # the token is useless without its certificate
    assert client.get(path, HTTP_CLIENT_CERT=_header(_certificate("x")), **base).status_code == 401
    assert len(provider.requests) == 1


def test_an_unregistered_certificate_is_refused(client: Client, world: World, settings: Any) -> None:
    settings.CONGSO_EXCHANGE_MTLS_CERT_HEADER = "Client-Cert"
    form = {"grant_type": "client_credentials", "client_id": world.consumer.client_id}

    _refused(client.post("/exchange/oauth/token", form, HTTP_CLIENT_CERT=_header(_certificate("gia-mao"))))


def test_the_certificate_header_is_ignored_unless_configured(client: Client, world: World) -> None:
    certificate = _certificate("hoso")
    services.client_key_add(
        subsystem=world.consumer, certificate_pem=certificate.public_bytes(Encoding.PEM).decode()
    )
    form = {"grant_type": "client_credentials", "client_id": world.consumer.client_id}

    _refused(client.post("/exchange/oauth/token", form, HTTP_CLIENT_CERT=_header(certificate)))
