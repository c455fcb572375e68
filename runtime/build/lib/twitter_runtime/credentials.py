"""The credential set a service holds in memory, and what it builds from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .keys import CREDENTIAL_FIELDS, canonical_payload, fingerprint

if TYPE_CHECKING:  # imported lazily: a service that only needs the values skips requests
    from requests_oauthlib import OAuth1, OAuth1Session


@dataclass(frozen=True, repr=False)
class TwitterCredentials:
    """One app's four keys. ``repr``/``str`` show the fingerprint, never a value,
    so logging the object (or an exception that includes it) is safe."""

    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)
    #: Where the keys came from (a secret ARN); not secret.
    source: str | None = None

    @property
    def fingerprint(self) -> str:
        """The same fingerprint the Pulumi program tags the secret with."""
        return fingerprint(canonical_payload(self.as_dict()))

    @property
    def user_id(self) -> str:
        """The X user id the access token acts for (its numeric prefix)."""
        return self.access_token.split("-", 1)[0]

    def as_dict(self) -> dict[str, str]:
        """The four values by field name, e.g. for ``tweepy.Client(**creds.as_dict())``."""
        return {name: getattr(self, name) for name in CREDENTIAL_FIELDS}

    def oauth1(self) -> OAuth1:
        """OAuth 1.0a (HMAC-SHA1) request signing for ``requests``."""
        from requests_oauthlib import OAuth1

        return OAuth1(
            self.consumer_key,
            client_secret=self.consumer_secret,
            resource_owner_key=self.access_token,
            resource_owner_secret=self.access_token_secret,
            signature_method="HMAC-SHA1",
        )

    def session(self, **kwargs: Any) -> OAuth1Session:
        """A ``requests`` session that signs every request with these keys."""
        from requests_oauthlib import OAuth1Session

        return OAuth1Session(
            self.consumer_key,
            client_secret=self.consumer_secret,
            resource_owner_key=self.access_token,
            resource_owner_secret=self.access_token_secret,
            signature_method="HMAC-SHA1",
            **kwargs,
        )

    def __repr__(self) -> str:
        return f"TwitterCredentials(fingerprint={self.fingerprint!r}, source={self.source!r})"

    __str__ = __repr__
