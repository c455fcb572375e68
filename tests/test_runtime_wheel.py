"""The runtime as a service installs it: a wheel built from runtime/, in a fresh venv, without Pulumi.

Builds the wheel with pip (setuptools from the package index, as any user's
install does), installs it into a new virtualenv with only its declared
dependencies, and reads a secret from moto's server with it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from components import lambda_package
from tests.aws_server import aws_env
from tests.canaries import canary_credentials, fragments
from twitter_runtime import canonical_payload, fingerprint

ROOT = Path(__file__).resolve().parents[1]
CREDS = canary_credentials("svc/wheel", user_id="31337")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a copy of the sources as git has them: an in-tree build leaves build/ behind, and a
    # stale build/lib newer than the sources would be packaged instead of them.
    source = tmp_path_factory.mktemp("runtime-source") / "runtime"
    shutil.copytree(
        ROOT / "runtime", source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        text=True,
    )
    (built,) = out.glob("twitter_secrets_runtime-*.whl")
    return built


@pytest.fixture(scope="module")
def service_python(wheel, tmp_path_factory) -> Path:
    """A fresh virtualenv with nothing but the wheel and what it declares."""
    env_dir = tmp_path_factory.mktemp("service-venv")
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return python


def test_wheel_declares_exactly_the_three_dependencies_and_no_pulumi(wheel):
    with zipfile.ZipFile(wheel) as archive:
        (meta_name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(archive.read(meta_name).decode())
        packaged = sorted(n for n in archive.namelist() if n.startswith("twitter_runtime/"))
        contents = {n: archive.read(n) for n in packaged}
    requires = sorted(r.split(">")[0].split("<")[0].strip().lower() for r in meta.get_all("Requires-Dist"))
    assert meta["Name"] == "twitter-secrets-runtime"
    assert requires == ["aws-secretsmanager-caching", "boto3", "requests-oauthlib"]
    sources = {
        f"twitter_runtime/{p.name}": p.read_bytes()
        for p in (ROOT / "runtime" / "twitter_runtime").glob("*.py")
    }
    assert packaged == sorted(sources)
    assert contents == sources  # the files as they are now, not an older build


def test_installed_runtime_never_brings_pulumi(service_python):
    listed = subprocess.run(
        [str(service_python), "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    names = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert "twitter-secrets-runtime" in names
    assert not {n for n in names if n.startswith("pulumi")}


def test_a_service_loads_credentials_from_moto_with_the_installed_wheel(
    service_python, aws, moto_url, tmp_path
):
    arn = aws("secretsmanager").create_secret(
        Name="twitter/dev/svc/wheel", SecretString=canonical_payload(CREDS)
    )["ARN"]
    code = (
        "import os, sys, twitter_runtime\n"
        "from twitter_runtime import load_credentials\n"
        "creds = load_credentials(sys.argv[1])\n"
        "print(twitter_runtime.__file__)\n"
        "print(creds.fingerprint)\n"
        "print(repr(creds))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pulumi'))\n"
    )
    # Run from an empty folder with no PYTHONPATH: only the installed wheel can answer the import.
    env = {"PATH": "/usr/bin:/bin", **aws_env(moto_url)}
    done = subprocess.run(
        [str(service_python), "-c", code, arn], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    location, printed_fingerprint, shown, pulumi_modules = done.stdout.strip().splitlines()
    assert location.startswith(str(service_python.parent.parent)) and "site-packages" in location
    assert printed_fingerprint == fingerprint(canonical_payload(CREDS))
    assert pulumi_modules == "[]"
    assert [f for value in CREDS.values() for f in fragments(value) if f in done.stdout + done.stderr] == []
    assert printed_fingerprint in shown


def test_the_rotation_lambda_is_built_from_the_same_sources(wheel):
    archive = lambda_package.archive_files()
    with zipfile.ZipFile(wheel) as built:
        in_wheel = {n: built.read(n) for n in built.namelist() if n.startswith("twitter_runtime/")}
    in_lambda = {n: data for n, data in archive.items() if n.startswith("twitter_runtime/")}
    assert in_lambda == in_wheel
