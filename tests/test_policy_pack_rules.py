"""Issue 24: the pack's further rules (x-secret-via-component, x-secret-no-wildcard-read) and its
catalogue (ids, default levels, config defaults and overrides, exemptions), without Pulumi.

``policy/__main__.py`` only turns each catalogue entry into a pulumi-policy policy; what a rule
reports under a given config is decided here. tests/test_engine_policy_pack.py runs the same
pack on Pulumi's real engine.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from policy.rules.catalog import ADVISORY, MANDATORY, RULES, Resource
from policy.rules.component import COMPONENT_TYPE, parent_type, via_component_problems
from policy.rules.iam import wildcard_read_problems
from tests.canaries import canary_bearer, canary_credentials, found_fragments
from tests.test_policy_secret_rules import GOOD_TAGS

SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
COMPONENT_URN = f"urn:pulumi:dev::proj::twitter-secrets:index:TwitterProject${COMPONENT_TYPE}::social/bot"
KEYS = canary_credentials("pack/app", user_id="777000111")
RULE = {rule.id: rule for rule in RULES}
TODAY = date(2026, 12, 4)


def test_every_rule_the_issue_names_is_in_the_pack_at_its_level():
    assert {rule.id: rule.level for rule in RULES} == {
        "x-no-plaintext-key-material": MANDATORY,
        "x-secret-rotation-tags": MANDATORY,
        "x-secret-rotation-due": ADVISORY,
        "x-secret-rotation-overdue": MANDATORY,
        "x-secret-cmk": MANDATORY,
        "x-secret-recovery-window": MANDATORY,
        "x-secret-no-public-policy": MANDATORY,
        "x-secret-via-component": ADVISORY,
        "x-secret-no-wildcard-read": ADVISORY,
    }
    for rule in RULES:  # every setting has a default and a description (the docs' table is read from them)
        for name, schema in rule.settings.items():
            assert "default" in schema and schema["description"], (rule.id, name)


def test_parent_type_is_the_last_type_in_the_parent_urn():
    assert parent_type(COMPONENT_URN) == COMPONENT_TYPE
    assert parent_type("urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev") == "pulumi:pulumi:Stack"
    assert parent_type(None) is None and parent_type("not-a-urn") is None


def test_x_secrets_outside_the_component_are_reported():
    x_secret = {"tags": GOOD_TAGS}
    assert via_component_problems(SECRET, x_secret, COMPONENT_URN) == []
    assert via_component_problems(SECRET, {"tags": {"team": "a"}}, None) == []  # not an X secret
    (problem,) = via_component_problems(
        SECRET, x_secret, "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev"
    )
    assert problem.startswith("tags shows this holds X keys") and "TwitterAppCredentials" in problem
    # A hand-written SecretVersion whose value is X keys (no tag needed): JSON with X's field names.
    payload = json.dumps(KEYS)
    (problem,) = via_component_problems(VERSION, {"secretString": payload}, None)
    assert problem.startswith("secretString shows") and not found_fragments(problem, KEYS.values())
    assert via_component_problems(VERSION, {"secretString": payload}, COMPONENT_URN) == []
    assert via_component_problems(VERSION, {"secretString": json.dumps({"password": "hunter2"})}, None) == []


def _iam(statement: dict) -> dict:
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:GetObject", "secretsmanager:*"], "Resource": ["*"]},
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:*",
        },
        {
            "Effect": "Allow",
            "Action": "secretsmanager:Get*",
            "Resource": "arn:aws:secretsmanager:*:*:secret:*",
        },
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "NotResource": "arn:aws:s3:::x"},
    ],
)
def test_a_read_of_every_secret_is_reported(statement):
    for resource_type in ("aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy"):
        (problem,) = wildcard_read_problems(resource_type, _iam(statement))
        assert problem.startswith("policy.Statement[0] allows secretsmanager:GetSecretValue on every secret")


@pytest.mark.parametrize(
    "statement",
    [
        {
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:twitter/dev/*",
        },
        {"Effect": "Allow", "Action": "secretsmanager:ListSecrets", "Resource": "*"},
        {"Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*"},
        {"Effect": "Allow", "NotAction": "secretsmanager:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    ],
)
def test_a_scoped_or_unrelated_statement_passes(statement):
    assert wildcard_read_problems("aws:iam/policy:Policy", _iam(statement)) == []
    assert wildcard_read_problems(SECRET, _iam({"Effect": "Allow", "Action": "*", "Resource": "*"})) == []
    assert wildcard_read_problems("aws:iam/policy:Policy", {"policy": "not json"}) == []


def test_config_defaults_apply_and_policy_config_overrides_them():
    due = RULE["x-secret-rotation-due"]
    late = Resource(SECRET, "bot", {"tags": GOOD_TAGS})  # due 2026-11-30: 4 days late on TODAY
    assert due.config(None) == {"graceDays": 0}
    assert len(due.messages(late, None, TODAY)) == 1
    assert due.messages(late, {"graceDays": 7}, TODAY) == []
    assert due.config({"graceDays": 7, "unknownSetting": 1}) == {"graceDays": 7}
    overdue = RULE["x-secret-rotation-overdue"]
    assert overdue.config({}) == {"mandatoryAfterDays": 30}
    assert overdue.messages(late, None, TODAY) == []
    assert len(overdue.messages(late, {"mandatoryAfterDays": 3}, TODAY)) == 1
    cmk = RULE["x-secret-cmk"]
    keyed = Resource(SECRET, "bot", {"tags": GOOD_TAGS, "kmsKeyId": "alias/team"})
    assert cmk.messages(keyed, None, TODAY) == []
    assert cmk.messages(keyed, {"allowedKeys": ["alias/team"]}, TODAY) == []
    assert cmk.messages(keyed, {"allowedKeys": ["alias/other"]}, TODAY) == [
        "bot (aws:secretsmanager/secret:Secret): kmsKeyId is not one of the keys this policy allows "
        "(allowedKeys in the policy's config)"
    ]


def test_a_reviewed_false_positive_is_exempted_by_resource_name():
    plaintext = RULE["x-no-plaintext-key-material"]
    leaky = Resource(
        "aws:lambda/function:Function",
        "notifier",
        {"environment": {"variables": {"TOKEN": KEYS["access_token"]}}},
    )
    (message,) = plaintext.messages(leaky, None, TODAY)
    assert message.startswith("notifier (aws:lambda/function:Function): environment.variables.TOKEN holds")
    assert not found_fragments(message, KEYS.values())
    assert plaintext.messages(leaky, {"exemptResources": ["notifier"]}, TODAY) == []
    assert len(plaintext.messages(leaky, {"exemptResources": ["other"]}, TODAY)) == 1


def test_rules_for_secrets_ignore_other_types():
    tagged = {"tags": {"twitter:app": "bot"}, "recoveryWindowInDays": 0}
    for rule_id in (
        "x-secret-rotation-tags",
        "x-secret-cmk",
        "x-secret-recovery-window",
        "x-secret-rotation-due",
    ):
        assert (
            RULE[rule_id].messages(Resource("aws:s3/bucket:Bucket", "b", tagged), None, date(2030, 1, 1))
            == []
        )
        assert RULE[rule_id].messages(Resource(SECRET, "b", tagged), None, date(2030, 1, 1)) != [] or (
            rule_id == "x-secret-rotation-due"  # no due date at all: the tags rule's to report
        )


def test_the_components_own_verification_step_is_a_place_made_to_hold_keys():
    """verify: true registers a dynamic resource whose inputs are the keys as Pulumi secrets (encrypted
    in the state); the policy sees them in plain text, so the place is exempt as a SecretVersion is."""
    plaintext = RULE["x-no-plaintext-key-material"]
    props = {**KEYS, "fingerprint": "0123456789abcdef", "api_base_url": "https://api.x.com"}
    verification = Resource(
        "pulumi-python:dynamic/twitter-secrets:CredentialsVerification", "social/bot-verification", props
    )
    assert plaintext.messages(verification, None, TODAY) == []
    elsewhere = Resource("pulumi-python:dynamic/other:Check", "check", props)
    # access_token_secret's path names no X word, so its weak shape is not counted (docs/policy.md).
    assert [m.split(" holds", 1)[0] for m in plaintext.messages(elsewhere, None, TODAY)] == [
        f"check (pulumi-python:dynamic/other:Check): {field}"
        for field in ("access_token", "consumer_key", "consumer_secret")
    ]


def test_stack_config_handed_to_a_default_provider_is_not_a_resource_property():
    """The engine gives a dynamic provider the whole stack config, secrets decrypted: not this rule's."""
    plaintext = RULE["x-no-plaintext-key-material"]
    config = json.dumps({"social/bot": KEYS})
    default = Resource("pulumi:providers:pulumi-python", "default", {"twitter-secrets:credentials": config})
    assert plaintext.messages(default, None, TODAY) == []
    # An explicit provider's own arguments are checked like any resource's.
    explicit = Resource("pulumi:providers:xapi", "x", {"bearerToken": canary_bearer("pack/app")})
    assert len(plaintext.messages(explicit, None, TODAY)) == 1


def test_the_pack_imports_nothing_else_of_this_repository():
    """A published pack carries only its folder: policy/ may import the standard library,
    pulumi_policy (in __main__.py only) and its own rules, nothing else."""
    import ast
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "policy"
    for path in sorted(root.rglob("*.py")):
        if "venv" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                continue  # relative: inside rules/
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                top = name.split(".")[0]
                allowed = (
                    top in sys.stdlib_module_names
                    or top == "rules"
                    or (top == "pulumi_policy" and path.name == "__main__.py" and path.parent == root)
                )
                assert allowed, f"{path.relative_to(root.parent)} imports {name}"


def test_a_key_pasted_into_a_name_is_redacted_from_the_path_and_the_resource_name():
    """Paths are made of names; a key pasted as a tag's key, a variable's name or the resource's
    own name must not come back in the message."""
    plaintext = RULE["x-no-plaintext-key-material"]
    token, secret = KEYS["access_token"], KEYS["consumer_secret"]
    cases = [
        Resource("aws:s3/bucket:Bucket", "bucket", {"tags": {token: "1"}}),
        Resource("aws:s3/bucket:Bucket", "bucket", {"tags": {f"twitter-{secret}": "1"}}),
        Resource(
            "aws:ecs/taskDefinition:TaskDefinition",
            "task",
            {"containerDefinitions": json.dumps([{"environment": [{"name": token, "value": "on"}]}])},
        ),
        Resource("aws:lambda/function:Function", f"fn-{token}", {"description": f"twitter {secret}"}),
    ]
    for resource in cases:
        messages = plaintext.messages(resource, None, TODAY)
        assert messages, resource
        assert not found_fragments("\n".join(messages), KEYS.values()), messages
        assert "<redacted>" in "\n".join(messages)
    # Ordinary names are shown as they are: property names, tag names, hex digests.
    (message,) = plaintext.messages(
        Resource(
            "aws:s3/bucket:Bucket",
            "bucket-0123456789abcdef0123456789abcdef",
            {"tags": {"TWITTER_TOKEN": token}},
        ),
        None,
        TODAY,
    )
    assert message.startswith(
        "bucket-0123456789abcdef0123456789abcdef (aws:s3/bucket:Bucket): tags.TWITTER_TOKEN holds"
    )


def test_a_misspelt_setting_is_named_with_the_right_one():
    cmk = RULE["x-secret-cmk"]
    assert cmk.config_problem({"allowedKeys": []}) is None and cmk.config_problem(None) is None
    problem = cmk.config_problem({"allowedKey": ["alias/a"]}) or ""
    assert problem.startswith(
        "the policy config for x-secret-cmk has unknown settings: allowedKey (did you mean allowedKeys?)"
    )
    assert "alias/a" not in problem  # settings' values are not echoed
    tags = RULE["x-secret-rotation-tags"]
    assert "Its settings: none besides enforcementLevel" in (tags.config_problem({"graceDays": 3}) or "")


def test_names_that_are_keys_of_any_alphabet_are_redacted_and_property_names_are_not():
    from policy.rules.walk import REDACTED, segment

    client_secret = "aB3dE_fGh1-jKlMn2oP_qRsTu-VwXyZ4bCdE_fGhJ-kLmNo5pQ"  # 50, URL-safe, short pieces
    no_digit_key = "aBcDeFgHiJkLmNoPqRsTuVwXy"  # 25, mixed case, no digit
    for name in (client_secret, f"TWITTER_{client_secret}", no_digit_key, "CnryCI" + "aB3dE" * 5 + "Xy0z"):
        assert segment(name) == REDACTED, name
    for name in (
        "forceOverwriteReplicaSecret",
        "TWITTER_CONSUMER_KEY_PRODUCTION",
        "rotation:interval-days",
        "0123456789abcdef0123456789abcdef",
        "secretStringWoVersion",
        "aws:cloudformation:stack-name",
    ):
        assert segment(name) == name, name
    plaintext = RULE["x-no-plaintext-key-material"]
    leaky = Resource(
        "aws:lambda/function:Function",
        "fn",
        {"environment": {"variables": {f"TWITTER_{client_secret}": "x"}}},
    )
    (message,) = plaintext.messages(leaky, None, TODAY)
    assert client_secret[:10] not in message and "<redacted>" in message


@pytest.mark.parametrize("seed", range(3))
def test_jwts_and_url_safe_tokens_are_not_access_tokens(seed):
    import base64
    import random

    rng = random.Random(seed)

    def blob(n: int) -> str:
        return base64.urlsafe_b64encode(bytes(rng.randrange(256) for _ in range(n))).decode().rstrip("=")

    for _ in range(300):
        jwt = ".".join((blob(36), blob(150), blob(64)))
        props = {"environment": {"variables": {"SESSION_JWT": jwt, "TOKEN": blob(192)}}}
        assert (
            RULE["x-no-plaintext-key-material"].messages(
                Resource("aws:lambda/function:Function", "fn", props), None, TODAY
            )
            == []
        )
    # An Access Token in a short name around it is still found.
    assert RULE["x-no-plaintext-key-material"].messages(
        Resource("aws:sqs/queue:Queue", "q", {"name": f"x-api-{KEYS['access_token']}"}), None, TODAY
    )


def test_an_ordinary_password_secret_is_not_taken_for_x_keys():
    import random
    import string

    rng = random.Random(7)
    for _ in range(500):
        password = "".join(
            rng.choice(string.ascii_letters + string.digits) for _ in range(rng.choice((25, 45, 50)))
        )
        assert (
            via_component_problems(VERSION, {"secretString": json.dumps({"password": password})}, None) == []
        )


def test_unknowns_that_decide_a_rule_skip_it():
    from policy.rules.walk import UNKNOWN

    tags = {"twitter:app": "bot", "owner": "o", "rotation:strategy": UNKNOWN}
    assert RULE["x-secret-rotation-tags"].messages(Resource(SECRET, "s", {"tags": tags}), None, TODAY) == []
    public = RULE["x-secret-no-public-policy"]
    policy = json.dumps({"Statement": []})
    policy_type = "aws:secretsmanager/secretPolicy:SecretPolicy"
    assert (
        public.messages(
            Resource(policy_type, "p", {"policy": policy, "blockPublicPolicy": UNKNOWN}), None, TODAY
        )
        == []
    )
    assert public.messages(Resource(policy_type, "p", {"policy": policy}), None, TODAY) != []
    ssm = {"name": "/bots/twitter/api", "type": UNKNOWN, "value": KEYS["consumer_key"]}
    assert (
        RULE["x-no-plaintext-key-material"].messages(
            Resource("aws:ssm/parameter:Parameter", "p", ssm), None, TODAY
        )
        == []
    )


def test_odd_interval_digits_and_loose_dates_are_reported_not_crashed_on():
    bad = {**GOOD_TAGS, "rotation:interval-days": "²", "rotation:issued-at": "20260901"}
    problems = RULE["x-secret-rotation-tags"].messages(Resource(SECRET, "s", {"tags": bad}), None, TODAY)
    assert any("rotation:interval-days is not a whole number" in p for p in problems)
    assert any("rotation:issued-at is not a date in the form YYYY-MM-DD" in p for p in problems)
    # Numbers from the engine's config arrive as floats.
    late = Resource(SECRET, "s", {"tags": GOOD_TAGS})
    (message,) = RULE["x-secret-rotation-overdue"].messages(late, {"mandatoryAfterDays": 3.0}, TODAY)
    assert "more than the 3 days" in message


@pytest.mark.parametrize(
    "condition",
    [
        {"StringNotEquals": {"aws:PrincipalAccount": "123456789012"}},
        {"StringLike": {"aws:PrincipalOrgID": "*"}},
        {"Null": {"aws:PrincipalOrgID": "false"}},
    ],
)
def test_a_condition_that_does_not_pin_an_org_or_account_does_not_limit_a_public_grant(condition):
    from policy.rules.secrets import public_policy_problems

    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": "*",
        "Condition": condition,
    }
    props = {"policy": json.dumps({"Statement": [statement]}), "blockPublicPolicy": True}
    assert public_policy_problems("aws:secretsmanager/secretPolicy:SecretPolicy", props) != []
    pinned = {**statement, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}
    props = {"policy": json.dumps({"Statement": [pinned]}), "blockPublicPolicy": True}
    assert public_policy_problems("aws:secretsmanager/secretPolicy:SecretPolicy", props) == []
