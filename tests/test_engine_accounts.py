"""Several accounts, the OAuth 2.0 client and access_level on Pulumi's real engine.

The repository's own program run by the CLI (`pulumi up` in its project folder), config set
as secrets through the real CLI (on stdin), against
moto through the stand-in AWS plugin: up, what landed in AWS, the state scanned
for every canary fragment, a second up that changes nothing, destroy. One stack
for the module; the tests run in file order.
"""

from __future__ import annotations

import copy

import pytest

from tests.aws_server import client, reset
from tests.engine import Engine, require_pulumi, stack_file_of
from tests.test_accounts import ALICE, APP_KEYS, BOB, PROJECTS, SOLO, SOLO_KEYS, TOKENS, key_needles
from twitter_runtime import load_credentials
from twitter_runtime.keys import canonical_payload

STACK = "accounts"
SECRETS = {"support/fleet": APP_KEYS, **TOKENS, SOLO: SOLO_KEYS}
#: 1 stack + 1 project + 3 secrets' components, each with a secret, a version and a read policy,
#: and Alice's resource policy (she has readers).
RESOURCES = 1 + 1 + 3 * 4 + 1


def leaked(text: str) -> list[str]:
    return [needle for needle in key_needles() if needle in text]


@pytest.fixture(scope="module")
def world(tmp_path_factory, moto_url):
    pulumi = require_pulumi()
    reset(moto_url)
    home = tmp_path_factory.mktemp("engine-accounts")
    engine = Engine(pulumi=pulumi, home=home, moto_url=moto_url)
    work = engine.repository_project(home / "project")
    config = {"aws:region": "us-east-1", "twitter-secrets:projects": copy.deepcopy(PROJECTS)}
    engine.init_stack(work, STACK, config, SECRETS)
    return {"engine": engine, "work": work, "stack": engine.stack(work, STACK)}


@pytest.fixture(scope="module")
def aws(moto_url):
    return lambda service: client(moto_url, service)


def test_up_creates_one_secret_per_account(world):
    result = world["stack"].up()
    assert result.changes == {"create": RESOURCES}
    assert sorted(world["stack"].outputs()["secretArns"]) == [ALICE, BOB, SOLO]


def test_each_account_secret_in_aws_holds_the_app_keys_and_its_own_token(world, aws):
    arns = world["stack"].outputs()["secretArns"]
    sm = aws("secretsmanager")
    alice = {**APP_KEYS, **TOKENS[ALICE], "access_level": "read-write-directmessages"}
    assert sm.get_secret_value(SecretId=arns[ALICE])["SecretString"] == canonical_payload(alice)
    assert sm.get_secret_value(SecretId=arns[SOLO])["SecretString"] == canonical_payload(SOLO_KEYS)
    bob = load_credentials(arns[BOB], client=sm, max_age_seconds=0)
    assert (bob.access_token, bob.client_id, bob.access_level) == (
        TOKENS[BOB]["access_token"],
        APP_KEYS["client_id"],
        "read-write",
    )
    assert sm.describe_secret(SecretId=arns[BOB])["Name"] == f"twitter/{STACK}/support/fleet/bob"
    apps = world["stack"].outputs()["twitterApps"]
    assert (apps[BOB]["app"], apps[BOB]["account"], apps[BOB]["fingerprint"]) == (
        "support/fleet",
        "bob",
        bob.fingerprint,
    )


def test_state_and_engine_output_hold_no_fragment_of_any_key(world):
    exported = world["engine"].cli("stack", "export", "--stack", STACK, cwd=world["work"]).stdout
    assert leaked(exported) == []
    assert leaked(stack_file_of(world["work"], STACK).read_text()) == []
    assert leaked("".join(world["engine"].outputs)) == []


def test_second_up_changes_nothing(world):
    result = world["stack"].up(expect_no_changes=True)
    assert result.changes == {"same": RESOURCES}


def test_destroy_keeps_each_account_secret_recoverable(world, aws):
    arns = world["stack"].outputs()["secretArns"]
    result = world["stack"].destroy()
    assert result.changes == {"delete": RESOURCES}
    sm = aws("secretsmanager")
    for label in (ALICE, BOB, SOLO):
        assert "DeletedDate" in sm.describe_secret(SecretId=arns[label])
