"""The examples in other languages use only what the plugin's schema offers, as it offers it."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from tests.schema_check import COMPUTED, resource_problems
from tests.ts_literals import component_calls

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "provider" / "schema.json").read_text())
YAML_PROGRAM = ROOT / "examples" / "yaml" / "Pulumi.yaml"
TS_PROGRAM = ROOT / "examples" / "typescript" / "index.ts"
OURS = "twitter-secrets:index:"


def yaml_values(value):
    """A YAML program's property values, with ${...} interpolations as computed."""
    if isinstance(value, str) and "${" in value:
        return COMPUTED
    if isinstance(value, dict):
        return {k: yaml_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [yaml_values(v) for v in value]
    return value


def yaml_resources(document):
    return {
        name: (spec["type"], yaml_values(spec.get("properties", {})))
        for name, spec in document["resources"].items()
        if spec["type"].startswith(OURS)
    }


def ts_resources(source: str):
    return {name: (OURS + cls, args) for cls, name, args in component_calls(source, "twitterSecrets")}


@pytest.fixture(scope="module")
def yaml_program():
    return yaml.safe_load(YAML_PROGRAM.read_text())


def test_yaml_example_matches_the_schema(yaml_program):
    resources = yaml_resources(yaml_program)
    assert [t for t, _ in resources.values()] == [OURS + "TwitterProject"]
    (props,) = [p for _, p in resources.values()]
    assert sorted(props["apps"]) == ["listener", "responder"]  # two apps, as promised
    assert [p for name, (t, p) in resources.items() for p in resource_problems(name, t, p, SCHEMA)] == []


def test_yaml_example_takes_every_key_from_secret_config(yaml_program):
    declared = yaml_program["config"]
    credentials = yaml_program["resources"]["brandMonitoring"]["properties"]["credentials"]
    apps = yaml_program["resources"]["brandMonitoring"]["properties"]["apps"]
    expected = {
        "listener": ["access_token", "access_token_secret", "consumer_key", "consumer_secret"],
        # An App with accounts: its own pair once, each account's token pair under app/account.
        "responder": ["consumer_key", "consumer_secret"],
        **{f"responder/{a}": ["access_token", "access_token_secret"] for a in apps["responder"]["accounts"]},
    }
    assert {app: sorted(keys) for app, keys in credentials.items()} == expected
    for keys in credentials.values():
        for reference in keys.values():
            name = reference.removeprefix("${").removesuffix("}")
            assert declared[name] == {"type": "string", "secret": True}
    assert yaml_program["packages"]["twitter-secrets"] == "../../provider"


def test_yaml_example_outputs_name_outputs_the_schema_has(yaml_program):
    outputs = SCHEMA["resources"][OURS + "TwitterProject"]["properties"]
    for reference in yaml_program["outputs"].values():
        resource, _, field = reference.removeprefix("${").removesuffix("}").partition(".")
        assert resource == "brandMonitoring" and field in outputs


def test_typescript_example_matches_the_schema():
    resources = ts_resources(TS_PROGRAM.read_text())
    assert sorted(t for t, _ in resources.values()) == [
        OURS + "TwitterAppCredentials",
        OURS + "TwitterProject",
    ]
    assert resources["listener"][1]["rotationIntervalDays"] == 90
    assert resources["listener"][1]["consumerKey"] is COMPUTED  # config.requireSecret(...)
    assert [p for name, (t, p) in resources.items() for p in resource_problems(name, t, p, SCHEMA)] == []


def test_typescript_example_reads_outputs_the_schema_has():
    source = TS_PROGRAM.read_text()
    app_outputs = SCHEMA["resources"][OURS + "TwitterAppCredentials"]["properties"]
    project_outputs = SCHEMA["resources"][OURS + "TwitterProject"]["properties"]
    assert "listener.secretArn" in source and "secretArn" in app_outputs
    assert "listener.rotationDueAt" in source and "rotationDueAt" in app_outputs
    assert "support.secretArns" in source and "secretArns" in project_outputs


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda p: p.update(colour="red"), "brandMonitoring.colour: not a property in the schema"),
        (lambda p: p.pop("project"), "brandMonitoring: required property project is missing"),
        (
            lambda p: p["apps"]["listener"].pop("owner"),
            "brandMonitoring.apps.listener: required property owner",
        ),
        (
            lambda p: p["apps"]["responder"].update(rotationIntervalDays="30"),
            "rotationIntervalDays: expected integer",
        ),
        (lambda p: p["apps"]["responder"].update(verify="yes"), "apps.responder.verify: expected boolean"),
        (lambda p: p["apps"]["responder"].update(bearerRotation=30), "bearerRotation: not a property"),
    ],
)
def test_the_check_finds_each_kind_of_mistake(yaml_program, change, expected):
    program = copy.deepcopy(yaml_program)
    change(program["resources"]["brandMonitoring"]["properties"])
    problems = [
        p
        for name, (t, props) in yaml_resources(program).items()
        for p in resource_problems(name, t, props, SCHEMA)
    ]
    assert any(expected in p for p in problems), problems


def test_the_typescript_reader_reads_literals_and_marks_the_rest_computed():
    source = """
    // a comment with "quotes", and a URL in a string below
    const x = new twitterSecrets.TwitterAppCredentials("a", {
        project: "p", app: 'b', n: 3, f: 1.5, on: true, url: "https://api.x.com",
        list: ["eu-west-1", other], nested: { k: "v" }, key: config.requireSecret("k"),
    });
    """
    ((cls, name, args),) = component_calls(source, "twitterSecrets")
    assert (cls, name) == ("TwitterAppCredentials", "a")
    assert args == {
        "project": "p",
        "app": "b",
        "n": 3,
        "f": 1.5,
        "on": True,
        "url": "https://api.x.com",
        "list": ["eu-west-1", COMPUTED],
        "nested": {"k": "v"},
        "key": COMPUTED,
    }
