"""CI smoke run of bench/policy_cost.py at 3 apps: both previews ran, the pack only in one.

Only what makes the ratio honest is asserted (the same resources previewed, the pack loaded
with --policy-pack and not without, no violation so nothing was cut short), never a timing.
"""

from __future__ import annotations

from tests.engine import run_bench


def test_the_cost_bench_compares_like_with_like(tmp_path):
    run, data = run_bench(
        "bench/policy_cost.py", "--apps", "3", "--repeat", "2", out=tmp_path / "policy.json"
    )
    without, with_pack = data["runs"]["without"], data["runs"]["with"]
    assert len(without) == len(with_pack) == 2
    assert {r["returncode"] for r in without + with_pack} == {0}
    assert [r["pack_loaded"] for r in without] == [False, False]
    assert [r["pack_loaded"] for r in with_pack] == [True, True]
    assert {r["policy_violations"] for r in without + with_pack} == {0}
    # 3 apps: each its component, Secret and SecretVersion (the bench turns the read policy off),
    # plus the stack, the project and the providers; the same in every preview.
    assert len({r["resources"] for r in without + with_pack}) == 1 and without[0]["resources"] >= 3 * 3 + 2
    for figure in ("wall_s", "cpu_all_processes_s"):
        expected = round(data["median"]["with"][figure] / data["median"]["without"][figure], 3)
        assert data["ratio_with_to_without"][figure] == expected
    assert "ratio" in run.stdout and "with the pack" in run.stdout
