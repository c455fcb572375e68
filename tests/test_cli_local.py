"""`local up` / `local down` around a fake `pulumi` that records what it is asked to do.

The fake stands in for the CLI that cannot run here: on `up` it reads the
config file it was given and creates the demo secrets in moto's server at
the endpoint written there, which proves the endpoint rewrite reaches AWS
calls; on `stack output` it answers with those secrets' outputs.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from twitter_secrets_cli.plan import placeholder_credentials

ROOT = Path(__file__).resolve().parents[1]

FAKE = r"""#!{python}
import json, os, sys
argv = sys.argv[1:]
stdin = sys.stdin.read() if argv[:2] == ["config", "set"] else ""
log = os.environ["FAKE_PULUMI_LOG"]
record = {{"argv": argv, "stdin": stdin, "backend": os.environ.get("PULUMI_BACKEND_URL"),
          "passphrase_set": bool(os.environ.get("PULUMI_CONFIG_PASSPHRASE")), "cwd": os.getcwd(),
          "config_file": open("stacks/Pulumi.local.yaml").read()}}
open(log, "a").write(json.dumps(record) + "\n")
state = os.environ["FAKE_PULUMI_STATE"]
if argv[0] == "up":
    import boto3, yaml
    config = yaml.safe_load(record["config_file"])["config"]
    endpoint = config["aws:endpoints"][0]["secretsmanager"]
    sm = boto3.client("secretsmanager", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    apps = {{}}
    for project, spec in config["twitter-secrets:projects"].items():
        for app, app_spec in spec["apps"].items():
            name = "twitter/local/%s/%s" % (project, app)
            arn = sm.create_secret(Name=name, SecretString="{{}}",
                                   Tags=[{{"Key": "credentials:fingerprint", "Value": "0123456789abcdef"}}])["ARN"]
            apps["%s/%s" % (project, app)] = {{"arn": arn, "fingerprint": "0123456789abcdef", "owner": spec["owner"],
                "environment": "local", "issuedAt": app_spec["issued_at"], "rotationDueAt": "2099-01-01"}}
    open(state, "w").write(json.dumps({{"twitterApps": apps, "secretArns": {{k: v["arn"] for k, v in apps.items()}}}}))
if argv[:2] == ["stack", "output"]:
    print(open(state).read())
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


def test_local_up_deploys_to_moto_and_audits(fake_pulumi):
    before = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    done = run_local("up", fake_pulumi)
    assert done.returncode == 0, done.stdout + done.stderr
    endpoint = done.stdout.split("moto's server is running at ")[1].split()[0]
    assert endpoint.startswith("http://127.0.0.1:")
    made = calls(fake_pulumi[1])
    verbs = [c["argv"][0] for c in made]
    assert verbs[0] == "stack" and verbs[-2:] == ["up", "stack"]
    assert verbs.count("config") == 8  # four keys for each of the two demo apps
    up = next(c for c in made if c["argv"][0] == "up")
    assert up["argv"] == ["up", "--yes", "--stack", "local"]
    # A throwaway copy of the project, its stack file pointed at this run's server.
    assert Path(up["cwd"]) != ROOT and not Path(up["cwd"]).exists()
    assert f"secretsmanager: {endpoint}" in up["config_file"] and "4566" not in up["config_file"]
    assert all(
        c["backend"].startswith("file://") and c["cwd"] == up["cwd"] and c["passphrase_set"] for c in made
    )
    assert ROOT.as_uri() not in up["backend"]
    # Demo keys travel on stdin, never in argv, and are never printed.
    demo = placeholder_credentials("demo/listener", 0)
    config_sets = [c for c in made if c["argv"][0] == "config"]
    assert demo["access_token"] in {c["stdin"] for c in config_sets}
    assert not any(v in " ".join(c["argv"]) for c in made for v in demo.values())
    assert not any(v in done.stdout + done.stderr for v in demo.values())
    # The outputs and a live audit against the same server, which found both secrets.
    assert '"twitterApps"' in done.stdout
    assert "audit --live against the same server:" in done.stdout
    assert "demo/listener" in done.stdout and "secret is missing" not in done.stdout
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
