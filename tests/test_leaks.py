"""Canary credentials appear nowhere but inside the SecretVersion's secret value.

Every channel the program has is scanned: resource names and URNs, every
serialized input, component and stack outputs, every log line the engine
received (debug included, where Pulumi writes tracebacks), and the error
text of a failed run. Any 10-character fragment of a key counts as a leak.
"""

from __future__ import annotations

import copy
import json
import traceback

import pytest

from tests.canaries import fragments
from tests.conftest import LABELS, make_config
from tests.harness import SIG_KEY, ProgramRun, run_program

VALUE_FIELDS = ("secretString", "secretStringWo")


def canary_fragments(config) -> list[str]:
    values = [v for creds in config["twitter-secrets:credentials"].values() for v in creds.values()]
    return sorted({f for v in values for f in fragments(v.strip())})


def visible_text(run: ProgramRun, *, drop_values: bool) -> dict[str, str]:
    """Everything a person or another system can see, by channel."""
    channels: dict[str, str] = {}
    for r in run.registrations:
        raw = copy.deepcopy(r.raw)
        if drop_values and r.type == "aws:secretsmanager/secretVersion:SecretVersion":
            for field in VALUE_FIELDS:
                if field in raw:
                    assert raw[field][SIG_KEY], f"{r.name}.{field} must travel as a secret"
                    del raw[field]
        channels[f"registration {r.name}"] = json.dumps([r.type, r.name, r.urn, r.parent, raw])
    channels["component outputs"] = json.dumps(run.component_outputs)
    channels["stack outputs"] = json.dumps(run.outputs)
    channels["logs"] = "\n".join(f"{level} {message}" for level, message in run.logs)
    if run.error is not None:
        channels["error"] = "".join(traceback.format_exception(run.error)) + repr(run.error)
    return channels


def assert_no_fragment(channels: dict[str, str], needles: list[str]) -> None:
    leaks = [(name, n) for name, text in channels.items() for n in needles if n in text]
    # Report only where, never the canary itself.
    assert not leaks, f"key material found in: {sorted({name for name, _ in leaks})}"


@pytest.fixture(scope="module")
def config():
    config = make_config()
    projects = config["twitter-secrets:projects"]
    projects["research"]["apps"]["archive"]["write_only"] = True
    # A short key produces a warning log line mentioning the field.
    creds = config["twitter-secrets:credentials"]["brand-monitoring/responder"]
    creds["consumer_key"] = creds["consumer_key"][:21]
    return config


def test_successful_run_leaks_nothing_outside_the_secret_value(config):
    run = run_program(config)
    assert run.error is None
    assert len(run.warnings()) == 1
    needles = canary_fragments(config)
    assert_no_fragment(visible_text(run, drop_values=True), needles)


def test_the_scan_can_fail(config):
    """The canaries really are in the run: the scan finds them once values are kept."""
    run = run_program(config)
    channels = visible_text(run, drop_values=False)
    found = {name for name, text in channels.items() for n in canary_fragments(config) if n in text}
    assert found == {f"registration {label}-version" for label in LABELS}


@pytest.mark.parametrize(
    "breakage",
    ["whitespace", "charset", "duplicate", "equal_pair", "tag_contains_key", "unknown_label"],
)
def test_failed_run_leaks_nothing(config, breakage):
    config = copy.deepcopy(config)
    creds = config["twitter-secrets:credentials"]
    listener = creds["brand-monitoring/listener"]
    if breakage == "whitespace":
        listener["access_token_secret"] += "\n"
    elif breakage == "charset":
        listener["consumer_secret"] = (
            listener["consumer_secret"][:20] + "!" + listener["consumer_secret"][21:]
        )
    elif breakage == "duplicate":
        creds["research/archive"]["consumer_key"] = listener["consumer_key"]
    elif breakage == "equal_pair":
        listener["access_token_secret"] = listener["consumer_secret"]
    elif breakage == "tag_contains_key":
        pasted = creds["research/archive"]["consumer_key"]
        config["twitter-secrets:projects"]["research"]["apps"]["archive"]["tags"]["note"] = pasted
        # The tag is non-secret config: its copy of the key is the user's own leak, already in
        # their YAML. What matters is that the program repeats it nowhere.
    elif breakage == "unknown_label":
        creds["brand-monitoring/listner"] = creds.pop("brand-monitoring/listener")
    run = run_program(config)
    assert run.error is not None
    assert run.aws_resources == []
    needles = canary_fragments(config)
    if breakage == "tag_contains_key":
        needles = [n for n in needles if n not in pasted]
    assert_no_fragment(visible_text(run, drop_values=True), needles)
