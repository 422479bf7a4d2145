"""Identifiers of the exchange, X-Road style: ``INSTANCE/CLASS/MEMBER/SUBSYSTEM[/SERVICE]``.

A client (a member's subsystem) is named in the ``X-Road-Client`` or
``Information-Mediator-Client`` header as ``VN/GOV/000.00.00.H15/PORTAL``; a service is
addressed as ``/r1/VN/GOV/000.00.00.H15/DANCU/citizen-basic``. Codes may hold letters, digits
and ``.-_:`` but never a slash, which separates the parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}", re.ASCII)
# The GovStack Information Mediator directory's meta-services share the service position of
# the address; no service may take these codes.
META_SERVICES = frozenset({"listMethods", "allowedMethods", "getOpenAPI"})


def part_valid(value: str) -> bool:
    return bool(_PART.fullmatch(value))


@dataclass(frozen=True, slots=True)
class ClientId:
    instance: str
    member_class: str
    member_code: str
    subsystem_code: str

    def __str__(self) -> str:
        return f"{self.instance}/{self.member_class}/{self.member_code}/{self.subsystem_code}"

    @classmethod
    def parse(cls, value: str) -> ClientId | None:
        """The client named by ``value``, or None if it is not four valid parts."""
        parts = value.strip().split("/")
        if len(parts) != 4 or not all(part_valid(part) for part in parts):
            return None
        return cls(*parts)


@dataclass(frozen=True, slots=True)
class ServiceId:
    instance: str
    member_class: str
    member_code: str
    subsystem_code: str
    service_code: str

    def __str__(self) -> str:
        return f"{self.instance}/{self.member_class}/{self.member_code}/{self.subsystem_code}/{self.service_code}"

    @property
    def provider(self) -> ClientId:
        return ClientId(self.instance, self.member_class, self.member_code, self.subsystem_code)

    @classmethod
    def parse(cls, value: str) -> ServiceId | None:
        parts = value.strip().strip("/").split("/")
        if len(parts) != 5 or not all(part_valid(part) for part in parts):
            return None
        return cls(*parts)
