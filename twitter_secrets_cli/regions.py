"""boto3 clients in the region each secret lives in.

Stacks span regions, and a secret's ARN names its region: reading a
``us-west-2`` secret with a ``us-east-1`` client says "no such secret", a
false alarm. Each service and region gets one client, made before any
threads use it (making boto3 clients is not thread-safe).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

#: service, region (None: the environment's default) → a boto3 client.
ClientFactory = Callable[[str, str | None], Any]


def region_of(arn: str) -> str | None:
    """``arn:aws:secretsmanager:<region>:…`` → ``<region>``; None for anything that is not an ARN."""
    parts = arn.split(":")
    return parts[3] or None if len(parts) >= 6 and parts[0] == "arn" else None


def default_factory(service: str, region: str | None) -> Any:
    import boto3

    return boto3.client(service, region_name=region) if region else boto3.client(service)


class RegionalClients:
    """One client per (service, region), the region taken from each ARN."""

    def __init__(self, make: ClientFactory | None = None) -> None:
        self._make = make or default_factory
        self._clients: dict[tuple[str, str | None], Any] = {}

    def prepare(self, service: str, arns: Iterable[str]) -> None:
        """Make every client these ARNs will need, up front, in this thread."""
        for arn in arns:
            self.get(service, region_of(arn))

    def get(self, service: str, region: str | None) -> Any:
        if (service, region) not in self._clients:
            self._clients[(service, region)] = self._make(service, region)
        return self._clients[(service, region)]

    def for_arn(self, service: str, arn: str) -> Any:
        return self.get(service, region_of(arn))
