"""key_source: put (issue 23): Pulumi owns the secret, its policies and metadata, never the keys.

Under the mock monitor: what is registered (no SecretVersion, no fingerprint, the source tag),
what is refused (keys in config for such an app, verify, write_only, bearer rotation), and that
config and put apps mix in one stack with one gate for the keys that are given.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.conftest import LABELS, PROJECTS, make_config
from tests.harness import run_program
from tests.test_bad_input import failed

SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"


def all_put(**app_extra: Any) -> dict[str, Any]:
    """PROJECTS with key_source put in defaults, and no credentials at all."""
    projects = copy.deepcopy(PROJECTS)
    for spec in projects.values():
        for app in spec["apps"].values():
            app.update(app_extra)
    config = make_config(projects, defaults={"key_source": "put"})
    del config["twitter-secrets:credentials"]
    return config


def test_put_registers_the_secret_and_its_policy_but_no_value():
    run = run_program(all_put())
    assert run.error is None, run.error
    secrets = run.of_type(SECRET)
    assert sorted(r.inputs["name"] for r in secrets) == sorted(f"twitter/dev/{label}" for label in LABELS)
    assert run.of_type(VERSION) == []
    assert len(run.of_type("aws:iam/policy:Policy")) == 3  # the read policy is still Pulumi's
    tags = next(
        r.inputs["tags"] for r in secrets if r.inputs["name"] == "twitter/dev/brand-monitoring/listener"
    )
    assert tags["credentials:source"] == "put"
    assert "credentials:fingerprint" not in tags
    assert tags["rotation:due-at"] == "2026-11-30" and tags["owner"] == "team-social"


def test_put_apps_say_so_in_the_outputs_and_have_no_fingerprint():
    run = run_program(all_put())
    entry = run.outputs["twitterApps"]["research/archive"]
    assert entry["keySource"] == "put"
    assert "fingerprint" not in entry and "versionId" not in entry
    assert entry["arn"] == run.outputs["secretArns"]["research/archive"]


def test_keys_in_config_for_a_put_app_are_refused_by_label_without_echo():
    config = make_config(defaults={"key_source": "put"})
    message = failed(config)
    for label in LABELS:
        assert f"{label}: key_source is put, yet twitter-secrets:credentials holds keys for it" in message
    assert "twitter-secrets put --app brand-monitoring/listener" in message
    for keys in config["twitter-secrets:credentials"].values():
        for value in keys.values():
            assert value not in message


def test_put_with_verify_write_only_or_bearer_rotation_is_refused():
    message = failed(all_put(verify=True, write_only=True, bearer_rotation_days=30))
    assert "research/archive: verify checks the keys during pulumi up" in message
    assert "research/archive: write_only has no effect with key_source: put" in message
    assert "research/archive: bearer rotation starts at once" in message


def test_an_unknown_key_source_is_named_with_the_choices():
    config = all_put()
    config["twitter-secrets:defaults"] = {"key_source": "stdin"}
    message = failed(config)
    assert "key_source must be one of config, put" in message


def test_config_and_put_apps_mix_and_a_bad_key_stops_both():
    projects = copy.deepcopy(PROJECTS)
    projects["research"]["apps"]["archive"]["key_source"] = "put"
    config = make_config(projects)
    del config["twitter-secrets:credentials"]["research/archive"]
    run = run_program(config)
    assert run.error is None, run.error
    assert sorted(r.inputs["secretId"] is not None for r in run.of_type(VERSION)) == [True, True]
    assert len(run.of_type(SECRET)) == 3
    config["twitter-secrets:credentials"]["brand-monitoring/listener"]["consumer_key"] = ""
    assert "brand-monitoring/listener: consumer_key is empty" in failed(config)


def test_no_credentials_at_all_names_only_the_config_apps():
    projects = copy.deepcopy(PROJECTS)
    projects["research"]["apps"]["archive"]["key_source"] = "put"
    config = make_config(projects)
    del config["twitter-secrets:credentials"]
    message = failed(config)
    assert "apps without credentials: brand-monitoring/listener, brand-monitoring/responder" in message
    assert "or set key_source: put" in message


def test_a_put_app_in_a_project_waits_for_its_siblings_keys():
    """TwitterProject used directly checks keys in an apply: the put app's secret must wait for it."""
    from pathlib import Path

    from tests.canaries import canary_credentials

    apps = {
        "a1": {"owner": "team", "issued_at": "2026-03-01", "key_source": "put"},
        "a2": {"owner": "team", "issued_at": "2026-03-01", **canary_credentials("p/a2", user_id="8")},
    }
    program = Path(__file__).parent / "programs" / "direct_project.py"
    good = run_program({"test:project": {"project": "p", "apps": apps}}, secret_keys=(), main=program)
    assert good.error is None, good.error
    assert sorted(r.inputs["name"] for r in good.of_type(SECRET)) == ["twitter/dev/p/a1", "twitter/dev/p/a2"]
    apps["a2"]["consumer_key"] = ""
    bad = run_program({"test:project": {"project": "p", "apps": apps}}, secret_keys=(), main=program)
    assert bad.error is not None and "p/a2: consumer_key is empty" in str(bad.error)
    assert bad.of_type(SECRET) == []  # not even the put app's, whose keys were never in question
