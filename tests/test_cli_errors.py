"""Every CLI error is one clear line on stderr with a non-zero exit and no traceback (unless --debug)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import twitter_secrets_cli
from tests.engine import require_pulumi
from twitter_secrets_cli import local, main

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "twitter_secrets_cli"]


def test_plan_into_head_exits_quietly():
    """`twitter-secrets plan | head -1` as a shell runs it: the first line, and nothing on stderr.

    Whether plan is still writing when head leaves is a race (exit 141 if it was, 0 if its output
    fit in the pipe first); either way it is quiet. The next test makes the closed pipe certain.
    """
    done = subprocess.run(
        [
            "bash",
            "-c",
            f'{sys.executable} -m twitter_secrets_cli plan --stack dev | head -1; echo "status=${{PIPESTATUS[0]}}"',
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    first, status = done.stdout.splitlines()
    assert first.startswith("Mock-based preview") and status in ("status=0", "status=141")
    assert done.stderr == ""


def test_a_reader_that_is_gone_before_plan_writes_gives_exit_141_and_no_traceback():
    process = subprocess.Popen(
        [*CLI, "plan", "--stack", "dev"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader left before the first line
    stderr = process.stderr.read().decode()
    assert process.wait() == 141
    assert stderr == ""


def test_verify_without_aws_credentials_says_so_and_how_to_give_them(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") or k in ("AWS_DEFAULT_REGION", "AWS_REGION")
    }
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_DEFAULT_REGION="us-east-1",
    )
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:twitter/dev/p/a-AbCdEf"
    done = subprocess.run([*CLI, "verify", arn], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("verify: no AWS credentials were found: set AWS_PROFILE")
    assert "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in done.stderr
    assert "network" not in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_an_unexpected_error_is_one_line_with_key_shaped_text_hidden(monkeypatch, capsys):
    canary = "CnryCK" + "x7" * 12

    def boom(*_args, **_kwargs):
        raise RuntimeError(f"the library said something about {canary}")

    monkeypatch.setattr(twitter_secrets_cli.plan, "run", boom)
    assert main(["plan", "--stack", "dev"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "plan: RuntimeError: the library said something about [redacted] (run with --debug for the traceback)\n"
    )
    assert "Cnry" not in err


def test_debug_shows_the_traceback(monkeypatch):
    monkeypatch.setattr(twitter_secrets_cli.plan, "run", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        main(["--debug", "plan", "--stack", "dev"])


def test_interrupted_is_one_line_and_exit_130(monkeypatch, capsys):
    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(twitter_secrets_cli.plan, "run", interrupted)
    assert main(["plan", "--stack", "dev"]) == 130
    assert capsys.readouterr().err == "plan: interrupted\n"


def test_local_up_without_the_aws_provider_plugin_fails_in_one_line_naming_it(tmp_path):
    """The real CLI, a fresh plugin folder and no way out (a proxy that refuses): nothing is downloaded."""
    pulumi = require_pulumi()
    env = {
        **os.environ,
        "PATH": f"{Path(pulumi).parent}:{Path(sys.executable).parent}:/usr/bin:/bin",
        "PULUMI_HOME": str(tmp_path / "pulumi-home"),
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    done = subprocess.run(
        [*CLI, "local", "up"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("local: the AWS provider plugin (pulumi-resource-aws v7.")
    assert "pulumi plugin install resource aws 7." in line
    assert "Traceback" not in done.stdout + done.stderr and "KeyboardInterrupt" not in done.stdout


def test_a_failed_pulumi_up_repeats_each_engine_error_whole():
    # What the engine printed when a plugin download failed (trimmed from a real run).
    printed = (
        "    error: could not load plugin for aws provider: failed to download plugin: aws-7.51.1: failed all 5 attempts\n"
        "  pulumi:pulumi:Stack (twitter-secrets-local):\n"
        "    Traceback (most recent call last):\n"
        "    KeyboardInterrupt\n"
        "    error: an unhandled error occurred: program exited with non-zero exit code: 1\n"
        "    error: could not load plugin for aws provider: failed to download plugin: aws-7.51.1: failed all 5 attempts\n"
    )
    assert local.engine_errors(printed) == [
        "could not load plugin for aws provider: failed to download plugin: aws-7.51.1: failed all 5 attempts",
        "an unhandled error occurred: program exited with non-zero exit code: 1",
    ]


def test_an_oauth2_client_secret_or_access_token_in_an_unexpected_error_is_hidden(monkeypatch, capsys):
    from tests.canaries import canary_client, canary_credentials, found_fragments

    secrets = [canary_client("p/a")["client_secret"], canary_credentials("p/a")["access_token"]]

    def boom(*_args, **_kwargs):
        raise RuntimeError(f"a library echoed {secrets[0]} and {secrets[1]}")

    monkeypatch.setattr(twitter_secrets_cli.plan, "run", boom)
    assert main(["plan", "--stack", "dev"]) == 2
    err = capsys.readouterr().err
    assert found_fragments(err, secrets) == [] and err.count("[redacted]") == 2


def test_a_broken_pipe_that_is_not_stdout_is_an_error(monkeypatch, capsys):
    def boom(*_args, **_kwargs):
        raise BrokenPipeError(32, "Broken pipe")  # a subprocess's pipe, say: stdout is fine

    monkeypatch.setattr(twitter_secrets_cli.plan, "run", boom)
    assert main(["plan", "--stack", "dev"]) == 2
    assert capsys.readouterr().err.startswith("plan: BrokenPipeError: ")
