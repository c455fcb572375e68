"""`verify` and `authorize` against moto's server and the fake X API, as real subprocesses."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.aws_server import aws_env
from tests.canaries import canary_credentials, fragments
from tests.fake_x import CAPTIVE_PORTAL_HTML, USAGE_CAPPED, V2_TOO_MANY, RawBody
from twitter_runtime import canonical_payload

ROOT = Path(__file__).resolve().parents[1]
GOOD = canary_credentials("social/listener", user_id="6677889900")
OTHER = canary_credentials("social/poster", user_id="6677889911")


def env_for(moto_url, fake_x, **extra):
    return {**os.environ, **aws_env(moto_url), "X_API_BASE_URL": fake_x.url, **extra}


def cli(*argv, env, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "components", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
    )


def assert_no_keys(text: str, *sets) -> None:
    for creds in sets:
        for value in creds.values():
            for piece in fragments(value.split("-", 1)[-1]):
                assert piece not in text


@pytest.fixture
def stored(aws, fake_x):
    sm = aws("secretsmanager")
    fake_x.add_credentials(GOOD, username="listenerbot")
    fake_x.add_credentials(OTHER, username="posterbot")
    good = sm.create_secret(Name="twitter/dev/social/listener", SecretString=canonical_payload(GOOD))["ARN"]
    revoked = sm.create_secret(Name="twitter/dev/social/poster", SecretString=canonical_payload(OTHER))["ARN"]
    fake_x.tokens[OTHER["access_token"]].revoked = True
    return {"social/listener": good, "social/poster": revoked}


def test_verify_reports_each_app_and_fails_when_one_fails(stored, moto_url, fake_x, tmp_path):
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"secretArns": stored}))
    done = cli("verify", "--stack-outputs", str(outputs), "--format", "json", env=env_for(moto_url, fake_x))
    assert done.returncode == 1, done.stderr
    rows = {r["app"]: r for r in json.loads(done.stdout)}
    assert rows["social/listener"] | {} == {
        "app": "social/listener",
        "arn": stored["social/listener"],
        "user_id": "6677889900",
        "username": "listenerbot",
        "access_level": "read-write",
        "result": "ok",
        "ok": True,
    }
    assert rows["social/poster"]["ok"] is False
    # X answers a revoked token on v2 with its generic 401: the advice names revocation.
    assert "the account revoked the App's access" in rows["social/poster"]["result"]
    assert_no_keys(done.stdout + done.stderr, GOOD, OTHER)


def test_verify_all_good_exits_0_and_prints_a_table(stored, moto_url, fake_x):
    done = cli("verify", stored["social/listener"], env=env_for(moto_url, fake_x))
    assert done.returncode == 0, done.stdout + done.stderr
    header, row = done.stdout.splitlines()
    assert header.split() == ["app", "user_id", "username", "access_level", "result"]
    assert row.split() == [
        "social/listener",  # shown as project/app, not the secret's name with its suffix
        "6677889900",
        "listenerbot",
        "read-write",
        "ok",
    ]


def test_verify_on_a_rate_limit_reports_the_reset_and_does_not_hammer(stored, moto_url, fake_x):
    fake_x.fail("GET", "/2/users/me", 429, V2_TOO_MANY, headers={"x-rate-limit-reset": "1924992000"})
    done = cli("verify", stored["social/listener"], "--format", "json", env=env_for(moto_url, fake_x))
    assert done.returncode == 1
    (row,) = json.loads(done.stdout)
    assert row["result"] == "not checked: rate limited until 2031-01-01T00:00:00+00:00"
    assert len(fake_x.calls("GET", "/2/users/me")) == 1


def test_verify_on_the_monthly_usage_cap_reports_it_once_and_checks_no_more(
    stored, moto_url, fake_x, tmp_path
):
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"secretArns": stored}))
    fake_x.fail("GET", "/2/users/me", 429, USAGE_CAPPED)
    done = cli("verify", "--stack-outputs", str(outputs), "--format", "json", env=env_for(moto_url, fake_x))
    assert done.returncode == 1
    rows = {r["app"]: r["result"] for r in json.loads(done.stdout)}
    assert "monthly usage cap of this App's Project is used up" in rows["social/listener"]
    assert rows["social/poster"] == "not checked: the monthly usage cap is used up (see social/listener)"
    assert len(fake_x.calls("GET", "/2/users/me")) == 1


def test_verify_reports_every_app_when_something_else_answers(stored, moto_url, fake_x, tmp_path):
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"secretArns": stored}))
    fake_x.fail("GET", "/2/users/me", 200, RawBody(CAPTIVE_PORTAL_HTML), times=6)
    done = cli("verify", "--stack-outputs", str(outputs), "--format", "json", env=env_for(moto_url, fake_x))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    rows = {r["app"]: r["result"] for r in json.loads(done.stdout)}
    assert sorted(rows) == ["social/listener", "social/poster"]
    assert all("unexpected answer from X: HTTP 200 with text/html, not JSON" in r for r in rows.values())
    assert_no_keys(done.stdout + done.stderr, GOOD, OTHER)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [([], "give secret ARNs or --stack-outputs"), (["--stack-outputs", "/nope.json"], "verify:")],
)
def test_verify_unusable_input_exits_2(moto_url, fake_x, argv, expected):
    done = cli("verify", *argv, env=env_for(moto_url, fake_x))
    assert done.returncode == 2 and expected in done.stderr


# --- authorize ----------------------------------------------------------------------------------


@pytest.fixture
def fake_pulumi(tmp_path):
    """A `pulumi` on PATH that records its argv and stdin, one JSON line per call.

    Its stack `dev` knows social/listener, and social/fleet with accounts alice and bob (what
    `pulumi config --json` shows); stack `typo` declares a level X does not have for alice; stack
    `strict` declares `read` for every app in its defaults; any other stack is missing.
    """
    bin_dir, log = tmp_path / "bin", tmp_path / "pulumi-calls.jsonl"
    bin_dir.mkdir()
    script = bin_dir / "pulumi"
    projects = {
        "twitter-secrets:projects": {
            "objectValue": {
                "social": {
                    "apps": {
                        "listener": {},
                        "fleet": {
                            "accounts": {"alice": {"access_level": "read-write-directmessages"}, "bob": {}}
                        },
                    }
                }
            },
            "secret": False,
        }
    }
    typo = json.loads(json.dumps(projects))
    typo["twitter-secrets:projects"]["objectValue"]["social"]["apps"]["fleet"]["accounts"]["alice"] = {
        "access_level": "dm"
    }
    strict = {
        **projects,
        "twitter-secrets:defaults": {"objectValue": {"access_level": "read"}, "secret": False},
    }
    stacks = {"dev": projects, "typo": typo, "strict": strict}
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        "record = {'argv': sys.argv[1:], 'stdin': '' if '--json' in sys.argv else sys.stdin.read()}\n"
        f"open({str(log)!r}, 'a').write(json.dumps(record) + '\\n')\n"
        "if sys.argv[1:3] == ['config', '--json']:\n"
        f"    stacks = {stacks!r}\n"
        "    if sys.argv[-1] not in stacks:\n"
        '        sys.exit("error: no stack named \'" + sys.argv[-1] + "\' found")\n'
        "    print(json.dumps(stacks[sys.argv[-1]]))\n"
    )
    script.chmod(0o755)
    return bin_dir, log


def authorize(moto_url, fake_x, *argv, path_prefix=None, path=None, approve_as="listenerbot", pin=None):
    """Run `authorize`, approve as the account holder at the URL it prints, type the PIN."""
    env = env_for(moto_url, fake_x)
    if path_prefix is not None:
        env["PATH"] = f"{path_prefix}{os.pathsep}{env['PATH']}"
    if path is not None:
        env["PATH"] = path
    process = subprocess.Popen(
        [sys.executable, "-m", "components", "authorize", *argv],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = process.stdout.readline()
    url = process.stdout.readline()
    assert first.startswith("Open this URL"), first + process.stderr.read()
    token = re.search(r"oauth_token=([A-Za-z0-9]+)", url).group(1)
    real_pin = fake_x.approve(token, approve_as)  # the account holder approves in the browser
    out, err = process.communicate((pin or real_pin) + "\n", timeout=60)
    return process.returncode, first + url + out, err


TODAY = datetime.now(UTC).date().isoformat()


def test_authorize_writes_the_new_pair_through_stdin_only(stored, moto_url, fake_x, fake_pulumi):
    bin_dir, log = fake_pulumi
    code, out, err = authorize(
        moto_url,
        fake_x,
        "--app",
        "social/listener",
        "--secret-arn",
        stored["social/listener"],
        "--stack",
        "dev",
        path_prefix=bin_dir,
    )
    assert code == 0, err
    assert "Authorized @listenerbot (user id 6677889900)." in out
    every = [json.loads(line) for line in log.read_text().splitlines()]
    assert every[0]["argv"] == ["config", "--json", "--stack", "dev"]  # checked before sending anyone to X
    calls = every[1:]
    assert [c["argv"] for c in calls] == [
        [
            "config",
            "set",
            "--secret",
            "--path",
            'twitter-secrets:credentials["social/listener"].access_token',
            "--stack",
            "dev",
        ],
        [
            "config",
            "set",
            "--secret",
            "--path",
            'twitter-secrets:credentials["social/listener"].access_token_secret',
            "--stack",
            "dev",
        ],
        # The new pair's date, so rotation is due counted from today (plain: a date is no secret).
        [
            "config",
            "set",
            "--path",
            "twitter-secrets:projects.social.apps.listener.issued_at",
            TODAY,
            "--stack",
            "dev",
        ],
    ]
    assert calls[2]["stdin"] == ""
    assert f"with issued_at {TODAY}" in out
    new_token, new_secret = calls[0]["stdin"], calls[1]["stdin"]
    assert new_token.startswith("6677889900-") and fake_x.tokens[new_token].secret == new_secret
    assert new_token not in out + err and new_secret not in out + err
    assert_no_keys(out + err, GOOD, {"t": new_token, "s": new_secret})


def refused(moto_url, fake_x, *argv, path_prefix=None, path=None):
    env = env_for(moto_url, fake_x)
    if path_prefix is not None:
        env["PATH"] = f"{path_prefix}{os.pathsep}{env['PATH']}"
    if path is not None:
        env["PATH"] = path
    done = cli("authorize", *argv, env=env, stdin="")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Open this URL" not in done.stdout
    assert fake_x.calls("POST", "/oauth/request_token") == []  # nobody was sent to approve anything
    return done.stderr


def test_authorize_without_a_destination_is_refused_before_the_flow(stored, moto_url, fake_x):
    err = refused(moto_url, fake_x, "--app", "social/listener", "--secret-arn", stored["social/listener"])
    assert "the following arguments are required: --stack" in err


def test_authorize_without_the_pulumi_cli_says_so_before_the_flow(stored, moto_url, fake_x, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    argv = ("--app", "social/listener", "--secret-arn", stored["social/listener"], "--stack", "dev")
    err = refused(moto_url, fake_x, *argv, path=str(empty))
    assert "the Pulumi CLI is not on PATH" in err and "nothing was written" in err


def test_authorize_for_a_stack_that_does_not_exist_is_refused(stored, moto_url, fake_x, fake_pulumi):
    argv = ("--app", "social/listener", "--secret-arn", stored["social/listener"], "--stack", "prod")
    err = refused(moto_url, fake_x, *argv, path_prefix=fake_pulumi[0])
    assert "cannot read the config of stack prod" in err and "no stack named 'prod' found" in err


def test_authorize_for_an_app_the_stack_does_not_know_is_refused(stored, moto_url, fake_x, fake_pulumi):
    argv = ("--app", "social/poster", "--secret-arn", stored["social/poster"], "--stack", "dev")
    err = refused(moto_url, fake_x, *argv, path_prefix=fake_pulumi[0])
    assert "stack dev has no app social/poster in twitter-secrets:projects; add it there first" in err


def test_authorize_needs_a_consumer_pair(moto_url, fake_x, fake_pulumi):
    err = refused(moto_url, fake_x, "--app", "social/listener", "--stack", "dev", path_prefix=fake_pulumi[0])
    assert "give --secret-arn, or set TWITTER_CONSUMER_KEY and TWITTER_CONSUMER_SECRET" in err


def test_no_command_prints_a_key(aws, moto_url, fake_x, tmp_path):
    """One set of canary keys through plan, a deployment, audit --live and verify."""
    from tests.conftest import make_config
    from tests.harness import run_program
    from tests.moto_mocks import MotoMocks

    config = make_config()
    creds = config["twitter-secrets:credentials"]
    for label, keys in creds.items():
        fake_x.add_credentials(keys, username=label.replace("/", "").replace("-", ""))
    env = env_for(moto_url, fake_x, TWITTER_SECRETS_CREDENTIALS=json.dumps(creds))
    stack_file = tmp_path / "Pulumi.ci.yaml"
    stack_file.write_text(
        json.dumps({"config": {k: v for k, v in config.items() if k != "twitter-secrets:credentials"}})
    )
    outputs = run_program(config, mocks=MotoMocks(aws)).outputs
    outputs_file = tmp_path / "outputs.json"
    outputs_file.write_text(json.dumps(outputs))
    shown = ""
    for argv in (
        ["plan", "--config-file", str(stack_file)],
        ["plan", "--config-file", str(stack_file), "--format", "json"],
        ["audit", str(outputs_file), "--live", "--format", "json"],
        ["audit", str(outputs_file), "--format", "markdown"],
        ["verify", "--stack-outputs", str(outputs_file)],
    ):
        done = cli(*argv, env=env)
        assert done.returncode in (0, 1), (argv, done.stderr)
        shown += done.stdout + done.stderr
    assert "ok" in shown and "twitter/dev/research/archive" in shown
    assert_no_keys(shown, *creds.values())


def test_verify_stops_asking_after_a_rate_limit(aws, moto_url, fake_x):
    sm = aws("secretsmanager")
    arns = []
    for i in range(3):
        creds = canary_credentials(f"social/app{i}", user_id=str(5550 + i))
        fake_x.add_credentials(creds, username=f"app{i}")
        arns.append(
            sm.create_secret(Name=f"twitter/dev/social/app{i}", SecretString=canonical_payload(creds))["ARN"]
        )
    fake_x.fail("GET", "/2/users/me", 429, V2_TOO_MANY, headers={"x-rate-limit-reset": "1924992000"})
    done = cli("verify", *arns, "--format", "json", env=env_for(moto_url, fake_x))
    rows = json.loads(done.stdout)
    assert [r["app"] for r in rows] == ["social/app0", "social/app1", "social/app2"]
    assert {r["result"] for r in rows} == {"not checked: rate limited until 2031-01-01T00:00:00+00:00"}
    assert len(fake_x.calls("GET", "/2/users/me")) == 1


def test_authorize_with_a_wrong_pin(stored, moto_url, fake_x, fake_pulumi):
    code, _, err = authorize(
        moto_url,
        fake_x,
        *("--app", "social/listener", "--secret-arn", stored["social/listener"], "--stack", "dev"),
        pin="0000000",
        path_prefix=fake_pulumi[0],
    )
    assert code == 1 and "X refused the PIN" in err


def test_authorize_an_account_of_an_app_with_several_stores_under_its_label(
    stored, moto_url, fake_x, fake_pulumi
):
    bin_dir, log = fake_pulumi
    argv = ("--app", "social/fleet/bob", "--secret-arn", stored["social/listener"], "--stack", "dev")
    code, out, err = authorize(moto_url, fake_x, *argv, path_prefix=bin_dir)
    assert code == 0, err
    calls = [json.loads(line) for line in log.read_text().splitlines()][1:]
    assert [c["argv"][4] for c in calls[:2]] == [
        'twitter-secrets:credentials["social/fleet/bob"].access_token',
        'twitter-secrets:credentials["social/fleet/bob"].access_token_secret',
    ]
    assert calls[2]["argv"][3:5] == [
        "twitter-secrets:projects.social.apps.fleet.accounts.bob.issued_at",
        TODAY,
    ]
    assert "Stored as secret config of stack dev for social/fleet/bob" in out
    assert (
        "X reports read-write access for the new token." in out
    )  # bob declares no level: nothing to compare
    assert_no_keys(out + err, GOOD, {"t": calls[0]["stdin"], "s": calls[1]["stdin"]})


@pytest.mark.parametrize(
    ("app", "expected"),
    [
        (
            "social/fleet",
            "app social/fleet of stack dev has several accounts (alice, bob): give --app social/fleet/<account>",
        ),
        ("social/fleet/carol", "stack dev has no account social/fleet/carol in twitter-secrets:projects"),
        ("social/listener/alice", "stack dev has no account social/listener/alice"),
        (
            "social/poster/alice",
            "stack dev has no app social/poster in twitter-secrets:projects; add it there first",
        ),
        ("social/fleet/alice/x", "--app must be project/app or project/app/account"),
    ],
)
def test_authorize_refuses_an_account_the_stack_does_not_have(
    stored, moto_url, fake_x, fake_pulumi, app, expected
):
    argv = ("--app", app, "--secret-arn", stored["social/listener"], "--stack", "dev")
    err = refused(moto_url, fake_x, *argv, path_prefix=fake_pulumi[0])
    assert expected in err


@pytest.mark.parametrize(
    ("stack", "app", "mismatch"),
    [
        # alice's own access_level
        (
            "dev",
            "social/fleet/alice",
            "social/fleet/alice: the Access Token was issued with read-write access, but access_level is "
            "read-write-directmessages",
        ),
        # the stack's defaults
        (
            "strict",
            "social/listener",
            "social/listener: the Access Token was issued with read-write access, more than access_level read",
        ),
    ],
)
def test_authorize_stores_the_pair_and_fails_when_x_gives_another_level_than_declared(
    stored, moto_url, fake_x, fake_pulumi, stack, app, mismatch
):
    bin_dir, log = fake_pulumi
    argv = ("--app", app, "--secret-arn", stored["social/listener"], "--stack", stack)
    code, out, err = authorize(moto_url, fake_x, *argv, path_prefix=bin_dir)
    assert code == 1, out + err
    assert "X reports read-write access for the new token." in out
    assert f"Stored as secret config of stack {stack} for {app}" in out
    assert f"authorize: {mismatch}" in err
    calls = [json.loads(line) for line in log.read_text().splitlines()][1:]
    assert len(calls) == 3  # the pair (and its date) was stored before X was asked about it
    assert_no_keys(out + err, GOOD, {"t": calls[0]["stdin"], "s": calls[1]["stdin"]})


def test_authorize_refuses_a_declared_level_x_does_not_have_before_the_flow(
    stored, moto_url, fake_x, fake_pulumi
):
    argv = ("--app", "social/fleet/alice", "--secret-arn", stored["social/listener"], "--stack", "typo")
    err = refused(moto_url, fake_x, *argv, path_prefix=fake_pulumi[0])
    assert (
        "social/fleet/alice: access_level in stack typo must be one of read, read-write, read-write-directmessages"
        in err
    )
