"""Which Pulumi project a command works on, so the CLI runs from any folder.

``plan`` and ``local`` read a stack file and run a program: by default those
of the nearest ``Pulumi.yaml`` at or above the current directory, as the
Pulumi CLI itself finds its project; ``--project-dir`` names another.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml


class NoProjectError(Exception):
    """No ``Pulumi.yaml`` where the command looked: exit 2 with the way out."""


def add_project_dir_argument(parser: Any) -> None:
    parser.add_argument(
        "--project-dir",
        help="the folder with the project's Pulumi.yaml (default: the nearest one at or above "
        "the current directory)",
    )


PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")  # the Pulumi CLI takes either


def _project_file(folder: Path) -> Path | None:
    return next((folder / name for name in PROJECT_FILES if (folder / name).is_file()), None)


def find_project_dir(start: Path) -> Path | None:
    here = start.resolve()
    for folder in (here, *here.parents):
        if _project_file(folder) is not None:
            return folder
    return None


def project_dir(args: argparse.Namespace, cwd: Path | None = None) -> Path:
    """The project folder the arguments name, or the nearest one above ``cwd``."""
    given = getattr(args, "project_dir", None)
    if given:
        folder = Path(given)
        if _project_file(folder) is None:
            raise NoProjectError(f"--project-dir {given}: no Pulumi.yaml in that folder")
        return folder.resolve()
    found = find_project_dir(cwd or Path.cwd())
    if found is None:
        raise NoProjectError(
            "no Pulumi.yaml in this directory or above it; run from the project's folder "
            "or give --project-dir"
        )
    return found


def stack_file(project: Path, stack: str) -> Path:
    """``Pulumi.<stack>.yaml`` in the project's ``stackConfigDir`` (the project root by default)."""
    path = _project_file(project) or project / "Pulumi.yaml"
    try:
        settings = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise NoProjectError(f"{path} cannot be read: {type(error).__name__}") from None
    config_dir = settings.get("stackConfigDir") if isinstance(settings, dict) else None
    return project / (config_dir if isinstance(config_dir, str) else "") / f"Pulumi.{stack}.yaml"
