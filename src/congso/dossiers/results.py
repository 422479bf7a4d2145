"""The papers of a dossier as PDF: the receipt, the signed result, and the agency's letters.

The receipt and the letters are rendered on request from the dossier and its history (they
say nothing the history does not). The result is rendered once, signed with the agency's key
(PAdES) and kept in the applicant's personal document store; its SHA-256 lets the public
verification page confirm a copy.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from congso.documents import services as document_services
from congso.signing.pdf import PdfDocument, pdf_render

from .choices import Action, Outcome, Status, label_vi
from .models import Dossier

LETTERS = {
    "refusal": (Action.REFUSE, "THÔNG BÁO TỪ CHỐI TIẾP NHẬN HỒ SƠ"),
    "supplement": (Action.REQUEST_SUPPLEMENT, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
    "apology": (Action.APOLOGISE, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
    "stop": (Action.STOP, "PHIẾU DỪNG XỬ LÝ HỒ SƠ"),
}


def _site_url(path: str) -> str:
    from .services import site_url

    return site_url(path)


def _place(dossier: Dossier) -> str:
    unit = dossier.agency.administrative_unit
    return unit.name if unit is not None else ""


def _parent_name(dossier: Dossier) -> str:
    parent = dossier.agency.parent
    return parent.name.upper() if parent is not None else ""


def _common_rows(dossier: Dossier) -> list[tuple[str, str]]:
    rows = [
        ("Mã hồ sơ", dossier.code),
        ("Thủ tục", f"{dossier.procedure.name} ({dossier.procedure.code})"),
        ("Người nộp", dossier.applicant_name),
        ("Số định danh cá nhân", dossier.applicant_personal_id),
    ]
    if dossier.organisation is not None:
        organisation = dossier.organisation
        rows.append(("Thay mặt tổ chức", f"{organisation.full_name} ({organisation.organisation_code})"))
    return rows


def receipt_document(*, dossier: Dossier) -> PdfDocument:
    """The receipt and appointment slip (Decree 61/2018 art. 19: no reception without it)."""
    documents = [item.requirement_name for item in dossier.documents.all() if not item.supplement]
    rows = [
        *_common_rows(dossier),
        ("Cơ quan giải quyết", dossier.agency.name),
        ("Nộp lúc", timezone.localtime(dossier.submitted_at).strftime("%H:%M ngày %d/%m/%Y")),
        ("Ngày tiếp nhận", dossier.received_on.strftime("%d/%m/%Y")),
        ("Thời hạn giải quyết", f"{dossier.procedure.processing_days} ngày làm việc"),
        ("Ngày hẹn trả kết quả", dossier.original_due_on.strftime("%d/%m/%Y")),
    ]
    if dossier.due_on != dossier.original_due_on:
        rows.append(("Ngày hẹn trả (đã điều chỉnh)", dossier.due_on.strftime("%d/%m/%Y")))
    return PdfDocument(
        agency_name=dossier.agency.name.upper(),
        parent_agency_name=_parent_name(dossier),
        number=dossier.code,
        place=_place(dossier),
        issued_on=dossier.received_on,
        title="GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        subtitle="Hồ sơ nộp trực tuyến trên Cổng Số",
        paragraphs=[f"{dossier.agency.name} đã tiếp nhận hồ sơ của ông/bà {dossier.applicant_name}:"],
        rows=rows,
        paragraphs_after=[
            "Giấy tờ đã nộp: " + ("; ".join(documents) if documents else "theo biểu mẫu điện tử") + ".",
            "Tra cứu tình trạng hồ sơ bằng mã hồ sơ và số định danh cá nhân tại Cổng Số hoặc quét mã QR.",
        ],
        qr_url=_site_url(f"/tra-cuu/ho-so/?code={dossier.code}"),
        qr_caption=dossier.code,
        signer_title="BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
        signature_box=False,
        footer=f"Mã hồ sơ {dossier.code}",
        subject=f"Giấy tiếp nhận hồ sơ {dossier.code}",
        keywords=[dossier.code, dossier.procedure.code],
        created_at=dossier.submitted_at,
    )


def receipt_render(*, dossier: Dossier) -> bytes:
    return pdf_render(receipt_document(dossier=dossier))


def result_document(*, dossier: Dossier, officer: Any) -> PdfDocument:
    """The result: the procedure's result when approved, a reasoned refusal when not."""
    approved = dossier.outcome == Outcome.APPROVED
    decided_at = dossier.decided_at or timezone.now()
    answers = [
        (str(key).replace("_", " ").capitalize(), str(value))
        for key, value in (dossier.data or {}).items()
        if value not in (None, "", True, False) and not isinstance(value, dict | list)
    ][:12]
    if approved:
        title = dossier.procedure.result_name.upper()
        paragraphs = [
            f"Căn cứ hồ sơ {dossier.code} và kết quả thẩm định, {dossier.agency.name} chấp thuận "
            f"yêu cầu của ông/bà {dossier.applicant_name} về thủ tục {dossier.procedure.name}.",
        ]
    else:
        title = "THÔNG BÁO KHÔNG CHẤP THUẬN"
        paragraphs = [
            f"{dossier.agency.name} không chấp thuận yêu cầu của ông/bà {dossier.applicant_name} "
            f"về thủ tục {dossier.procedure.name} (hồ sơ {dossier.code}).",
            f"Lý do: {dossier.decision_reason}",
        ]
    if dossier.decision_reason and approved:
        paragraphs.append(dossier.decision_reason)
    return PdfDocument(
        agency_name=dossier.agency.name.upper(),
        parent_agency_name=_parent_name(dossier),
        number=dossier.code,
        place=_place(dossier),
        issued_on=timezone.localtime(decided_at).date(),
        title=title,
        subtitle=dossier.procedure.name,
        paragraphs=paragraphs,
        rows=[*_common_rows(dossier), *answers],
        paragraphs_after=[
            "Văn bản điện tử này được ký số bởi cơ quan giải quyết; kiểm tra tính xác thực bằng mã QR "
            "hoặc tại trang xác minh của Cổng Số.",
        ],
        qr_url=_site_url(f"/verify/{dossier.code}"),
        qr_caption=f"Xác minh: {dossier.code}",
        recipients=[f"Ông/bà {dossier.applicant_name}", "Lưu: VT, hồ sơ."],
        signer_title="THỦ TRƯỞNG CƠ QUAN" if approved else "LÃNH ĐẠO CƠ QUAN",
        signer_name=str(getattr(officer, "full_name", "") or ""),
        footer=f"Kết quả giải quyết hồ sơ {dossier.code}",
        subject=f"Kết quả hồ sơ {dossier.code}",
        keywords=[dossier.code, dossier.procedure.code, dossier.outcome],
        created_at=decided_at,
    )


def result_issue(*, dossier: Dossier, officer: Any) -> Any:
    """Render the result, sign it with the agency's key and keep it in the applicant's store."""
    from congso.signing.services import pdf_sign

    unsigned = pdf_render(result_document(dossier=dossier, officer=officer))
    signed = pdf_sign(
        agency=dossier.agency,
        pdf=unsigned,
        reason=f"Kết quả giải quyết hồ sơ {dossier.code}",
        location=_place(dossier),
        actor=officer,
    )
    approved = dossier.outcome == Outcome.APPROVED
    return document_services.document_store_issued(
        owner=dossier.applicant,
        content=signed,
        title=(
            dossier.procedure.result_name
            if approved
            else f"Thông báo không chấp thuận — {dossier.procedure.name}"
        ),
        kind="result",
        issuer=dossier.agency,
        dossier_code=dossier.code,
    )


def letter_render(*, dossier: Dossier, kind: str) -> bytes:
    """A letter of the agency to the applicant, from the history event it records.

    ``kind``: refusal, supplement, apology or stop. Raises LookupError when the dossier has no
    such event (the page answers 404).
    """
    action, title = LETTERS[kind]
    event = dossier.events.filter(action=action).order_by("-at", "-id").first()
    if event is None:
        raise LookupError(kind)
    rows = [*_common_rows(dossier), ("Cơ quan giải quyết", dossier.agency.name)]
    paragraphs: list[str] = []
    if kind == "supplement":
        paragraphs.append("Hồ sơ của ông/bà cần bổ sung, hoàn thiện những nội dung sau:")
        paragraphs.extend(f"- {item}" for item in event.details.get("missing", []))
        if event.reason:
            paragraphs.append(event.reason)
        paragraphs.append(
            "Thời gian chờ bổ sung không tính vào thời hạn giải quyết. Hồ sơ chỉ được yêu cầu bổ sung một lần."
        )
    elif kind == "apology":
        rows.append(("Ngày hẹn trả cũ", _date_text(event.details.get("old_due_on", ""))))
        rows.append(("Ngày hẹn trả mới", _date_text(event.details.get("new_due_on", ""))))
        paragraphs.append(
            f"{dossier.agency.name} thành thật xin lỗi ông/bà vì hồ sơ chưa giải quyết được đúng hẹn. "
            f"Lý do: {event.reason}"
        )
    elif kind == "refusal":
        paragraphs.append(f"Hồ sơ không được tiếp nhận. Lý do: {event.reason}")
    else:
        paragraphs.append(f"Hồ sơ dừng xử lý. Lý do: {event.reason}")
    return pdf_render(
        PdfDocument(
            agency_name=dossier.agency.name.upper(),
            parent_agency_name=_parent_name(dossier),
            number=dossier.code,
            place=_place(dossier),
            issued_on=timezone.localtime(event.at).date(),
            title=title,
            paragraphs=paragraphs,
            rows=rows,
            qr_url=_site_url(f"/tra-cuu/ho-so/?code={dossier.code}"),
            qr_caption=dossier.code,
            recipients=[f"Ông/bà {dossier.applicant_name}", "Lưu: VT, hồ sơ."],
            signer_title=event.actor_name.upper() if event.actor_name else "CÁN BỘ XỬ LÝ",
            signature_box=False,
            footer=f"{label_vi(str(Status(event.to_status).label))} — {dossier.code}",
            subject=title.capitalize(),
            keywords=[dossier.code, kind],
            created_at=event.at,
        )
    )


def _date_text(value: str) -> str:
    parts = value.split("-")
    return f"{parts[2]}/{parts[1]}/{parts[0]}" if len(parts) == 3 else value
