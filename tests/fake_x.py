"""A local fake of the X API endpoints this project calls, on 127.0.0.1.

OAuth 1.0a signatures are verified for real with oauthlib's server side
(``SignatureOnlyEndpoint`` and a ``RequestValidator``) against the exact URL
the client signed, so a signing bug in the client fails the tests. HTTP Basic
is checked on the OAuth 2.0 endpoints; one bearer token is kept per app, as X
does. Answers use X's documented bodies and headers. Tests can queue faults
(any status, body and headers) for the next calls to an endpoint.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint

V2_UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
V2_TOO_MANY = {
    "title": "Too Many Requests",
    "type": "about:blank",
    "status": 429,
    "detail": "Too Many Requests",
}
CODE_32 = {"errors": [{"code": 32, "message": "Could not authenticate you."}]}
CODE_89 = {"errors": [{"code": 89, "message": "Invalid or expired token."}]}
CODE_99 = {
    "errors": [
        {"code": 99, "label": "authenticity_token_error", "message": "Unable to verify your credentials"}
    ]
}
CODE_453 = {
    "errors": [
        {
            "message": "You currently have access to a subset of X API V2 endpoints and limited v1.1 endpoints "
            "(e.g. media post, oauth) only. If you need access to this endpoint, you may need a different access "
            "level. You can learn more here: https://developer.x.com/en/portal/product",
            "code": 453,
        }
    ]
}
SERVER_ERROR = {
    "title": "Service Unavailable",
    "type": "about:blank",
    "status": 503,
    "detail": "Service Unavailable",
}
#: X's answers that the client must map to advice; the bodies as X publishes them (docs and issue threads).
USAGE_CAPPED = {
    "title": "UsageCapExceeded",
    "detail": "Usage cap exceeded: Monthly product cap",
    "type": "https://api.twitter.com/2/problems/usage-capped",
    "period": "Monthly",
    "scope": "Product",
}
CLIENT_NOT_ENROLLED = {
    "client_id": "26744488",
    "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a "
    "Twitter developer App that is attached to a Project. You can create a project via the developer portal.",
    "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
    "title": "Client Forbidden",
    "required_enrollment": "Appropriate Level of API Access",
    "reason": "client-not-enrolled",
    "type": "https://api.twitter.com/2/problems/client-forbidden",
}
OAUTH1_PERMISSIONS = {
    "title": "Forbidden",
    "type": "https://api.twitter.com/2/problems/oauth1-permissions",
    "status": 403,
    "detail": "Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.",
}
V2_FORBIDDEN = {"title": "Forbidden", "type": "about:blank", "status": 403, "detail": "Forbidden"}
#: What a captive portal or a corporate proxy answers instead of X.
CAPTIVE_PORTAL_HTML = (
    b"<!DOCTYPE html><html><head><title>Sign in to Wi-Fi</title></head><body>Accept terms</body></html>"
)


@dataclass(frozen=True)
class RawBody:
    """An answer that is not X's JSON: sent as these bytes with this content type."""

    data: bytes
    content_type: str = "text/html; charset=utf-8"


#: A chunked answer whose chunk is shorter than it says, then the connection closes.
BROKEN_CHUNKED = object()

PROBE_POST = {"data": {"edit_history_tweet_ids": ["20"], "id": "20", "text": "just setting up my twttr"}}
_ALNUM = string.ascii_letters + string.digits


def _random(n: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(n))


@dataclass
class FakeApp:
    consumer_secret: str
    bearer: str | None = None
    #: Endpoint paths the app's access tier does not include (answered with 403 code 453).
    denied: set[str] = field(default_factory=set)


@dataclass
class FakeToken:
    secret: str
    consumer_key: str
    user_id: str
    kind: str = "access"  # or "request"
    verifier: str | None = None
    revoked: bool = False
    #: The App's permission when the token was generated; X reports it as x-access-level.
    access_level: str = "read-write"


@dataclass
class Seen:
    method: str
    path: str
    status: int
    authorized: bool


@dataclass
class Fault:
    status: int
    body: Any
    headers: dict[str, str]
    delay: float = 0.0


class _Validator(RequestValidator):
    """Looks keys up in the fake's state; lengths and characters fit X's keys."""

    enforce_ssl = False  # loopback only
    safe_characters: ClassVar[set[str]] = set(_ALNUM + "-")
    client_key_length = (10, 100)
    access_token_length = (10, 200)
    request_token_length = (10, 200)
    nonce_length = (8, 64)
    verifier_length = (4, 64)
    dummy_client = "dummyclientkeydummyclient"
    dummy_access_token = "1-dummyaccesstokendummyaccesstoken"
    dummy_request_token = "dummyrequesttokendummyrequesttoken"

    def __init__(self, fake: FakeX) -> None:
        super().__init__()
        self.fake = fake

    def validate_client_key(self, client_key: str, request: Any) -> bool:
        return client_key in self.fake.apps

    def get_client_secret(self, client_key: str, request: Any) -> str:
        app = self.fake.apps.get(client_key)
        return app.consumer_secret if app else "dummy-secret"

    def get_access_token_secret(self, client_key: str, token: str, request: Any) -> str:
        found = self.fake.tokens.get(token)
        return found.secret if found and found.consumer_key == client_key else "dummy-token-secret"

    def validate_timestamp_and_nonce(
        self, client_key, timestamp, nonce, request, request_token=None, access_token=None
    ):
        key = (client_key, timestamp, nonce)
        with self.fake.lock:
            if key in self.fake.nonces:
                return False  # a replayed request
            self.fake.nonces.add(key)
        return True


class FakeX:
    def __init__(self) -> None:
        self.apps: dict[str, FakeApp] = {}
        self.tokens: dict[str, FakeToken] = {}
        self.users: dict[str, tuple[str, str]] = {}
        self.nonces: set[tuple[str, str, str]] = set()
        self.faults: dict[tuple[str, str], deque[Fault]] = defaultdict(deque)
        self.seen: list[Seen] = []
        self.lock = threading.RLock()
        self.invalidated_at: dict[str, float] = {}
        #: Requests per user to /2/users/me before 429, per window (X: 75 per 15 minutes).
        self.users_me_limit = 75
        self._users_me_calls: dict[str, int] = defaultdict(int)
        self._endpoint = SignatureOnlyEndpoint(_Validator(self))
        self.url = ""
        #: Whether /2/users/me carries x-access-level (the v1.1 verify_credentials answer always does).
        self.v2_reports_access_level = True

    # --- state set-up ------------------------------------------------------------------------

    def add_app(self, consumer_key: str, consumer_secret: str) -> FakeApp:
        app = FakeApp(consumer_secret)
        self.apps[consumer_key] = app
        return app

    def add_user(
        self,
        consumer_key: str,
        access_token: str,
        access_token_secret: str,
        username: str,
        access_level: str = "read-write",
    ) -> None:
        user_id = access_token.split("-", 1)[0]
        self.users[user_id] = (username, username.title())
        self.tokens[access_token] = FakeToken(
            access_token_secret, consumer_key, user_id, access_level=access_level
        )

    def add_credentials(
        self, creds: dict[str, str], username: str = "brandbot", access_level: str = "read-write"
    ) -> FakeApp:
        app = self.apps.get(creds["consumer_key"]) or self.add_app(
            creds["consumer_key"], creds["consumer_secret"]
        )
        self.add_user(
            creds["consumer_key"], creds["access_token"], creds["access_token_secret"], username, access_level
        )
        return app

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        body: Any = None,
        *,
        times: int = 1,
        headers=None,
        delay=0.0,
    ) -> None:
        """Answer the next ``times`` calls to ``method path`` with this fault (after ``delay`` s)."""
        for _ in range(times):
            self.faults[(method, path)].append(Fault(status, body, dict(headers or {}), delay))

    def approve(self, request_token: str, username: str) -> str:
        """The account holder opens the authorize URL and approves: X shows a PIN."""
        token = self.tokens[request_token]
        user_id = next(uid for uid, (name, _) in self.users.items() if name == username)
        token.user_id = user_id
        token.verifier = "".join(secrets.choice(string.digits) for _ in range(7))
        return token.verifier

    def current_bearer(self, consumer_key: str) -> str | None:
        return self.apps[consumer_key].bearer

    def calls(self, method: str, path: str) -> list[Seen]:
        return [s for s in self.seen if (s.method, s.path) == (method, path)]

    # --- request handling ---------------------------------------------------------------------

    def handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length).decode() if length else ""
        parts = urlsplit(request.path)
        path = parts.path
        # The exact URL the client signed: scheme, host and port as it sent them.
        # A test client that forwards a request made for https://api.x.com says so here.
        scheme = request.headers.get("X-Forwarded-Proto", "http")
        uri = f"{scheme}://{request.headers['Host']}{request.path}"
        headers = {k: v for k, v in request.headers.items()}
        params = dict(parse_qsl(parts.query))
        if "application/x-www-form-urlencoded" in headers.get("Content-Type", ""):
            params.update(parse_qsl(body))
        with self.lock:
            queued = self.faults.get((method, path))
            fault = queued.popleft() if queued else None
        if fault:
            time.sleep(fault.delay)
            self._reply(request, method, path, fault.status, fault.body, fault.headers, authorized=False)
            return
        route = {
            ("GET", "/2/users/me"): self._users_me,
            ("GET", "/1.1/account/verify_credentials.json"): self._verify_credentials,
            ("POST", "/oauth2/token"): self._oauth2_token,
            ("POST", "/oauth2/invalidate_token"): self._invalidate,
            ("GET", "/2/tweets/20"): self._probe_post,
            ("POST", "/oauth/request_token"): self._request_token,
            ("POST", "/oauth/access_token"): self._access_token,
        }.get((method, path))
        if route is None:
            self._reply(
                request, method, path, 404, {"title": "Not Found", "status": 404}, {}, authorized=False
            )
            return
        status, payload, extra, authorized = route(uri, method, body, headers, params)
        self._reply(request, method, path, status, payload, extra, authorized=authorized)

    def _reply(self, request, method, path, status, payload, headers, *, authorized) -> None:
        with self.lock:
            self.seen.append(Seen(method, path, status, authorized))
        if payload is BROKEN_CHUNKED:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Transfer-Encoding", "chunked")
            request.end_headers()
            request.wfile.write(b'400\r\n{"data":')  # promises 1024 bytes, sends 8
            request.wfile.flush()
            request.close_connection = True
            return
        if isinstance(payload, RawBody):
            data, ctype = payload.data, payload.content_type
        elif isinstance(payload, str):
            data, ctype = payload.encode(), "application/x-www-form-urlencoded"
        else:
            data, ctype = json.dumps(payload if payload is not None else {}).encode(), "application/json"
        request.send_response(status)
        request.send_header("Content-Type", ctype)
        request.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            request.send_header(key, value)
        request.end_headers()
        request.wfile.write(data)

    def _signed(self, uri, method, body, headers) -> tuple[bool, Any]:
        # oauthlib signs form bodies into the base string; pass the body only when it is a form.
        form = body if "application/x-www-form-urlencoded" in headers.get("Content-Type", "") else None
        return self._endpoint.validate_request(uri, method, form, headers)

    def _user_context(self, uri, method, body, headers, *, v2: bool):
        """(user token, None) when the four keys signed this request, else (None, error reply)."""
        unauthorized = V2_UNAUTHORIZED if v2 else CODE_32
        valid, req = self._signed(uri, method, body, headers)
        token = (
            self.tokens.get(req.resource_owner_key) if req is not None and req.resource_owner_key else None
        )
        if not valid or token is None or token.kind != "access":
            return None, (401, unauthorized, {}, False)
        if token.revoked:
            # v1.1 names the reason (code 89); v2 answers a revoked token with its generic 401.
            return None, (401, V2_UNAUTHORIZED if v2 else CODE_89, {}, False)
        return token, None

    # --- endpoints ------------------------------------------------------------------------------

    def _users_me(self, uri, method, body, headers, params):
        token, error = self._user_context(uri, method, body, headers, v2=True)
        if error:
            return error
        app = self.apps[token.consumer_key]
        if "/2/users/me" in app.denied:
            return 403, CODE_453, {}, True
        reset = str(int(time.time()) + 900)
        with self.lock:
            self._users_me_calls[token.user_id] += 1
            used = self._users_me_calls[token.user_id]
        limits = {
            "x-rate-limit-limit": str(self.users_me_limit),
            "x-rate-limit-remaining": str(max(0, self.users_me_limit - used)),
            "x-rate-limit-reset": reset,
        }
        if self.v2_reports_access_level:
            limits["x-access-level"] = token.access_level
        if used > self.users_me_limit:
            return 429, V2_TOO_MANY, limits, True
        username, name = self.users[token.user_id]
        return 200, {"data": {"id": token.user_id, "name": name, "username": username}}, limits, True

    def _verify_credentials(self, uri, method, body, headers, params):
        """v1.1 ``account/verify_credentials``: the user object, and the token's x-access-level."""
        token, error = self._user_context(uri, method, body, headers, v2=False)
        if error:
            return error
        username, name = self.users[token.user_id]
        user = {"id": int(token.user_id), "id_str": token.user_id, "name": name, "screen_name": username}
        return 200, user, {"x-access-level": token.access_level}, True

    def _basic_app(self, headers) -> tuple[str, FakeApp] | None:
        auth = headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return None
        try:
            key, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return None
        key, secret = unquote(key), unquote(secret)
        app = self.apps.get(key)
        if app is None or not secrets.compare_digest(app.consumer_secret, secret):
            return None
        return key, app

    def _oauth2_token(self, uri, method, body, headers, params):
        found = self._basic_app(headers)
        if found is None or params.get("grant_type") != "client_credentials":
            return 403, CODE_99, {}, False
        _, app = found
        with self.lock:
            if app.bearer is None:
                # Real bearer tokens come percent-encoded in the JSON; keep that quirk.
                app.bearer = f"AAAAAAAAAAAAAAAAAAAAA{_random(30)}%2F{_random(20)}%3D{_random(40)}"
            return 200, {"token_type": "bearer", "access_token": app.bearer}, {}, True

    def _invalidate(self, uri, method, body, headers, params):
        token, error = self._user_context(uri, method, body, headers, v2=False)
        if error:
            return error
        app = self.apps[token.consumer_key]
        given = params.get("access_token")  # decoded once, as X decodes it
        with self.lock:
            if not given or app.bearer is None or given != unquote(app.bearer):
                return 403, CODE_99, {}, True  # X: invalidating a token it does not know
            invalidated, app.bearer = app.bearer, None
            self.invalidated_at[invalidated] = time.monotonic()
        return 200, {"access_token": invalidated}, {}, True

    def _probe_post(self, uri, method, body, headers, params):
        auth = headers.get("Authorization", "")
        bearer = auth[7:] if auth.startswith("Bearer ") else None
        if bearer and any(
            app.bearer and unquote(app.bearer) == unquote(bearer) for app in self.apps.values()
        ):
            return 200, PROBE_POST, {}, True
        return 401, V2_UNAUTHORIZED, {}, False

    def _request_token(self, uri, method, body, headers, params):
        valid, req = self._signed(uri, method, body, headers)
        callback = dict(req.oauth_params).get("oauth_callback") if req is not None else None
        if not valid or req.resource_owner_key or callback != "oob":
            return 401, CODE_32, {}, False
        token = _random(27)
        self.tokens[token] = FakeToken(_random(32), req.client_key, "", kind="request")
        return (
            200,
            urlencode(
                {
                    "oauth_token": token,
                    "oauth_token_secret": self.tokens[token].secret,
                    "oauth_callback_confirmed": "true",
                }
            ),
            {},
            True,
        )

    def _access_token(self, uri, method, body, headers, params):
        valid, req = self._signed(uri, method, body, headers)
        token = (
            self.tokens.get(req.resource_owner_key) if req is not None and req.resource_owner_key else None
        )
        verifier = dict(req.oauth_params).get("oauth_verifier") if req is not None else None
        if not valid or token is None or token.kind != "request":
            return 401, CODE_32, {}, False
        if not token.verifier or verifier != token.verifier:
            return 401, {"errors": [{"code": 32, "message": "Could not authenticate you."}]}, {}, False
        del self.tokens[req.resource_owner_key]
        new_token, new_secret = f"{token.user_id}-{_random(40)}", _random(45)
        self.tokens[new_token] = FakeToken(new_secret, req.client_key, token.user_id)
        username = self.users[token.user_id][0]
        return (
            200,
            urlencode(
                {
                    "oauth_token": new_token,
                    "oauth_token_secret": new_secret,
                    "user_id": token.user_id,
                    "screen_name": username,
                }
            ),
            {},
            True,
        )


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.fake.handle(self, "GET")  # type: ignore[attr-defined]

    def do_POST(self) -> None:
        self.server.fake.handle(self, "POST")  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def fake_x_server() -> Iterator[FakeX]:
    """Serve a fresh FakeX on a free 127.0.0.1 port; stop it when the block ends."""
    fake = FakeX()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.fake = fake  # type: ignore[attr-defined]
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
