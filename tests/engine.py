"""Pulumi's real engine for the end-to-end tests: the CLI, a throwaway backend, the stand-in AWS plugin.

The CLI is the one ``scripts/pulumi-cli.sh`` builds (or one already on PATH),
with its Python, Node.js and YAML language hosts. Programs run the way users
run them: ``pulumi up`` in a project folder, the CLI starting the program
through the language host in the project's virtualenv. Each command's engine
events are read from ``--event-log`` (what the Automation API reads too).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.standin_aws.install import write_standin_plugin
from tests.standin_aws.lambda_runner import LOG_DIR_ENV
from tests.standin_aws.provider import ENDPOINT_ENV

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "e2e-passphrase-for-a-throwaway-state"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.strip().lstrip("v").split("-")[0].split(".")[:3])


def find_pulumi() -> tuple[Path | None, str]:
    """The ``pulumi`` to use and, when there is none, why (for the skip line)."""
    wanted = importlib.metadata.version("pulumi")
    given = os.environ.get("TWITTER_SECRETS_PULUMI_BIN")
    candidate = Path(given) / "pulumi" if given else (Path(p) if (p := shutil.which("pulumi")) else None)
    if candidate is None or not candidate.exists():
        return None, (
            "no Pulumi CLI: run `bash scripts/pulumi-cli.sh` (it builds one from the Go module proxy) and put "
            "the folder it prints on PATH or in TWITTER_SECRETS_PULUMI_BIN"
        )
    shown = subprocess.run([candidate, "version"], capture_output=True, text=True, check=False).stdout
    if _version(shown) < _version(wanted):
        return None, f"the Pulumi CLI at {candidate} is {shown.strip()}, older than the SDK ({wanted})"
    return candidate, ""


def require_pulumi() -> Path:
    """The CLI, or a visible skip; in CI (CI=true) a missing CLI is a failure, never a skip."""
    pulumi, why = find_pulumi()
    if pulumi is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the real-engine tests: {why}")
        pytest.skip(why)
    return pulumi


@dataclass
class Engine:
    """One throwaway Pulumi world: backend, PULUMI_HOME, the stand-in on PATH."""

    pulumi: Path
    home: Path
    moto_url: str
    outputs: list[str] = field(default_factory=list)
    #: Seconds one CLI command may take (a stack of thousands of resources takes minutes).
    timeout: float = 300.0

    def __post_init__(self) -> None:
        self.state = self.home / "state"
        self.function_logs = self.home / "function-logs"
        self.state.mkdir(parents=True, exist_ok=True)
        standin_bin = self.home / "standin-bin"
        write_standin_plugin(standin_bin)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "AWS_"))},
            "PATH": f"{standin_bin}{os.pathsep}{self.pulumi.parent}{os.pathsep}{os.environ['PATH']}",
            "PULUMI_HOME": str(self.home / "pulumi-home"),
            "PULUMI_BACKEND_URL": self.state.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            ENDPOINT_ENV: self.moto_url,
            # The stand-in keeps every Lambda run's output here (rotation, reminders) for the leak scans.
            LOG_DIR_ENV: str(self.function_logs),
        }

    def cli(
        self,
        *argv: str,
        cwd: Path,
        stdin: str | None = None,
        check: bool = True,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [str(self.pulumi), *argv, "--non-interactive"],
            cwd=cwd,
            env={**self.env, **(env or {})},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=self.timeout,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"pulumi {' '.join(argv)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done

    def init_stack(
        self, work_dir: Path, stack: str, config: dict[str, Any], secrets: dict[str, dict[str, str]]
    ) -> None:
        """``pulumi stack init``, the plain config in the stack file (keeping its passphrase salt),
        then every key with ``pulumi config set --secret --path``, each value on stdin."""
        import yaml

        self.cli("stack", "init", stack, cwd=work_dir)
        stack_file = stack_file_of(work_dir, stack)
        document = yaml.safe_load(stack_file.read_text()) or {}
        document["config"] = config
        stack_file.write_text(yaml.safe_dump(document, sort_keys=False))
        for label, creds in secrets.items():
            for field_name, value in creds.items():
                path = f'twitter-secrets:credentials["{label}"].{field_name}'
                self.cli("config", "set", "--secret", "--path", path, cwd=work_dir, stdin=value)

    def repository_project(self, work: Path, source: Path = ROOT) -> Path:
        """A folder that is this repository's Pulumi project as a user's checkout has it.

        ``Pulumi.yaml`` and ``__main__.py`` are links to the checkout's own files (so the
        CLI runs exactly them); ``stacks/`` is the folder's own (the stack files the tests
        write never land in the checkout); ``.venv`` is a link to the virtualenv the tests
        run in, which the README's setup filled from ``requirements.txt``.
        """
        work.mkdir(parents=True, exist_ok=True)
        for name in ("Pulumi.yaml", "__main__.py"):
            (work / name).symlink_to(source / name)
        (work / "stacks").mkdir(exist_ok=True)
        (work / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
        return work

    def run(self, verb: str, *argv: str, cwd: Path, stack: str, check: bool = True) -> Run:
        """``pulumi <verb> --stack <stack> …`` with its engine events (``preview``, ``up``,
        ``refresh``, ``destroy``); ``up``, ``refresh`` and ``destroy`` answer yes."""
        log = self.home / f"events-{len(self.outputs)}-{verb}.jsonl"
        yes = ("--yes",) if verb in ("up", "refresh", "destroy") else ()
        # --event-log is one of the CLI's debug flags (the Automation API sets the same variable).
        done = self.cli(
            verb,
            "--stack",
            stack,
            "--event-log",
            str(log),
            *yes,
            *argv,
            cwd=cwd,
            check=check,
            env={"PULUMI_DEBUG_COMMANDS": "true"},
        )
        self.collect(done.stdout + done.stderr)
        transcribe(f"{cwd.name}: pulumi {verb} --stack {stack} {' '.join(argv)}", done.stdout)
        events = (
            [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
            if log.exists()
            else []
        )
        return Run(done, events)

    def stack_outputs(self, cwd: Path, stack: str) -> dict[str, Any]:
        """``pulumi stack output --json`` (secrets shown as ``[secret]``)."""
        return json.loads(self.cli("stack", "output", "--json", "--stack", stack, cwd=cwd).stdout)

    def stack(self, work: Path, name: str) -> CliStack:
        """The stack ``name`` of the project in ``work``, driven through the CLI."""
        return CliStack(self, work, name)

    def lambda_logs(self) -> dict[str, str]:
        """Function name → everything its runs printed (what CloudWatch Logs would hold)."""
        return {p.stem: p.read_text() for p in sorted(self.function_logs.glob("*.log"))}

    def collect(self, text: str) -> None:
        """Keep what the engine printed: the leak scan reads it too."""
        self.outputs.append(text)


def transcribe(heading: str, text: str = "") -> None:
    """Append a step to ``$TWITTER_SECRETS_E2E_TRANSCRIPT``, when set: for a person to read, asserts nothing."""
    transcript = os.environ.get("TWITTER_SECRETS_E2E_TRANSCRIPT")
    if transcript:
        with open(transcript, "a") as handle:
            handle.write(f"\n===== {heading}\n{text}")


def stack_file_of(work_dir: Path, stack: str) -> Path:
    """Where the CLI keeps a stack's config: beside Pulumi.yaml, or in its ``stackConfigDir``."""
    import yaml

    settings = yaml.safe_load((work_dir / "Pulumi.yaml").read_text()) or {}
    return work_dir / settings.get("stackConfigDir", ".") / f"Pulumi.{stack}.yaml"


@dataclass
class Run:
    """One CLI command's result and the engine events it logged."""

    done: subprocess.CompletedProcess
    events: list[dict[str, Any]]

    @property
    def stdout(self) -> str:
        return self.done.stdout

    @property
    def changes(self) -> dict[str, int]:
        """The summary's resource changes, as ``pulumi up`` counts them (``{"create": 15}``)."""
        (summary,) = [e["summaryEvent"] for e in self.events if "summaryEvent" in e]
        return {op: n for op, n in summary["resourceChanges"].items() if n}

    def ops(self) -> dict[str, set[str]]:
        """``type::name`` → the operations the engine announced for that resource."""
        ops: dict[str, set[str]] = {}
        for event in self.events:
            pre = event.get("resourcePreEvent")
            if pre is None:
                continue
            metadata = pre["metadata"]
            ops.setdefault(f"{metadata['type']}::{metadata['urn'].rsplit('::', 1)[-1]}", set()).add(
                metadata["op"]
            )
        return ops


@dataclass
class CliStack:
    """One stack of a project folder, each operation a ``pulumi`` command run there."""

    engine: Engine
    work: Path
    name: str

    def preview(self, *argv: str) -> Run:
        return self.engine.run("preview", *argv, cwd=self.work, stack=self.name)

    def up(self, *argv: str, expect_no_changes: bool = False) -> Run:
        extra = ("--expect-no-changes",) if expect_no_changes else ()
        return self.engine.run("up", *extra, *argv, cwd=self.work, stack=self.name)

    def refresh(self, *argv: str) -> Run:
        return self.engine.run("refresh", *argv, cwd=self.work, stack=self.name)

    def destroy(self, *argv: str) -> Run:
        return self.engine.run("destroy", *argv, cwd=self.work, stack=self.name)

    def outputs(self) -> dict[str, Any]:
        return self.engine.stack_outputs(self.work, self.name)

    def export(self) -> str:
        """``pulumi stack export``: the state as the backend keeps it (secrets encrypted)."""
        return self.engine.cli("stack", "export", "--stack", self.name, cwd=self.work).stdout


def run_bench(script: str, *argv: str, out: Path) -> tuple[subprocess.CompletedProcess, dict[str, Any]]:
    """A real-engine bench script (``bench/…``) run as a user runs it, with this CLI; its JSON results.

    The CI smoke runs assert counts on what it wrote, never a timing."""
    pulumi = require_pulumi()
    run = subprocess.run(
        [sys.executable, script, *argv, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "TWITTER_SECRETS_PULUMI_BIN": str(Path(pulumi).parent)},
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run, json.loads(out.read_text())
