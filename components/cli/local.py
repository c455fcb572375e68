"""``local up`` / ``local down``: the whole ``pulumi up`` on an emulated AWS.

For a first try without an AWS account. Starts moto's server on a free
127.0.0.1 port, points a temporary copy of ``stacks/Pulumi.local.yaml`` at it,
logs in to a local state folder (``.pulumi-local/``, through the environment,
so your own ``pulumi login`` is untouched), sets format-valid demo keys as
secrets (on stdin), runs ``pulumi up``, prints the stack outputs and an
``audit --live`` against the same server, and stops the server on exit.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, TextIO

import yaml

from ..local_aws import moto_server
from . import audit
from .plan import CREDENTIALS_KEY, placeholder_credentials

ROOT = Path(__file__).resolve().parents[2]
STACK = "local"
STACK_FILE = ROOT / "stacks" / f"Pulumi.{STACK}.yaml"
STATE_DIR = ROOT / ".pulumi-local"
PASSPHRASE = "twitter-secrets-local-demo"  # protects demo keys in a demo state folder only
FAKE_AWS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "local", help="run the whole `pulumi up` on an emulated AWS (moto)", description=__doc__
    )
    parser.add_argument("action", choices=("up", "down"), help="up: deploy and audit; down: destroy")


def local_config(endpoint: str) -> dict[str, Any]:
    """The local stack's config with every AWS endpoint pointed at this run's server."""
    document = yaml.safe_load(STACK_FILE.read_text())
    config = document["config"]
    config["aws:endpoints"] = [{service: endpoint for service in config["aws:endpoints"][0]}]
    return document


def demo_labels(document: dict[str, Any]) -> list[str]:
    projects = document["config"]["twitter-secrets:projects"]
    return [f"{p}/{a}" for p, spec in sorted(projects.items()) for a in sorted(spec["apps"])]


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        print(
            "local: the Pulumi CLI is not installed (see https://www.pulumi.com/docs/iac/download-install/); "
            f"for a mock-based preview without it, run: python -m components plan --stack {STACK}",
            file=err,
        )
        return 2
    if importlib.util.find_spec("moto") is None:
        print(
            "local: moto[server] is not installed; run: .venv/bin/pip install -r requirements-dev.txt",
            file=err,
        )
        return 2
    STATE_DIR.mkdir(exist_ok=True)
    env = {
        **os.environ,
        **FAKE_AWS,
        "PULUMI_BACKEND_URL": STATE_DIR.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    with moto_server() as endpoint, tempfile.TemporaryDirectory() as tmp:
        document = local_config(endpoint)
        config_file = Path(tmp) / f"Pulumi.{STACK}.yaml"
        config_file.write_text(yaml.safe_dump(document, sort_keys=False))
        print(f"moto's server is running at {endpoint} for this run", file=out, flush=True)

        def pulumi_run(
            *argv: str, stdin: str | None = None, capture: bool = False
        ) -> subprocess.CompletedProcess:
            return subprocess.run(
                [pulumi, *argv],
                cwd=ROOT,
                env=env,
                input=stdin,
                text=True,
                capture_output=capture,
                check=False,
            )

        steps = [pulumi_run("stack", "select", "--create", STACK, capture=True)]
        for index, label in enumerate(demo_labels(document)):
            for field, value in placeholder_credentials(label, index).items():
                path = f'{CREDENTIALS_KEY}["{label}"].{field}'
                steps.append(
                    pulumi_run(
                        "config",
                        "set",
                        "--secret",
                        "--path",
                        path,
                        "--stack",
                        STACK,
                        "--config-file",
                        str(config_file),
                        stdin=value,
                        capture=True,
                    )
                )
        if any(step.returncode != 0 for step in steps):
            print("local: preparing the local stack failed (see `pulumi` above)", file=err)
            return 1
        verb = ["up", "--yes"] if args.action == "up" else ["destroy", "--yes"]
        deployed = pulumi_run(*verb, "--stack", STACK, "--config-file", str(config_file))
        if deployed.returncode != 0:
            print(f"local: pulumi {verb[0]} failed (exit {deployed.returncode})", file=err)
            return 1
        if args.action == "down":
            print("local: destroyed the local stack's resources", file=out)
            return 0
        shown = pulumi_run("stack", "output", "--json", "--stack", STACK, capture=True)
        if shown.returncode != 0:
            print("local: could not read the stack outputs", file=err)
            return 1
        print("Stack outputs:", file=out)
        print(shown.stdout.strip(), file=out)
        print("\naudit --live against the same server:", file=out)
        import boto3

        client = boto3.client(
            "secretsmanager",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        audit_args = argparse.Namespace(outputs="-", as_of=None, warn_days=14, format="table", live=True)
        outputs_json = shown.stdout
        status = audit.run_text(outputs_json, audit_args, out, err, client=client)
        if status != 0:
            print("(the audit found overdue or drifted secrets: see above)", file=out)
        return 0  # the deployment worked; the audit above is the report
