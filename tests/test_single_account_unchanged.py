"""The single-account stack, registered byte for byte as before apps could have several accounts.

``tests/data/single_account_golden.json`` was written by the program as it stood
before OAuth 2.0 client fields, access levels and accounts were added (commit
4d75e02), from the shared three-app config. Every registration (type, name,
parent and raw inputs, secrets included) and every stack output must still be
identical: an existing stack sees no change, not even a new tag, with one deliberate
exception: the ``twitter:stack`` tag (issue 22), which the stack's reminders filter by so
that two stacks sharing an environment never remind about each other's apps.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import make_config
from tests.harness import run_program

GOLDEN = Path(__file__).parent / "data" / "single_account_golden.json"


def snapshot() -> dict:
    result = run_program(make_config())
    assert result.error is None, result.error
    registrations = sorted(
        ([r.type, r.name, r.parent, r.raw] for r in result.registrations), key=lambda t: (t[0], t[1])
    )
    # Through JSON, as the golden file was written, so both sides compare as plain data.
    return json.loads(json.dumps({"registrations": registrations, "outputs": result.outputs}, default=str))


STACK_TAG = ("twitter:stack", "organization/twitter-secrets/dev")


def without_stack_tag(snapshot: dict) -> dict:
    """The snapshot with the one tag added since the golden file, checked and then set aside."""
    for kind, _, _, raw in snapshot["registrations"]:
        if kind == "aws:secretsmanager/secret:Secret":
            assert raw["tags"].pop(STACK_TAG[0]) == STACK_TAG[1]
    return snapshot


def test_registrations_and_outputs_match_the_pre_accounts_program():
    golden = json.loads(GOLDEN.read_text())
    now = without_stack_tag(snapshot())
    assert [r[:3] for r in now["registrations"]] == [r[:3] for r in golden["registrations"]]
    for mine, theirs in zip(now["registrations"], golden["registrations"], strict=True):
        assert mine == theirs, mine[1]
    assert now["outputs"] == golden["outputs"]


def test_no_new_tag_or_field_appears_for_a_single_account_app():
    now = snapshot()
    secrets = [r for r in now["registrations"] if r[0] == "aws:secretsmanager/secret:Secret"]
    assert len(secrets) == 3
    for _, _, _, raw in secrets:
        assert not {"twitter:account", "twitter:access-level"} & set(raw["tags"])
    for entry in now["outputs"]["twitterApps"].values():
        assert not {"account", "accessLevel", "app"} & set(entry)
