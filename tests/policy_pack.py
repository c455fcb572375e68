"""The policy pack as a user runs it: ``policy/`` with its own virtualenv, for the real-engine tests.

The pack's ``PulumiPolicy.yaml`` names ``venv`` as its virtualenv. Installing pulumi-policy into
it takes half a minute, so it is built once per ``policy/requirements.txt`` under
``~/.cache/twitter-secrets`` (outside the repository) and each test's copy of the pack links to it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "policy"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "twitter-secrets" / "policy-venv"


def pack_venv() -> Path:
    """The pack's virtualenv, made from policy/requirements.txt the first time (and under a lock,
    as two pytest workers may want it at once)."""
    requirements = (PACK / "requirements.txt").read_bytes()
    venv = CACHE / hashlib.sha256(requirements).hexdigest()[:16]
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / "ready").exists():
            shutil.rmtree(venv, ignore_errors=True)
            base = sys._base_executable  # the interpreter the test venv was made from
            subprocess.run([base, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [
                    str(venv / "bin" / "python"),
                    "-m",
                    "pip",
                    "install",
                    "-q",
                    "-r",
                    str(PACK / "requirements.txt"),
                ],
                check=True,
            )
            (venv / "ready").write_text("")
    return venv


def pack_copy(work: Path) -> Path:
    """A copy of ``policy/`` (its own files only, as ``pulumi policy publish`` takes them) with
    ``venv`` linked to the cached virtualenv."""
    target = work / "policy"
    shutil.copytree(PACK, target, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    (target / "venv").symlink_to(pack_venv(), target_is_directory=True)
    return target
