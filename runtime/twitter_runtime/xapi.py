"""A small X API client for the checks and flows this project needs.

requests-oauthlib does all signing: OAuth 1.0a (HMAC-SHA1) for user context
and the PIN flow, HTTP Basic for the app-only bearer token. Every request
has a timeout; 5xx answers and connection errors are retried a bounded number
of times with backoff; nothing else is retried (a 429 says when to come back,
a 401 will not change by asking again).

Errors are typed and say which credential pair failed and what to do. They
never contain a key: X's own message is included only after every known key
has been scrubbed from it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote

import requests
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth1, OAuth1Session

from .access_level import access_level_mismatch
from .credentials import TwitterCredentials
from .errors import scrub
from .logs import keep_quiet

keep_quiet()  # their DEBUG records carry keys: see twitter_runtime.logs

DEFAULT_BASE_URL = "https://api.x.com"
#: (connect, read) seconds.
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 20.0)
DEFAULT_ATTEMPTS = 3
#: A long-lived public post: the usual liveness check for a bearer token.
PROBE_POST_ID = "20"

USER_CONTEXT = "user-context keys (API Key pair + Access Token pair)"
CONSUMER_PAIR = "API Key pair (consumer key and secret)"
BEARER = "app-only Bearer Token"


class XApiError(Exception):
    """X refused or failed a request. ``pair`` names the credentials involved."""

    def __init__(
        self, message: str, *, status: int | None = None, code: int | None = None, pair: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.pair = pair


class XAuthenticationError(XApiError):
    """401: X did not accept the signature or token."""


class XTokenRevokedError(XAuthenticationError):
    """401 code 89: the token is invalid or expired (revoked, or regenerated)."""


class XConsumerRejectedError(XApiError):
    """403 code 99 on the OAuth 2.0 endpoints: the API Key pair, or the token given, is not valid."""


class XAccessTierError(XApiError):
    """403 code 453 or client-forbidden: the app's access tier lacks this endpoint."""


class XRateLimitedError(XApiError):
    """429: wait until ``reset_at``."""

    def __init__(self, message: str, *, reset_at: datetime | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.reset_at = reset_at


class XUsageCapError(XApiError):
    """429 ``UsageCapExceeded``: the Project's monthly cap is spent. Not a 15-minute limit: no retry helps."""


class XBearerRejectedError(XAuthenticationError):
    """401 on an app-only call: the Bearer Token was invalidated (it is not the Access Token)."""


class XClientNotEnrolledError(XAccessTierError):
    """403 ``client-not-enrolled``: the App is not attached to a Project that has v2 access."""


class XPermissionError(XApiError):
    """403 ``oauth1-permissions`` (or a bare Forbidden): the Access Token's permission level is too low."""


class XServerError(XApiError):
    """5xx or no answer, after the bounded retries."""


class XUnexpectedAnswerError(XApiError):
    """An answer that is not X's: HTML from a proxy or captive portal, JSON that is no object, a cut-off body."""


class XAccessLevelError(XApiError):
    """The Access Token's permission level (X's x-access-level) is not the declared access_level."""


class XUserMismatchError(XApiError):
    """The Access Token's user id is not the user X says the keys act for."""


@dataclass(frozen=True)
class VerifiedUser:
    id: str
    username: str
    name: str
    #: X's x-access-level header: read, read-write or read-write-directmessages.
    access_level: str = ""


@dataclass(frozen=True, repr=False)
class RequestToken:
    """A temporary PIN-flow token. ``repr`` hides the secret half."""

    token: str
    secret: str = field(repr=False)

    def __repr__(self) -> str:
        return "RequestToken(<hidden>)"


@dataclass(frozen=True, repr=False)
class AccessGrant:
    """What the PIN flow yields: a new Access Token pair for ``screen_name``."""

    user_id: str
    screen_name: str
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)

    def __repr__(self) -> str:
        return f"AccessGrant(user_id={self.user_id!r}, screen_name={self.screen_name!r})"


def _scrub(text: str, secrets: Iterable[str]) -> str:
    return scrub(text, tuple(secrets))


def _reset_time(response: requests.Response) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(response.headers["x-rate-limit-reset"]), tz=UTC)
    except (KeyError, ValueError):
        return None


def _problem(body: Any) -> str:
    """The last part of a v2 problem's ``type`` (``usage-capped``, ``oauth1-permissions``…), or ''."""
    kind = body.get("type") if isinstance(body, dict) else None
    return kind.rsplit("/", 1)[-1] if isinstance(kind, str) and "/problems/" in kind else ""


def _x_message(body: Any) -> tuple[int | None, str]:
    """X's error code and message, from either the v1.1 or the v2 (problem JSON) shape."""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            code = first.get("code")
            return (code if isinstance(code, int) else None), str(first.get("message", ""))
        if "title" in body or "detail" in body:
            return None, f"{body.get('title', '')}: {body.get('detail', '')}".strip(": ")
    return None, ""


class XApiClient:
    """One API host for a whole flow: the host is part of every OAuth 1.0a signature."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep

    @classmethod
    def for_host(cls, base_url: str | None = None) -> XApiClient:
        """The given host, else $X_API_BASE_URL, else https://api.x.com."""
        return cls(base_url or os.environ.get("X_API_BASE_URL") or DEFAULT_BASE_URL)

    # --- transport --------------------------------------------------------------------------

    def _send(
        self, method: str, path: str, *, pair: str, secrets: Iterable[str], session: Any = None, **kwargs: Any
    ) -> requests.Response:
        """Send with retries on 5xx and connection errors only; map every failure."""
        secrets = tuple(secrets)
        sender = session or requests
        url = f"{self.base_url}{path}"
        path = path.split("?", 1)[0]  # messages name the endpoint, never its parameters
        for attempt in range(1, self.attempts + 1):
            try:
                response = sender.request(method, url, timeout=self.timeout, **kwargs)
            except (
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ) as error:
                if attempt == self.attempts:
                    raise XUnexpectedAnswerError(
                        f"{method} {path}: unexpected answer from X: the body was cut off or garbled "
                        f"({type(error).__name__}) after {attempt} attempts; a proxy between here and "
                        f"{self.base_url} may be interfering; try again",
                        pair=pair,
                    ) from None
            except (requests.ConnectionError, requests.Timeout) as error:
                if attempt == self.attempts:
                    raise XServerError(
                        f"no answer from {self.base_url}{path} after {attempt} attempts "
                        f"({type(error).__name__}); check the network and try again",
                        pair=pair,
                    ) from None
            else:
                if response.status_code < 500 or attempt == self.attempts:
                    break
            self.sleep(self.backoff_seconds * 2 ** (attempt - 1))
        if response.status_code >= 400:
            raise self._error(response, path, pair, secrets)
        return response

    def _error(
        self, response: requests.Response, path: str, pair: str, secrets: tuple[str, ...]
    ) -> XApiError:
        try:
            body = response.json()
        except ValueError:
            body = None
        code, message = _x_message(body)
        said = _scrub(f" X said: {message}" if message else "", secrets)
        where = f"{response.request.method if response.request else ''} {path}".strip()
        status = response.status_code
        kwargs = {"status": status, "code": code, "pair": pair}
        problem = _problem(body)
        if status == 429 and problem == "usage-capped":
            scope = body.get("scope") if isinstance(body, dict) else None
            scope = scope if isinstance(scope, str) and scope.isalpha() and len(scope) <= 20 else "Product"
            return XUsageCapError(
                f"{where}: the monthly usage cap of this App's Project is used up (UsageCapExceeded, "
                f"{scope.lower()} cap). This is not a 15-minute rate limit: waiting minutes or retrying will "
                "not help. It lifts when the cap resets with the next billing month, or at once by moving the "
                f"Project to a plan with a higher cap (developer portal, Products).{said}",
                **kwargs,
            )
        if status == 429:
            reset = _reset_time(response)
            when = reset.isoformat() if reset else "the time in x-rate-limit-reset"
            return XRateLimitedError(
                f"{where}: rate limited; wait until {when} before trying again.{said}",
                reset_at=reset,
                **kwargs,
            )
        if status == 401 and pair == BEARER:
            return XBearerRejectedError(
                f"{where}: X rejected the app-only Bearer Token{' (code 89)' if code == 89 else ''}: it was "
                "invalidated or regenerated. The Bearer Token is not the Access Token, so a new Access Token pair "
                "will not help: let bearer rotation replace it (aws secretsmanager rotate-secret --secret-id "
                "<the app's bearerSecretArn>), or invalidate it (POST /oauth2/invalidate_token) and get the "
                f"current one with POST /oauth2/token and the API Key pair.{said}",
                **kwargs,
            )
        if status == 401 and code == 89:
            return XTokenRevokedError(
                f"{where}: X says the token is invalid or expired (code 89): the user revoked the app or the "
                f"token was regenerated. Create a new Access Token pair (developer portal, or the PIN flow) "
                f"and set it again.{said}",
                **kwargs,
            )
        if status == 401 and pair == USER_CONTEXT:
            return XAuthenticationError(
                f"{where}: X did not accept the {pair}{' (code 32)' if code == 32 else ''}. Either the account "
                "revoked the App's access or the Access Token pair was regenerated (then create a new Access Token "
                "pair: developer portal, or the PIN flow with `twitter-secrets authorize`), or the API Key pair "
                "was regenerated (then set the new pair, and a new Access Token pair with it). Check that the four "
                f"keys belong to the same App.{said}",
                **kwargs,
            )
        if status == 401:
            return XAuthenticationError(
                f"{where}: X could not authenticate the {pair}"
                f"{' (code 32)' if code == 32 else ''}. Regenerate them in the developer portal "
                f"(Keys and tokens) and set them again; check that the four keys belong to the same app.{said}",
                **kwargs,
            )
        if status == 403 and isinstance(body, dict) and body.get("reason") == "client-not-enrolled":
            return XClientNotEnrolledError(
                f"{where}: X only answers v2 requests from an App attached to a Project (client-not-enrolled). "
                "In the developer portal, add this App to a Project (Projects & Apps), on a plan that includes "
                "the v2 endpoints; a higher tier alone does not attach it.",
                **kwargs,
            )
        if status == 403 and code == 453:
            return XAccessTierError(
                f"{where}: the app's access tier does not include this endpoint (code 453); move the "
                f"Project to a plan that includes it in the developer portal.{said}",
                **kwargs,
            )
        if status == 403 and code == 99:
            return XConsumerRejectedError(
                f"{where}: X could not verify the {pair} (code 99). Regenerate the API Key pair in the developer "
                f"portal and set it again.{said}",
                **kwargs,
            )
        if status == 403 and (
            problem == "oauth1-permissions" or (isinstance(body, dict) and body.get("title") == "Forbidden")
        ):
            return XPermissionError(
                f"{where}: X refused: the App's permissions do not allow this request. In the developer portal "
                "set the App's permissions (User authentication settings: Read, Read and write, or Read and write "
                "and Direct message), then regenerate the Access Token pair: a token keeps the permission level it "
                f"was issued with.{said}",
                **kwargs,
            )
        if status >= 500:
            return XServerError(
                f"{where}: X answered {status} after {self.attempts} attempts; try again later.{said}",
                **kwargs,
            )
        if not isinstance(body, dict):
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            return XUnexpectedAnswerError(
                f"{where}: unexpected answer from X: HTTP {status} with {kind}, not X's JSON; a proxy or captive "
                "portal may be answering in X's place",
                **kwargs,
            )
        return XApiError(f"{where}: X answered {status}.{said}", **kwargs)

    @staticmethod
    def _object(response: requests.Response, where: str, pair: str) -> dict[str, Any]:
        """The JSON object X answers with, or a clear error for anything else (HTML, a list, garbage)."""
        try:
            body = response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            raise XUnexpectedAnswerError(
                f"{where}: unexpected answer from X: HTTP {response.status_code} with {kind}, not JSON; a proxy "
                "or captive portal may be answering in X's place. Check the network path to the API host",
                status=response.status_code,
                pair=pair,
            ) from None
        if not isinstance(body, dict):
            raise XUnexpectedAnswerError(
                f"{where}: unexpected answer from X: JSON that is not an object ({type(body).__name__})",
                status=response.status_code,
                pair=pair,
            )
        return body

    @staticmethod
    def _basic(consumer_key: str, consumer_secret: str) -> HTTPBasicAuth:
        # X asks for RFC 1738 encoding of each half before Base64.
        return HTTPBasicAuth(quote(consumer_key, safe=""), quote(consumer_secret, safe=""))

    # --- checks -----------------------------------------------------------------------------

    def verify_user_context(self, creds: TwitterCredentials) -> VerifiedUser:
        """``GET /2/users/me`` signed with all four keys; the user must be the token's owner."""
        response = self._send(
            "GET", "/2/users/me", pair=USER_CONTEXT, secrets=creds.secret_values(), auth=creds.oauth1()
        )
        data = self._object(response, "GET /2/users/me", USER_CONTEXT).get("data") or {}
        if not isinstance(data, dict):
            data = {}
        user = VerifiedUser(
            id=str(data.get("id", "")),
            username=str(data.get("username", "")),
            name=str(data.get("name", "")),
            access_level=response.headers.get("x-access-level", ""),
        )
        if user.id != creds.user_id:
            raise XUserMismatchError(
                f"GET /2/users/me: the Access Token's user id ({creds.user_id}) is not the user X says these keys "
                f"act for ({user.id or 'none'}); the Access Token pair belongs to another account",
                pair=USER_CONTEXT,
            )
        return user

    def reported_access_level(self, creds: TwitterCredentials, user: VerifiedUser) -> str:
        """X's ``x-access-level`` for the token: from ``/2/users/me`` when X sent it there, else from
        ``GET /1.1/account/verify_credentials.json``, the endpoint X documents the header on."""
        if user.access_level:
            return user.access_level
        response = self._send(
            "GET",
            "/1.1/account/verify_credentials.json",
            pair=USER_CONTEXT,
            secrets=creds.secret_values(),
            auth=creds.oauth1(),
            params={"include_entities": "false", "skip_status": "true", "include_email": "false"},
        )
        return response.headers.get("x-access-level", "")

    def check_access_level(self, label: str, creds: TwitterCredentials, user: VerifiedUser) -> str:
        """Fail with the fix unless X reports the level ``creds.access_level`` declares; returns X's level."""
        if creds.access_level is None:
            return user.access_level
        reported = self.reported_access_level(creds, user)
        problem = access_level_mismatch(label, creds.access_level, reported)
        if problem:
            raise XAccessLevelError(problem, pair=USER_CONTEXT)
        return reported

    def verify_keys(self, label: str, creds: TwitterCredentials) -> VerifiedUser:
        """Every check a stored set must pass, in order: user context, the declared access level,
        then the API Key pair. The deploy-time gate and ``twitter-secrets verify`` both run this."""
        user = self.verify_user_context(creds)
        level = self.check_access_level(label, creds, user)
        self.verify_app(creds.consumer_key, creds.consumer_secret)
        return replace(user, access_level=level)

    def issue_bearer(self, consumer_key: str, consumer_secret: str) -> str:
        """``POST /oauth2/token``: the app's one bearer token (the same until invalidated)."""
        response = self._send(
            "POST",
            "/oauth2/token",
            pair=CONSUMER_PAIR,
            secrets=(consumer_key, consumer_secret),
            auth=self._basic(consumer_key, consumer_secret),
            data={"grant_type": "client_credentials"},
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
        )
        body = self._object(response, "POST /oauth2/token", CONSUMER_PAIR) if response.content else {}
        if str(body.get("token_type", "")).lower() != "bearer" or not body.get("access_token"):
            raise XApiError("POST /oauth2/token: X answered without a bearer token", pair=CONSUMER_PAIR)
        return str(body["access_token"])

    def verify_app(self, consumer_key: str, consumer_secret: str) -> None:
        """The API Key pair works: X hands out the app's bearer token for it."""
        self.issue_bearer(consumer_key, consumer_secret)

    def invalidate_bearer(self, creds: TwitterCredentials, bearer_token: str) -> None:
        """``POST /oauth2/invalidate_token``, signed with the app owner's four keys (OAuth 1.0a).

        The token goes in the query string exactly as X issued it (already
        percent-encoded), as X's reference shows; encoding it again would name
        another token.
        """
        try:
            self._send(
                "POST",
                f"/oauth2/invalidate_token?access_token={bearer_token}",
                pair=USER_CONTEXT,
                secrets=(*creds.as_dict().values(), bearer_token),
                auth=creds.oauth1(),
            )
        except XConsumerRejectedError as error:
            raise XConsumerRejectedError(
                "POST /oauth2/invalidate_token: X does not know this bearer token (code 99): it was already "
                "invalidated, or the keys signing the call are not the app owner's",
                status=error.status,
                code=error.code,
                pair=BEARER,
            ) from None

    def check_bearer(self, bearer_token: str) -> None:
        """``GET /2/tweets/20`` with the bearer token must answer 200."""
        response = self._send(
            "GET",
            f"/2/tweets/{PROBE_POST_ID}",
            pair=BEARER,
            secrets=(bearer_token,),
            headers={"Authorization": f"Bearer {bearer_token}"},
        )
        if "data" not in self._object(response, f"GET /2/tweets/{PROBE_POST_ID}", BEARER):
            raise XUnexpectedAnswerError(
                f"GET /2/tweets/{PROBE_POST_ID}: unexpected answer from X: 200 without the post", pair=BEARER
            )

    # --- PIN flow (3-legged, out of band) ---------------------------------------------------

    def request_token(self, consumer_key: str, consumer_secret: str) -> RequestToken:
        """Step 1: a temporary token, with ``oauth_callback=oob`` so X shows the user a PIN."""
        session = OAuth1Session(consumer_key, client_secret=consumer_secret, callback_uri="oob")
        response = self._send(
            "POST",
            "/oauth/request_token",
            pair=CONSUMER_PAIR,
            secrets=(consumer_key, consumer_secret),
            session=session,
        )
        fields = dict(parse_qsl(response.text))
        if fields.get("oauth_callback_confirmed") != "true" or "oauth_token" not in fields:
            raise XApiError(
                "POST /oauth/request_token: X did not confirm the out-of-band callback", pair=CONSUMER_PAIR
            )
        return RequestToken(fields["oauth_token"], fields["oauth_token_secret"])

    def authorize_url(self, request_token: RequestToken) -> str:
        """Step 2: where the account holder approves the app and reads the PIN."""
        return f"{self.base_url}/oauth/authorize?oauth_token={quote(request_token.token, safe='')}"

    def access_token(
        self, consumer_key: str, consumer_secret: str, request_token: RequestToken, verifier: str
    ) -> AccessGrant:
        """Step 3: trade the PIN for the account's Access Token pair."""
        auth = OAuth1(
            consumer_key,
            client_secret=consumer_secret,
            resource_owner_key=request_token.token,
            resource_owner_secret=request_token.secret,
            verifier=verifier.strip(),
        )
        response = self._send(
            "POST",
            "/oauth/access_token",
            pair=CONSUMER_PAIR,
            secrets=(consumer_key, consumer_secret, request_token.token, request_token.secret),
            auth=auth,
        )
        fields = dict(parse_qsl(response.text))
        missing = [
            k for k in ("oauth_token", "oauth_token_secret", "user_id", "screen_name") if k not in fields
        ]
        if missing:
            raise XApiError(
                f"POST /oauth/access_token: X's answer lacks {', '.join(missing)}", pair=CONSUMER_PAIR
            )
        return AccessGrant(
            user_id=fields["user_id"],
            screen_name=fields["screen_name"],
            access_token=fields["oauth_token"],
            access_token_secret=fields["oauth_token_secret"],
        )


_default = XApiClient()


def verify_user_context(creds: TwitterCredentials, *, client: XApiClient = _default) -> VerifiedUser:
    return client.verify_user_context(creds)


def verify_app(consumer_key: str, consumer_secret: str, *, client: XApiClient = _default) -> None:
    client.verify_app(consumer_key, consumer_secret)


def issue_bearer(consumer_key: str, consumer_secret: str, *, client: XApiClient = _default) -> str:
    return client.issue_bearer(consumer_key, consumer_secret)


def invalidate_bearer(creds: TwitterCredentials, bearer_token: str, *, client: XApiClient = _default) -> None:
    client.invalidate_bearer(creds, bearer_token)
