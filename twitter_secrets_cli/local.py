"""``local up``: the whole ``pulumi up`` on an emulated AWS, for a first try.

No AWS account needed. Starts moto's server on a free 127.0.0.1 port, copies
the project into a temporary folder with ``stacks/Pulumi.local.yaml`` pointed
at that server, keeps Pulumi's state in that folder too (``PULUMI_BACKEND_URL``,
so your own ``pulumi login`` and the repository stay untouched), sets
format-valid demo keys as secrets (on stdin), runs ``pulumi up``, prints the
stack outputs and an ``audit --live`` against the same server, then stops the
server and removes the folder.

The update is ``pulumi up`` run in that copy: the CLI starts ``__main__.py``
through its Python language host in the project's virtualenv (the copy links
the checkout's ``.venv``), the same path as your own ``pulumi up``.

moto keeps nothing once it stops, so every run starts from nothing and leaves
nothing behind: ``local down`` has nothing to destroy and says so.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

import yaml

from . import audit
from .help_text import plain
from .local_aws import moto_server
from .plan import CREDENTIALS_KEY, placeholders_for
from .project_dir import NoProjectError, add_project_dir_argument, project_dir, stack_file
from .stack_file import load_stack_yaml

STACK = "local"
PROJECT_FILES = ("Pulumi.yaml", "__main__.py", "requirements.txt")
PROJECT_DIRS = ("components", "runtime", "rotation")
PASSPHRASE = "twitter-secrets-local-demo"  # protects demo keys in a throwaway state folder only
FAKE_AWS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "local", help="run the whole pulumi up on an emulated AWS (moto)", description=plain(__doc__)
    )
    parser.add_argument(
        "action", choices=("up", "down"), help="up: deploy, show outputs, audit; down: explains"
    )
    add_project_dir_argument(parser)


def local_config(root: Path, endpoint: str) -> dict[str, Any]:
    """The local stack's config with every AWS endpoint pointed at this run's server."""
    document = load_stack_yaml(stack_file(root, STACK).read_text())
    config = document["config"]
    config["aws:endpoints"] = [{service: endpoint for service in config["aws:endpoints"][0]}]
    return document


def demo_credentials(document: dict[str, Any]) -> dict[str, dict[str, str]]:
    return placeholders_for(
        document["config"]["twitter-secrets:projects"], document["config"].get("twitter-secrets:defaults")
    )


def project_copy(root: Path, folder: Path, document: dict[str, Any]) -> Path:
    """The project, runnable by the CLI, with the rewritten stack file; the venv is linked."""
    project = folder / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        shutil.copy2(root / name, project / name)
    for name in PROJECT_DIRS:
        shutil.copytree(root / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    (project / "stacks").mkdir()
    (project / "stacks" / f"Pulumi.{STACK}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    (project / ".venv").symlink_to(project_venv(root), target_is_directory=True)
    return project


def project_venv(root: Path) -> Path:
    """The virtualenv the CLI runs the program in: the checkout's ``.venv`` (what ``Pulumi.yaml``
    names), else the one this command runs from, which has everything the program needs."""
    if (root / ".venv" / "pyvenv.cfg").exists():
        return root / ".venv"
    if sys.prefix != sys.base_prefix:
        return Path(sys.prefix)
    raise NoVirtualenvError(
        f"no virtualenv at {root / '.venv'}: make it first: python3 -m venv .venv && "
        ".venv/bin/pip install -r requirements-dev.txt, then run .venv/bin/twitter-secrets local up"
    )


class NoVirtualenvError(RuntimeError):
    """Pulumi.yaml names ``.venv`` and there is none to give the program."""


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.action == "down":
        print(
            "local: nothing to destroy: `local up` deploys to a throwaway moto server and state, "
            "both gone when it ends",
            file=out,
        )
        return 0
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        print(
            "local: the Pulumi CLI is not installed (see https://www.pulumi.com/docs/iac/download-install/); "
            f"for a mock-based preview without it, run: twitter-secrets plan --stack {STACK}",
            file=err,
        )
        return 2
    if importlib.util.find_spec("moto") is None:
        print(
            "local: moto[server] is not installed; run: .venv/bin/pip install -r requirements-dev.txt",
            file=err,
        )
        return 2
    try:
        root = project_dir(args)
    except NoProjectError as error:
        print(f"local: {error}", file=err)
        return 2
    try:
        with moto_server() as endpoint, tempfile.TemporaryDirectory() as tmp:
            return _up(pulumi, root, endpoint, Path(tmp), out, err)
    except RuntimeError as error:  # moto did not start, or there is no virtualenv for the program
        print(f"local: {error}", file=err)
        return 2


def _deploy(pulumi: str, project: Path, env: dict[str, str], out: TextIO, err: TextIO) -> bool:
    """``pulumi up --yes --stack local`` in the project copy: the CLI starts the program itself,
    through its Python language host, in the project's virtualenv, as a user's ``pulumi up`` does.

    Its output is shown as it comes; on failure every error line it printed is repeated, whole,
    after ``local: pulumi up failed``, so the reason is never cut off or missing.
    """
    process = subprocess.Popen(
        [pulumi, "up", "--yes", "--stack", STACK, "--non-interactive"],
        cwd=project,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one stream: no second pipe can fill up while the first is read
    )
    seen: list[str] = []
    assert process.stdout is not None
    try:
        for line in process.stdout:
            seen.append(line)
            print(line, end="", file=out, flush=True)
    except BaseException:
        process.kill()  # our side failed (a closed terminal, Ctrl-C): no pulumi up left running alone
        process.wait()
        raise
    if process.wait() == 0:
        return True
    # The engine's own words; the demo keys went in on stdin and are not in them.
    reasons = engine_errors("".join(seen)) or ["(the engine printed no error line: see its output above)"]
    print(f"local: pulumi up failed (exit {process.returncode}):", file=err)
    for reason in reasons:
        print(f"  {reason}", file=err)
    return False


def engine_errors(text: str) -> list[str]:
    """Each distinct ``error:`` line the engine printed, whole, in order."""
    found = [line.strip().split("error: ", 1)[1] for line in text.splitlines() if "error: " in line]
    return list(dict.fromkeys(found))


def aws_plugin_problem(pulumi: str, env: dict[str, str]) -> str | None:
    """Whether ``pulumi up`` will find the AWS provider plugin, asked before anything runs.

    Without it the engine retries the download five times and then stops the program, whose
    language host prints a KeyboardInterrupt traceback: one line saying what is missing and how
    to get it is what the user needs instead.
    """
    if shutil.which("pulumi-resource-aws", path=env.get("PATH")):
        return None  # a plugin on PATH is what the engine uses first
    from importlib.metadata import version

    wanted = version("pulumi_aws")
    done = subprocess.run(
        [pulumi, "plugin", "install", "resource", "aws", wanted],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        return None
    return (
        f"the AWS provider plugin (pulumi-resource-aws v{wanted}, which pulumi up needs) is not installed and "
        "could not be downloaded from get.pulumi.com; on a machine that reaches it run "
        f"`pulumi plugin install resource aws {wanted}` (or copy ~/.pulumi/plugins/resource-aws-v{wanted} here), "
        "then run local up again"
    )


def _up(pulumi: str, root: Path, endpoint: str, tmp: Path, out: TextIO, err: TextIO) -> int:
    document = local_config(root, endpoint)
    project = project_copy(root, tmp, document)
    state = tmp / "state"
    state.mkdir()
    env = {
        **os.environ,
        **FAKE_AWS,
        "PULUMI_BACKEND_URL": state.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    problem = aws_plugin_problem(pulumi, env)
    if problem:
        print(f"local: {problem}", file=err)
        return 2
    print(f"moto's server is running at {endpoint} for this run", file=out, flush=True)

    def pulumi_run(*argv: str, stdin: str | None = None, capture: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [pulumi, *argv], cwd=project, env=env, input=stdin, text=True, capture_output=capture
        )

    steps: list[tuple[str, tuple[str, ...], str | None]] = [
        ("stack init", ("stack", "select", "--create", STACK), None)
    ]
    for label, keys in demo_credentials(document).items():
        for field, value in keys.items():
            path = f'{CREDENTIALS_KEY}["{label}"].{field}'
            steps.append(
                (
                    f"config set {label} {field}",
                    ("config", "set", "--secret", "--path", path, "--stack", STACK),
                    value,
                )
            )
    for what, argv, stdin in steps:
        done = pulumi_run(*argv, stdin=stdin)
        if done.returncode != 0:
            # Pulumi's own words; the demo key went in on stdin and is not in them.
            print(
                f"local: `pulumi {what}` failed (exit {done.returncode}): {done.stderr.strip()[-500:]}",
                file=err,
            )
            return 1
    if not _deploy(pulumi, project, env, out, err):
        return 1
    shown = pulumi_run("stack", "output", "--json", "--stack", STACK)
    if shown.returncode != 0:
        print(f"local: could not read the stack outputs: {shown.stderr.strip()[-500:]}", file=err)
        return 1
    print("Stack outputs:", file=out)
    print(shown.stdout.strip(), file=out)
    print("\naudit --live against the same server:", file=out, flush=True)
    import boto3

    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test")
    audit_args = argparse.Namespace(
        outputs="-",
        as_of=None,
        warn_days=14,
        unused_days=audit.DEFAULT_UNUSED_DAYS,
        format="table",
        live=True,
    )
    status = audit.run_text(
        shown.stdout,
        audit_args,
        out,
        err,
        clients=lambda service, region: session.client(
            service, region_name=region or "us-east-1", endpoint_url=endpoint
        ),
    )
    if status == 1:
        print("(the audit found overdue or drifted secrets: see above)", file=out)
    return 0 if status in (0, 1) else status  # the deployment worked; the audit is the report
