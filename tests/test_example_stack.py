"""The shipped stacks/Pulumi.dev.yaml is a working example once keys are set."""

from pathlib import Path

import yaml

from tests.canaries import canary_credentials
from tests.harness import run_program

EXAMPLE = Path(__file__).resolve().parent.parent / "stacks" / "Pulumi.dev.yaml"


def test_example_config_has_no_keys_and_runs_once_they_are_set():
    config = yaml.safe_load(EXAMPLE.read_text())["config"]
    assert "twitter-secrets:credentials" not in config  # keys are set by each user, encrypted
    labels = [
        f"{project}/{app}"
        for project, spec in config["twitter-secrets:projects"].items()
        for app in spec["apps"]
    ]
    assert labels == ["brand-monitoring/listener", "brand-monitoring/responder", "research/archive"]
    config["twitter-secrets:credentials"] = {
        label: canary_credentials(label, user_id=str(100 + i)) for i, label in enumerate(labels)
    }
    result = run_program(config, stack="dev")
    assert result.error is None, result.error
    apps = result.outputs["twitterApps"]
    assert sorted(apps) == labels
    assert apps["research/archive"]["rotationDueAt"] == "2027-02-16"
    assert apps["brand-monitoring/responder"]["owner"] == "support-automation"
    tags = {r.name: r.inputs["tags"] for r in result.of_type("aws:secretsmanager/secret:Secret")}
    assert tags["research/archive-secret"]["data-classification"] == "internal"
    assert tags["research/archive-secret"]["cost-center"] == "social-platform"


def test_example_without_keys_explains_how_to_set_them():
    config = yaml.safe_load(EXAMPLE.read_text())["config"]
    result = run_program(config, stack="dev")
    assert result.aws_resources == []
    assert str(result.error).startswith("twitter-secrets:credentials is not set;")
