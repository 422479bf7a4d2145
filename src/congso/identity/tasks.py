"""Background jobs of the identity domain (django-tasks; the worker is ``manage.py db_worker``)."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from .models import AccountKind, User
from .services import representation_refresh


@task()
def representation_refresh_task(user_id: int) -> bool:
    """Ask the business registry whom the person represents, unless it was asked recently."""
    user = User.objects.filter(pk=user_id, kind=AccountKind.PERSON, is_active=True).first()
    if user is None:
        return False
    return representation_refresh(
        user=user, max_age_seconds=settings.CONGSO_IDENTITY_REPRESENTATION_MAX_AGE_SECONDS
    )
