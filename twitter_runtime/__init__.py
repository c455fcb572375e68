"""Runtime helpers for services that use X credentials. Never imports pulumi."""

from .errors import InvalidInputError
from .keys import (
    CREDENTIAL_FIELDS,
    canonical_payload,
    credential_problems,
    fingerprint,
    validate_credentials,
)

__all__ = [
    "CREDENTIAL_FIELDS",
    "InvalidInputError",
    "canonical_payload",
    "credential_problems",
    "fingerprint",
    "validate_credentials",
]
