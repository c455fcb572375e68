"""The credential rules shared by the component, the CLI and the services."""

import hashlib
import json

import pytest

from tests.canaries import canary_credentials
from twitter_runtime import InvalidInputError, canonical_payload, fingerprint, validate_credentials
from twitter_runtime.keys import credential_problems, fields_containing_key_material, length_warnings

LABEL = "brand-monitoring/listener"


@pytest.fixture
def creds() -> dict[str, str]:
    return canary_credentials(LABEL)


def test_canonical_payload_is_sorted_compact_json_of_exactly_the_four_fields(creds):
    payload = canonical_payload({**creds, "extra": "ignored"})
    assert payload == (
        '{{"access_token":"{}","access_token_secret":"{}","consumer_key":"{}","consumer_secret":"{}"}}'.format(
            creds["access_token"],
            creds["access_token_secret"],
            creds["consumer_key"],
            creds["consumer_secret"],
        )
    )
    assert json.loads(payload) == creds


def test_fingerprint_is_first_16_hex_of_sha256_over_payload(creds):
    payload = canonical_payload(creds)
    assert fingerprint(payload) == hashlib.sha256(payload.encode()).hexdigest()[:16]
    changed = canonical_payload({**creds, "access_token_secret": creds["access_token_secret"][::-1]})
    assert fingerprint(changed) != fingerprint(payload)


def test_valid_credentials_pass_unchanged(creds):
    assert validate_credentials(LABEL, creds) == creds
    assert length_warnings(creds) == []


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("consumer_key", "", "consumer_key is empty"),
        ("consumer_secret", None, "consumer_secret is missing"),
        ("access_token_secret", 12345, "access_token_secret must be a string, got int"),
        ("consumer_key", "CnryCKabcdefghijklmnopqrs\n", "consumer_key has leading or trailing whitespace"),
        ("access_token_secret", " CnryTSabc", "access_token_secret has leading or trailing whitespace"),
        (
            "consumer_secret",
            "CnryCS-abc_def+ghi",
            "consumer_secret contains characters other than A-Z, a-z and 0-9",
        ),
        (
            "access_token",
            "CnryATnodashhere",
            "access_token is not in the form <numeric user id>-<letters and digits>",
        ),
        ("access_token", "12345678901234567890-CnryAT", "access_token is not in the form"),
        ("consumer_key", "1234567890-CnryATpasted", "consumer_key looks like an Access Token"),
        (
            "consumer_secret",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAbcd",
            "consumer_secret looks like an app-only Bearer Token",
        ),
    ],
)
def test_each_bad_value_is_named_by_field_and_never_echoed(creds, field, value, expected):
    creds[field] = value
    with pytest.raises(InvalidInputError) as caught:
        validate_credentials(LABEL, creds)
    message = str(caught.value)
    assert message.startswith(f"{LABEL}: {expected}")
    if isinstance(value, str) and value.strip():
        assert value.strip() not in message
        assert value.strip()[:8] not in message


def test_consumer_secret_equal_to_consumer_key_is_rejected(creds):
    creds["consumer_secret"] = creds["consumer_key"]
    with pytest.raises(InvalidInputError) as caught:
        validate_credentials(LABEL, creds)
    assert str(caught.value) == (
        f"{LABEL}: consumer_secret is the same as consumer_key; copy the API Key Secret into consumer_secret"
    )


def test_every_problem_is_reported_at_once(creds):
    creds.update(consumer_key="", access_token="nope", surprise="x")
    problems = credential_problems(creds)
    assert [p.split(" ")[0] for p in problems] == ["unknown", "consumer_key", "access_token"]
    assert "valid fields are consumer_key, consumer_secret, access_token, access_token_secret" in problems[0]


def test_unusual_lengths_are_warnings_not_errors(creds):
    creds["consumer_key"] = creds["consumer_key"][:20]
    assert validate_credentials(LABEL, creds)["consumer_key"] == creds["consumer_key"]
    assert length_warnings(creds) == [
        "consumer_key is 20 characters; the developer portal usually issues 25 for the API Key. "
        "Check it was copied whole"
    ]


def test_key_material_inside_plain_text_is_found_by_name(creds):
    texts = {
        "owner": "team " + creds["consumer_secret"],
        "description": "fine",
        "tag": creds["access_token"],
        "part": "x" + creds["access_token_secret"][20:30] + "y",
        "user id alone": "user " + creds["access_token"].split("-")[0],
    }
    assert fields_containing_key_material(creds, texts) == ["owner", "part", "tag"]
