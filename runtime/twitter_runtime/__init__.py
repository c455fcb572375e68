"""Runtime helpers for services that use X credentials. Never imports pulumi."""

from .credentials import TwitterCredentials
from .errors import CredentialsUnavailableError, InvalidInputError
from .keys import (
    ACCESS_LEVELS,
    CREDENTIAL_FIELDS,
    KEY_FIELDS,
    OAUTH2_CLIENT_FIELDS,
    canonical_payload,
    credential_problems,
    fingerprint,
    validate_credentials,
)
from .loader import call_with_refresh, load_bearer_token, load_credentials, refresh_credentials

__all__ = [
    "ACCESS_LEVELS",
    "CREDENTIAL_FIELDS",
    "KEY_FIELDS",
    "OAUTH2_CLIENT_FIELDS",
    "CredentialsUnavailableError",
    "InvalidInputError",
    "TwitterCredentials",
    "call_with_refresh",
    "canonical_payload",
    "credential_problems",
    "fingerprint",
    "load_bearer_token",
    "load_credentials",
    "refresh_credentials",
    "validate_credentials",
]
