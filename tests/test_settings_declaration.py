"""One declaration per setting: the generated files follow it, and a new entry reaches every consumer.

The made-up setting is added the way a developer would add a real one: one entry appended
to the table in a copy of the repository's ``components/settings.py``, then the two
generators run there. Nothing else in the copy is edited.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from components.settings import SETTINGS, STACK_APP, names_in
from components.settings_render import render_args, render_reference

ROOT = Path(__file__).resolve().parent.parent

MADE_UP = """
SETTINGS = (*SETTINGS, Setting(
    "max_posts_per_day",
    "How many posts the App may make in a day, for the rate-limit alarm.",
    "int",
    APP_WIDE,
    low=1,
    high=2400,
    python_type=int | None,
))
BY_NAME = {s.name: s for s in SETTINGS}
"""


def test_args_py_and_the_config_reference_are_generated_from_the_current_table():
    assert (ROOT / "components" / "args.py").read_text() == render_args(), (
        "components/args.py is stale: run python scripts/settings_codegen.py"
    )
    assert (ROOT / "docs" / "config-reference.md").read_text() == render_reference(), (
        "docs/config-reference.md is stale: run python scripts/settings_codegen.py"
    )


def test_the_reference_lists_every_stack_setting_with_its_bounds():
    reference = render_reference()
    for name in names_in(STACK_APP):
        assert f"| `{name}`" in reference
    assert (
        "| `rotation_interval_days` | defaults, app, account | whole number, 1 to 1000 | `90` |" in reference
    )
    assert len([s for s in SETTINGS if s.name == "rotation_interval_days"]) == 1


def _copy_repository(to: Path) -> Path:
    ignore = shutil.ignore_patterns(".venv", ".git", "venv", "node_modules", "__pycache__", "sdks")
    for name in ("components", "provider", "scripts", "runtime", "docs"):
        shutil.copytree(ROOT / name, to / name, ignore=ignore)
    for name in ("pyproject.toml", "VERSION"):
        shutil.copy(ROOT / name, to / name)
    return to


def test_a_setting_added_in_one_place_reaches_the_schema_the_stack_check_and_the_reference(tmp_path):
    copy = _copy_repository(tmp_path / "repo")
    table = copy / "components" / "settings.py"
    table.write_text(table.read_text() + MADE_UP)  # the one edit
    for script in ("settings_codegen.py", "plugin_schema.py"):
        subprocess.run(
            [sys.executable, str(copy / "scripts" / script)], cwd=copy, check=True, capture_output=True
        )

    # The plugin schema: a typed, described input of both app-level types.
    schema = json.loads((copy / "provider" / "schema.json").read_text())
    field = schema["resources"]["twitter-secrets:index:TwitterAppCredentials"]["inputProperties"][
        "maxPostsPerDay"
    ]
    assert field == {
        "type": "integer",
        "plain": True,
        "description": "How many posts the App may make in a day, for the rate-limit alarm.",
    }
    assert "maxPostsPerDay" in schema["types"]["twitter-secrets:index:TwitterProjectApp"]["properties"]

    # The generated reference.
    reference = (copy / "docs" / "config-reference.md").read_text()
    assert "| `max_posts_per_day` | defaults, app | whole number, 1 to 2400 |" in reference

    # The stack-config check: accepted in an app and in defaults, checked against its bounds, typo'd with a hint.
    probe = textwrap.dedent(
        """
        import json, sys
        from components.stack_config import plan_projects
        from twitter_runtime.errors import InvalidInputError

        def plan(app, defaults=None):
            projects = {"p": {"owner": "team", "apps": {"a": {"issued_at": "2026-09-01", **app}}}}
            try:
                _, settings = plan_projects(projects, defaults, environment="dev")
                return {"value": settings["p/a"].max_posts_per_day}
            except InvalidInputError as error:
                return {"problems": list(error.problems)}

        print(json.dumps([
            plan({"max_posts_per_day": 100}),
            plan({}, {"max_posts_per_day": 50}),
            plan({"max_posts_per_day": 0}),
            plan({"max_post_per_day": 5}),
        ]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=copy,
        env={"PYTHONPATH": f"{copy}:{copy / 'runtime'}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    in_app, in_defaults, out_of_range, typo = json.loads(done.stdout)
    assert in_app == {"value": 100} and in_defaults == {"value": 50}
    assert out_of_range == {"problems": ["p/a: max_posts_per_day must be a whole number from 1 to 2400"]}
    (problem,) = typo["problems"]
    assert "unknown key(s) max_post_per_day (did you mean max_posts_per_day?)" in problem


PROBE = """
from typing import Annotated, NotRequired, TypedDict

import pulumi


class ProbeArgs(TypedDict):
    days: NotRequired[Annotated[int, "from 1 to 1000"]]
    \"\"\"Days.\"\"\"


class Probe(pulumi.ComponentResource):
    \"\"\"A probe.\"\"\"

    out: pulumi.Output[str]

    def __init__(self, name: str, args: ProbeArgs, opts=None) -> None: ...
"""


def test_the_component_host_still_refuses_annotated_fields(tmp_path, monkeypatch):
    """Why the table is plain data and not pydantic over Annotated TypedDicts: the host fails on
    them. When this starts failing, Pulumi accepts Annotated and the choice can be revisited."""
    import importlib

    import pytest
    from pulumi.provider.experimental.analyzer import Analyzer

    (tmp_path / "annotated_probe.py").write_text(PROBE)  # real annotations, as a module has them
    monkeypatch.syspath_prepend(str(tmp_path))
    probe = importlib.import_module("annotated_probe")
    with pytest.raises(TypeError, match="issubclass"):
        Analyzer("probe").analyze([probe.Probe])
