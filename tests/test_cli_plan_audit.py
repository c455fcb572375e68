"""`python -m components plan` and `audit`: every exit code, formats, and no key in any output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.canaries import fragments
from tests.conftest import PROJECTS, make_config
from tests.harness import run_program
from twitter_secrets_cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "stack-outputs-dev.json"
ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:twitter/dev/p/a-AbCdEf"


def cli(*argv, env=None, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "components", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        input=stdin,
        timeout=300,
    )


def assert_no_canary(text: str, creds: dict) -> None:
    for entry in creds.values():
        for value in entry.values():
            for piece in fragments(value.split("-", 1)[-1]):
                assert piece not in text


# --- plan ---------------------------------------------------------------------------------------


def test_plan_on_the_shipped_dev_stack_lists_the_resources():
    done = cli("plan", "--stack", "dev")
    assert done.returncode == 0, done.stderr
    assert "Mock-based preview" in done.stdout and "This is not `pulumi preview`" in done.stdout
    assert "14 resources would be created" in done.stdout
    assert "+ aws:secretsmanager/secret:Secret  research/archive-secret" in done.stdout
    assert "    name: twitter/dev/research/archive" in done.stdout
    assert "secretString: [secret]" in done.stdout
    assert (
        "twitterApps: brand-monitoring/listener, brand-monitoring/responder, research/archive" in done.stdout
    )


def test_plan_json_is_stable_and_masks_secrets():
    first, second = cli("plan", "--format", "json"), cli("plan", "--format", "json")
    assert first.returncode == 0 and first.stdout == second.stdout
    plan = json.loads(first.stdout)
    assert plan["ok"] is True and plan["mock_based"] is True
    versions = [r for r in plan["resources"] if r["type"] == "aws:secretsmanager/secretVersion:SecretVersion"]
    assert {v["inputs"]["secretString"] for v in versions} == {"[secret]"}
    policy = next(r for r in plan["resources"] if r["name"] == "research/archive-read")
    assert policy["inputs"]["policy"]["Statement"][0]["Action"] == [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
    ]


def test_plan_with_real_keys_from_the_environment_never_prints_them(tmp_path):
    config = make_config()
    creds = config.pop("twitter-secrets:credentials")
    stack_file = tmp_path / "Pulumi.ci.yaml"
    stack_file.write_text(json.dumps({"config": config}))
    done = cli(
        "plan",
        "--stack",
        "ci",
        "--config-file",
        str(stack_file),
        env={"TWITTER_SECRETS_CREDENTIALS": json.dumps(creds)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "real values from $TWITTER_SECRETS_CREDENTIALS" in done.stdout
    assert_no_canary(done.stdout + done.stderr, creds)


def test_plan_validation_failure_exits_1_with_the_errors(tmp_path):
    config = make_config()
    creds = config.pop("twitter-secrets:credentials")
    creds["research/archive"]["access_token"] = "not-a-token"
    stack_file = tmp_path / "Pulumi.ci.yaml"
    stack_file.write_text(json.dumps({"config": config}))
    done = cli(
        "plan", "--config-file", str(stack_file), env={"TWITTER_SECRETS_CREDENTIALS": json.dumps(creds)}
    )
    assert done.returncode == 1
    assert "the program would fail; nothing would be created" in done.stdout
    assert "research/archive: access_token is not in the form" in done.stdout
    assert_no_canary(done.stdout + done.stderr, creds)


def test_plan_bad_config_exits_1(tmp_path):
    stack_file = tmp_path / "Pulumi.x.yaml"
    projects = json.loads(json.dumps(PROJECTS))
    projects["research"]["apps"]["archive"]["issued_at"] = "soon"
    stack_file.write_text(json.dumps({"config": {"twitter-secrets:projects": projects}}))
    done = cli("plan", "--config-file", str(stack_file))
    assert done.returncode == 1 and "research/archive: issued_at must be a date" in done.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such stack config file"),
        ("config: [unclosed", "not valid YAML"),
        ("- a list", "expected a Pulumi stack file"),
    ],
)
def test_plan_unusable_input_exits_2(tmp_path, content, expected):
    path = tmp_path / "Pulumi.bad.yaml"
    if content is not None:
        path.write_text(content)
    done = cli("plan", "--config-file", str(path))
    assert done.returncode == 2 and expected in done.stderr


def test_every_command_has_help():
    for command in ("plan", "audit", "verify", "authorize", "local"):
        done = cli(command, "--help")
        assert done.returncode == 0 and "usage: twitter-secrets " + command in done.stdout
    assert main(["nonsense"]) == 2


# --- audit --------------------------------------------------------------------------------------


def audit(*argv, **kwargs):
    return cli("audit", *argv, **kwargs)


def test_audit_table_sorted_overdue_first():
    done = audit(str(SAMPLE), "--as-of", "2026-11-20")
    assert done.returncode == 1  # the responder was due 2026-11-14
    lines = done.stdout.splitlines()
    assert lines[0].split()[:8] == [
        "app",
        "environment",
        "owner",
        "tier",
        "issued_at",
        "due_at",
        "days_left",
        "status",
    ]
    assert [line.split()[0] for line in lines[1:]] == [
        "brand-monitoring/responder",
        "brand-monitoring/listener",
        "research/archive",
    ]
    assert lines[1].split()[6:8] == ["-6", "overdue"]
    assert lines[2].split()[6:8] == ["10", "due-soon"]
    assert lines[3].split()[6:8] == ["88", "ok"]


def test_audit_json_fields_and_exit_0_when_nothing_is_overdue():
    done = audit(str(SAMPLE), "--as-of", "2026-10-01", "--format", "json", "--warn-days", "50")
    assert done.returncode == 0
    rows = json.loads(done.stdout)
    listener = next(r for r in rows if r["app"] == "brand-monitoring/listener")
    assert listener | {} == {
        **listener,
        "status": "ok",
        "due_at": "2026-11-30",
        "days_left": 60,
        "owner": "team-social",
        "arn": json.loads(SAMPLE.read_text())["secretArns"]["brand-monitoring/listener"],
    }
    assert rows[0]["app"] == "brand-monitoring/responder" and rows[0]["status"] == "due-soon"


def test_audit_markdown_for_a_ci_summary():
    done = audit(str(SAMPLE), "--as-of", "2026-11-20", "--format", "markdown")
    assert done.stdout.startswith("| app | environment | owner |")
    assert "| brand-monitoring/responder | dev | support-automation |" in done.stdout


def test_audit_reads_stdin_and_several_stacks():
    outputs = json.loads(SAMPLE.read_text())
    done = audit(
        "-", "--as-of", "2026-11-20", "--format", "json", stdin=json.dumps({"dev": outputs, "prod": outputs})
    )
    rows = json.loads(done.stdout)
    assert len(rows) == 6 and {r["stack"] for r in rows} == {"dev", "prod"}


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"secretArns": {}}, "no twitterApps output found"),
        (
            {"twitterApps": {"p/a": {"issuedAt": "2026-01-01", "rotationDueAt": "2026-12-31"}}},
            "p/a: arn is missing",
        ),
        (
            {"twitterApps": "[secret]"},
            "twitterApps is not an object of project/app entries (it shows as [secret]",
        ),
        ("not json", "the input is not JSON"),
        (
            {"twitterApps": {"p/a": {"arn": ARN, "issuedAt": "2026-01-01", "rotationDueAt": "31/12/2026"}}},
            "p/a: rotationDueAt is not a YYYY-MM-DD date",
        ),
        (
            {"twitterApps": {"p/a": {"arn": ARN, "issuedAt": "2026-02-30", "rotationDueAt": "2026-12-31"}}},
            "p/a: issuedAt is not a real calendar date",
        ),
    ],
)
def test_audit_bad_input_exits_2(document, expected):
    text = document if isinstance(document, str) else json.dumps(document)
    done = audit("-", "--as-of", "2026-11-20", stdin=text)
    assert done.returncode == 2 and expected in done.stderr


def test_audit_of_no_apps_says_so():
    done = audit("-", stdin=json.dumps({"twitterApps": {}}))
    assert done.returncode == 0 and "twitterApps has no apps" in done.stdout


def test_audit_table_of_several_stacks_names_the_stack():
    outputs = json.loads(SAMPLE.read_text())
    done = audit("-", "--as-of", "2026-11-20", stdin=json.dumps({"dev": outputs, "prod": outputs}))
    header, first = done.stdout.splitlines()[:2]
    assert header.split()[:2] == ["stack", "app"] and first.split()[:2] == [
        "dev",
        "brand-monitoring/responder",
    ]


def test_audit_missing_file_exits_2():
    done = audit("/nonexistent/outputs.json")
    assert done.returncode == 2 and "cannot read" in done.stderr


# --- audit --live against moto's server ---------------------------------------------------------


def deployed(aws):
    from tests.moto_mocks import MotoMocks

    config = make_config()
    result = run_program(config, mocks=MotoMocks(aws))
    assert result.error is None
    return config, result.outputs


def live(moto_url, outputs, *extra):
    from tests.aws_server import aws_env

    env = aws_env(moto_url)
    return audit(
        "-", "--live", "--as-of", "2026-04-01", "--format", "json", *extra, stdin=json.dumps(outputs), env=env
    )


def test_live_audit_of_an_untouched_stack_is_clean(aws, moto_url):
    config, outputs = deployed(aws)
    done = live(moto_url, outputs)
    assert done.returncode == 0, done.stdout + done.stderr
    assert all(row["drift"] == [] for row in json.loads(done.stdout))
    assert_no_canary(done.stdout + done.stderr, config["twitter-secrets:credentials"])


def test_live_audit_finds_drift(aws, moto_url):
    config, outputs = deployed(aws)
    sm = aws("secretsmanager")
    arns = outputs["secretArns"]
    sm.tag_resource(
        SecretId=arns["research/archive"], Tags=[{"Key": "credentials:fingerprint", "Value": "0" * 16}]
    )
    sm.delete_secret(SecretId=arns["brand-monitoring/responder"], RecoveryWindowInDays=7)
    outputs["twitterApps"]["brand-monitoring/listener"]["arn"] = arns["brand-monitoring/listener"] + "x"
    done = live(moto_url, outputs)
    assert done.returncode == 1
    rows = {r["app"]: r for r in json.loads(done.stdout)}
    assert rows["research/archive"]["drift"] == [
        "fingerprint tag differs from the stack output (value changed outside Pulumi?)"
    ]
    assert rows["brand-monitoring/responder"]["drift"] == ["secret is scheduled for deletion"]
    assert rows["brand-monitoring/listener"]["drift"] == ["secret is missing"]
    assert {r["status"] for r in rows.values()} == {"drift"}
    assert_no_canary(done.stdout + done.stderr, config["twitter-secrets:credentials"])


def test_live_audit_of_1000_apps_is_fast(aws, moto_url):
    import time

    sm = aws("secretsmanager")
    apps = {}
    for i in range(1000):
        arn = sm.create_secret(
            Name=f"twitter/dev/p{i // 100}/a{i}",
            SecretString="{}",
            Tags=[{"Key": "credentials:fingerprint", "Value": f"{i:016x}"}],
        )["ARN"]
        apps[f"p{i // 100}/a{i}"] = {
            "arn": arn,
            "fingerprint": f"{i:016x}",
            "issuedAt": "2026-09-01",
            "rotationDueAt": "2026-11-30",
            "owner": "team",
            "environment": "dev",
        }
    started = time.monotonic()
    done = live(moto_url, {"twitterApps": apps})
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 1000
    print(f"\naudit --live of 1,000 apps against moto's server: {elapsed:.1f} s")


# --- drift rules, one per test ------------------------------------------------------------------


def test_drift_rules():
    from twitter_secrets_cli.audit import drift

    entry = {"fingerprint": "f" * 16, "kmsKeyId": "alias/twitter"}
    clean = {
        "Tags": [{"Key": "credentials:fingerprint", "Value": "f" * 16}],
        "KmsKeyId": "alias/twitter",
        "VersionIdsToStages": {"v1": ["AWSCURRENT"]},
    }
    assert drift(entry, clean, None) == []
    assert drift(entry, None, "ResourceNotFoundException") == ["secret is missing"]
    assert drift(entry, None, "AccessDeniedException") == [
        "cannot describe the secret (AccessDeniedException)"
    ]
    assert drift(entry, {**clean, "KmsKeyId": "alias/other"}, None) == [
        "KMS key differs from the one declared"
    ]
    assert drift(entry, {**clean, "VersionIdsToStages": {"v1": ["AWSPREVIOUS"]}}, None) == [
        "no AWSCURRENT version"
    ]


def test_bearer_drift_rules():
    from datetime import UTC, datetime, timedelta

    from twitter_secrets_cli.audit import bearer_drift

    now = datetime(2026, 11, 28, tzinfo=UTC)
    healthy = {
        "RotationEnabled": True,
        "VersionIdsToStages": {"v2": ["AWSCURRENT"], "v1": ["AWSPREVIOUS"]},
        "NextRotationDate": now + timedelta(days=3),
    }
    assert bearer_drift(healthy, None, now) == []
    assert bearer_drift({**healthy, "RotationEnabled": False}, None, now) == [
        "bearer secret: rotation is disabled"
    ]
    stuck = {**healthy, "VersionIdsToStages": {"v2": ["AWSCURRENT"], "v3": ["AWSPENDING"]}}
    assert bearer_drift(stuck, None, now) == [
        "bearer secret: a rotation failed or is stuck (AWSPENDING left on a version)"
    ]
    late = {**healthy, "NextRotationDate": now - timedelta(days=1)}
    assert bearer_drift(late, None, now) == ["bearer secret: the scheduled rotation is overdue"]
    assert bearer_drift(None, "ResourceNotFoundException", now) == ["bearer secret: missing"]


def test_kms_alias_and_key_arn_name_the_same_key(aws):
    from twitter_secrets_cli.audit import KeyResolver, drift

    kms = aws("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/twitter", TargetKeyId=key["KeyId"])
    other = kms.create_key()["KeyMetadata"]
    resolver = KeyResolver(kms)
    described = {
        "Tags": [{"Key": "credentials:fingerprint", "Value": "f" * 16}],
        "KmsKeyId": key["Arn"],
        "VersionIdsToStages": {"v1": ["AWSCURRENT"]},
    }
    entry = {"fingerprint": "f" * 16, "kmsKeyId": "alias/twitter"}
    assert drift(entry, described, None, same_key=resolver.same) == []
    assert drift(entry, {**described, "KmsKeyId": other["Arn"]}, None, same_key=resolver.same) == [
        "KMS key differs from the one declared"
    ]


def test_plan_refuses_plain_text_keys_in_the_stack_file_without_echo(tmp_path):
    config = make_config()  # credentials as plain values, as if set without --secret
    stack_file = tmp_path / "Pulumi.leaky.yaml"
    stack_file.write_text(json.dumps({"config": config}))
    done = cli("plan", "--config-file", str(stack_file))
    assert done.returncode == 1
    assert "holds plain-text values in the stack file" in done.stdout
    assert_no_canary(done.stdout + done.stderr, config["twitter-secrets:credentials"])


def test_the_default_key_by_its_alias_arn_is_no_drift():
    from twitter_secrets_cli.audit import KeyResolver

    resolver = KeyResolver(lambda _region: None)  # no lookup is needed for AWS's default key
    assert resolver.same("alias/aws/secretsmanager", None) is True
    assert resolver.same("arn:aws:kms:us-east-1:123456789012:alias/aws/secretsmanager", None) is True
    assert resolver.same("alias/team-key", None) is False
