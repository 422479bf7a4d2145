"""A Django e-mail backend that keeps mail in the database, shown at /dev/mail (demo and debug)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from ..models import DevMailMessage


class DevMailboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            html = ""
            if isinstance(message, EmailMultiAlternatives):
                html = next(
                    (str(content) for content, mime in message.alternatives if mime == "text/html"), ""
                )
            DevMailMessage.objects.create(
                to=", ".join(message.recipients()),
                from_email=message.from_email or "",
                subject=str(message.subject),
                body=str(message.body),
                body_html=html,
            )
        return len(email_messages)
