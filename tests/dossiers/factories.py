"""A small world for dossier tests: registries on the exchange, a ward, its officers, a procedure."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from congso.dossiers import services
from congso.dossiers.models import Dossier, DossierDraft
from congso.identity.models import OfficerRoleKind, User
from congso.registry.models import Agency, Citizen
from tests.catalog import factories as catalog_factories
from tests.exchange import factories as exchange_factories
from tests.identity import factories as identity_factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf_file(name: str = "giay-chung-sinh.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@dataclass
class World:
    ward: Agency
    person: Citizen
    applicant: User
    officer: User
    leader: User
    procedure: Any
    requirement: Any
    stranger: User
    other_officer: User
    data: dict[str, Any]


def world() -> World:
    """The exchange's built-in registries, a ward with an officer and a leader, a birth procedure."""
    from congso.exchange.demo import exchange_demo_setup

    data = exchange_factories.registries()
    ward = Agency.objects.get(code="H15.50")
    exchange_demo_setup()
    procedure = catalog_factories.procedure(
        documents=[
            {"name": "Tờ khai đăng ký khai sinh", "online_form": True},
            {"name": "Giấy chứng sinh", "file_types": "pdf,jpg,png"},
            {"name": "Giấy tờ tùy thân", "registry_source": "population"},
        ],
        processing_days=3,
    )
    procedure.agencies.set([ward])
    requirement = procedure.documents.get(name="Giấy chứng sinh")
    person = data["person"]
    applicant = data["user"]
    applicant.assurance_level = 2
    applicant.set_password(identity_factories.PASSWORD)
    applicant.save()
    officer = identity_factories.make_officer(ward, full_name="Trần Văn Bình")
    leader = identity_factories.make_officer(ward, role=OfficerRoleKind.LEADER, full_name="Phạm Thị Hoa")
    stranger = identity_factories.make_account(level=2)
    elsewhere = identity_factories.make_agency(name="UBND phường khác")
    other_officer = identity_factories.make_officer(elsewhere, full_name="Lê Văn Cường")
    return World(
        ward=ward,
        person=person,
        applicant=applicant,
        officer=officer,
        leader=leader,
        procedure=procedure,
        requirement=requirement,
        stranger=stranger,
        other_officer=other_officer,
        data=data,
    )


def answers(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "full_name": world.person.full_name,
        "personal_id": world.person.personal_id,
        "date_of_birth": "2026-11-02",
        "sex": "F",
        "declaration": True,
        **overrides,
    }


def ready_draft(world: World, *, user: User | None = None) -> DossierDraft:
    """A complete draft: consent given, form prefilled and answered, the birth certificate attached."""
    user = user or world.applicant
    draft = services.draft_start(user=user, procedure_code=world.procedure.code)
    services.prefill_consent_grant(
        draft=draft, user=user, services=services.prefill_services(procedure=draft.procedure)
    )
    services.draft_prefill(draft=draft, user=user)
    services.draft_save(draft=draft, user=user, data=answers(world))
    services.draft_document_upload(
        draft=draft, user=user, requirement_id=world.requirement.pk, uploaded_file=pdf_file()
    )
    return draft


def submitted(world: World) -> Dossier:
    return services.dossier_submit(draft=ready_draft(world), user=world.applicant)


def in_processing(world: World) -> Dossier:
    dossier = submitted(world)
    services.dossier_receive(dossier=dossier, officer=world.officer)
    return services.dossier_assign(dossier=dossier, officer=world.officer, assignee=world.officer)


def at_approval(world: World) -> Dossier:
    dossier = in_processing(world)
    return services.dossier_forward(dossier=dossier, officer=world.officer, assignee=world.leader)


def bytes_io(content: bytes) -> io.BytesIO:
    return io.BytesIO(content)
