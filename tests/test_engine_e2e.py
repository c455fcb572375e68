"""The real program on Pulumi's real engine, against moto through the stand-in AWS plugin.

Every step is a ``pulumi`` command run in a folder holding this repository's
own ``Pulumi.yaml`` and ``__main__.py``: the CLI starts the program through
its Python language host, as a user's ``pulumi up`` does. One stack lives
through the whole module, in order: init, keys set as secrets on stdin,
preview, up, checks of AWS and of the state, a second up that must change
nothing, one changed key, a consumer stack (run by the CLI too) reading the
ARNs through a real StackReference, authorize writing through the real CLI,
and destroy. Each test asserts one step; they share the stack, so they run in
file order.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.aws_server import aws_env, client, reset
from tests.canaries import canary_credentials, found_fragments
from tests.conftest import LABELS, PROJECTS, listener_tags
from tests.engine import ROOT, Engine, Run, require_pulumi, stack_file_of, transcribe
from twitter_runtime import canonical_payload, fingerprint

STACK = "e2e"
LISTENER = "brand-monitoring/listener"
CREDENTIALS = {label: canary_credentials(label, user_id=str(2000 + i)) for i, label in enumerate(LABELS)}
NEW_SECRET = canary_credentials("rotated/listener", user_id="2000")["consumer_secret"]
# The shared example projects, with the archive's keys recent enough that the audit passes.
E2E_PROJECTS = copy.deepcopy(PROJECTS)
E2E_PROJECTS["research"]["apps"]["archive"]["issued_at"] = "2026-09-15"


def leaked(text: str) -> list[str]:
    return found_fragments(text, [*(v for creds in CREDENTIALS.values() for v in creds.values()), NEW_SECRET])


class World:
    """The module's one stack and what each step saw."""

    def __init__(self, engine: Engine, work: Path) -> None:
        self.engine = engine
        self.work = engine.repository_project(work)
        self.stack = engine.stack(self.work, STACK)
        self.results: dict[str, Run] = {}

    def run(self, step: str, action: str, **kwargs) -> Run:
        result = getattr(self.stack, action)(**kwargs)
        self.results[step] = result
        return result


@pytest.fixture(scope="module")
def world(tmp_path_factory, moto_url):
    pulumi = require_pulumi()
    reset(moto_url)
    home = tmp_path_factory.mktemp("engine")
    engine = Engine(pulumi=pulumi, home=home, moto_url=moto_url)
    world = World(engine, home / "project")
    config = {"aws:region": "us-east-1", "twitter-secrets:projects": E2E_PROJECTS}
    engine.init_stack(world.work, STACK, config, CREDENTIALS)
    return world


@pytest.fixture(scope="module")
def aws(moto_url):
    return lambda service: client(moto_url, service)


def test_preview_succeeds_with_unknowns(world):
    result = world.run("preview", "preview")
    # 1 stack + 2 projects + 3 apps, each app a secret, a version and a read policy.
    assert result.changes == {"create": 1 + 2 + 3 * 4}
    assert "secretArns    : [unknown]" in result.stdout  # the ARNs are known only after apply


def test_up_creates_every_resource(world):
    result = world.run("up", "up")
    assert result.done.returncode == 0
    assert result.changes == {"create": 1 + 2 + 3 * 4}


def test_the_secret_holds_exactly_the_canonical_json_and_the_promised_tags(world, aws):
    arns = world.stack.outputs()["secretArns"]
    sm = aws("secretsmanager")
    for label, creds in CREDENTIALS.items():
        assert sm.get_secret_value(SecretId=arns[label])["SecretString"] == canonical_payload(creds)
    tags = {t["Key"]: t["Value"] for t in sm.describe_secret(SecretId=arns[LISTENER])["Tags"]}
    assert tags == {
        **listener_tags(fingerprint(canonical_payload(CREDENTIALS[LISTENER]))),
        "twitter:environment": STACK,
        "twitter:stack": f"organization/twitter-secrets/{STACK}",  # the local backend's organization
    }
    assert sm.describe_secret(SecretId=arns[LISTENER])["Name"] == f"twitter/{STACK}/brand-monitoring/listener"


def test_config_and_state_hold_no_key_in_plain_text(world):
    exported = world.stack.export()
    stack_file = stack_file_of(world.work, STACK).read_text()
    assert "secure:" in stack_file
    assert leaked(exported) == []
    assert leaked(stack_file) == []
    transcribe(
        f"state scan: pulumi stack export, {len(exported)} characters; {len(CREDENTIALS) * 4} canary "
        f"keys, every 10-character fragment searched: {len(leaked(exported))} found in the export, "
        f"{len(leaked(stack_file))} in the stack file, {len(leaked(''.join(world.engine.outputs)))} in the engine's output\n"
    )
    assert leaked("".join(world.engine.outputs)) == []
    # The value is in the state, encrypted: the version's secretString is a ciphertext.
    state = json.loads(exported)
    (version,) = [
        r
        for r in state["deployment"]["resources"]
        if r["type"] == "aws:secretsmanager/secretVersion:SecretVersion" and "listener" in r["urn"]
    ]
    assert (
        version["outputs"]["secretString"]["4dabf18193072939515e22adb298388d"]
        == "1b47061264138c4ac30d75fd1eb44270"
    )
    assert "ciphertext" in version["outputs"]["secretString"]


def test_stack_output_piped_to_audit_live_exits_0(world, moto_url):
    outputs = world.engine.cli("stack", "output", "--json", "--stack", STACK, cwd=world.work).stdout
    done = subprocess.run(
        [sys.executable, "-m", "twitter_secrets_cli", "audit", "-", "--live", "--as-of", "2026-10-01"],
        input=outputs,
        capture_output=True,
        text=True,
        env={**os.environ, **aws_env(moto_url)},
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert all(label in done.stdout for label in LABELS)
    assert "drift" not in done.stdout


def test_second_up_changes_nothing(world):
    result = world.run("again", "up", expect_no_changes=True)
    assert result.done.returncode == 0
    assert result.changes == {"same": 1 + 2 + 3 * 4}


def test_one_changed_key_replaces_only_that_version_and_updates_only_its_tags(world, aws):
    arns_before = world.stack.outputs()["secretArns"]
    path = f'twitter-secrets:credentials["{LISTENER}"].consumer_secret'
    world.engine.cli("config", "set", "--secret", "--path", path, cwd=world.work, stdin=NEW_SECRET)
    result = world.run("changed", "up")
    ops = result.ops()
    changed = {name: op for name, op in ops.items() if op != {"same"}}
    # pulumi-aws replaces a SecretVersion when its value changes (secret_string is ForceNew): a new
    # version is created, then the old resource is dropped; the secret itself is updated in place.
    assert changed == {
        "aws:secretsmanager/secret:Secret::brand-monitoring/listener-secret": {"update"},
        "aws:secretsmanager/secretVersion:SecretVersion::brand-monitoring/listener-version": {
            "create-replacement",
            "replace",
            "delete-replaced",
        },
    }
    assert result.changes == {"same": 13, "update": 1, "replace": 1}
    assert world.stack.outputs()["secretArns"] == arns_before  # nothing replaced the secret
    sm = aws("secretsmanager")
    new_value = {**CREDENTIALS[LISTENER], "consumer_secret": NEW_SECRET}
    assert sm.get_secret_value(SecretId=arns_before[LISTENER])["SecretString"] == canonical_payload(new_value)
    tags = {t["Key"]: t["Value"] for t in sm.describe_secret(SecretId=arns_before[LISTENER])["Tags"]}
    assert tags["credentials:fingerprint"] == fingerprint(canonical_payload(new_value))
    stages = sm.describe_secret(SecretId=arns_before[LISTENER])["VersionIdsToStages"]
    assert sorted(s for labels in stages.values() for s in labels) == ["AWSCURRENT", "AWSPREVIOUS"]


def test_consumer_stack_reads_the_arns_through_a_real_stack_reference(world, aws):
    # The consumer project as the repository has it (stacks/consumer, its virtualenv ../../.venv).
    consumer_root = world.engine.home / "consumer-checkout"
    work = consumer_root / "stacks" / "consumer"
    work.mkdir(parents=True)
    for name in ("Pulumi.yaml", "__main__.py", "handler.py"):
        (work / name).symlink_to(ROOT / "stacks" / "consumer" / name)
    (consumer_root / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    cli = world.engine.cli
    cli("stack", "init", "dev", cwd=work)
    cli("config", "set", "aws:region", "us-east-1", cwd=work)
    # A bare stack name: the consumer reads it in its own organization ("organization" on this local backend).
    cli("config", "set", "provisioningStack", STACK, cwd=work)
    cli("config", "set", "app", LISTENER, cwd=work)
    stack = world.engine.stack(work, "dev")
    result = stack.up()
    assert result.changes["create"] >= 7  # stack, function, task definition, roles, attachments
    outputs = stack.outputs()
    arn = world.stack.outputs()["secretArns"][LISTENER]
    function = aws("lambda").get_function(FunctionName=outputs["functionName"])
    fingerprint = world.stack.outputs()["twitterApps"][LISTENER]["fingerprint"]
    assert function["Configuration"]["Environment"]["Variables"] == {
        "TWITTER_SECRET_ARN": arn,
        "TWITTER_SECRETS_FINGERPRINT": fingerprint,  # new keys, new configuration
    }
    task = aws("ecs").describe_task_definition(taskDefinition=outputs["taskDefinitionArn"])
    (container,) = task["taskDefinition"]["containerDefinitions"]
    assert [s["valueFrom"] for s in container["secrets"]] == [
        f"{arn}:{field}::"
        for field in ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
    ]
    read_policy = world.stack.outputs()["readPolicyArns"][LISTENER]
    roles = [r["RoleName"] for r in aws("iam").list_roles()["Roles"]]
    attached = {
        role: [
            p["PolicyArn"] for p in aws("iam").list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        ]
        for role in roles
    }
    assert sum(read_policy in arns for arns in attached.values()) == 3  # lambda, task execution, task role
    assert all(
        re.fullmatch(r"[\w+=,.@-]+-[0-9a-f]{7}", role) for role in roles
    )  # auto-named as pulumi-aws does
    stack.destroy()


def test_authorize_writes_the_new_pair_through_the_real_cli(world, aws, moto_url, fake_x):
    arn = world.stack.outputs()["secretArns"][LISTENER]
    current = json.loads(aws("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
    fake_x.add_credentials(current, username="listenerbot")
    env = {**world.engine.env, **aws_env(moto_url), "X_API_BASE_URL": fake_x.url}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "twitter_secrets_cli",
            "authorize",
            "--app",
            LISTENER,
            "--secret-arn",
            arn,
            "--stack",
            STACK,
        ],
        cwd=world.work,
        env={**env, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'runtime'}"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first, url = process.stdout.readline(), process.stdout.readline()
    token = re.search(r"oauth_token=([A-Za-z0-9]+)", url).group(1)
    out, err = process.communicate(fake_x.approve(token, "listenerbot") + "\n", timeout=120)
    assert process.returncode == 0, out + err
    path = f'twitter-secrets:credentials["{LISTENER}"].access_token'
    got = world.engine.cli("config", "get", "--path", path, cwd=world.work).stdout.strip()
    assert got.startswith("2000-") and got != CREDENTIALS[LISTENER]["access_token"]
    assert fake_x.tokens[got].secret  # the pair X issued
    listed = json.loads(world.engine.cli("config", "--json", cwd=world.work).stdout)
    entry = listed["twitter-secrets:credentials"]
    assert entry["secret"] is True and "objectValue" not in entry  # listed as a secret, value hidden
    stack_file = stack_file_of(world.work, STACK).read_text()
    assert got not in stack_file and got not in first + url + out + err


def test_destroy_leaves_each_secret_recoverable_for_its_window(world, aws):
    arns = world.stack.outputs()["secretArns"]
    result = world.stack.destroy()
    assert result.changes == {"delete": 1 + 2 + 3 * 4}
    sm = aws("secretsmanager")
    for label, arn in arns.items():
        described = sm.describe_secret(SecretId=arn)
        assert "DeletedDate" in described, label  # scheduled, not gone
    scheduled = sm.describe_secret(SecretId=arns[LISTENER])["DeletedDate"]
    days = (scheduled - datetime.now(UTC)).total_seconds() / 86400
    assert 29.9 < days <= 30  # DeletedDate is when the 30-day recovery window ends
    sm.restore_secret(SecretId=arns[LISTENER])
    assert (
        json.loads(sm.get_secret_value(SecretId=arns[LISTENER])["SecretString"])["consumer_key"]
        == CREDENTIALS[LISTENER]["consumer_key"]
    )
    assert leaked("".join(world.engine.outputs)) == []
