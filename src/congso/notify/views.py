"""Pages of the notify domain: the user's inbox, and the development phone and mailbox."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from congso.core.errors import NotFound

from . import selectors, services


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox_list(user=request.user), 25).get_page(request.GET.get("page"))
    unread = selectors.inbox_unread_count(user=request.user)
    return render(request, "notify/inbox.html", {"page": page, "unread": unread})


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        services.inbox_mark_read(user=request.user, message_id=message_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return redirect("notify:inbox")


def _dev_only() -> None:
    # The development inboxes show every code sent to anyone: never in production.
    if not (settings.DEMO_MODE or settings.DEBUG):
        raise Http404


@require_GET
def dev_phone(request: HttpRequest) -> HttpResponse:
    _dev_only()
    phone = request.GET.get("phone", "").strip()
    # Not "messages": that name belongs to django.contrib.messages in the base template.
    sms_list = selectors.dev_phone_list(phone=phone)
    return render(request, "notify/dev_phone.html", {"sms_list": sms_list, "phone": phone})


@require_GET
def dev_phone_json(request: HttpRequest) -> JsonResponse:
    _dev_only()
    messages = selectors.dev_phone_list(phone=request.GET.get("phone", "").strip())
    return JsonResponse(
        {"messages": [{"to": m.to, "text": m.text, "at": m.at.isoformat()} for m in messages]},
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def dev_mail(request: HttpRequest) -> HttpResponse:
    _dev_only()
    to = request.GET.get("to", "").strip()
    mail_list = selectors.dev_mail_list(to=to)
    return render(request, "notify/dev_mail.html", {"mail_list": mail_list, "to": to})


@require_GET
def dev_mail_json(request: HttpRequest) -> JsonResponse:
    _dev_only()
    messages = selectors.dev_mail_list(to=request.GET.get("to", "").strip())
    return JsonResponse(
        {
            "messages": [
                {
                    "to": m.to,
                    "from": m.from_email,
                    "subject": m.subject,
                    "body": m.body,
                    "at": m.at.isoformat(),
                }
                for m in messages
            ]
        },
        json_dumps_params={"ensure_ascii": False},
    )
