"""Every bad input stops the program with a clear error and zero AWS resources."""

from __future__ import annotations

import copy

import pytest

from tests.canaries import canary_credentials
from tests.conftest import PROJECTS, make_config
from tests.harness import run_program
from twitter_runtime import InvalidInputError

LISTENER = "brand-monitoring/listener"


def failed(config, **kwargs) -> str:
    """Run, assert it failed before any AWS resource was registered, return the error text."""
    result = run_program(config, **kwargs)
    assert result.error is not None, "the program should have failed"
    assert result.aws_resources == [], [r.name for r in result.aws_resources]
    root = result.error
    while not isinstance(root, InvalidInputError) and root.__cause__ is not None:
        root = root.__cause__
    assert isinstance(root, InvalidInputError), repr(result.error)
    return str(root)


def with_credential(field: str, value, label: str = LISTENER):
    config = make_config()
    config["twitter-secrets:credentials"][label][field] = value
    return config


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("access_token", "", f"{LISTENER}: access_token is empty"),
        (
            "consumer_key",
            "CnryCKwithnewline0123456\n",
            f"{LISTENER}: consumer_key has leading or trailing whitespace",
        ),
        (
            "consumer_secret",
            "CnryCS has spaces inside it",
            f"{LISTENER}: consumer_secret contains characters other",
        ),
        ("access_token", "CnryATnoUserIdPrefix", f"{LISTENER}: access_token is not in the form"),
        ("consumer_key", "1000-CnryATpastedIntoKey", f"{LISTENER}: consumer_key looks like an Access Token"),
    ],
)
def test_bad_credential_value(field, value, expected):
    message = failed(with_credential(field, value))
    assert message.startswith(expected)
    if value.strip():
        assert value.strip() not in message


def test_consumer_key_equal_to_secret():
    config = make_config()
    creds = config["twitter-secrets:credentials"][LISTENER]
    creds["consumer_secret"] = creds["consumer_key"]
    message = failed(config)
    assert message == (
        f"{LISTENER}: consumer_secret is the same as consumer_key; copy the API Key Secret into consumer_secret"
    )


def test_same_consumer_key_in_two_apps():
    config = make_config()
    creds = config["twitter-secrets:credentials"]
    creds["research/archive"]["consumer_key"] = creds[LISTENER]["consumer_key"]
    message = failed(config)
    assert message == (
        "research/archive: consumer_key is the same as brand-monitoring/listener's; each app has its own "
        "API Key, so one of them holds the wrong keys"
    )


def test_unknown_credential_field():
    message = failed(with_credential("bearer_token", "x"))
    assert message.startswith(
        f"{LISTENER}: credential field(s) number 5 (in the order given) are not known; valid"
    )
    assert "bearer_token" not in message


def test_missing_credentials_for_an_app_show_the_command():
    config = make_config()
    del config["twitter-secrets:credentials"]["research/archive"]
    message = failed(config)
    assert message.startswith("research/archive: no credentials; set each of consumer_key, ")
    assert (
        "pulumi config set --secret --path 'twitter-secrets:credentials[\"research/archive\"].<field>'"
        in message
    )


def test_credentials_for_an_unknown_app():
    config = make_config()
    config["twitter-secrets:credentials"]["research/archiv"] = canary_credentials("typo")
    message = failed(config)
    assert "twitter-secrets:credentials entry #4 (in the order given) matches no app" in message
    assert "research/archiv" not in message  # a label can be a key pasted in the wrong place


def test_a_wrongly_typed_setting_in_a_later_app_stops_every_app():
    projects = copy.deepcopy(PROJECTS)
    projects["research"]["apps"]["archive"]["kms_key_id"] = 5
    result = run_program(make_config(projects))
    assert "research/archive: kms_key_id must be a KMS key ARN" in str(result.error)
    assert result.aws_resources == []  # brand-monitoring's apps, which are fine, were not written either


def test_credentials_not_set_at_all():
    config = make_config()
    del config["twitter-secrets:credentials"]
    message = failed(config)
    assert message.startswith("twitter-secrets:credentials is not set")
    assert "brand-monitoring/listener, brand-monitoring/responder, research/archive" in message


def test_credentials_in_plain_text_config_are_refused(monkeypatch):
    # What the CLI's language host passes: the config keys that hold secure values.
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", '["aws:secretKey"]')
    message = failed(make_config(), secret_keys=())
    assert message.startswith("twitter-secrets:credentials is stored in plain text")


def test_encrypted_credentials_pass_the_plain_text_check(monkeypatch):
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", '["twitter-secrets:credentials"]')
    assert run_program(make_config(), secret_keys=()).error is None


def test_credentials_set_without_path_are_refused_without_echo():
    config = make_config()
    key = config["twitter-secrets:credentials"][LISTENER]["consumer_key"]
    config["twitter-secrets:credentials"] = (
        key  # `pulumi config set --secret twitter-secrets:credentials <key>`
    )
    result = run_program(config)
    message = failed(config)
    assert message.startswith("twitter-secrets:credentials is not an object keyed 'project/app'")
    assert key[:10] not in "".join(__import__("traceback").format_exception(result.error))


def test_unknown_config_key_lists_valid_ones():
    message = failed(make_config(default={"owner": "x"}))
    assert (
        message
        == "config: unknown key(s) default (did you mean defaults?); valid keys are projects, credentials, defaults, reminders"
    )


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            ("apps", "listener", "rotation_days"),
            30,
            "unknown key(s) rotation_days; valid keys are owner, issued_at",
        ),
        (
            ("apps", "listener", "issued_at"),
            "2026-13-01",
            f"{LISTENER}: issued_at is not a real calendar date",
        ),
        (("apps", "listener", "rotation_interval_days"), 0, f"{LISTENER}: rotation_interval_days must be"),
        (("apps", "listener", "access_tier"), "gold", f"{LISTENER}: access_tier must be one of"),
        (
            ("apps", "listener", "tags"),
            {"owner": "me"},
            f"{LISTENER}: the key of extra tag #1 (in key order) is reserved",
        ),
        (("access_tier",), "platinum", "brand-monitoring/responder: access_tier must be one of"),
        (("apps", "Listener Two"), {"issued_at": "2026-01-01"}, "app may only contain letters"),
        (("owner",), None, "brand-monitoring/listener: owner is required"),
        (("colour",), "blue", "twitter-secrets:projects.brand-monitoring: unknown key(s) colour"),
    ],
)
def test_bad_project_config(path, value, expected):
    config = make_config()
    node = config["twitter-secrets:projects"]["brand-monitoring"]
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    if path == ("apps", "Listener Two"):
        config["twitter-secrets:credentials"]["brand-monitoring/Listener Two"] = canary_credentials("x")
    assert expected in failed(config)


def test_one_bad_app_stops_every_app():
    """Validation is stack-wide: a good app is not written while a bad one waits."""
    config = with_credential("access_token_secret", "", label="research/archive")
    message = failed(config)
    assert message.startswith("research/archive: access_token_secret is empty")


def test_all_problems_across_apps_are_reported_together():
    config = make_config()
    creds = config["twitter-secrets:credentials"]
    creds[LISTENER]["access_token"] = "bad"
    creds["research/archive"]["consumer_key"] = " x"
    lines = failed(config).splitlines()
    assert [line.split(":")[0] for line in lines] == [LISTENER, "research/archive"]


def test_key_material_pasted_into_a_tag_is_refused_without_echo():
    config = make_config()
    secret = config["twitter-secrets:credentials"]["research/archive"]["consumer_secret"]
    config["twitter-secrets:projects"]["research"]["apps"]["archive"]["tags"]["note"] = secret
    message = failed(config)
    assert message == (
        "research/archive: extra tag #2 (in key order) contains one of the app's keys; "
        "it would be stored in plain text, remove it"
    )
    assert secret[:10] not in message


def test_another_apps_key_pasted_into_a_tag_is_refused():
    config = make_config()
    key = config["twitter-secrets:credentials"][LISTENER]["consumer_key"]
    config["twitter-secrets:projects"]["research"]["apps"]["archive"]["tags"]["note"] = f"copied {key} here"
    message = failed(config)
    assert message == (
        "research/archive: extra tag #2 (in key order) contains a key of brand-monitoring/listener; "
        "it would be stored in plain text, remove it"
    )


@pytest.mark.parametrize(
    "typed",
    [
        {"consumer_key": "CanaryTypedKey0123456789"},
        {"consumer_key": "CanaryTypedKey0123456789", "access_token": "12-CanaryTypedToken0123456789"},
        {"credentials": {"consumer_key": "CanaryTypedKey0123456789"}},
    ],
)
def test_keys_typed_into_the_plain_text_projects_config_are_refused_as_plain_text(typed):
    projects = copy.deepcopy(PROJECTS)
    projects["brand-monitoring"]["apps"]["listener"].update(typed)
    result = run_program(make_config(projects))
    assert isinstance(result.error, InvalidInputError)
    message = str(result.error)
    assert (
        f"brand-monitoring/listener: {', '.join(sorted(typed))} in twitter-secrets:projects is stored in plain "
        "text; keys must be set as secrets: pulumi config set --secret --path "
        "'twitter-secrets:credentials[\"brand-monitoring/listener\"].<field>'"
    ) in message
    assert "give either credentials or" not in message and "unknown key" not in message
    assert "CanaryTyped" not in message
    assert result.aws_resources == []


@pytest.mark.parametrize(
    ("projects", "pair"),
    [
        (
            {
                "a-b": {"owner": "t", "apps": {"c": {"issued_at": "2026-01-01"}}},
                "a": {"owner": "t", "apps": {"b-c": {"issued_at": "2026-01-01"}}},
            },
            "a-b/c and a/b-c: their IAM names would be the same (twitter-dev-a-b-c-read:",
        ),
        (
            {
                "p": {
                    "owner": "t",
                    "apps": {
                        "Listener": {"issued_at": "2026-01-01"},
                        "listener": {"issued_at": "2026-01-01"},
                    },
                }
            },
            "p/Listener and p/listener: their IAM names would be the same",
        ),
        (
            {
                "p": {
                    "owner": "t",
                    "access_tier": "basic",
                    "apps": {
                        "a.b": {"issued_at": "2026-01-01", "bearer_rotation": 30},
                        "a-b": {"issued_at": "2026-01-01", "bearer_rotation": 30},
                    },
                }
            },
            "p/a-b and p/a.b: their Lambda names would be the same (twitter-dev-p-a-b-rotation:",
        ),
    ],
)
def test_apps_whose_iam_names_collide_are_refused_before_anything_is_written(projects, pair):
    result = run_program(make_config(projects))
    assert isinstance(result.error, InvalidInputError)
    assert pair in str(result.error) and "rename one of the apps or projects" in str(result.error)
    assert result.aws_resources == []


def test_names_that_meet_only_as_lambda_names_are_fine_without_bearer_rotation():
    projects = {
        "p": {"owner": "t", "apps": {"a.b": {"issued_at": "2026-01-01"}, "a-b": {"issued_at": "2026-01-01"}}}
    }
    assert run_program(make_config(projects)).error is None


def test_a_key_pasted_as_a_setting_name_is_named_by_position_only():
    config = make_config()
    pasted = config["twitter-secrets:credentials"][LISTENER]["consumer_secret"]
    config["twitter-secrets:projects"]["brand-monitoring"]["apps"]["listener"][pasted] = "x"
    config["twitter-secrets:projects"]["brand-monitoring"]["apps"]["listener"]["colour"] = "red"
    text = failed(config)
    assert (
        "twitter-secrets:projects.brand-monitoring.apps.listener: unknown key(s) colour, 1 more not shown (each "
        "may be a key pasted in the wrong place)"
    ) in text
    assert pasted[:10] not in text and pasted[-10:] not in text


def test_a_setting_in_the_plugins_camel_case_gets_a_did_you_mean():
    config = make_config()
    config["twitter-secrets:projects"]["brand-monitoring"]["apps"]["listener"]["rotationIntervalDays"] = 30
    text = failed(config)
    assert (
        "twitter-secrets:projects.brand-monitoring.apps.listener: unknown key(s) rotationIntervalDays (did you mean "
        "rotation_interval_days?)"
    ) in text
