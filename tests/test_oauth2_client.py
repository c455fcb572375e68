"""The App's OAuth 2.0 client (client_id, client_secret): validated, stored and loaded like the keys."""

from __future__ import annotations

import json

import pytest

from tests.canaries import canary_client, canary_credentials, fragments
from twitter_runtime import TwitterCredentials, load_credentials
from twitter_runtime.keys import canonical_payload, credential_problems, fingerprint, validate_credentials

CREDS = canary_credentials("svc/oauth2", user_id="4455667788")
CLIENT = canary_client("svc/oauth2")


def leaked(text: str, *sets: dict[str, str]) -> list[str]:
    return [
        field
        for creds in sets
        for field, value in creds.items()
        if any(
            piece in text
            for piece in fragments(value.split("-", 1)[-1] if field == "access_token" else value)
        )
    ]


def test_the_client_is_optional_and_a_four_key_payload_is_exactly_as_before():
    assert credential_problems(CREDS) == []
    assert validate_credentials("svc/oauth2", CREDS) == CREDS
    # The old serialization: the four fields, sorted, compact. Old fingerprints stay valid.
    assert canonical_payload(CREDS) == json.dumps(CREDS, sort_keys=True, separators=(",", ":"))
    assert canonical_payload({**CREDS, "client_id": None, "access_level": None}) == canonical_payload(CREDS)


def test_a_confidential_and_a_public_client_both_pass_and_change_the_fingerprint():
    confidential = {**CREDS, **CLIENT}
    public = {**CREDS, "client_id": CLIENT["client_id"]}
    assert credential_problems(confidential) == []
    assert credential_problems(public) == []
    assert validate_credentials("svc/oauth2", confidential) == confidential
    prints = {fingerprint(canonical_payload(c)) for c in (CREDS, public, confidential)}
    assert len(prints) == 3
    stored = json.loads(canonical_payload(confidential))
    assert sorted(stored) == sorted([*CREDS, "client_id", "client_secret"])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"client_secret": CLIENT["client_secret"]}, "client_secret is set without client_id"),
        ({"client_id": CLIENT["client_id"][:12]}, "client_id is too short for an OAuth 2.0 Client ID"),
        (
            {"client_id": CLIENT["client_id"][:20] + "=/+" + CLIENT["client_id"][20:]},
            "client_id contains characters",
        ),
        ({"client_id": " " + CLIENT["client_id"]}, "client_id has leading or trailing whitespace"),
        ({"client_id": CLIENT["client_id"], "client_secret": ""}, "client_secret is empty"),
        ({"client_id": CREDS["consumer_key"]}, "client_id is the same as consumer_key"),
        (
            {"client_id": CLIENT["client_id"], "client_secret": CREDS["consumer_secret"]},
            "client_secret is the same",
        ),
        (
            {"client_id": "AAAAAAAAAAAAAAAAAAAAA" + CLIENT["client_id"]},
            "client_id looks like an app-only Bearer",
        ),
        ({"client_id": 1234567890123456789012}, "client_id must be a string"),
    ],
)
def test_each_bad_client_value_is_named_and_never_echoed(change, expected):
    problems = credential_problems({**CREDS, **change})
    text = "\n".join(problems)
    assert expected in text
    assert leaked(text, CREDS, CLIENT) == []
    # The fix says where the value comes from.
    if "too short" in expected or "characters" in expected:
        assert "OAuth 2.0 Client ID" in text


def test_an_unknown_field_is_named_by_position_and_the_client_fields_are_listed():
    problems = credential_problems({**CREDS, CLIENT["client_secret"]: "x"})
    assert problems == [
        "credential field(s) number 5 (in the order given) are not known; valid fields are consumer_key, "
        "consumer_secret, access_token, access_token_secret, client_id, client_secret"
    ]


def test_twitter_credentials_redacts_the_client_and_keeps_as_dict_for_tweepy():
    import tweepy

    creds = TwitterCredentials(**CREDS, **CLIENT, access_level="read-write", source="arn:x")
    shown = repr(creds) + str(creds) + f"{creds!r} {creds}"
    assert leaked(shown, CREDS, CLIENT) == []
    assert "access_level='read-write'" in shown and "oauth2_client=True" in shown
    assert creds.as_dict() == CREDS  # exactly tweepy.Client's four keyword arguments
    client = tweepy.Client(**creds.as_dict())
    assert client.consumer_key == CREDS["consumer_key"]
    assert creds.stored() == {**CREDS, **CLIENT, "access_level": "read-write"}
    assert creds.fingerprint == fingerprint(
        canonical_payload({**CREDS, **CLIENT, "access_level": "read-write"})
    )
    assert sorted(creds.secret_values()) == sorted([*CREDS.values(), *CLIENT.values()])


def test_oauth2_session_starts_a_pkce_flow_without_the_secret():
    from urllib.parse import parse_qs, urlsplit

    from twitter_runtime.credentials import OAUTH2_AUTHORIZE_URL

    creds = TwitterCredentials(**CREDS, **CLIENT)
    session = creds.oauth2_session("https://app.example.com/callback", ["tweet.read", "users.read"])
    url, state = session.authorization_url(OAUTH2_AUTHORIZE_URL)
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).netloc == "x.com"
    assert query["client_id"] == [CLIENT["client_id"]]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["scope"] == ["tweet.read users.read"] and query["state"] == [state]
    assert leaked(url, {"client_secret": CLIENT["client_secret"]}, CREDS) == []


def test_oauth2_session_without_a_client_says_what_to_store():
    creds = TwitterCredentials(**CREDS)
    with pytest.raises(ValueError, match=r"holds no OAuth 2\.0 Client ID; store client_id") as caught:
        creds.oauth2_session("https://app.example.com/callback", ["tweet.read"])
    assert leaked(str(caught.value), CREDS) == []


def test_the_loader_reads_the_client_and_the_access_level_from_secrets_manager(aws):
    sm = aws("secretsmanager")
    value = canonical_payload({**CREDS, **CLIENT, "access_level": "read-write-directmessages"})
    arn = sm.create_secret(Name="twitter/dev/svc/oauth2", SecretString=value)["ARN"]
    creds = load_credentials(arn, client=sm, max_age_seconds=0)
    assert (creds.client_id, creds.client_secret) == (CLIENT["client_id"], CLIENT["client_secret"])
    assert creds.access_level == "read-write-directmessages"
    assert creds.fingerprint == fingerprint(value)
    assert leaked(repr(creds), CREDS, CLIENT) == []


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"client_secret": CLIENT["client_secret"]}, "client_secret is set without client_id"),
        (
            {"access_level": "admin"},
            "access_level must be one of read, read-write, read-write-directmessages",
        ),
        ({"client_id": "short"}, "client_id is too short"),
    ],
)
def test_the_loader_refuses_a_bad_stored_client_or_level_by_name(aws, extra, expected):
    from twitter_runtime import CredentialsUnavailableError

    sm = aws("secretsmanager")
    arn = sm.create_secret(Name="twitter/dev/svc/bad", SecretString=json.dumps({**CREDS, **extra}))["ARN"]
    with pytest.raises(CredentialsUnavailableError) as caught:
        load_credentials(arn, client=sm, max_age_seconds=0)
    assert expected in str(caught.value)
    assert leaked(str(caught.value), CREDS, CLIENT) == []
