"""The plugin's schema: built by the class the plugin process runs, reviewed as a snapshot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.plugin_schema import SNAPSHOT, plugin_schema, render

ROOT = Path(__file__).resolve().parents[1]
APP = "twitter-secrets:index:TwitterAppCredentials"
PROJECT = "twitter-secrets:index:TwitterProject"
APP_SETTINGS = "twitter-secrets:index:TwitterProjectApp"
ACCOUNT_SETTINGS = "twitter-secrets:index:TwitterProjectAccount"


@pytest.fixture(scope="module")
def schema():
    return plugin_schema()


def test_committed_schema_is_what_the_plugin_serves(schema):
    # Any change to an argument, output or description shows up in review as a diff of schema.json.
    assert SNAPSHOT.read_text() == render(schema), "run: python scripts/plugin_schema.py"


def test_check_mode_fails_on_a_stale_snapshot(tmp_path, monkeypatch):
    import scripts.plugin_schema as script

    stale = tmp_path / "schema.json"
    stale.write_text(SNAPSHOT.read_text().replace('"rotationDueAt"', '"rotationDueOn"', 1))
    monkeypatch.setattr(script, "SNAPSHOT", stale)
    monkeypatch.setattr(script, "ROOT", tmp_path)
    assert script.main(["--check"]) == 1
    stale.write_text(SNAPSHOT.read_text())
    assert script.main(["--check"]) == 0


def test_package_name_tokens_and_namespace(schema):
    assert schema["name"] == "twitter-secrets"
    assert schema["namespace"] == "twitter-secrets"  # not Pulumi's own @pulumi scope
    assert schema["version"] == "0.3.0"
    assert sorted(schema["resources"]) == [APP, PROJECT]
    assert all(r["isComponent"] for r in schema["resources"].values())
    assert sorted(schema["types"]) == [ACCOUNT_SETTINGS, APP_SETTINGS]


def test_required_inputs(schema):
    assert schema["resources"][APP]["requiredInputs"] == ["app", "issuedAt", "owner", "project"]
    assert schema["resources"][PROJECT]["requiredInputs"] == ["apps", "project"]
    assert schema["types"][APP_SETTINGS]["required"] == ["issuedAt", "owner"]


def test_every_argument_and_output_is_documented(schema):
    undocumented = [
        f"{token}.{kind}.{name}"
        for token, resource in schema["resources"].items()
        for kind in ("inputProperties", "properties")
        for name, prop in resource[kind].items()
        if not prop.get("description")
    ]
    undocumented += [
        f"{token}.{name}"
        for token in (APP_SETTINGS, ACCOUNT_SETTINGS)
        for name, prop in schema["types"][token]["properties"].items()
        if not prop.get("description")
    ]
    assert undocumented == []
    assert all(r.get("description") for r in schema["resources"].values())


def test_no_union_and_the_rotation_schedule_is_two_fields(schema):
    inputs = schema["resources"][APP]["inputProperties"]
    assert inputs["bearerRotationDays"]["type"] == "integer"
    assert inputs["bearerRotationSchedule"]["type"] == "string"
    assert "bearerRotation" not in inputs
    assert inputs["rotationIntervalDays"]["type"] == "integer"


def test_project_outputs_are_maps_of_plain_values(schema):
    outputs = schema["resources"][PROJECT]["properties"]
    maps = (
        "secretArns",
        "secretNames",
        "fingerprints",
        "rotationDueAt",
        "readPolicyArns",
        "bearerSecretArns",
    )
    for name in maps:
        assert outputs[name]["type"] == "object"
        assert outputs[name]["additionalProperties"]["type"] == "string"
    assert "apps" not in outputs  # component references cannot cross languages
    text = json.dumps(schema)
    assert "schema.json#/resources" not in text  # no reference to another package's resource


def test_project_app_settings_match_the_component_arguments(schema):
    # Written out twice in components/args.py (descriptions come from the declaring class);
    # they must agree field for field: same name, type and description.
    app_inputs = schema["resources"][APP]["inputProperties"]
    settings = schema["types"][APP_SETTINGS]["properties"]
    per_app_only = {
        "project",
        "app",
        "consumerKey",
        "consumerSecret",
        "accessToken",
        "accessTokenSecret",
        "clientId",
        "clientSecret",
        "credentials",
        "account",
    }
    # How an App's several accounts are described: only a project's app has them.
    project_only = {"accounts", "bearerRotationAccount"}
    assert set(settings) - project_only == set(app_inputs) - per_app_only
    for name, prop in settings.items():
        if name not in project_only:
            assert prop == app_inputs[name], name


def test_accounts_are_a_map_of_account_settings_with_no_keys(schema):
    accounts = schema["types"][APP_SETTINGS]["properties"]["accounts"]
    assert accounts["type"] == "object"
    assert accounts["additionalProperties"]["$ref"] == f"#/types/{ACCOUNT_SETTINGS}"
    account = schema["types"][ACCOUNT_SETTINGS]["properties"]
    assert sorted(account) == ["accessLevel", "issuedAt", "owner", "readers", "rotationIntervalDays", "tags"]
    assert schema["types"][ACCOUNT_SETTINGS].get("required", []) == []
    # Keys are never plain settings: they only arrive through the secret credentials map.
    assert not {"accessToken", "accessTokenSecret", "clientSecret"} & set(account)


def test_the_script_regenerates_identically(tmp_path):
    done = subprocess.run(
        [sys.executable, "scripts/plugin_schema.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "provider/schema.json is up to date" in done.stdout
