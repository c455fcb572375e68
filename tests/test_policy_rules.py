"""Issue 24 (part): x-no-plaintext-key-material as a plain function, without Pulumi.

Every X key shape in every place the issue lists (nested JSON included), the two places made to
hold a secret exempt, a corpus of look-alikes with no finding, and messages that never carry a
key or any part of one. The pack's wiring and the real engine come with the rest of issue 24.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import date

import pytest

from policy.rules.catalog import RULES, Resource
from policy.rules.plaintext import plaintext_findings
from policy.rules.shapes import CLIENT_ID_LENGTH, CLIENT_SECRET_LENGTH, WEAK_LENGTHS
from tests.canaries import canary_client, canary_credentials, found_fragments
from twitter_runtime.keys import MINIMUM_LENGTHS, USUAL_LENGTHS

KEYS = canary_credentials("policy/app", user_id="1234567890")
CLIENT = canary_client("policy/app")
BEARER = "AAAAAAAAAAAAAAAAAAAAA" + "CnryBR" + "Kq3Zt9" * 6 + "%2F" + "Ab12Cd34" * 4 + "%3D" + "Xy9Wv8" * 4
#: Shape → (value, needs a hinting path). Strong shapes are found anywhere.
SHAPES = {
    "Bearer Token": (BEARER, False),
    "Access Token": (KEYS["access_token"], False),
    "API Key": (KEYS["consumer_key"], True),
    "API Key Secret": (KEYS["consumer_secret"], True),
    "Access Token Secret": (KEYS["access_token_secret"], True),
    "OAuth 2.0 Client Secret": (CLIENT["client_secret"], True),
}
LAMBDA = "aws:lambda/function:Function"


def places(value: str) -> dict[str, tuple[str, dict]]:
    """Where a key leaks in practice: place name → (resource type, properties), each path hinting X."""
    return {
        "lambda environment": (LAMBDA, {"environment": {"variables": {"TWITTER_API_KEY": value}}}),
        "ecs container definitions": (
            "aws:ecs/taskDefinition:TaskDefinition",
            {
                "containerDefinitions": json.dumps(
                    [{"name": "bot", "environment": [{"name": "X_SECRET", "value": value}]}]
                )
            },
        ),
        "eventbridge target input": (
            "aws:cloudwatch/eventTarget:EventTarget",
            {"input": json.dumps({"twitter": {"apiToken": value}})},
        ),
        "ssm string": (
            "aws:ssm/parameter:Parameter",
            {"name": "/bots/twitter/api", "type": "String", "value": value},
        ),
        "ssm string list": (
            "aws:ssm/parameter:Parameter",
            {"name": "/bots/x/consumer", "type": "StringList", "value": f"one,{value},three"},
        ),
        "tag": ("aws:s3/bucket:Bucket", {"tags": {"twitterApiKey": value}}),
        "description": ("aws:iam/role:Role", {"description": f"twitter api bot, key {value}"}),
        "name": ("aws:sqs/queue:Queue", {"name": f"x-api-{value}"}),
    }


@pytest.mark.parametrize("kind", sorted(SHAPES))
@pytest.mark.parametrize("place", sorted(places("v")))
def test_each_shape_is_found_in_each_place(kind, place):
    value, _ = SHAPES[kind]
    resource_type, props = places(value)[place]
    findings = plaintext_findings(resource_type, props)
    assert [f.kind for f in findings] == [kind], findings


@pytest.mark.parametrize("kind", ["Bearer Token", "Access Token"])
def test_strong_shapes_need_no_hint(kind):
    value, _ = SHAPES[kind]
    (finding,) = plaintext_findings(LAMBDA, {"environment": {"variables": {"DB_URL": value}}})
    assert (finding.path, finding.kind) == ("environment.variables.DB_URL", kind)


@pytest.mark.parametrize("kind", [k for k, (_, hinted) in SHAPES.items() if hinted])
def test_weak_shapes_count_only_where_the_path_names_x(kind):
    value, _ = SHAPES[kind]
    assert plaintext_findings(LAMBDA, {"environment": {"variables": {"DB_PASSWORD": value}}}) == []
    assert plaintext_findings(LAMBDA, {"environment": {"variables": {"CONSUMER_SECRET": value}}}) != []


def test_the_path_reaches_into_json_inside_a_string():
    _, props = places(KEYS["access_token"])["ecs container definitions"]
    (finding,) = plaintext_findings("aws:ecs/taskDefinition:TaskDefinition", props)
    assert finding.path == "containerDefinitions(json)[0].environment[0][X_SECRET]"


def test_a_key_pasted_into_a_tag_name_is_found():
    (finding,) = plaintext_findings("aws:s3/bucket:Bucket", {"tags": {KEYS["access_token"]: "yes"}})
    assert finding.kind == "Access Token" and finding.path.endswith("[key]")


def test_only_the_places_made_for_secrets_are_exempt():
    value = json.dumps(KEYS)
    assert plaintext_findings("aws:secretsmanager/secretVersion:SecretVersion", {"secretString": value}) == []
    secure = {"name": "/bots/twitter/api", "type": "SecureString", "value": KEYS["consumer_key"]}
    assert plaintext_findings("aws:ssm/parameter:Parameter", secure) == []
    # The same value in the SecretVersion's other text, or a String parameter, is not exempt.
    assert plaintext_findings("aws:secretsmanager/secret:Secret", {"description": value}) != []
    assert plaintext_findings("aws:ssm/parameter:Parameter", {**secure, "type": "String"}) != []


def benign() -> list[str]:
    digest = hashlib.sha256(b"x").hexdigest()
    blob = base64.b64encode(hashlib.sha512(b"zip").digest() * 40).decode()
    return [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:twitter/prod/social/bot-AbCdEf",
        "arn:aws:iam::123456789012:role/service-role/TwitterApiConsumerRole-1A2B3C4D5E6F",
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        str(uuid.UUID(int=0x1234567890ABCDEF1234567890ABCDEF)),
        digest,
        digest.upper()[:50],
        blob,
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/+AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
        "a1b2c3d4e5f60718",  # a twitter-secrets fingerprint
        "alias/twitter-secrets-prod",
        "cron(0 4 1 * ? *)",
        "rate(30 days)",
        "twitter/prod/brand-monitoring/listener",
        "20261201-" + digest[:40],
        "sha256:" + digest,
        "2026-12-04T10:00:00Z",
    ]


@pytest.mark.parametrize("text", benign())
def test_look_alikes_give_no_finding_even_under_an_x_path(text):
    assert plaintext_findings(LAMBDA, {"environment": {"variables": {"TWITTER_API_KEY": text}}}) == []
    assert (
        plaintext_findings("aws:s3/bucket:Bucket", {"tags": {"twitter:api": text}, "description": text}) == []
    )


def test_messages_name_the_resource_and_path_never_the_key():
    for kind, (value, _) in SHAPES.items():
        for resource_type, props in places(value).values():
            (rule,) = [r for r in RULES if r.id == "x-no-plaintext-key-material"]
            messages = rule.messages(Resource(resource_type, "bot-resources", props), None, date(2026, 12, 4))
            assert messages and all(m.startswith(f"bot-resources ({resource_type}): ") for m in messages)
            text = "\n".join(messages)
            assert f"X {kind}" in text
            # Every window of the value except an Access Token's public user id (found_fragments).
            assert found_fragments(text, [value]) == []


def test_unknown_values_are_skipped_field_by_field():
    unknown = object()  # what stands for a value not known during preview
    props = {"environment": {"variables": {"PENDING": unknown, "TWITTER_TOKEN": KEYS["access_token"]}}}
    (finding,) = plaintext_findings(LAMBDA, props)
    assert finding.path == "environment.variables.TWITTER_TOKEN"


def test_the_packs_lengths_are_the_programs():
    assert WEAK_LENGTHS == {
        USUAL_LENGTHS["consumer_key"]: "API Key",
        USUAL_LENGTHS["access_token_secret"]: "Access Token Secret",
        USUAL_LENGTHS["consumer_secret"]: "API Key Secret",
    }
    assert (len(CLIENT["client_id"]), len(CLIENT["client_secret"])) == (
        CLIENT_ID_LENGTH,
        CLIENT_SECRET_LENGTH,
    )
    assert CLIENT_ID_LENGTH >= MINIMUM_LENGTHS["client_id"]


class RaisingDict(dict):
    """Like pulumi-policy's props proxy: reading an unknown value raises; '__target' gives the dict."""

    def __getitem__(self, key):
        if key == "__target":
            return dict(self.items())
        value = dict.__getitem__(self, key)
        if value == SENTINEL:
            raise RuntimeError("unknown value read: the whole policy would fail")
        return value


SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def test_props_from_pulumi_policy_are_read_without_touching_unknowns():
    from policy.rules.walk import UNKNOWN, plain

    props = RaisingDict(
        environment=RaisingDict(variables=RaisingDict(PENDING=SENTINEL, TWITTER_TOKEN=KEYS["access_token"])),
        tags=RaisingDict(owner="team"),
    )
    with pytest.raises(RuntimeError):
        props["environment"]["variables"]["PENDING"]
    unwrapped = plain(props, frozenset({SENTINEL}))
    assert unwrapped["environment"]["variables"]["PENDING"] is UNKNOWN
    (finding,) = plaintext_findings(LAMBDA, unwrapped)
    assert finding.path == "environment.variables.TWITTER_TOKEN"
