"""One measured run in a fresh process: a Pulumi program under the mock monitor.

Prints one JSON line: wall time of the program run (imports excluded, as they
are the same for both programs), registrations by type, peak RSS, and a
digest of every registration's serialized inputs (for the determinism check).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import resource
import runpy
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pulumi  # noqa: E402
import pulumi_aws  # noqa: E402, F401  (imported before timing, as the program would)
from pulumi.runtime import mocks as pulumi_mocks  # noqa: E402
from pulumi.runtime import settings as pulumi_settings  # noqa: E402

ACCOUNT, REGION = "123456789012", "us-east-1"


class Mocks(pulumi.runtime.Mocks):
    """Deterministic ids and the computed attributes the programs read (arn, versionId)."""

    def new_resource(self, args):
        state = dict(args.inputs)
        name = args.inputs.get("name", args.name)
        if args.typ == "aws:secretsmanager/secret:Secret":
            arn = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-{hashlib.sha256(name.encode()).hexdigest()[:6]}"
            state.update(arn=arn)
            return arn, state
        if args.typ == "aws:iam/policy:Policy":
            arn = f"arn:aws:iam::{ACCOUNT}:policy/twitter-secrets/{name}"
            state.update(arn=arn)
            return arn, state
        if args.typ == "aws:secretsmanager/secretVersion:SecretVersion":
            state.update(versionId=hashlib.sha256(args.name.encode()).hexdigest()[:32])
        return f"{args.name}-id", state

    def call(self, args):
        return {}, []


class Monitor(pulumi_mocks.MockMonitor):
    def __init__(self, mocks):
        super().__init__(mocks)
        self.types: Counter[str] = Counter()
        self.digests: list[tuple[str, str, str]] = []

    def RegisterResource(self, request):  # noqa: N802
        self.types[request.type] += 1
        blob = request.object.SerializeToString(deterministic=True)
        self.digests.append((request.type, request.name, hashlib.sha256(blob).hexdigest()))
        return super().RegisterResource(request)


def main() -> None:
    program, config_path = sys.argv[1], sys.argv[2]
    config = json.loads(Path(config_path).read_text())
    pulumi.runtime.set_all_config(
        {k: json.dumps(v) for k, v in config.items()}, ["twitter-secrets:credentials"]
    )
    mocks = Mocks()
    monitor = Monitor(mocks)
    pulumi_settings.set_root_resource(None)
    pulumi.runtime.set_mocks(mocks, project="twitter-secrets", stack="bench", preview=False, monitor=monitor)

    @pulumi.runtime.test
    def run():
        runpy.run_path(program, run_name="__main__")

    if os.environ.get("BENCH_DISABLE_GC") == "1":
        gc.disable()  # for the growth analysis only: separates the programs' work from the collector's
    start, cpu_start = time.perf_counter(), time.process_time()
    run()
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    types = {t: n for t, n in monitor.types.items() if t != "pulumi:pulumi:Stack"}
    digest = hashlib.sha256(json.dumps(sorted(monitor.digests)).encode()).hexdigest()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "registrations": sum(types.values()),
                "types": types,
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "digest": digest,
            }
        )
    )


if __name__ == "__main__":
    main()
