"""The directory, in the shapes of the GovStack Information Mediator Directory Services API 1.0:
listClients, listMethods, allowedMethods, getOpenAPI."""

from __future__ import annotations

from typing import Any

from django.test import Client

from congso.exchange import services
from congso.exchange.models import AccessRight

from .conftest import World, get_token

# components.schemas of the GovStack IM spec.
CLIENT_ID_KEYS = {"objectType", "instanceId", "memberClass", "memberCode", "applicationCode"}
SERVICE_KEYS = {
    "objectType",
    "serviceType",
    "instanceId",
    "memberClass",
    "memberCode",
    "applicationCode",
    "serviceCode",
    "serviceVersion",
    "endpointList",
}
PROVIDER = "/r1/VN/GOV/000.00.00.G10/THUE"


def _get(client: Client, path: str, *, token: str, client_id: str, **params: str) -> Any:
    return client.get(path, params, HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_GOVSTACK_CLIENT=client_id)


def test_list_clients(client: Client, world: World) -> None:
    response = client.get("/listClients", {"instanceId": "VN"})

    assert response.status_code == 200
    members = response.json()["member"]
    assert all(set(item) == {"name", "id"} and set(item["id"]) <= CLIENT_ID_KEYS for item in members)
    tax = [item for item in members if item["id"]["memberCode"] == "000.00.00.G10"]
    assert tax == [
        {
            "name": "Cục Thuế",
            "id": {
                "objectType": "MEMBER",
                "instanceId": "VN",
                "memberClass": "GOV",
                "memberCode": "000.00.00.G10",
            },
        },
        {
            "name": "Hệ thống quản lý thuế",
            "id": {
                "objectType": "APPLICATION",
                "instanceId": "VN",
                "memberClass": "GOV",
                "memberCode": "000.00.00.G10",
                "applicationCode": "THUE",
            },
        },
    ]
    assert client.get("/listClients", {"instanceId": "LA"}).json() == {"member": []}


def test_list_methods(client: Client, world: World, consumer_token: str) -> None:
    response = _get(
        client, f"{PROVIDER}/listMethods", token=consumer_token, client_id=world.consumer.client_id
    )

    assert response.status_code == 200
    listed = response.json()["member"]
    assert [item["serviceCode"] for item in listed] == ["income", "tax-status"]
    assert all(set(item) == SERVICE_KEYS for item in listed)
    assert listed[1]["objectType"] == "SERVICE"
    assert listed[1]["serviceType"] == "OPENAPI"
    assert listed[1]["serviceVersion"] == "v1"
    assert listed[1]["endpointList"] == {
        "member": [{"method": "POST", "path": "/echo"}, {"method": "GET", "path": "/status/{code}"}]
    }
    filtered = _get(
        client,
        f"{PROVIDER}/listMethods",
        token=consumer_token,
        client_id=world.consumer.client_id,
        serviceId="income",
    )
    assert [item["serviceCode"] for item in filtered.json()["member"]] == ["income"]


def test_allowed_methods_follow_the_rights(client: Client, world: World, consumer_token: str) -> None:
    outsider_token = get_token(client, client_id=world.outsider.client_id, key=world.outsider_key)

    mine = _get(
        client, f"{PROVIDER}/allowedMethods", token=consumer_token, client_id=world.consumer.client_id
    )
    theirs = _get(
        client, f"{PROVIDER}/allowedMethods", token=outsider_token, client_id=world.outsider.client_id
    )

    assert [item["serviceCode"] for item in mine.json()["member"]] == ["income", "tax-status"]
    assert theirs.json() == {"member": []}
    services.access_right_revoke(right=AccessRight.objects.get(client=world.consumer, service=world.service))
    again = _get(
        client, f"{PROVIDER}/allowedMethods", token=consumer_token, client_id=world.consumer.client_id
    )
    assert [item["serviceCode"] for item in again.json()["member"]] == ["income"]


def test_get_openapi(client: Client, world: World, consumer_token: str) -> None:
    response = _get(
        client,
        f"{PROVIDER}/getOpenAPI",
        token=consumer_token,
        client_id=world.consumer.client_id,
        serviceCode="tax-status",
    )

    assert response.status_code == 200
    assert response.json()["openapi"] == "3.0.3"
    assert "/status/{code}" in response.json()["paths"]
    missing = _get(
        client,
        f"{PROVIDER}/getOpenAPI",
        token=consumer_token,
        client_id=world.consumer.client_id,
        serviceCode="x",
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "unknown_service"


def test_meta_services_need_a_matching_client(client: Client, world: World, consumer_token: str) -> None:
    assert client.get(f"{PROVIDER}/listMethods").status_code == 401
    mismatch = _get(
        client, f"{PROVIDER}/listMethods", token=consumer_token, client_id=world.outsider.client_id
    )
    assert mismatch.status_code == 403
    assert mismatch.json()["code"] == "client_mismatch"


def test_meta_service_codes_are_reserved(world: World) -> None:
    import pytest

    from congso.core.errors import InvalidInput
    from congso.exchange.models import ProviderKind

    with pytest.raises(InvalidInput, match="reserved"):
        services.service_register(
            provider=world.provider_system,
            code="listMethods",
            title="x",
            provider_kind=ProviderKind.HTTP,
            base_url="http://x",
        )
