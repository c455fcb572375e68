"""CI smoke run of the real-engine benchmark (bench/engine.py) at N=10: it runs and counts right.

It drives the real Pulumi CLI, so in CI a missing CLI fails here (tests.engine.require_pulumi).
Only counts are asserted (AWS calls at moto, resources, figures present), never a timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.engine import ROOT, run_bench

N = 10
PHASES = {
    "component": ["preview", "up", "put", "up_no_change", "refresh"],
    "handwritten": ["preview", "up", "up_no_change", "refresh"],
    "component-config": ["preview", "up", "up_no_change", "refresh"],
}


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench-engine") / "results.json"
    run, data = run_bench("bench/engine.py", "--sizes", str(N), "--repeat", "1", "--no-warmup", out=out)
    data["stdout"] = run.stdout
    return data


def phases(results: dict[str, Any], variant: str) -> dict[str, Any]:
    return results["sizes"][str(N)]["variants"][variant]["phases"]


def test_every_variant_and_phase_ran_with_every_figure(results):
    assert set(results["sizes"][str(N)]["variants"]) == set(PHASES)
    for variant, names in PHASES.items():
        done = phases(results, variant)
        assert list(done) == names
        for name, row in done.items():
            assert row["returncodes"] == [0], (variant, name, row.get("error"))
            assert row["wall_s"] > 0 and row["cpu_all_processes_s"] > 0
            assert isinstance(row["state_bytes"], (int, float)) and row["state_bytes"] > 0
            assert isinstance(row["aws_calls_total"], int) and isinstance(row["aws_writes"], int)
            assert row["aws_errors"] == {}
            if name == "refresh":
                continue  # refresh does not run the program
            # The probe reached the program through the CLI and the language host.
            assert row["program_cpu_s"] is not None and row["program_cpu_s"] > 0, (variant, name)
        assert done["preview"]["program_runs"] == 1
        assert done["up"]["program_runs"] >= 1  # its preview runs the program too
        assert done["refresh"]["program_runs"] == 0
    machine = results["machine"]
    assert machine["cpus"] >= 1 and machine["python"] and "v3." in machine["pulumi_cli"]


def test_the_first_up_creates_one_secret_per_app_and_a_version_only_where_keys_are_in_the_program(results):
    component = phases(results, "component")["up"]
    assert component["aws_calls"].get("secretsmanager.CreateSecret") == N
    assert component["aws_writes"] == N  # no SecretVersion: the keys come with put
    assert component["changes"] == {"create": 1 + 1 + 2 * N}  # stack, project, per app component + secret
    for variant in ("handwritten", "component-config"):
        up = phases(results, variant)["up"]
        assert up["aws_calls"].get("secretsmanager.CreateSecret") == N
        assert up["aws_calls"].get("secretsmanager.PutSecretValue") == N  # the stand-in's SecretVersion
        assert up["aws_writes"] == 2 * N
    assert phases(results, "handwritten")["up"]["changes"] == {"create": 1 + 2 * N}
    assert phases(results, "component-config")["up"]["changes"] == {"create": 1 + 1 + 3 * N}


def test_put_writes_each_apps_keys_once(results):
    put = phases(results, "component")["put"]
    assert put["aws_calls"].get("secretsmanager.PutSecretValue") == N
    assert put["aws_writes"] == N


def test_a_second_up_writes_nothing_and_changes_nothing(results):
    for variant in PHASES:
        again = phases(results, variant)["up_no_change"]
        assert again["aws_writes"] == 0, (variant, again["aws_calls"])
        # Not even a read: without --refresh the engine diffs against its state, not AWS.
        assert again["aws_calls_total"] == 0 and again["aws_calls"] == {}, (variant, again["aws_calls"])
        assert again["changed"] is False
        assert set(again["changes"]) == {"same"}


def test_the_handwritten_secrets_have_the_components_inputs(results):
    differences = results["sizes"][str(N)]["secret_input_differences"]
    assert differences["component-config vs handwritten"] == {
        "secrets_only_in_one": [],
        "differing_properties": {},
    }
    put = differences["component vs handwritten"]
    assert put["secrets_only_in_one"] == []
    # What cannot be the same: a put secret names who writes its value instead of the keys' fingerprint.
    assert set(put["differing_properties"]) == {"tags.credentials:fingerprint", "tags.credentials:source"}


def test_ratios_growth_and_goals_are_reported_not_asserted(results):
    size = results["sizes"][str(N)]
    assert set(size["ratios_to_handwritten"]) == {"component", "component-config", "component_up_plus_put"}
    assert size["ratios_to_handwritten"]["component"]["up"]["wall_s"] > 0
    assert results["goals"] and all(isinstance(line, str) for line in results["goals"])
    assert "component" in results["stdout"] and "handwritten" in results["stdout"]


def test_the_plot_draws_every_phase_and_variant_and_is_stable(results, tmp_path):
    source = tmp_path / "results.json"
    source.write_text(json.dumps({k: v for k, v in results.items() if k != "stdout"}))
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    for out in (first, second):
        done = subprocess.run(
            [sys.executable, "bench/plot.py", str(source), "--out", str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
    svg = first.read_text()
    for title in (
        "pulumi preview",
        "first pulumi up",
        "twitter-secrets put",
        "no-change pulumi up",
        "pulumi refresh",
    ):
        assert f">{title}<" in svg
    for variant in ("component", "handwritten", "component-config", "linear"):
        assert f">{variant}<" in svg
    assert first.read_bytes() == second.read_bytes()
