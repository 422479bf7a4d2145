"""Accounts of the platform ("tài khoản định danh điện tử").

The username of a person's account is their 12-digit personal identification number
(Decree 69/2024 art. 2); operators and officers are people too and log in the same way.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """An account: a person who logs in to the platform."""

    full_name = models.CharField("họ và tên", max_length=200, blank=True)

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"

    def __str__(self) -> str:
        return self.full_name or self.username
