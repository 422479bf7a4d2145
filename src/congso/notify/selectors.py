"""Reads of the notify domain: the inbox and the development phone and mailbox."""

from __future__ import annotations

import contextlib
from typing import Any

from django.db.models import QuerySet

from congso.core.errors import InvalidInput

from .models import DevMailMessage, DevPhoneMessage, Message
from .phone import phone_normalize


def inbox_list(*, user: Any) -> QuerySet[Message]:
    """The user's own in-app messages, newest first."""
    return Message.objects.visible_to(user).inbox().order_by("-created_at", "-id")


def inbox_unread_count(*, user: Any) -> int:
    return Message.objects.visible_to(user).inbox().filter(read_at__isnull=True).count()


def dev_phone_list(*, phone: str = "", limit: int = 100) -> list[DevPhoneMessage]:
    """The latest SMS on the development phone, newest first, optionally to one number."""
    messages = DevPhoneMessage.objects.order_by("-at", "-id")
    if phone:
        with contextlib.suppress(InvalidInput):  # then nothing matches, the honest answer
            phone = phone_normalize(phone)
        messages = messages.filter(to=phone)
    return list(messages[:limit])


def dev_mail_list(*, to: str = "", limit: int = 100) -> list[DevMailMessage]:
    """The latest e-mail in the development mailbox, newest first, optionally to one address."""
    messages = DevMailMessage.objects.order_by("-at", "-id")
    if to:
        messages = messages.filter(to__icontains=to.strip())
    return list(messages[:limit])
