"""Real-engine benchmark: the repository's program next to hand-written pulumi-aws, on the Pulumi CLI.

``bench/run.py`` times the program under Pulumi's mock monitor. This one drives the real
CLI, its Python language host and the stand-in AWS provider (``tests/standin_aws``) against
a moto server on 127.0.0.1, set up exactly as the real-engine tests do (``tests/engine.py``:
throwaway file backend, PULUMI_CONFIG_PASSPHRASE, the stand-in on PATH, its endpoint
variable), with a small counting proxy between the stand-in and moto.

Variants, each run with fresh state and a freshly reset moto, interleaved per repetition:

- ``component``: the repository's ``__main__.py`` with ``key_source: put`` and
  ``read_policy: false`` (one Secret per app, no keys in config), then its keys written out of
  band with ``python -m twitter_secrets_cli put`` (the ``put`` phase);
- ``handwritten``: ``bench/handwritten/__main__.py``, one Secret with the same inputs and one
  SecretVersion per app, the keys read from a JSON file beside the program;
- ``component-config`` (only up to ``--config-max-n`` apps): the repository's program with the
  keys in the stack's secret config (Secret + SecretVersion per app, like the handwritten one).

Phases: ``pulumi preview``, the first ``pulumi up``, ``put`` (component only), a ``pulumi up
--expect-no-changes``, ``pulumi refresh``. For each: the CLI command's wall time, the Pulumi
program's own CPU time (a bench-only ``sitecustomize`` in ``bench/engine_probe`` records the
program process's getrusage on exit), the CPU of every process the command ran, the state
file's size after it, and the AWS API calls moto answered, by operation.

Goals are printed as measured, never asserted: every component/handwritten ratio at most
1.05; no AWS write on a no-change up; state per app at most 1.2 times the handwritten's;
growth from one size to the next within 1.05 times the handwritten's.

    .venv/bin/python bench/engine.py --sizes 10,100,1000 --repeat 3 --out bench/engine_results.json

Without ``--out`` nothing is written. Needs the Pulumi CLI (TWITTER_SECRETS_PULUMI_BIN or PATH)
and the dev requirements (moto), as the real-engine tests do.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench.run import _positive, _sizes  # noqa: E402 - one parser of app counts for both benches
from tests.aws_server import reset  # noqa: E402
from tests.canaries import canary_credentials  # noqa: E402 - format-valid fake keys
from tests.engine import Engine, Run, find_pulumi  # noqa: E402
from twitter_secrets_cli.local_aws import moto_server  # noqa: E402

HANDWRITTEN = BENCH / "handwritten"
PROBE = BENCH / "engine_probe"
#: The probe appends one JSON line per Python process to the file this names.
RUSAGE_ENV = "TWITTER_SECRETS_BENCH_RUSAGE"
#: The ``__main__`` file of the process the Python language host runs the program in.
PROGRAM_EXEC = "pulumi-language-python-exec"
STACK = "bench"
REGION = "us-east-1"
APPS_PER_PROJECT = 10
ISSUED_AT = "2026-11-01"
OWNER = "team-bench"
VARIANTS = ("component", "handwritten", "component-config")
PHASES = ("preview", "up", "put", "up_no_change", "refresh")
#: Operations whose name starts so only read; every other one is counted as a write.
READ_PREFIXES = ("Describe", "Get", "List", "BatchGet", "Head", "GET ", "HEAD ")
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}
)
#: The figures compared between variants, per phase.
FIGURES = ("wall_s", "program_cpu_s", "cpu_all_processes_s", "state_bytes", "aws_calls_total", "aws_writes")
GOAL_RATIO = 1.05
GOAL_STATE_PER_APP = 1.2
GOAL_GROWTH = 1.05


# --- counting AWS calls ------------------------------------------------------------------------

_SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def operation(method: str, path: str, headers: Any, body: bytes) -> str:
    """``service.Operation`` of one AWS request, as the SDK named it.

    JSON-protocol services say it in ``X-Amz-Target`` (``secretsmanager.CreateSecret``), query
    ones (IAM, SNS) in the ``Action`` parameter; the service comes from the signature's scope.
    Anything else (REST services such as Lambda) is named by its method and path.
    """
    scope = _SCOPE.search(headers.get("Authorization") or "")
    target = headers.get("X-Amz-Target")
    service = scope.group(1) if scope else (target.split(".", 1)[0] if target else "unknown")
    if target:
        return f"{service}.{target.rsplit('.', 1)[-1]}"
    url = urlsplit(path)
    params = parse_qs(url.query)
    if "Action" not in params and body and "x-www-form-urlencoded" in (headers.get("Content-Type") or ""):
        params = parse_qs(body.decode("utf-8", "replace"))
    if "Action" in params:
        return f"{service}.{params['Action'][0]}"
    rpc_v2 = re.match(r"/service/[^/]+/operation/([^/?]+)", url.path)
    if rpc_v2:
        return f"{service}.{rpc_v2.group(1)}"
    return f"{service}.{method} {url.path}"


def is_write(op: str) -> bool:
    """Whether an operation changes AWS (by its name: Describe…, Get…, List… only read)."""
    return not op.split(".", 1)[-1].startswith(READ_PREFIXES)


class CallCounter:
    """A threaded HTTP reverse proxy on 127.0.0.1 in front of moto that counts each request's operation.

    Counting at the server sees every call the stand-in (and ``put``) makes, whatever client
    or retry logic made it; ``take`` hands over the counts since the last ``take``.
    """

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host, self.upstream_port = parts.hostname or "127.0.0.1", parts.port or 80
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self._errors: Counter[str] = Counter()
        self._server: ThreadingHTTPServer | None = None
        self.url = ""

    def record(self, op: str, status: int) -> None:
        with self._lock:
            self._calls[op] += 1
            if status >= 400:
                self._errors[f"{op} {status}"] += 1

    def take(self) -> tuple[dict[str, int], dict[str, int]]:
        """The calls and the failed calls since the last take, by operation; both start again at 0."""
        with self._lock:
            calls, errors = dict(sorted(self._calls.items())), dict(sorted(self._errors.items()))
            self._calls.clear()
            self._errors.clear()
        return calls, errors

    def __enter__(self) -> CallCounter:
        counter = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One buffered write per response (flushed after each request) with Nagle off: headers
            # and body sent apart wait out the client's delayed ACK, about 40 ms per call.
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def setup(self) -> None:
                super().setup()
                self.upstream: http.client.HTTPConnection | None = None

            def finish(self) -> None:
                if self.upstream is not None:
                    self.upstream.close()
                super().finish()

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _body(self) -> bytes:
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _send_upstream(
                self, headers: dict[str, str], body: bytes
            ) -> tuple[http.client.HTTPResponse, bytes]:
                for attempt in (1, 2):  # a kept-alive connection moto closed: reconnect once
                    if self.upstream is None:
                        self.upstream = http.client.HTTPConnection(
                            counter.upstream_host, counter.upstream_port, timeout=600
                        )
                    try:
                        self.upstream.request(self.command, self.path, body=body, headers=headers)
                        response = self.upstream.getresponse()
                        return response, response.read()
                    except (http.client.HTTPException, OSError):
                        self.upstream.close()
                        self.upstream = None
                        if attempt == 2:
                            raise
                raise AssertionError("unreachable")

            def _forward(self) -> None:
                body = self._body()
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                headers["Content-Length"] = str(len(body))
                response, data = self._send_upstream(headers, body)
                counter.record(operation(self.command, self.path, self.headers, body), response.status)
                self.send_response_only(response.status, response.reason)
                for key, value in response.getheaders():
                    if key.lower() not in HOP_BY_HOP | {"content-length"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _forward  # noqa: N815

        class Server(ThreadingHTTPServer):
            # The engine opens many connections at once: the default backlog of 5 would refuse some,
            # and the stand-in's clients do not retry.
            request_queue_size = 256
            daemon_threads = True

        server = Server(("127.0.0.1", 0), Handler)
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, name="aws-call-counter", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


# --- the engine, timed -------------------------------------------------------------------------


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


class TimedEngine(Engine):
    """``tests/engine.py``'s Engine, with each CLI command's wall time and CPU kept in ``last``.

    CPU is this process's reaped children's getrusage before and after the command: the CLI
    and every process it started and waited for (language host, program, providers). Only one
    command runs at a time, and moto (also a child) lives until the end, so nothing else is in it.
    The probe folder goes on PYTHONPATH so the program's process reports its own CPU.
    """

    #: Set by --skip-checkpoints for every engine of the run (see main).
    extra_env: ClassVar[dict[str, str]] = {}

    def __post_init__(self) -> None:
        super().__post_init__()
        self.timeout = 7200.0  # a first up of thousands of apps with checkpoints takes long
        self.env.update(self.extra_env)
        inherited = self.env.get("PYTHONPATH")
        self.env["PYTHONPATH"] = f"{PROBE}{os.pathsep}{inherited}" if inherited else str(PROBE)
        self.last: dict[str, float] = {}

    def cli(
        self,
        *argv: str,
        cwd: Path,
        stdin: str | None = None,
        check: bool = True,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess:
        before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        done = super().cli(*argv, cwd=cwd, stdin=stdin, check=False, env=env)
        self.last = {
            "wall_s": time.perf_counter() - start,
            "cpu_all_processes_s": _cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - _cpu(before),
        }
        if check and done.returncode != 0:
            raise AssertionError(
                f"pulumi {' '.join(argv)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done


# --- the data ----------------------------------------------------------------------------------


def labels(n: int) -> list[tuple[str, str]]:
    """(project, app) for N apps, 10 per project, as bench/run.py spreads them."""
    return [(f"project-{i // APPS_PER_PROJECT:04d}", f"app-{i:05d}") for i in range(n)]


def keys_for(n: int) -> dict[str, dict[str, str]]:
    """``project/app`` → four format-valid fake keys (the Access Token is ``<digits>-<alnum>``)."""
    return {
        f"{project}/{app}": canary_credentials(f"{project}/{app}", user_id=str(1000 + i))
        for i, (project, app) in enumerate(labels(n))
    }


def projects_config(n: int) -> dict[str, Any]:
    """``twitter-secrets:projects``: the owner on each project, each app only its issued_at."""
    projects: dict[str, Any] = {}
    for project, app in labels(n):
        spec = projects.setdefault(project, {"owner": OWNER, "apps": {}})
        spec["apps"][app] = {"issued_at": ISSUED_AT}
    return projects


def handwritten_apps(n: int, keys: dict[str, dict[str, str]]) -> dict[str, Any]:
    """What ``bench/handwritten`` reads from its ``apps.json``: the same projects, each app with its keys."""
    projects = projects_config(n)
    for project, spec in projects.items():
        for app, app_spec in spec["apps"].items():
            app_spec["keys"] = keys[f"{project}/{app}"]
    return {"projects": projects}


# --- one variant, one repetition ---------------------------------------------------------------


def _probe_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _changes(run: Run) -> dict[str, int] | None:
    try:
        return run.changes
    except (ValueError, KeyError):
        return None


class World:
    """One variant's throwaway Pulumi world for one repetition, and its measured phases."""

    def __init__(
        self,
        variant: str,
        n: int,
        pulumi: Path,
        home: Path,
        proxy: CallCounter,
        keys: dict[str, dict[str, str]],
        extra_defaults: dict[str, Any] | None = None,
    ) -> None:
        self.variant, self.n, self.proxy, self.keys = variant, n, proxy, keys
        self.extra_defaults = extra_defaults or {}
        self.engine = TimedEngine(pulumi=pulumi, home=home, moto_url=proxy.url)
        source = HANDWRITTEN if variant == "handwritten" else ROOT
        self.work = self.engine.repository_project(home / "project", source)
        self.phases: dict[str, dict[str, Any]] = {}

    def init(self) -> None:
        """The stack and its config (not timed): plain config in the stack file, keys on stdin only."""
        config: dict[str, Any] = {"aws:region": REGION}
        if self.variant == "handwritten":
            (self.work / "apps.json").write_text(json.dumps(handwritten_apps(self.n, self.keys)))
        else:
            config["twitter-secrets:projects"] = projects_config(self.n)
            defaults: dict[str, Any] = {"read_policy": False}
            if self.variant == "component":
                defaults = {"key_source": "put", **defaults}
            config["twitter-secrets:defaults"] = {**defaults, **self.extra_defaults}
        self.engine.init_stack(self.work, STACK, config, {})
        if self.variant == "component-config":
            # The whole credentials object as one secret value, its JSON on stdin: the program reads
            # the same PULUMI_CONFIG text as after one `config set --secret --path` per key
            # (structured values reach it as compact JSON either way), in one command instead of 4·N.
            payload = json.dumps(self.keys, sort_keys=True, separators=(",", ":"))
            self.engine.cli(
                "config", "set", "--secret", "twitter-secrets:credentials", cwd=self.work, stdin=payload
            )

    def state_file(self) -> Path | None:
        found = sorted(self.engine.state.glob(f".pulumi/stacks/**/{STACK}.json"))
        return found[0] if found else None

    def state(self) -> dict[str, Any]:
        path = self.state_file()
        return json.loads(path.read_text()) if path else {}

    def measure(self, phase: str, action: Callable[[Path], dict[str, Any]]) -> dict[str, Any]:
        """Run one phase with the call counts and the probe file fresh; its figures."""
        probe = self.engine.home / f"rusage-{phase}.jsonl"
        self.engine.env[RUSAGE_ENV] = str(probe)
        self.proxy.take()
        figures = action(probe)
        calls, errors = self.proxy.take()
        state = self.state_file()
        figures.update(
            state_bytes=state.stat().st_size if state else 0,
            aws_calls=calls,
            aws_calls_total=sum(calls.values()),
            aws_writes=sum(v for k, v in calls.items() if is_write(k)),
            aws_errors=errors,
        )
        self.phases[phase] = figures
        return figures

    def pulumi(self, verb: str, *argv: str) -> Callable[[Path], dict[str, Any]]:
        def action(probe: Path) -> dict[str, Any]:
            run = self.engine.run(verb, *argv, cwd=self.work, stack=STACK, check=False)
            programs = [p for p in _probe_lines(probe) if p["main"] == PROGRAM_EXEC]
            figures: dict[str, Any] = {
                **self.engine.last,
                "returncode": run.done.returncode,
                "program_runs": len(programs),
                # None when the command ran no program (refresh does not, by default).
                "program_cpu_s": round(sum(p["user_s"] + p["sys_s"] for p in programs), 4)
                if programs
                else None,
                # `up` runs the program twice: for its preview, then for the update.
                "program_cpu_s_per_run": [round(p["user_s"] + p["sys_s"], 4) for p in programs],
                "program_max_rss_mib": round(max(p["max_rss_kib"] for p in programs) / 1024, 1)
                if programs
                else None,
                "changes": _changes(run),
            }
            if run.done.returncode != 0:
                figures["error"] = (run.done.stdout + run.done.stderr)[-2000:]
            return figures

        return action

    def put(self, probe: Path) -> dict[str, Any]:
        """``twitter-secrets put``: every app's keys as one JSON object on stdin, AWS at the proxy."""
        env = {
            **self.engine.env,
            "AWS_ENDPOINT_URL": self.proxy.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
        }
        argv = [
            sys.executable,
            "-m",
            "twitter_secrets_cli",
            "put",
            "--stack",
            STACK,
            "--project-dir",
            str(self.work),
        ]
        before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        stdout, stderr = process.communicate(json.dumps(self.keys), timeout=TimedEngine.timeout)
        wall = time.perf_counter() - start
        own = [p for p in _probe_lines(probe) if p["pid"] == process.pid]
        figures: dict[str, Any] = {
            "wall_s": wall,
            "cpu_all_processes_s": _cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - _cpu(before),
            "returncode": process.returncode,
            "program_runs": 1,
            "program_cpu_s": round(own[0]["user_s"] + own[0]["sys_s"], 4) if own else None,
            "program_max_rss_mib": round(own[0]["max_rss_kib"] / 1024, 1) if own else None,
            "changes": None,
        }
        if process.returncode != 0:
            figures["error"] = (stdout + stderr)[-2000:]
        return figures

    def run_all(self, *, with_put: bool) -> None:
        self.init()
        self.measure("preview", self.pulumi("preview"))
        self.measure("up", self.pulumi("up"))
        if with_put:
            self.measure("put", self.put)
        no_change = self.measure("up_no_change", self.pulumi("up", "--expect-no-changes"))
        no_change["changed"] = no_change["returncode"] != 0 or any(
            op != "same" for op in (no_change["changes"] or {})
        )
        self.measure("refresh", self.pulumi("refresh"))


# --- comparing what the variants wrote ---------------------------------------------------------


def secret_inputs(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each Secret's inputs in the state, by its AWS name."""
    return {
        r["inputs"]["name"]: r["inputs"]
        for r in state.get("checkpoint", state).get("latest", {}).get("resources", [])
        if r["type"] == "aws:secretsmanager/secret:Secret"
    }


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and not any(k.startswith("4dabf18193072939515e22adb298388d") for k in value):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flat(inner, f"{prefix}.{key}" if prefix else key))
        return out
    return {prefix: value}


def input_differences(ours: dict[str, dict[str, Any]], theirs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Property paths whose values differ between two variants' Secrets, with how many apps and one example."""
    differences: dict[str, Any] = {}
    missing = sorted(set(ours) ^ set(theirs))
    for name in sorted(set(ours) & set(theirs)):
        a, b = _flat(ours[name]), _flat(theirs[name])
        for path in sorted(set(a) | set(b)):
            if a.get(path) != b.get(path):
                entry = differences.setdefault(
                    path, {"apps": 0, "example": {"secret": name, "a": a.get(path), "b": b.get(path)}}
                )
                entry["apps"] += 1
    return {"secrets_only_in_one": missing, "differing_properties": differences}


# --- one size ------------------------------------------------------------------------------------


def _median(values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 4) if present else None


def summarize(runs: list[dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """Per phase: the median of each figure over the repetitions, the calls of the first, and all values."""
    phases: dict[str, Any] = {}
    for phase in runs[0]:
        done = [r[phase] for r in runs]
        first = done[0]
        phases[phase] = {
            **{
                f: _median([d.get(f) for d in done])
                for f in ("wall_s", "program_cpu_s", "cpu_all_processes_s")
            },
            "state_bytes": _median([d["state_bytes"] for d in done]),
            "aws_calls_total": first["aws_calls_total"],
            "aws_writes": first["aws_writes"],
            "aws_calls": first["aws_calls"],
            "aws_errors": first["aws_errors"],
            "calls_identical_across_repeats": all(d["aws_calls"] == first["aws_calls"] for d in done),
            "program_runs": first["program_runs"],
            "program_cpu_s_per_run": first.get("program_cpu_s_per_run"),
            "program_max_rss_mib": _median([d.get("program_max_rss_mib") for d in done]),
            "changes": first["changes"],
            "returncodes": [d["returncode"] for d in done],
            "wall_s_all": [round(d["wall_s"], 4) for d in done],
            "program_cpu_s_all": [d.get("program_cpu_s") for d in done],
        }
        if "changed" in first:
            phases[phase]["changed"] = any(d["changed"] for d in done)
        errors = [d["error"] for d in done if "error" in d]
        if errors:
            phases[phase]["error"] = errors[0]
    return phases


def _ratio(a: Any, b: Any) -> float | None:
    return round(a / b, 3) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None


def ratios(variants: dict[str, Any]) -> dict[str, Any]:
    """component (and component-config) over handwritten, per phase and figure; put layout's up+put over up."""
    base = variants["handwritten"]["phases"]
    out: dict[str, Any] = {}
    for variant in ("component", "component-config"):
        if variant not in variants:
            continue
        ours = variants[variant]["phases"]
        out[variant] = {
            phase: {f: _ratio(ours[phase].get(f), base[phase].get(f)) for f in FIGURES}
            for phase in ours
            if phase in base
        }
    component = variants["component"]["phases"]
    if "put" in component:
        combined = {
            f: (component["up"].get(f) or 0) + (component["put"].get(f) or 0)
            for f in ("wall_s", "program_cpu_s", "cpu_all_processes_s", "aws_calls_total", "aws_writes")
        }
        combined["state_bytes"] = component["put"]["state_bytes"]
        out["component_up_plus_put"] = {f: _ratio(v, base["up"].get(f)) for f, v in combined.items()}
    return out


def measure_size(
    n: int,
    repeat: int,
    *,
    pulumi: Path,
    moto_url: str,
    proxy: CallCounter,
    tmp: Path,
    config_max_n: int,
    keep: bool = False,
) -> dict[str, Any]:
    """All variants at N apps, interleaved per repetition, each run in a fresh world and a reset moto."""
    keys = keys_for(n)
    variants = [v for v in VARIANTS if v != "component-config" or n <= config_max_n]
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    secrets: dict[str, dict[str, dict[str, Any]]] = {}
    started = time.perf_counter()
    for rep in range(repeat):
        for variant in variants:
            reset(moto_url)
            home = tmp / f"n{n}-{variant}-{rep}"
            world = World(variant, n, pulumi, home, proxy, keys)
            world.run_all(with_put=variant == "component")
            if rep == 0:
                secrets[variant] = secret_inputs(world.state())
            runs[variant].append(world.phases)
            if not keep:
                shutil.rmtree(home, ignore_errors=True)
            print(f"  N={n} rep {rep + 1}/{repeat} {variant}: done", file=sys.stderr)
    result: dict[str, Any] = {
        "variants": {v: {"phases": summarize(done)} for v, done in runs.items()},
    }
    result["ratios_to_handwritten"] = ratios(result["variants"])
    result["secret_input_differences"] = {
        f"{v} vs handwritten": input_differences(secrets[v], secrets["handwritten"])
        for v in variants
        if v != "handwritten"
    }
    result["no_change_up_calls_per_app"] = {
        v: {op: round(c / n, 3) for op, c in r["phases"]["up_no_change"]["aws_calls"].items()}
        for v, r in result["variants"].items()
    }
    result["state_bytes_per_app_after_up"] = {
        v: round(r["phases"]["up"]["state_bytes"] / n, 1) for v, r in result["variants"].items()
    }
    result["seconds_total"] = round(time.perf_counter() - started, 1)
    return result


def warm_up(pulumi: Path, moto_url: str, proxy: CallCounter, tmp: Path) -> None:
    """One untimed ``pulumi preview`` of each program at N=1, so the first measured run does not
    also pay for cold file caches (the CLI, the interpreter, the SDKs, the repository's modules)."""
    for variant in ("component", "handwritten"):
        reset(moto_url)
        home = tmp / f"warm-up-{variant}"
        world = World(variant, 1, pulumi, home, proxy, keys_for(1))
        world.init()
        world.engine.run("preview", cwd=world.work, stack=STACK)
        shutil.rmtree(home, ignore_errors=True)
    proxy.take()


# --- reporting ---------------------------------------------------------------------------------


def growth(results: dict[str, Any]) -> dict[str, Any]:
    """t(next size)/t(size) per variant, phase and time figure, and component's over handwritten's."""
    sizes = sorted(int(n) for n in results["sizes"])
    out: dict[str, Any] = {}
    for small, large in itertools.pairwise(sizes):
        a, b = results["sizes"][str(small)]["variants"], results["sizes"][str(large)]["variants"]
        step: dict[str, Any] = {}
        for variant in b:
            if variant not in a:
                continue
            step[variant] = {
                phase: {
                    f: _ratio(b[variant]["phases"][phase].get(f), a[variant]["phases"][phase].get(f))
                    for f in ("wall_s", "program_cpu_s")
                }
                for phase in b[variant]["phases"]
            }
        if "component" in step and "handwritten" in step:
            step["component_over_handwritten"] = {
                phase: {
                    f: _ratio(step["component"][phase][f], step["handwritten"][phase].get(f, None))
                    for f in ("wall_s", "program_cpu_s")
                }
                for phase in step["component"]
                if phase in step["handwritten"]
            }
        out[f"{large}/{small}"] = step
    return out


def goals(results: dict[str, Any]) -> list[str]:
    """The goals, each with what was measured and met or missed: printed, never asserted."""
    lines: list[str] = []

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("met" if ok else "MISSED")

    for n, size in results["sizes"].items():
        component = size["ratios_to_handwritten"].get("component", {})
        worst = [
            (phase, f, r)
            for phase, figs in component.items()
            for f, r in figs.items()
            if r is not None and r > GOAL_RATIO
        ]
        lines.append(
            f"N={n} every component/handwritten ratio <= {GOAL_RATIO}: {verdict(not worst)}"
            + (
                "; over: " + ", ".join(f"{p}.{f} {r:.2f}" for p, f, r in sorted(worst, key=lambda w: -w[2]))
                if worst
                else ""
            )
        )
        combined = size["ratios_to_handwritten"].get("component_up_plus_put")
        if combined:
            lines.append(
                f"N={n} component (up+put)/handwritten up: "
                + ", ".join(f"{f} {r}" for f, r in combined.items() if r is not None)
            )
        for variant, data in size["variants"].items():
            phase = data["phases"]["up_no_change"]
            writes = {op: c for op, c in phase["aws_calls"].items() if is_write(op)}
            reads = size["no_change_up_calls_per_app"][variant]
            lines.append(
                f"N={n} {variant}: 0 AWS writes on a no-change up: {verdict(not writes and not phase.get('changed'))}"
                f" (writes {writes or 0}; changed {phase.get('changed')}; reads per app {reads or 0})"
            )
        per_app = size["state_bytes_per_app_after_up"]
        for variant in ("component", "component-config"):
            if variant in per_app:
                ratio = _ratio(per_app[variant], per_app["handwritten"])
                lines.append(
                    f"N={n} {variant} state per app <= {GOAL_STATE_PER_APP}x handwritten: "
                    f"{verdict(ratio is not None and ratio <= GOAL_STATE_PER_APP)} "
                    f"({per_app[variant]} vs {per_app['handwritten']} bytes, {ratio}x)"
                )
        if "put" in size["variants"]["component"]["phases"]:
            after_put = size["variants"]["component"]["phases"]["put"]["state_bytes"] / int(n)
            lines.append(
                f"N={n} component state per app after put: {after_put:.1f} bytes (put writes no state)"
            )
    for step, data in results.get("growth", {}).items():
        relative = data.get("component_over_handwritten", {})
        over = [
            (phase, f, r)
            for phase, figs in relative.items()
            for f, r in figs.items()
            if r is not None and r > GOAL_GROWTH
        ]
        lines.append(
            f"growth t({step}) component within {GOAL_GROWTH} of handwritten's: {verdict(not over)}"
            + ("; over: " + ", ".join(f"{p}.{f} {r:.2f}" for p, f, r in over) if over else "")
        )
    return lines


def _fmt(value: Any, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(results: dict[str, Any]) -> str:
    header = (
        f"{'N':>5} {'variant':<16} {'phase':<12} {'wall s':>8} {'prog cpu':>8} {'all cpu':>8} "
        f"{'state KiB':>9} {'B/app':>7} {'calls':>6} {'writes':>6} {'ratio wall':>10} {'ratio cpu':>9}  changes"
    )
    lines = [header, "-" * len(header)]
    for n, size in results["sizes"].items():
        for variant, data in size["variants"].items():
            ratio = size["ratios_to_handwritten"].get(variant, {})
            for phase, row in data["phases"].items():
                r = ratio.get(phase, {})
                changes = row.get("changes")
                shown = ",".join(f"{k}={v}" for k, v in (changes or {}).items()) if changes else "-"
                if row.get("changed"):
                    shown += " CHANGED"
                if any(row["returncodes"]) and not row.get("changed"):
                    shown += " FAILED"
                lines.append(
                    f"{n:>5} {variant:<16} {phase:<12} {_fmt(row['wall_s'], '.3f'):>8} "
                    f"{_fmt(row['program_cpu_s'], '.3f'):>8} {_fmt(row['cpu_all_processes_s'], '.3f'):>8} "
                    f"{row['state_bytes'] / 1024:>9.1f} {row['state_bytes'] / int(n):>7.0f} "
                    f"{row['aws_calls_total']:>6} {row['aws_writes']:>6} {_fmt(r.get('wall_s'), '.2f'):>10} "
                    f"{_fmt(r.get('program_cpu_s'), '.2f'):>9}  {shown}"
                )
        lines.append(f"{n:>5} calls by operation (first repetition):")
        for variant, data in size["variants"].items():
            for phase, row in data["phases"].items():
                calls = ", ".join(f"{op} {c}" for op, c in row["aws_calls"].items())
                lines.append(f"      {variant:<16} {phase:<12} {calls or '-'}")
        for pair, diff in size["secret_input_differences"].items():
            props = diff["differing_properties"]
            text = (
                "; ".join(
                    f"{path} on {d['apps']} apps (e.g. {d['example']['a']!r} vs {d['example']['b']!r})"
                    for path, d in props.items()
                )
                or "identical"
            )
            if diff["secrets_only_in_one"]:
                text += f"; secrets in only one: {len(diff['secrets_only_in_one'])}"
            lines.append(f"{n:>5} Secret inputs, {pair}: {text}")
        lines.append(f"{n:>5} measured in {size['seconds_total']} s")
    for step, data in results.get("growth", {}).items():
        for variant, phases in data.items():
            text = ", ".join(
                f"{phase} {_fmt(figs['wall_s'], '.2f')}/{_fmt(figs['program_cpu_s'], '.2f')}"
                for phase, figs in phases.items()
            )
            lines.append(f"growth t({step}) wall/program-cpu, {variant}: {text}")
    lines.extend(results.get("goals", []))
    return "\n".join(lines)


def machine(pulumi: Path) -> dict[str, Any]:
    from importlib.metadata import version

    cpu = platform.machine()
    if Path("/proc/cpuinfo").exists():
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if "model name" in line
            ),
            cpu,
        )
    cli = subprocess.run([str(pulumi), "version"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "pulumi_cli": cli,
        "pulumi_sdk": version("pulumi"),
        "pulumi_aws_sdk": version("pulumi-aws"),
        "moto": version("moto"),
        "aws_provider": "stand-in (tests/standin_aws) on moto's server, through a counting proxy",
        # Timings mean little on a busy machine: this says how busy it was.
        "load_average_1_5_15_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# --- the command -------------------------------------------------------------------------------


@contextmanager
def _workspace(keep: str | None) -> Iterator[Path]:
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        yield Path(keep)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
            yield Path(tmp)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=_sizes, default="10,100,1000", help="comma-separated app counts")
    parser.add_argument(
        "--repeat", type=_positive, default=3, help="runs per variant and size (median reported)"
    )
    parser.add_argument(
        "--out", default=None, help="write the JSON results here (default: nothing is written)"
    )
    parser.add_argument(
        "--config-max-n",
        type=int,
        default=100,
        help="run the component-config variant (keys in stack config) only up to this many apps (default 100)",
    )
    parser.add_argument(
        "--workdir", default=None, help="keep the worlds' parent folder here (default: a temporary one)"
    )
    parser.add_argument(
        "--skip-checkpoints",
        action="store_true",
        help="run every command with PULUMI_SKIP_CHECKPOINTS=true: the file backend then writes the state "
        "once at the end instead of after every step (whose cost grows with the square of the resources)",
    )
    parser.add_argument(
        "--no-warmup",
        action="store_true",
        help="skip the untimed N=1 preview of each program that runs first",
    )
    args = parser.parse_args(argv)
    if args.skip_checkpoints:
        TimedEngine.extra_env = {"PULUMI_SKIP_CHECKPOINTS": "true"}
    pulumi, why = find_pulumi()
    if pulumi is None:
        print(f"bench/engine.py: {why}", file=sys.stderr)
        return 2
    results: dict[str, Any] = {
        "machine": machine(pulumi),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "repeat": args.repeat,
        "config_max_n": args.config_max_n,
        "skip_checkpoints": args.skip_checkpoints,
        "sizes": {},
    }
    with _workspace(args.workdir) as tmp, moto_server() as moto_url, CallCounter(moto_url) as proxy:
        if not args.no_warmup:
            warm_up(pulumi, moto_url, proxy, tmp)
        for n in args.sizes:
            results["sizes"][str(n)] = measure_size(
                n,
                args.repeat,
                pulumi=pulumi,
                moto_url=moto_url,
                proxy=proxy,
                tmp=tmp,
                config_max_n=args.config_max_n,
                keep=bool(args.workdir),
            )
            print(f"measured N={n} in {results['sizes'][str(n)]['seconds_total']} s", file=sys.stderr)
    results["machine"]["load_average_1_5_15_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["growth"] = growth(results)
    results["goals"] = goals(results)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
