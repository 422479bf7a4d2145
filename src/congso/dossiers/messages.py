"""Default wording of the messages to applicants, registered with notify at start-up.

Context of every message: ``code``, ``procedure``, ``agency``, ``due_on`` (dd/mm/yyyy) and
``url`` (the dossier's page); some add ``reason``, ``missing``, ``outcome``, ``mode``.
"""

from __future__ import annotations

from congso.notify.defaults import TemplateDefault, template_default_register

# key: (title vi, title en, sentence vi, sentence en)
_WORDING: dict[str, tuple[str, str, str, str]] = {
    "dossiers.submitted": (
        "Đã nộp hồ sơ {{ code }}",
        "Dossier {{ code }} submitted",
        "Hồ sơ {{ code }} ({{ procedure }}) đã được gửi đến {{ agency }}. Ngày hẹn trả kết quả: {{ due_on }}.",
        "Dossier {{ code }} ({{ procedure }}) has been sent to {{ agency }}. Result due on {{ due_on }}.",
    ),
    "dossiers.received": (
        "Hồ sơ {{ code }} đã được tiếp nhận",
        "Dossier {{ code }} received",
        "{{ agency }} đã tiếp nhận hồ sơ {{ code }}. Ngày hẹn trả kết quả: {{ due_on }}.",
        "{{ agency }} has received dossier {{ code }}. Result due on {{ due_on }}.",
    ),
    "dossiers.refused": (
        "Hồ sơ {{ code }} bị từ chối tiếp nhận",
        "Dossier {{ code }} refused",
        "{{ agency }} từ chối tiếp nhận hồ sơ {{ code }}. Lý do: {{ reason }}",
        "{{ agency }} refused dossier {{ code }}. Reason: {{ reason }}",
    ),
    "dossiers.supplement_requested": (
        "Hồ sơ {{ code }} cần bổ sung",
        "Dossier {{ code }} needs more documents",
        "{{ agency }} đề nghị bổ sung hồ sơ {{ code }}: {{ missing|join:'; ' }}. {{ note }}",
        "{{ agency }} asks you to complete dossier {{ code }}: {{ missing|join:'; ' }}. {{ note }}",
    ),
    "dossiers.processing": (
        "Hồ sơ {{ code }} đang được xử lý",
        "Dossier {{ code }} is being processed",
        "Hồ sơ {{ code }} đã được chuyển đến cán bộ xử lý. Ngày hẹn trả kết quả: {{ due_on }}.",
        "Dossier {{ code }} is with the officer handling it. Result due on {{ due_on }}.",
    ),
    "dossiers.apology": (
        "Xin lỗi về việc chậm trả kết quả hồ sơ {{ code }}",
        "Apology: dossier {{ code }} is delayed",
        "{{ agency }} xin lỗi vì hồ sơ {{ code }} chưa thể trả đúng hẹn {{ old_due_on }}. Lý do: {{ reason }}. "
        "Ngày hẹn mới: {{ due_on }}.",
        "{{ agency }} apologises: dossier {{ code }} cannot be ready on {{ old_due_on }}. Reason: {{ reason }}. "
        "New date: {{ due_on }}.",
    ),
    "dossiers.stopped": (
        "Hồ sơ {{ code }} đã dừng xử lý",
        "Processing of dossier {{ code }} stopped",
        "{{ agency }} dừng xử lý hồ sơ {{ code }}. Lý do: {{ reason }}",
        "{{ agency }} stopped processing dossier {{ code }}. Reason: {{ reason }}",
    ),
    "dossiers.decided": (
        "Hồ sơ {{ code }} đã có kết quả",
        "Dossier {{ code }} has a result",
        "Hồ sơ {{ code }} đã có kết quả: {{ outcome }}. {{ reason }} Xem và tải kết quả điện tử đã ký số tại Cổng.",
        "Dossier {{ code }} has a result: {{ outcome }}. {{ reason }} See and download the signed result on the portal.",
    ),
    "dossiers.result_returned": (
        "Đã trả kết quả hồ sơ {{ code }}",
        "Result of dossier {{ code }} returned",
        "Kết quả hồ sơ {{ code }} đã được trả ({{ mode }}). Mời bạn đánh giá mức độ hài lòng.",
        "The result of dossier {{ code }} has been returned ({{ mode }}). Please rate the service.",
    ),
}


def _default(key: str, title_vi: str, title_en: str, text_vi: str, text_en: str) -> TemplateDefault:
    return TemplateDefault(
        key=key,
        description=f"{title_vi} (context: code, procedure, agency, due_on, url, …)",
        sms_vi=f"Cổng Số: {text_vi}",
        sms_en=f"Cong So: {text_en}",
        email_subject_vi=title_vi,
        email_subject_en=title_en,
        email_body_vi=f"{text_vi}\n\nTheo dõi hồ sơ: {{{{ url }}}}\n",
        email_body_en=f"{text_en}\n\nFollow the dossier: {{{{ url }}}}\n",
        inapp_title_vi=title_vi,
        inapp_title_en=title_en,
        inapp_body_vi=text_vi,
        inapp_body_en=text_en,
    )


def register_message_defaults() -> None:
    for key, (title_vi, title_en, text_vi, text_en) in _WORDING.items():
        template_default_register(_default(key, title_vi, title_en, text_vi, text_en))
