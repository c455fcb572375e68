"""Issue 23: 1,000 apps in one stack on Pulumi's real engine, in the layout that has no ceiling.

With keys in config one stack stops near 380 apps (Pulumi's Python host passes the whole config
in one 128 KiB environment string). With ``key_source: put`` the config holds only the apps'
metadata, so this stack of 1,000 apps (100 Projects of 10) runs: preview, up, ``twitter-secrets
put`` of every app's keys from stdin, a no-change up, and ``audit --live`` over the stack's
outputs. The keys are canaries: neither the engine's output nor the state holds any of them.

The engine runs with PULUMI_SKIP_CHECKPOINTS=true. With a file backend, Pulumi 3.274 serializes
and checks the whole state after every step, previews included (into a discarding persister),
so a run's engine time grows with the square of the resources: a preview of these 3,101
resources took over 300 s here with checkpoints and 49 s without (docs/benchmark.md). The
variable makes the engine write the state once, at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from components.config_size import ENV_STRING_MAX, config_env_bytes
from tests.aws_server import aws_env, client, reset
from tests.canaries import canary_credentials, found_fragments
from tests.engine import ROOT, Engine, Run, require_pulumi
from twitter_runtime import canonical_payload, fingerprint

STACK = "thousand"
PROJECTS, APPS_PER_PROJECT = 100, 10
APPS = PROJECTS * APPS_PER_PROJECT


def labels() -> list[str]:
    return [f"p{p:03d}/app{a:02d}" for p in range(PROJECTS) for a in range(APPS_PER_PROJECT)]


KEYS = {label: canary_credentials(label, user_id=str(70_000 + i)) for i, label in enumerate(labels())}


def stack_config() -> dict:
    projects: dict = {}
    for label in labels():
        project, app = label.split("/")
        projects.setdefault(project, {"owner": f"team-{project}", "apps": {}})["apps"][app] = {
            "issued_at": "2026-11-01"
        }
    return {
        "aws:region": "us-east-1",
        "twitter-secrets:defaults": {"key_source": "put"},
        "twitter-secrets:projects": projects,
    }


class World:
    def __init__(self, engine: Engine, work: Path) -> None:
        self.engine = engine
        self.work = engine.repository_project(work)
        self.stack = engine.stack(self.work, STACK)
        self.results: dict[str, Run] = {}


@pytest.fixture(scope="module")
def world(tmp_path_factory, moto_url):
    pulumi = require_pulumi()
    reset(moto_url)
    home = tmp_path_factory.mktemp("thousand")
    engine = Engine(pulumi=pulumi, home=home, moto_url=moto_url, timeout=1200.0)
    engine.env["PULUMI_SKIP_CHECKPOINTS"] = "true"
    world = World(engine, home / "project")
    engine.init_stack(world.work, STACK, stack_config(), {})
    return world


def secret_names(moto_url: str) -> set[str]:
    pages = client(moto_url, "secretsmanager").get_paginator("list_secrets").paginate()
    return {s["Name"] for page in pages for s in page["SecretList"]}


def leaked(text: str) -> list[str]:
    return found_fragments(text, [v for keys in KEYS.values() for v in keys.values()])


def test_the_config_of_a_thousand_apps_fits_with_room_to_spare():
    with_keys = {**stack_config(), "twitter-secrets:credentials": KEYS}
    with_keys["twitter-secrets:defaults"] = {}
    assert config_env_bytes(with_keys) > 2 * ENV_STRING_MAX  # would not start: argument list too long
    assert config_env_bytes(stack_config()) < 0.4 * ENV_STRING_MAX


def test_up_creates_a_secret_per_app_and_no_value(world, moto_url):
    result = world.stack.up()
    world.results["up"] = result
    per_app = 3  # the component, its Secret, its read policy
    assert result.changes == {"create": 1 + PROJECTS + APPS * per_app}
    names = secret_names(moto_url)
    assert names == {f"twitter/{STACK}/{label}" for label in labels()}
    described = client(moto_url, "secretsmanager").describe_secret(SecretId=f"twitter/{STACK}/p042/app07")
    assert not described.get("VersionIdsToStages")  # no value: put writes it


def test_put_writes_every_apps_keys_from_stdin(world, moto_url):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "twitter_secrets_cli",
            "put",
            "--stack",
            STACK,
            "--project-dir",
            str(world.work),
        ],
        input=json.dumps(KEYS),
        capture_output=True,
        text=True,
        env={**os.environ, **aws_env(moto_url)},
        cwd=ROOT,
        timeout=600,
    )
    world.engine.collect(done.stdout + done.stderr)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"put: {APPS} written of {APPS}" in done.stdout
    sm = client(moto_url, "secretsmanager")
    value = sm.get_secret_value(SecretId=f"twitter/{STACK}/p099/app09")["SecretString"]
    assert json.loads(value) == KEYS["p099/app09"]


def test_a_second_up_changes_nothing_and_keeps_the_values(world, moto_url):
    result = world.stack.up(expect_no_changes=True)
    world.results["again"] = result
    assert result.changes == {"same": 1 + PROJECTS + APPS * 3}
    sm = client(moto_url, "secretsmanager")
    value = sm.get_secret_value(SecretId=f"twitter/{STACK}/p000/app00")["SecretString"]
    assert json.loads(value) == KEYS["p000/app00"]


def test_live_audit_of_the_thousand_apps_is_clean(world, moto_url):
    outputs = world.stack.outputs()
    assert len(outputs["twitterApps"]) == APPS
    done = subprocess.run(
        [sys.executable, "-m", "twitter_secrets_cli", "audit", "-", "--live", "--format", "json"],
        input=json.dumps(outputs),
        capture_output=True,
        text=True,
        env={**os.environ, **aws_env(moto_url)},
        cwd=ROOT,
        timeout=600,
    )
    world.engine.collect(done.stdout + done.stderr)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = json.loads(done.stdout)
    assert len(rows) == APPS and all(row["drift"] == [] for row in rows)
    (row,) = [row for row in rows if row["app"] == "p042/app07"]
    assert row["fingerprint"] == fingerprint(canonical_payload(KEYS["p042/app07"]))


def test_no_key_in_the_engine_output_or_the_state(world):
    state = world.stack.export()
    assert leaked(state) == []
    assert leaked("\n".join(world.engine.outputs)) == []
    assert "twitter-secrets:credentials" not in state
