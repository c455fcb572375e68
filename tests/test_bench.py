"""CI smoke run of the benchmark at N=10: it works and counts right. Timings are never asserted."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_smoke_run(tmp_path):
    out = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "bench/run.py", "--sizes", "10", "--repeat", "2", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    results = json.loads(out.read_text())
    rows = results["sizes"]["10"]
    assert set(rows) == {"component", "default", "baseline"}
    # One project per 10 apps: component + Secret + SecretVersion per app, plus the project.
    assert rows["component"]["registrations"] == 31
    assert rows["default"]["registrations"] == 41  # + the read policy per app
    assert rows["baseline"]["registrations"] == 20
    assert rows["component"]["registrations_by_type"]["aws:secretsmanager/secret:Secret"] == 10
    for row in rows.values():
        assert row["secrets_per_app"] == 1.0
        assert row["usd_per_app_month"] == 0.40
        assert row["identical_inputs_across_runs"] is True
        assert len(row["seconds_all"]) == 2 and all(s > 0 for s in row["seconds_all"])
    assert rows["component"]["per_registration_ratio_to_baseline"] > 0
    assert "component" in run.stdout and "baseline" in run.stdout


def test_the_committed_results_are_only_overwritten_when_asked(tmp_path):
    committed = ROOT / "bench" / "results.json"
    before = committed.read_bytes()
    run = subprocess.run(
        [sys.executable, "bench/run.py", "--sizes", "1", "--repeat", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    assert committed.read_bytes() == before
    assert "component" in run.stdout


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--sizes", "abc"], "argument --sizes: 'abc' is not a whole number of 1 or more"),
        (["--sizes", "0"], "argument --sizes: '0' is not a whole number of 1 or more"),
        (["--sizes", ","], "argument --sizes: give at least one app count"),
        (["--repeat", "0"], "argument --repeat: '0' is not a whole number of 1 or more"),
    ],
)
def test_bad_sizes_get_one_line_and_no_traceback(argv, expected):
    run = subprocess.run([sys.executable, "bench/run.py", *argv], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2
    assert expected in run.stderr and "Traceback" not in run.stderr
