"""Scale and cost benchmark: the real program next to hand-written pulumi-aws.

For each size N it generates N apps of format-valid fake credentials and runs,
each several times in a fresh process under Pulumi's mock monitor:

- component: the real ``__main__.py`` with ``read_policy: false``, so it
  registers the same AWS resources as the baseline (Secret + SecretVersion);
- default: the real ``__main__.py`` as shipped (with the per-app read policy);
- baseline: ``bench/baseline_program.py``, the minimum hand-written pulumi-aws.

It reports median wall time, registrations per app, time per registration
and its ratio to the baseline, growth from N=1,000 to 2,000, peak RSS,
Secrets Manager secrets per app with their monthly cost, and whether two runs
registered byte-identical inputs. Timings are measured here, never asserted
in tests.

    .venv/bin/python bench/run.py [--sizes 10,100,1000,2000] [--repeat 3] [--out bench/results.json]  (results are written only with --out)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from twitter_secrets_cli.plan import placeholder_credentials  # noqa: E402 - format-valid fake keys

PROGRAMS = {
    "component": ROOT / "__main__.py",
    "default": ROOT / "__main__.py",
    "baseline": BENCH / "baseline_program.py",
}
SECRET_PRICE_USD_PER_MONTH = 0.40
APPS_PER_PROJECT = 10


def make_config(n: int, *, read_policy: bool) -> dict:
    projects: dict = {}
    credentials: dict = {}
    for i in range(n):
        project, app = f"project-{i // APPS_PER_PROJECT:04d}", f"app-{i:05d}"
        spec = projects.setdefault(project, {"access_tier": "basic", "owner": "team-bench", "apps": {}})
        spec["apps"][app] = {"issued_at": "2026-09-01", "rotation_interval_days": 90}
        label = f"{project}/{app}"
        credentials[label] = placeholder_credentials(label, i)
    config = {"twitter-secrets:projects": projects, "twitter-secrets:credentials": credentials}
    if not read_policy:
        config["twitter-secrets:defaults"] = {"read_policy": False}
    return config


def run_once(program: Path, config_file: Path, *, no_gc: bool = False) -> dict:
    env = {**os.environ, "BENCH_DISABLE_GC": "1" if no_gc else "0"}
    result = subprocess.run(
        [sys.executable, str(BENCH / "child.py"), str(program), str(config_file)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(n: int, repeat: int, *, no_gc: bool = False) -> dict:
    """Runs the variants interleaved, so drift on a busy machine hits all of them alike."""
    rows = {}
    runs: dict[str, list[dict]] = {variant: [] for variant in PROGRAMS}
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for variant in PROGRAMS:
            files[variant] = Path(tmp) / f"{variant}.json"
            files[variant].write_text(json.dumps(make_config(n, read_policy=variant == "default")))
        for _ in range(repeat):
            for variant, program in PROGRAMS.items():
                runs[variant].append(run_once(program, files[variant], no_gc=no_gc))
    for variant, done in runs.items():
        seconds = statistics.median(r["seconds"] for r in done)
        cpu = statistics.median(r["cpu_seconds"] for r in done)
        registrations = done[0]["registrations"]
        secrets = done[0]["types"].get("aws:secretsmanager/secret:Secret", 0)
        rows[variant] = {
            "seconds_median": round(seconds, 4),
            "seconds_all": [round(r["seconds"], 4) for r in done],
            "cpu_seconds_median": round(cpu, 4),
            "registrations": registrations,
            "registrations_per_app": round(registrations / n, 3),
            "registrations_by_type": done[0]["types"],
            "ms_per_registration": round(1000 * seconds / registrations, 4),
            "peak_rss_mib": round(max(r["peak_rss_mib"] for r in done), 1),
            "secrets_per_app": secrets / n,
            "usd_per_app_month": round(secrets / n * SECRET_PRICE_USD_PER_MONTH, 2),
            "identical_inputs_across_runs": len({r["digest"] for r in done}) == 1,
        }
    base = rows["baseline"]["ms_per_registration"]
    for variant in ("component", "default"):
        rows[variant]["per_registration_ratio_to_baseline"] = round(
            rows[variant]["ms_per_registration"] / base, 3
        )
    return rows


def machine() -> dict:
    from importlib.metadata import version

    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if "model name" in line
            ),
            platform.processor() or platform.machine(),
        )
        if Path("/proc/cpuinfo").exists()
        else platform.machine()
    )
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "pulumi": version("pulumi"),
        "pulumi_aws": version("pulumi-aws"),
    }


def table(results: dict) -> str:
    header = (
        f"{'N':>6} {'variant':<10} {'median s':>9} {'regs/app':>8} {'ms/reg':>7} {'ratio':>6} "
        f"{'RSS MiB':>8} {'secrets/app':>11} {'$/app/mo':>8} {'identical':>9}"
    )
    lines = [header, "-" * len(header)]
    for n, rows in results["sizes"].items():
        for variant, row in rows.items():
            ratio = row.get("per_registration_ratio_to_baseline", 1.0)
            lines.append(
                f"{n:>6} {variant:<10} {row['seconds_median']:>9.3f} {row['registrations_per_app']:>8.2f} "
                f"{row['ms_per_registration']:>7.3f} {ratio:>6.2f} {row['peak_rss_mib']:>8.1f} "
                f"{row['secrets_per_app']:>11.2f} {row['usd_per_app_month']:>8.2f} "
                f"{'yes' if row['identical_inputs_across_runs'] else 'NO':>9}"
            )
    for line in results.get("growth", []):
        lines.append(line)
    return "\n".join(lines)


def _positive(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of 1 or more")
    return int(text)


def _sizes(text: str) -> list[int]:
    """``10,100,1000``: app counts, each 1 or more. argparse turns a refusal into one line and exit 2."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise argparse.ArgumentTypeError("give at least one app count, such as 10,100,1000")
    return [_positive(part) for part in parts]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=_sizes, default="10,100,1000,2000", help="comma-separated app counts")
    parser.add_argument(
        "--repeat", type=_positive, default=3, help="runs per program and size (median reported)"
    )
    parser.add_argument(
        "--out",
        default=None,
        help="write the JSON results here (the committed bench/results.json only when named; default: none)",
    )
    parser.add_argument(
        "--no-gc",
        action="store_true",
        help="disable the garbage collector in the measured runs (growth analysis)",
    )
    args = parser.parse_args(argv)
    sizes = args.sizes
    results: dict = {
        "machine": machine(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "repeat": args.repeat,
        "gc_disabled": args.no_gc,
        "sizes": {},
    }
    for n in sizes:
        results["sizes"][str(n)] = measure(n, args.repeat, no_gc=args.no_gc)
        print(f"measured N={n}", file=sys.stderr)
    if "1000" in results["sizes"] and "2000" in results["sizes"]:
        growth = {}
        for variant in PROGRAMS:
            growth[variant] = (
                results["sizes"]["2000"][variant]["seconds_median"]
                / results["sizes"]["1000"][variant]["seconds_median"]
            )
        results["growth_2000_over_1000"] = {k: round(v, 3) for k, v in growth.items()}
        results["growth"] = [
            f"growth t(2000)/t(1000): component {growth['component']:.3f}, default {growth['default']:.3f}, "
            f"baseline {growth['baseline']:.3f}; component/baseline {growth['component'] / growth['baseline']:.3f}"
        ]
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
