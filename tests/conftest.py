from __future__ import annotations

import copy
import os
from typing import Any

import pytest

from tests.canaries import canary_credentials

PROJECTS: dict[str, Any] = {
    "brand-monitoring": {
        "access_tier": "basic",
        "use_case": "Listen for brand mentions and answer support questions",
        "owner": "team-social",
        "apps": {
            "listener": {"app_id": "28471234", "issued_at": "2026-09-01"},
            "responder": {"issued_at": "2026-10-15", "rotation_interval_days": 30, "owner": "support-bots"},
        },
    },
    "research": {
        "access_tier": "pro",
        "apps": {
            "archive": {"owner": "data-science", "issued_at": "2026-01-31", "tags": {"cost-center": "4711"}}
        },
    },
}
LABELS = ("brand-monitoring/listener", "brand-monitoring/responder", "research/archive")


def listener_tags(fingerprint: str) -> dict[str, str]:
    """The exact rotation metadata the listener app of PROJECTS must carry."""
    return {
        "twitter:project": "brand-monitoring",
        "twitter:app": "listener",
        "twitter:environment": "dev",
        "twitter:stack": "organization/twitter-secrets/dev",
        "twitter:app-id": "28471234",
        "twitter:access-tier": "basic",
        "owner": "team-social",
        "rotation:issued-at": "2026-09-01",
        "rotation:interval-days": "90",
        "rotation:due-at": "2026-11-30",
        "rotation:strategy": "manual",
        "credentials:fingerprint": fingerprint,
        "managed-by": "pulumi",
    }


def make_config(projects: dict[str, Any] | None = None, credentials: dict[str, Any] | None = None, **extra):
    projects = copy.deepcopy(PROJECTS if projects is None else projects)
    if credentials is None:
        credentials = {
            f"{p}/{a}": canary_credentials(f"{p}/{a}", user_id=str(1000 + i))
            for i, (p, spec) in enumerate(sorted(projects.items()))
            for a in sorted(spec["apps"])
        }
    config = {
        "aws:region": "us-east-1",
        "twitter-secrets:projects": projects,
        "twitter-secrets:credentials": credentials,
    }
    config.update({f"twitter-secrets:{k}" if ":" not in k else k: v for k, v in extra.items()})
    return config


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI every test must run: a skipped one (a missing CLI, host or tool) fails the run, by name."""
    if not os.environ.get("CI") or hasattr(session.config, "workerinput"):
        return  # outside CI skips are fine; under xdist the controller counts for the workers
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI: {len(skipped)} skipped tests; every test must run in CI:", red=True)
        for report in skipped:
            reporter.write_line(f"  {report.nodeid}: {report.longrepr[-1] if report.longrepr else ''}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def config() -> dict[str, Any]:
    return make_config()


@pytest.fixture(scope="session")
def moto_url():
    from tests.aws_server import moto_server

    with moto_server() as url:
        yield url


@pytest.fixture
def aws(moto_url):
    """A clean emulated AWS account for one test: a factory of boto3 clients."""
    from tests.aws_server import client, reset

    reset(moto_url)
    return lambda service: client(moto_url, service)


@pytest.fixture
def fake_x():
    """A fresh fake X API on a free loopback port, stopped after the test."""
    from tests.fake_x import fake_x_server

    with fake_x_server() as fake:
        yield fake
