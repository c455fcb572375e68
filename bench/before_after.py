"""Before and after a change to the program, under the mock monitor, interleaved in one run.

    git worktree add /tmp/before <commit> && .venv/bin/python bench/before_after.py 1000,2000 3

Runs bench/child.py of each tree (and the hand-written baseline) on the same generated config;
writes /tmp/big/ab.json. How docs/benchmark.md's "what was changed" figures were made.
"""
import json, statistics, subprocess, sys
sys.path.insert(0, "/work/main/bench")
import run as bench
trees = {"before": "/tmp/before", "after": "/work/main"}
sizes = [int(x) for x in sys.argv[1].split(",")]; repeat = int(sys.argv[2])
out = {}
for n in sizes:
    cfg = f"/tmp/big/cfg{n}.json"
    open(cfg, "w").write(json.dumps(bench.make_config(n, read_policy=False)))
    res = {k: [] for k in ("before", "after", "baseline")}
    for _ in range(repeat):
        for name, tree in trees.items():
            d = subprocess.run([sys.executable, f"{tree}/bench/child.py", f"{tree}/__main__.py", cfg], capture_output=True, text=True, cwd=tree)
            res[name].append(json.loads(d.stdout.strip().splitlines()[-1]))
        d = subprocess.run([sys.executable, "/work/main/bench/child.py", "/work/main/bench/baseline_program.py", cfg], capture_output=True, text=True, cwd="/work/main")
        res["baseline"].append(json.loads(d.stdout.strip().splitlines()[-1]))
    med = {k: statistics.median(r["seconds"] for r in v) for k, v in res.items()}
    regs = {k: v[0]["registrations"] for k, v in res.items()}
    per = {k: med[k] / regs[k] for k in med}
    out[n] = {k: {"median_s": round(med[k], 3), "registrations": regs[k], "ms_per_reg": round(per[k] * 1000, 3), "ratio": round(per[k] / per["baseline"], 3)} for k in med}
    print(n, json.dumps(out[n]), flush=True)
json.dump(out, open("/tmp/big/ab.json", "w"), indent=1)
