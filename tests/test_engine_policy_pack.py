"""Issue 24 on Pulumi's real engine: the policy pack stops a careless hand-written stack.

``tests/programs/careless_aws`` is hand-written pulumi-aws with no component of ours: an Access
Token in a Lambda's environment, a Bearer Token in an EventBridge target's input (JSON in JSON),
an API Key in a secret's description, an X-tagged secret with no rotation tags, another with a
recovery window of 0. The pack runs as users run it (``--policy-pack policy``, its own
virtualenv, the Python language host); AWS is moto behind the stand-in AWS plugin (a test double).

Checked: preview reports each mandatory violation, by rule and resource, and fails; ``up`` with
the pack creates nothing in moto; ``--policy-pack-config`` turns a rule off, an advisory rule
into a mandatory one, and changes a rule's days; a config value of the wrong type is refused
before the program runs; no fragment of any canary in the engine's output, its policy and diagnostic
events or the state.
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.aws_server import client, reset
from tests.canaries import canary_bearer, canary_credentials, found_fragments
from tests.doc_blocks import blocks
from tests.engine import ROOT, Engine, Run, require_pulumi
from tests.policy_pack import pack_copy

STACK = "dev"
#: What the engine's events show for a string not known during preview (pulumi's UnknownStringValue).
UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
TODAY = datetime.now(UTC).date()
KEYS = canary_credentials("careless/app", user_id="4445556")
BEARER = canary_bearer("careless/app")
#: archive-keys was issued 100 days ago with a 90-day interval: 10 days late.
ISSUED = (TODAY - timedelta(days=100)).isoformat()
DUE = (TODAY - timedelta(days=10)).isoformat()
CANARIES = [*KEYS.values(), BEARER.lstrip("A")]

#: (rule, resource, level) the default config must report: every mandatory one the program trips,
#: and the advisories.
EXPECTED = {
    ("x-no-plaintext-key-material", "notifier", "mandatory"),
    ("x-no-plaintext-key-material", "hourly-post-target", "mandatory"),
    ("x-no-plaintext-key-material", "notes", "mandatory"),
    ("x-secret-rotation-tags", "bot-keys", "mandatory"),
    ("x-secret-recovery-window", "archive-keys", "mandatory"),
    ("x-secret-cmk", "bot-keys", "mandatory"),
    ("x-secret-cmk", "archive-keys", "mandatory"),
    ("x-secret-rotation-due", "archive-keys", "advisory"),
    ("x-secret-via-component", "bot-keys", "advisory"),
    ("x-secret-via-component", "archive-keys", "advisory"),
}


def violations(run: Run) -> set[tuple[str, str, str]]:
    return {
        (e["policyName"], e["resourceUrn"].rsplit("::", 1)[-1], e["enforcementLevel"])
        for e in (event["policyEvent"] for event in run.events if "policyEvent" in event)
    }


class World:
    def __init__(self, engine: Engine, work: Path, pack: Path, moto_url: str) -> None:
        self.engine, self.work, self.pack, self.moto_url = engine, work, pack, moto_url
        self.runs: list[Run] = []

    def run(self, verb: str, *argv: str) -> Run:
        result = self.engine.run(
            verb, "--policy-pack", str(self.pack), *argv, cwd=self.work, stack=STACK, check=False
        )
        self.runs.append(result)
        return result

    def with_config(self, verb: str, config: dict[str, Any]) -> Run:
        path = self.engine.home / f"policy-config-{len(self.runs)}.json"
        path.write_text(json.dumps(config))
        return self.run(verb, "--policy-pack-config", str(path))


@pytest.fixture(scope="module")
def world(tmp_path_factory, moto_url):
    pulumi = require_pulumi()
    reset(moto_url)
    home = tmp_path_factory.mktemp("engine-policy")
    engine = Engine(pulumi=pulumi, home=home, moto_url=moto_url)
    work = home / "careless"
    shutil.copytree(ROOT / "tests" / "programs" / "careless_aws", work)
    (work / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (work / "canaries.json").write_text(
        json.dumps({**KEYS, "bearer": BEARER, "issued_at": ISSUED, "due_at": DUE})
    )
    engine.cli("stack", "init", STACK, cwd=work)
    engine.cli("config", "set", "aws:region", "us-east-1", "--stack", STACK, cwd=work)
    return World(engine, work, pack_copy(home), moto_url)


def test_preview_reports_each_mandatory_violation_and_fails(world):
    result = world.run("preview")
    assert result.done.returncode != 0
    assert violations(result) == EXPECTED
    # Field by field: the function's role (the ARN of a role not created yet) is unknown during
    # preview, and the key in the same function's environment is still found.
    (notifier,) = [
        e["resourcePreEvent"]["metadata"]
        for e in result.events
        if "resourcePreEvent" in e and e["resourcePreEvent"]["metadata"]["urn"].endswith("::notifier")
    ]
    assert notifier["new"]["inputs"]["role"] == UNKNOWN_STRING
    # The pack that ran is this one, at the version it is published with.
    version = (ROOT / "VERSION").read_text().strip()
    assert {e["policyEvent"]["policyPackVersion"] for e in result.events if "policyEvent" in e} == {version}
    # Each message names the resource and the property path the key is in.
    text = result.stdout
    for line in (
        "notifier (aws:lambda/function:Function): environment.variables.TWITTER_ACCESS_TOKEN holds what looks "
        "like an X Access Token",
        "hourly-post-target (aws:cloudwatch/eventTarget:EventTarget): input(json).request(json).headers."
        "authorization holds what looks like an X Bearer Token",
        "notes (aws:secretsmanager/secret:Secret): description holds what looks like an X API Key",
        "bot-keys (aws:secretsmanager/secret:Secret): tags owner, rotation:issued-at, rotation:interval-days, "
        "rotation:due-at, rotation:strategy are missing",
        "archive-keys (aws:secretsmanager/secret:Secret): recoveryWindowInDays is 0",
    ):
        assert line in text, line


def test_up_with_the_pack_creates_nothing(world):
    result = world.run("up")
    assert result.done.returncode != 0
    assert {v for v in violations(result) if v[2] == "mandatory"} == {
        v for v in EXPECTED if v[2] == "mandatory"
    }
    assert client(world.moto_url, "secretsmanager").list_secrets()["SecretList"] == []
    assert client(world.moto_url, "lambda").list_functions()["Functions"] == []
    assert client(world.moto_url, "events").list_rules()["Rules"] == []
    assert [
        r for r in client(world.moto_url, "iam").list_roles()["Roles"] if "notifier" in r["RoleName"]
    ] == []
    state = json.loads(world.engine.cli("stack", "export", "--stack", STACK, cwd=world.work).stdout)
    resources = state["deployment"].get("resources") or []
    assert [r["type"] for r in resources if r["type"].startswith("aws:")] == []


def test_policy_pack_config_turns_a_rule_off_an_advisory_mandatory_and_changes_days(world):
    result = world.with_config(
        "preview",
        {
            "x-no-plaintext-key-material": "disabled",
            "x-secret-via-component": "mandatory",
            "x-secret-rotation-due": {"graceDays": 20},
            "x-secret-rotation-overdue": {"mandatoryAfterDays": 5},
        },
    )
    assert result.done.returncode != 0
    found = violations(result)
    assert not [v for v in found if v[0] == "x-no-plaintext-key-material"]
    assert {v for v in found if v[0] == "x-secret-via-component"} == {
        ("x-secret-via-component", "bot-keys", "mandatory"),
        ("x-secret-via-component", "archive-keys", "mandatory"),
    }
    # 10 days late: within 20 days' grace (no advisory), past 5 days (blocked).
    assert not [v for v in found if v[0] == "x-secret-rotation-due"]
    assert ("x-secret-rotation-overdue", "archive-keys", "mandatory") in found
    # With the secrets' rules off too, nothing mandatory is left and the preview passes.
    quiet = world.with_config(
        "preview",
        {
            rule: "disabled"
            for rule in (
                "x-no-plaintext-key-material",
                "x-secret-rotation-tags",
                "x-secret-recovery-window",
                "x-secret-cmk",
            )
        },
    )
    assert quiet.done.returncode == 0, quiet.stdout[-2000:]
    assert {v[2] for v in violations(quiet)} == {"advisory"}


def test_the_example_config_in_docs_policy_md_does_what_it_says(world):
    (block,) = [b for b in blocks("json") if b.path.name == "policy.md"]
    result = world.with_config("preview", json.loads(block.text))
    assert result.done.returncode != 0
    assert violations(result) == {
        # via-component turned mandatory; archive-keys is 10 days late: past 7 days' grace, within 60.
        *((rule, name, level) for rule, name, level in EXPECTED if rule != "x-secret-via-component"),
        ("x-secret-via-component", "bot-keys", "mandatory"),
        ("x-secret-via-component", "archive-keys", "mandatory"),
    }


def test_a_misspelt_setting_is_reported_once_not_ignored(world):
    result = world.with_config("preview", {"x-secret-cmk": {"allowedKey": ["alias/twitter-secrets"]}})
    assert result.done.returncode != 0
    told = [
        e["policyEvent"]
        for e in result.events
        if "policyEvent" in e
        and "unknown settings: allowedKey (did you mean allowedKeys?)" in e["policyEvent"]["message"]
    ]
    assert (
        len(told) == 1
        and told[0]["policyName"] == "x-secret-cmk"
        and told[0]["enforcementLevel"] == "mandatory"
    )


def test_a_config_value_of_the_wrong_type_is_refused(world):
    result = world.with_config("preview", {"x-secret-rotation-due": {"graceDays": "ten"}})
    assert result.done.returncode != 0
    said = result.stdout + result.done.stderr
    assert "graceDays" in said and "integer" in said, said[-2000:]
    assert violations(result) == set()


def test_no_canary_in_the_engine_output_its_events_or_the_state(world):
    assert len(world.runs) >= 4, "runs after the other tests of this module"
    state = world.engine.cli("stack", "export", "--stack", STACK, cwd=world.work).stdout
    # The engine's own event log carries the program's inputs as given (the keys this careless
    # program pasted in), so of the events only what the pack and the engine said is scanned.
    said = [e for r in world.runs for e in r.events if "policyEvent" in e or "diagnosticEvent" in e]
    assert any("policyEvent" in e for e in said)
    texts = [state, *world.engine.outputs, json.dumps(said)]
    assert [found_fragments(text, CANARIES) for text in texts] == [[]] * len(texts)


@pytest.fixture(scope="module")
def own(tmp_path_factory, moto_url):
    """This repository's program with every feature on, each X secret with a customer-managed key."""
    from tests.fake_x import fake_x_server
    from tests.test_engine_full_stack import EMAIL, SECRETS, SOLO_ISSUED, accept_every_key, projects

    pulumi = require_pulumi()
    home = tmp_path_factory.mktemp("engine-policy-own")
    with fake_x_server() as fake_x:
        accept_every_key(fake_x)
        engine = Engine(pulumi=pulumi, home=home, moto_url=moto_url)
        work = engine.repository_project(home / "project")
        key = client(moto_url, "kms").create_key(Description="policy test")["KeyMetadata"]["Arn"]
        west = client(moto_url, "kms", "us-west-2").create_key(Description="policy test west")["KeyMetadata"][
            "Arn"
        ]
        config_projects = projects(fake_x.url, west)
        config_projects["support"]["apps"]["fleet"]["kms_key_id"] = key
        config_projects["support"]["apps"]["solo"].update(
            kms_key_id=key, replica_kms_key_ids={"us-west-2": west}
        )
        # Keys written by `twitter-secrets put`, not in config: the secret's tags differ.
        config_projects["support"]["apps"]["later"] = {
            "key_source": "put",
            "kms_key_id": key,
            "issued_at": SOLO_ISSUED,
        }
        config = {
            "aws:region": "us-east-1",
            "twitter-secrets:projects": config_projects,
            "twitter-secrets:reminders": {"create": True, "emails": [EMAIL], "warn_days": 14, "alarms": True},
        }
        engine.init_stack(work, "full", config, SECRETS)
        yield engine, work


def test_this_repositorys_program_with_every_feature_passes_every_rule(own):
    engine, work = own
    pack = pack_copy(engine.home)
    result = engine.run("preview", "--policy-pack", str(pack), cwd=work, stack="full", check=False)
    assert result.done.returncode == 0, result.stdout[-3000:]
    created = result.ops()
    assert sum(t.startswith("aws:secretsmanager/secret:Secret::") for t in created) >= 5  # the pack saw them
    assert violations(result) == set(), result.stdout[-3000:]
    assert "Policies:" not in result.stdout or "✅ twitter-secrets" in result.stdout
