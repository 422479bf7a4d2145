"""Reads of the store: only the owner's documents, newest first, by kind."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from congso.core.errors import NotFound
from congso.documents import selectors, services
from congso.documents.models import DocumentKind, StoredDocument
from congso.identity.models import User

from . import factories

pytestmark = pytest.mark.django_db


def test_the_list_is_the_owners_newest_first_and_filters_by_kind(citizen_user: User, neighbour: User) -> None:
    first = factories.stored(citizen_user, title="Thứ nhất")
    receipt = services.document_store_issued(
        owner=citizen_user, content=factories.pdf_bytes(), title="Giấy tiếp nhận", kind=DocumentKind.RECEIPT
    )
    factories.stored(neighbour, title="Của hàng xóm")

    assert list(selectors.document_list_for(user=citizen_user)) == [receipt, first]
    assert list(selectors.document_list_for(user=citizen_user, kinds=[DocumentKind.RECEIPT])) == [receipt]
    with pytest.raises(ValueError, match="unknown document kinds"):
        selectors.document_list_for(user=citizen_user, kinds=["passport"])


def test_nobody_anonymous_sees_anything(citizen_user: User) -> None:
    factories.stored(citizen_user)

    assert not StoredDocument.objects.visible_to(AnonymousUser()).exists()
    assert not StoredDocument.objects.visible_to(None).exists()


@pytest.mark.parametrize("public_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_get_for_says_not_found_the_same_way(citizen_user: User, public_id: str) -> None:
    with pytest.raises(NotFound) as caught:
        selectors.document_get_for(user=citizen_user, public_id=public_id)

    assert caught.value.code == "document_not_found"


def test_get_for_someone_elses_document_is_the_same_not_found(citizen_user: User, neighbour: User) -> None:
    document = factories.stored(citizen_user)

    with pytest.raises(NotFound) as caught:
        selectors.document_get_for(user=neighbour, public_id=str(document.public_id))

    assert caught.value.code == "document_not_found"
    assert selectors.document_get_for(user=citizen_user, public_id=str(document.public_id)) == document


def test_type_allowed_treats_jpg_and_jpeg_as_one(citizen_user: User) -> None:
    photo = factories.stored(citizen_user, name="anh.jpeg", content=factories.jpeg_bytes())

    assert selectors.document_type_allowed(document=photo, allowed_types=["jpg"])
    assert selectors.document_type_allowed(document=photo, allowed_types=None)
    assert not selectors.document_type_allowed(document=photo, allowed_types=["pdf", "png"])
