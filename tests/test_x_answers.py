"""X's real answers, replayed by the fake X, each mapped to advice that fits.

Bodies as X publishes them (its docs and public issue threads of X client
libraries): a rejected bearer token, the monthly usage cap, a revoked Access
Token on v2, an App outside a Project, a token with too few permissions, and
answers that are not X's at all.
"""

from __future__ import annotations

import pytest

from tests.canaries import canary_credentials, fragments
from tests.fake_x import (
    BROKEN_CHUNKED,
    CAPTIVE_PORTAL_HTML,
    CLIENT_NOT_ENROLLED,
    CODE_89,
    OAUTH1_PERMISSIONS,
    USAGE_CAPPED,
    V2_FORBIDDEN,
    V2_UNAUTHORIZED,
    RawBody,
)
from twitter_runtime import TwitterCredentials
from twitter_runtime.xapi import (
    XAccessTierError,
    XApiClient,
    XAuthenticationError,
    XBearerRejectedError,
    XClientNotEnrolledError,
    XPermissionError,
    XRateLimitedError,
    XUnexpectedAnswerError,
    XUsageCapError,
)

CREDS = canary_credentials("brand-monitoring/answers", user_id="7788990011")


@pytest.fixture
def creds(fake_x) -> TwitterCredentials:
    fake_x.add_credentials(CREDS, username="answersbot")
    return TwitterCredentials(**CREDS)


@pytest.fixture
def client(fake_x) -> XApiClient:
    return XApiClient(fake_x.url, timeout=(2, 2), sleep=lambda _: None)


def no_keys(error: BaseException) -> bool:
    text = str(error) + repr(error)
    return not [f for v in CREDS.values() for f in fragments(v.split("-", 1)[-1]) if f in text]


@pytest.mark.parametrize("body", [V2_UNAUTHORIZED, CODE_89])
def test_a_rejected_bearer_token_is_not_an_access_token_problem(client, fake_x, body):
    fake_x.fail("GET", "/2/tweets/20", 401, body)
    with pytest.raises(XBearerRejectedError) as caught:
        client.check_bearer("AAAAAAAAAAAAAAAAAAAAAbearerCanaryValue0123456789")
    message = str(caught.value)
    assert "X rejected the app-only Bearer Token" in message
    assert "The Bearer Token is not the Access Token, so a new Access Token pair will not help" in message
    assert "aws secretsmanager rotate-secret" in message and "POST /oauth2/token" in message
    assert "Create a new Access Token pair" not in message
    assert "bearerCanaryValue" not in message


def test_the_monthly_usage_cap_is_not_a_rate_limit(client, creds, fake_x):
    fake_x.fail("GET", "/2/users/me", 429, USAGE_CAPPED)  # and no x-rate-limit-reset header
    with pytest.raises(XUsageCapError) as caught:
        client.verify_user_context(creds)
    message = str(caught.value)
    assert not isinstance(caught.value, XRateLimitedError)
    assert "monthly usage cap of this App's Project is used up (UsageCapExceeded, product cap)" in message
    assert "not a 15-minute rate limit" in message and "next billing month" in message
    assert "higher cap" in message and "wait until" not in message
    assert len(fake_x.calls("GET", "/2/users/me")) == 1  # asked once, never retried
    assert no_keys(caught.value)


def test_a_revoked_access_token_on_v2_names_revocation_and_regeneration(client, creds, fake_x):
    fake_x.tokens[CREDS["access_token"]].revoked = True  # X answers v2 with its generic 401
    with pytest.raises(XAuthenticationError) as caught:
        client.verify_user_context(creds)
    message = str(caught.value)
    assert caught.value.status == 401 and caught.value.code is None
    assert "the account revoked the App's access or the Access Token pair was regenerated" in message
    assert "twitter-secrets authorize" in message
    assert no_keys(caught.value)


def test_client_not_enrolled_means_attach_the_app_to_a_project(client, creds, fake_x):
    fake_x.fail("GET", "/2/users/me", 403, CLIENT_NOT_ENROLLED)
    with pytest.raises(XClientNotEnrolledError) as caught:
        client.verify_user_context(creds)
    message = str(caught.value)
    assert isinstance(caught.value, XAccessTierError)
    assert "App attached to a Project (client-not-enrolled)" in message
    assert "add this App to a Project" in message and "a higher tier alone does not attach it" in message
    assert "upgrade the tier" not in message


@pytest.mark.parametrize("body", [OAUTH1_PERMISSIONS, V2_FORBIDDEN])
def test_too_few_permissions_means_change_them_then_regenerate_the_token(client, creds, fake_x, body):
    fake_x.fail("GET", "/2/users/me", 403, body)
    with pytest.raises(XPermissionError) as caught:
        client.verify_user_context(creds)
    message = str(caught.value)
    assert "set the App's permissions" in message
    assert (
        "then regenerate the Access Token pair: a token keeps the permission level it was issued with"
        in message
    )


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, RawBody(CAPTIVE_PORTAL_HTML), "unexpected answer from X: HTTP 200 with text/html, not JSON"),
        (200, RawBody(b'["not", "an", "object"]', "application/json"), "JSON that is not an object (list)"),
        (
            403,
            RawBody(CAPTIVE_PORTAL_HTML),
            "unexpected answer from X: HTTP 403 with text/html, not X's JSON",
        ),
        (200, BROKEN_CHUNKED, "unexpected answer from X: the body was cut off or garbled"),
    ],
)
def test_answers_that_are_not_xs_get_one_clear_error(client, creds, fake_x, status, body, expected):
    fake_x.fail("GET", "/2/users/me", status, body, times=3)
    with pytest.raises(XUnexpectedAnswerError) as caught:
        client.verify_user_context(creds)
    assert expected in str(caught.value)
    assert "GET /2/users/me" in str(caught.value)
    assert no_keys(caught.value)


def test_part_of_a_key_in_xs_message_is_scrubbed_too(client, creds, fake_x):
    # X echoing a key cut short (here: 12 of its characters) must not carry it into our error.
    piece = CREDS["consumer_secret"][5:17]
    fake_x.fail(
        "GET", "/2/users/me", 401, {"errors": [{"code": 32, "message": f"Bad signature near {piece}!"}]}
    )
    with pytest.raises(XAuthenticationError) as caught:
        client.verify_user_context(creds)
    assert piece not in str(caught.value) and "[redacted]" in str(caught.value)
    assert no_keys(caught.value)


def test_scrub_hides_every_run_of_ten_and_keeps_the_rest():
    from twitter_runtime.errors import scrub

    secret = "AbCdEfGhIjKlMnOpQrSt"
    assert scrub(f"x {secret[3:15]} y {secret} z", [secret]) == "x [redacted] y [redacted] z"
    assert scrub(f"keep {secret[:9]}", [secret]) == f"keep {secret[:9]}"  # 9 characters are not a key
