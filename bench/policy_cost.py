"""What the policy pack adds to a ``pulumi preview``: the same preview with and without it.

The repository's program with N apps (keys in the stack's secret config, each secret under a
customer-managed KMS key so the preview passes every rule) runs on the real CLI, the stand-in
AWS provider and moto, set up as ``bench/engine.py`` does. Each repetition previews the same
stack twice, once plain and once with ``--policy-pack policy`` (the pack in its own virtualenv,
as ``tests/policy_pack.py`` builds it), the order alternating between repetitions. Reported:
median wall time and CPU of all processes for each, and their ratio (with / without).

    .venv/bin/python bench/policy_cost.py --apps 100 --repeat 5 --out bench/policy_results.json

Measured, never asserted: tests/test_bench_policy.py only checks that both previews ran and that
the pack was loaded in one and not the other.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.engine import STACK, CallCounter, World, keys_for, machine  # noqa: E402
from bench.run import _positive  # noqa: E402
from tests.aws_server import client, moto_server, reset  # noqa: E402
from tests.engine import find_pulumi  # noqa: E402
from tests.policy_pack import pack_copy  # noqa: E402

FIGURES = ("wall_s", "cpu_all_processes_s")


def _preview(world: World, *argv: str) -> dict[str, Any]:
    run = world.engine.run("preview", *argv, cwd=world.work, stack=STACK, check=False)
    return {
        **world.engine.last,
        "returncode": run.done.returncode,
        "pack_loaded": "Loading policy packs" in run.stdout,
        "policy_violations": sum("policyEvent" in e for e in run.events),
        "resources": sum(1 for e in run.events if "resourcePreEvent" in e),
    }


def measure(n: int, repeat: int, pulumi: Path, tmp: Path) -> dict[str, Any]:
    keys = keys_for(n)
    pack = pack_copy(tmp)
    runs: dict[str, list[dict[str, Any]]] = {"without": [], "with": []}
    with moto_server() as moto_url, CallCounter(moto_url) as proxy:
        for rep in range(repeat):
            reset(moto_url)
            kms_key = client(moto_url, "kms").create_key(Description="bench")["KeyMetadata"]["Arn"]
            world = World(
                "component-config", n, pulumi, tmp / f"rep{rep}", proxy, keys, {"kms_key_id": kms_key}
            )
            world.init()
            _preview(world)  # untimed: warms the file caches for both measured previews
            order = ("without", "with") if rep % 2 == 0 else ("with", "without")
            for which in order:
                argv = ("--policy-pack", str(pack)) if which == "with" else ()
                runs[which].append(_preview(world, *argv))
            print(f"  N={n} rep {rep + 1}/{repeat}: done", file=sys.stderr)
    medians = {
        which: {f: round(statistics.median(r[f] for r in done), 3) for f in FIGURES}
        for which, done in runs.items()
    }
    return {
        "apps": n,
        "repeat": repeat,
        "runs": runs,
        "median": medians,
        "ratio_with_to_without": {f: round(medians["with"][f] / medians["without"][f], 3) for f in FIGURES},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--apps", type=_positive, default=100, help="apps in the stack (default 100)")
    parser.add_argument("--repeat", type=_positive, default=5, help="pairs of previews (median reported)")
    parser.add_argument(
        "--out", default=None, help="write the JSON results here (default: nothing is written)"
    )
    args = parser.parse_args(argv)
    pulumi, why = find_pulumi()
    if pulumi is None:
        print(f"bench/policy_cost.py: {why}", file=sys.stderr)
        return 2
    before = machine(pulumi)  # its load average is the one at the start
    with tempfile.TemporaryDirectory(prefix="bench-policy-") as tmp:
        result = measure(args.apps, args.repeat, pulumi, Path(tmp))
    result["machine"] = {
        **before,
        "load_average_1_5_15_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    median, ratio = result["median"], result["ratio_with_to_without"]
    print(f"pulumi preview of {args.apps} apps, median of {args.repeat}:")
    print(f"{'':24}{'without the pack':>18}{'with the pack':>16}{'ratio':>8}")
    for figure in FIGURES:
        print(f"{figure:24}{median['without'][figure]:>18}{median['with'][figure]:>16}{ratio[figure]:>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
