"""Operators see the stores' metadata, read-only, and never a person's file."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from congso.documents import services
from congso.identity.models import User
from congso.identity.testing import force_login_mfa

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> Client:
    user = get_user_model().objects.create_superuser("operator", password="Dung-trung-1a!")
    client = Client()
    force_login_mfa(client, user)
    return client


def test_operators_see_metadata_but_cannot_change_or_download(operator: Client, citizen_user: User) -> None:
    document = factories.stored(citizen_user, title="Giấy khai sinh")
    services.document_mark_reused(document=document, dossier_code="H15-261128-0001")

    listing = operator.get("/admin/documents/storeddocument/")
    detail = operator.get(f"/admin/documents/storeddocument/{document.pk}/change/")

    assert listing.status_code == 200
    assert "Giấy khai sinh" in listing.content.decode()
    assert detail.status_code == 200
    page = detail.content.decode()
    assert document.sha256 in page
    assert document.file.name not in page  # no link to the file, no path to guess
    assert 'name="_save"' not in page  # read-only
    assert operator.get("/admin/documents/storeddocument/add/").status_code == 403
    assert operator.get(f"/admin/documents/storeddocument/{document.pk}/delete/").status_code == 403
    assert operator.get("/admin/documents/documentreuse/").status_code == 200


def test_operators_can_search_by_personal_id(operator: Client, citizen_user: User, neighbour: User) -> None:
    factories.stored(citizen_user, title="Của tôi")
    factories.stored(neighbour, title="Của hàng xóm")

    page = operator.get("/admin/documents/storeddocument/", {"q": citizen_user.username}).content.decode()

    assert "Của tôi" in page
    assert "Của hàng xóm" not in page
