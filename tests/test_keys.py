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
    assert [p.split(" ")[0] for p in problems] == ["credential", "consumer_key", "access_token"]
    assert problems[0].startswith("credential field(s) number 5 (in the order given) are not known")
    assert "surprise" not in problems[0]  # a field's name can be a key pasted in the wrong place
    assert "valid fields are consumer_key, consumer_secret, access_token, access_token_secret" in problems[0]


def test_unusual_lengths_are_warnings_not_errors(creds):
    creds["consumer_key"] = creds["consumer_key"][:22]
    assert validate_credentials(LABEL, creds)["consumer_key"] == creds["consumer_key"]
    assert length_warnings(creds) == [
        "consumer_key is 22 characters; the developer portal usually issues 25 for the API Key. "
        "Check it was copied whole"
    ]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "consumer_key",
            "changeme",
            "consumer_key is too short for an API Key (it has fewer than 21 characters)",
        ),
        ("consumer_key", "x" * 20, "consumer_key is too short for an API Key"),
        (
            "consumer_secret",
            "test",
            "consumer_secret is too short for an API Key Secret (it has fewer than 40",
        ),
        (
            "access_token",
            "123-token",
            "access_token is too short for an Access Token (the part after the dash has fewer than 30",
        ),
        ("access_token_secret", "xxx", "access_token_secret is too short for an Access Token Secret"),
    ],
)
def test_placeholders_are_refused_naming_the_field(creds, field, value, expected):
    creds[field] = value
    (problem,) = credential_problems(creds)
    assert problem.startswith(expected) and "placeholder" in problem and value not in problem


@pytest.mark.parametrize(
    "shape",
    [
        # the shortest shapes X has issued, and the usual ones with the longest user id
        {
            "consumer_key": "aB3" * 7,
            "consumer_secret": "cD4e" * 10,
            "access_token": "1-" + "fG5" * 10,
            "access_token_secret": "hI6j" * 10,
        },
        {
            "consumer_key": "aB3cD" * 5,
            "consumer_secret": "cD4eF" * 10,
            "access_token": "1234567890123456789-" + "fG5hI" * 8,
            "access_token_secret": "hI6jK" * 9,
        },
    ],
)
def test_real_key_shapes_keep_passing(shape):
    assert credential_problems(shape) == []


def test_a_value_over_secrets_managers_limit_is_refused(creds):
    creds["consumer_secret"] = "A" * 70000
    (problem,) = credential_problems(creds)
    assert "longer than Secrets Manager's 64 KiB limit" in problem


def test_key_material_inside_plain_text_is_found_by_name(creds):
    texts = {
        "owner": "team " + creds["consumer_secret"],
        "description": "fine",
        "tag": creds["access_token"],
        "part": "x" + creds["access_token_secret"][20:30] + "y",
        "user id alone": "user " + creds["access_token"].split("-")[0],
    }
    assert fields_containing_key_material(creds, texts) == ["owner", "part", "tag"]
