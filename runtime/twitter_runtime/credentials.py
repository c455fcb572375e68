"""The credential set a service holds in memory, and what it builds from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .keys import CREDENTIAL_FIELDS, STORED_FIELDS, canonical_payload, fingerprint

if TYPE_CHECKING:  # imported lazily: a service that only needs the values skips requests
    from requests_oauthlib import OAuth1, OAuth1Session, OAuth2Session

#: Where X's OAuth 2.0 user flow sends the account holder to approve the App.
OAUTH2_AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
#: Where the code (and later a refresh token) is exchanged for an access token.
OAUTH2_TOKEN_PATH = "/2/oauth2/token"


@dataclass(frozen=True, repr=False)
class TwitterCredentials:
    """One account's keys for one App. ``repr``/``str`` show the fingerprint, never a value,
    so logging the object (or an exception that includes it) is safe."""

    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)
    #: Where the keys came from (a secret ARN); not secret.
    source: str | None = None
    #: The App's OAuth 2.0 Client ID, when stored (OAuth 2.0 user flows).
    client_id: str | None = field(default=None, repr=False)
    #: The OAuth 2.0 Client Secret: confidential clients only.
    client_secret: str | None = field(default=None, repr=False)
    #: The permission the Access Token was issued with, as declared: read, read-write or
    #: read-write-directmessages (X's x-access-level values). Not secret.
    access_level: str | None = None

    @property
    def fingerprint(self) -> str:
        """The same fingerprint the Pulumi program tags the secret with."""
        return fingerprint(canonical_payload(self.stored()))

    @property
    def user_id(self) -> str:
        """The X user id the access token acts for (its numeric prefix)."""
        return self.access_token.split("-", 1)[0]

    @property
    def has_oauth2_client(self) -> bool:
        return self.client_id is not None

    def as_dict(self) -> dict[str, str]:
        """The four OAuth 1.0a values by field name, e.g. for ``tweepy.Client(**creds.as_dict())``."""
        return {name: getattr(self, name) for name in CREDENTIAL_FIELDS}

    def stored(self) -> dict[str, str]:
        """Every field the secret holds, as stored (what the fingerprint is taken over)."""
        return {name: getattr(self, name) for name in STORED_FIELDS if getattr(self, name) is not None}

    def secret_values(self) -> list[str]:
        """The values that must never be shown (for scrubbing error texts)."""
        return [v for k, v in self.stored().items() if k != "access_level"]

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

    def oauth2_session(self, redirect_uri: str, scope: list[str], **kwargs: Any) -> OAuth2Session:
        """An OAuth 2.0 authorization-code session with PKCE (S256), as X requires.

        ``authorization_url(OAUTH2_AUTHORIZE_URL)`` gives the link for the account holder;
        ``fetch_token(<api host> + OAUTH2_TOKEN_PATH, authorization_response=...,
        client_secret=creds.client_secret)`` exchanges the code (a confidential client
        authenticates with its secret, a public one sends only the id).
        """
        if self.client_id is None:
            raise ValueError(
                f"{self!r} holds no OAuth 2.0 Client ID; store client_id (and client_secret for a "
                "confidential client) with the App's keys"
            )
        from requests_oauthlib import OAuth2Session

        return OAuth2Session(self.client_id, redirect_uri=redirect_uri, scope=scope, pkce="S256", **kwargs)

    def __repr__(self) -> str:
        extra = f", access_level={self.access_level!r}" if self.access_level else ""
        if self.client_id is not None:
            extra += ", oauth2_client=True"
        return f"TwitterCredentials(fingerprint={self.fingerprint!r}, source={self.source!r}{extra})"

    __str__ = __repr__
