"""The operator CLI from any directory: the `twitter-secrets` command, --project-dir, and the old alias."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from twitter_secrets_cli.project_dir import find_project_dir, stack_file

ROOT = Path(__file__).resolve().parents[1]
COMMAND = Path(sys.executable).parent / "twitter-secrets"
SAMPLE = ROOT / "tests" / "data" / "stack-outputs-dev.json"


def run(argv, cwd):
    # No PYTHONPATH: the command must find its code through its installation, not the test's path.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def command() -> str:
    if not COMMAND.exists():
        pytest.fail(f"{COMMAND} is missing: requirements.txt installs this checkout with `-e .`")
    return str(COMMAND)


def plan_resources(done) -> list[str]:
    assert done.returncode == 0, done.stderr
    return [f"{r['type']} {r['name']}" for r in json.loads(done.stdout)["resources"]]


def test_console_script_plans_from_a_subfolder_of_the_project(command):
    from_root = run([command, "plan", "--stack", "dev", "--format", "json"], cwd=ROOT)
    from_stacks = run([command, "plan", "--stack", "dev", "--format", "json"], cwd=ROOT / "stacks")
    assert plan_resources(from_root) == plan_resources(from_stacks)
    assert "aws:secretsmanager/secret:Secret brand-monitoring/listener-secret" in plan_resources(from_root)


def test_project_dir_from_outside_the_project(command, tmp_path):
    done = run(
        [command, "plan", "--stack", "dev", "--format", "json", "--project-dir", str(ROOT)], cwd=tmp_path
    )
    assert "aws:secretsmanager/secret:Secret brand-monitoring/listener-secret" in plan_resources(done)


def test_project_dir_reads_another_projects_stack_and_program(command, tmp_path):
    # A copy of the project elsewhere, its stack file changed: the plan follows the copy, not this checkout.
    copy = tmp_path / "copy"
    shutil.copytree(ROOT / "stacks", copy / "stacks")
    shutil.copy2(ROOT / "Pulumi.yaml", copy / "Pulumi.yaml")
    shutil.copy2(ROOT / "__main__.py", copy / "__main__.py")
    stack = copy / "stacks" / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text().replace("listener:", "watcher:"))
    names = plan_resources(run([command, "plan", "--stack", "dev", "--format", "json"], cwd=copy / "stacks"))
    assert "aws:secretsmanager/secret:Secret brand-monitoring/watcher-secret" in names
    assert not any("listener" in n for n in names)


def test_no_project_found_exits_2_and_says_what_to_do(command, tmp_path):
    done = run([command, "plan", "--stack", "dev"], cwd=tmp_path)
    assert done.returncode == 2
    assert (
        "no Pulumi.yaml in this directory or above it; run from the project's folder or give --project-dir"
        in (done.stderr)
    )
    bad = run([command, "plan", "--project-dir", str(tmp_path)], cwd=tmp_path)
    assert bad.returncode == 2 and "no Pulumi.yaml in that folder" in bad.stderr


def test_audit_needs_no_project(command, tmp_path):
    done = run([command, "audit", str(SAMPLE), "--as-of", "2026-11-01", "--format", "json"], cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    rows = {row["app"]: row["status"] for row in json.loads(done.stdout)}
    assert rows["brand-monitoring/responder"] == "due-soon"
    assert "brand-monitoring/listener" in rows


def test_old_alias_and_module_form_still_work():
    for module in ("components", "twitter_secrets_cli"):
        done = run([sys.executable, "-m", module, "--help"], cwd=ROOT)
        assert done.returncode == 0 and "usage: twitter-secrets" in done.stdout, module


def test_stack_file_honours_stack_config_dir(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: python\nstackConfigDir: config\n")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    assert find_project_dir(tmp_path / "deep" / "er") == tmp_path.resolve()
    assert stack_file(tmp_path, "prod") == tmp_path / "config" / "Pulumi.prod.yaml"
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: python\n")
    assert stack_file(tmp_path, "prod") == tmp_path / "Pulumi.prod.yaml"


@pytest.mark.parametrize("command", ["plan", "audit", "verify", "authorize", "local"])
def test_help_is_plain_text(command):
    done = run([sys.executable, "-m", "twitter_secrets_cli", command, "--help"], cwd=ROOT)
    assert done.returncode == 0
    assert "``" not in done.stdout and "`" not in done.stdout and ":class:" not in done.stdout
    assert f"usage: twitter-secrets {command}" in done.stdout


@pytest.mark.parametrize("days", ["-1", "abc"])
def test_warn_days_below_zero_is_refused(days):
    done = run(
        [sys.executable, "-m", "twitter_secrets_cli", "audit", str(SAMPLE), "--warn-days", days], cwd=ROOT
    )
    assert done.returncode == 2
    assert f"argument --warn-days: '{days}' is not a number of days (0 or more)" in done.stderr


def test_a_project_file_named_pulumi_yml_is_found_too(tmp_path):
    (tmp_path / "Pulumi.yml").write_text("name: x\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "sub").mkdir()
    assert find_project_dir(tmp_path / "sub") == tmp_path.resolve()
    assert stack_file(tmp_path, "dev") == tmp_path / "stacks" / "Pulumi.dev.yaml"
