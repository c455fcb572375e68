"""`local up` on the real CLI and engine (the stand-in for pulumi-aws first on PATH); `local down`
and the no-CLI path around a fake `pulumi` that records whether it was called at all."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.canaries import fragments
from tests.engine import require_pulumi
from tests.standin_aws.install import write_standin_plugin
from twitter_secrets_cli.plan import placeholder_credentials

ROOT = Path(__file__).resolve().parents[1]

FAKE = r"""#!{python}
import json, os, sys
open(os.environ["FAKE_PULUMI_LOG"], "a").write(json.dumps({{"argv": sys.argv[1:]}}) + "\n")
"""


@pytest.fixture
def fake_pulumi(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "pulumi"
    script.write_text(FAKE.format(python=sys.executable))
    script.chmod(0o755)
    return bin_dir, tmp_path / "calls.jsonl", tmp_path / "state.json"


def run_local(action, fake_pulumi=None, path=None):
    env = {**os.environ}
    if fake_pulumi:
        bin_dir, log, state = fake_pulumi
        env.update(
            PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", FAKE_PULUMI_LOG=str(log), FAKE_PULUMI_STATE=str(state)
        )
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "components", "local", action],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_local_up_deploys_to_moto_on_the_real_engine_and_audits(tmp_path):
    """The real CLI and engine; the stand-in for pulumi-aws put first on PATH, as only tests do."""
    pulumi = require_pulumi()
    standin = write_standin_plugin(tmp_path / "standin-bin").parent
    before = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")},
        "PATH": f"{standin}{os.pathsep}{pulumi.parent}{os.pathsep}{os.environ['PATH']}",
        "PULUMI_HOME": str(tmp_path / "pulumi-home"),
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    }
    done = subprocess.run(
        [sys.executable, "-m", "twitter_secrets_cli", "local", "up"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    endpoint = done.stdout.split("moto's server is running at ")[1].split()[0]
    assert endpoint.startswith("http://127.0.0.1:")
    # The engine's own report of the update, then the stack's outputs as `pulumi stack output --json` gives them.
    assert "using pulumi-resource-aws from $PATH" in done.stdout  # the stand-in, not a downloaded provider
    assert (
        "Resources:" in done.stdout and "+ 10 created" in done.stdout
    )  # stack, project, 2 x (app component, secret, version, policy)
    outputs = json.loads(done.stdout.split("Stack outputs:\n", 1)[1].split("\naudit --live", 1)[0])
    assert sorted(outputs["twitterApps"]) == ["demo/listener", "demo/responder"]
    assert outputs["twitterApps"]["demo/listener"]["environment"] == "local"
    assert all(
        arn.startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:twitter/local/demo/")
        for arn in outputs["secretArns"].values()
    )
    # A live audit against the same server found both secrets with the fingerprints the stack recorded.
    audit = done.stdout.split("audit --live against the same server:", 1)[1]
    assert "demo/listener" in audit and "demo/responder" in audit
    assert "secret is missing" not in audit and "fingerprint" in audit and "drift" not in audit
    # Demo keys travel on stdin only, and are never printed.
    for index, label in enumerate(("demo/listener", "demo/responder")):
        demo = placeholder_credentials(label, index)
        assert not [
            f for v in demo.values() for f in fragments(v.split("-", 1)[-1]) if f in done.stdout + done.stderr
        ]
    # The server is gone once the command ends, and the repository is untouched.
    host, port = endpoint.removeprefix("http://").split(":")
    with pytest.raises(OSError), socket.create_connection((host, int(port)), timeout=1):
        pass
    assert (
        subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
        == before
    )


def test_local_down_explains_there_is_nothing_to_destroy(fake_pulumi):
    done = run_local("down", fake_pulumi)
    assert done.returncode == 0, done.stderr
    assert "nothing to destroy" in done.stdout
    assert not fake_pulumi[1].exists()  # pulumi was not even called


def test_local_without_the_pulumi_cli_offers_plan(tmp_path):
    done = run_local("up", path=str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "the Pulumi CLI is not installed" in done.stderr
    assert "twitter-secrets plan --stack local" in done.stderr


def test_local_stack_file_is_a_valid_plan():
    done = subprocess.run(
        [sys.executable, "-m", "components", "plan", "--stack", "local"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout
    assert "twitter/local/demo/listener" in done.stdout


def test_local_runs_the_program_in_the_checkouts_venv_else_the_one_it_runs_from(tmp_path):
    from twitter_secrets_cli.local import project_venv

    assert project_venv(tmp_path) == Path(sys.prefix)  # these tests run in a virtualenv
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert project_venv(tmp_path) == tmp_path / ".venv"
