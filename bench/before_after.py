"""Before and after a change to the program, under the mock monitor, interleaved in one run.

    git worktree add /tmp/before <commit before the change>
    .venv/bin/python bench/before_after.py /tmp/before --sizes 1000,2000 --repeat 3 --out bench/gc_before_after.json

Each repetition runs ``bench/child.py`` of the old tree, of this tree, and the hand-written
baseline, on the same generated config (``bench/run.py``'s, read policy off), so machine noise
falls on all three alike. How docs/benchmark.md's "what was changed" figures were made.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as bench  # noqa: E402


def child(tree: Path, program: Path, config: Path) -> dict[str, Any]:
    """One fresh process of ``tree``'s bench/child.py on ``program``: its last line is the measurement."""
    done = subprocess.run(
        [sys.executable, str(tree / "bench" / "child.py"), str(program), str(config)],
        capture_output=True,
        text=True,
        cwd=tree,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(before: Path, n: int, repeat: int, work: Path) -> dict[str, Any]:
    config = work / f"config-{n}.json"
    config.write_text(json.dumps(bench.make_config(n, read_policy=False)))
    runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": [], "baseline": []}
    after = HERE.parent
    for _ in range(repeat):
        runs["before"].append(child(before, before / "__main__.py", config))
        runs["after"].append(child(after, after / "__main__.py", config))
        runs["baseline"].append(child(after, HERE / "baseline_program.py", config))
    per_reg = {
        name: statistics.median(r["seconds"] for r in done) / done[0]["registrations"]
        for name, done in runs.items()
    }
    return {
        name: {
            "median_s": round(statistics.median(r["seconds"] for r in done), 3),
            "registrations": done[0]["registrations"],
            "ms_per_reg": round(per_reg[name] * 1000, 3),
            "ratio": round(per_reg[name] / per_reg["baseline"], 3),
            "peak_rss_mib": round(statistics.median(r["peak_rss_mib"] for r in done), 1),
        }
        for name, done in runs.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("before", type=Path, help="a checkout of the program before the change")
    parser.add_argument("--sizes", default="1000,2000", help="comma-separated app counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (median reported)")
    parser.add_argument("--out", type=Path, help="write the JSON here (default: nothing is written)")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as work:
        for n in (int(x) for x in args.sizes.split(",")):
            results[str(n)] = measure(args.before.resolve(), n, args.repeat, Path(work))
            print(n, json.dumps(results[str(n)]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
