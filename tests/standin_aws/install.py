"""Puts the stand-in where the engine looks for an ``aws`` plugin: an executable on PATH.

The engine prefers a ``pulumi-resource-aws`` found on PATH to any installed
plugin, so a test prepends the folder this writes to PATH, and only for the
commands it runs. Nothing here is installed for users.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def write_standin_plugin(bin_dir: Path) -> Path:
    """``bin_dir/pulumi-resource-aws``: runs the stand-in with this interpreter and this checkout."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    plugin = bin_dir / "pulumi-resource-aws"
    path = f"{ROOT}:{ROOT / 'runtime'}"
    plugin.write_text(
        "#!/bin/sh\n"
        "# Test double: the stand-in for the pulumi-aws provider (tests/standin_aws), backed by moto.\n"
        f'PYTHONPATH={shlex.quote(path)} exec {shlex.quote(sys.executable)} -m tests.standin_aws "$@"\n'
    )
    plugin.chmod(0o755)
    return plugin
