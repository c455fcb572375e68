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
