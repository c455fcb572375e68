"""Seconds against apps, log-log, for each variant and phase of ``bench/engine.py``'s results.

    .venv/bin/python bench/plot.py bench/engine_results.json --out docs/benchmark.svg

One panel per phase (preview, first up, put, no-change up, refresh), one line per variant, so a
reader sees at a glance which grows faster than linearly. A dotted line of slope 1 through the
hand-written program's smallest point shows what linear growth would look like. Needs matplotlib
(requirements-dev.txt); the SVG is written without fonts embedded as paths or dates, so the same
results draw the same file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

PHASES = ("preview", "up", "put", "up_no_change", "refresh")
TITLES = {
    "preview": "pulumi preview",
    "up": "first pulumi up",
    "put": "twitter-secrets put",
    "up_no_change": "no-change pulumi up",
    "refresh": "pulumi refresh",
}
STYLES = {"component": "o-", "handwritten": "s--", "component-config": "^:"}


def series(results: dict[str, Any]) -> dict[str, dict[str, list[tuple[int, float]]]]:
    """phase → variant → [(apps, median wall seconds)], sorted by apps; phases a variant lacks are left out."""
    found: dict[str, dict[str, list[tuple[int, float]]]] = {}
    for size, measured in sorted(results["sizes"].items(), key=lambda item: int(item[0])):
        for variant, data in measured["variants"].items():
            for phase, figures in data["phases"].items():
                if figures.get("wall_s") is not None:
                    found.setdefault(phase, {}).setdefault(variant, []).append((int(size), figures["wall_s"]))
    return found


def draw(results: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "twitter-secrets"  # stable ids: the same results, the same file
    plt.rcParams["svg.fonttype"] = "none"
    data = series(results)
    phases = [p for p in PHASES if p in data]
    fig, axes = plt.subplots(1, len(phases), figsize=(3.2 * len(phases), 3.4), sharey=True)
    for ax, phase in zip(axes if len(phases) > 1 else [axes], phases, strict=True):
        for variant, points in sorted(data[phase].items()):
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, STYLES.get(variant, "x-"), label=variant)
        base = data[phase].get("handwritten") or next(iter(data[phase].values()))
        (x0, y0), x1 = base[0], max(x for points in data[phase].values() for x, _ in points)
        ax.plot([x0, x1], [y0, y0 * x1 / x0], ":", color="grey", linewidth=0.8, label="linear")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(TITLES[phase], fontsize=9)
        ax.set_xlabel("apps")
        ax.grid(True, which="both", linewidth=0.3)
    (axes[0] if len(phases) > 1 else axes).set_ylabel("seconds (median)")
    handles, labels = (axes[0] if len(phases) > 1 else axes).get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
    machine = results.get("machine", {})
    checkpoints = "PULUMI_SKIP_CHECKPOINTS=true" if results.get("skip_checkpoints") else "checkpoints on"
    fig.suptitle(
        f"Real Pulumi engine, stand-in AWS provider on moto ({checkpoints}; "
        f"{machine.get('cpus', '?')} CPUs, median of {results.get('repeat', '?')})",
        fontsize=9,
    )
    fig.tight_layout(rect=(0, 0.08, 1, 0.95))
    fig.savefig(out, format="svg", metadata={"Date": None})
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("results", help="the JSON bench/engine.py wrote with --out")
    parser.add_argument(
        "--out", default="docs/benchmark.svg", help="the SVG to write (default docs/benchmark.svg)"
    )
    args = parser.parse_args(argv)
    try:
        results = json.loads(Path(args.results).read_text())
    except (OSError, ValueError) as error:
        print(f"bench/plot.py: cannot read {args.results}: {type(error).__name__}", file=sys.stderr)
        return 2
    draw(results, Path(args.out))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
