"""The version is stated once (VERSION); everything that carries it follows."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
VERSION = (ROOT / "VERSION").read_text().strip()


def test_the_version_is_semantic():
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", VERSION)


def test_the_distributions_and_the_schema_follow_version():
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in root["project"] and root["project"]["dynamic"] == ["version"]
    assert root["tool"]["setuptools"]["dynamic"]["version"] == {"file": "VERSION"}
    runtime = tomllib.loads((ROOT / "runtime" / "pyproject.toml").read_text())
    assert runtime["project"]["version"] == VERSION, "set runtime/pyproject.toml's version to VERSION"
    schema = json.loads((ROOT / "provider" / "schema.json").read_text())
    assert schema["version"] == VERSION, "run python scripts/plugin_schema.py"
    pack = yaml.safe_load((ROOT / "policy" / "PulumiPolicy.yaml").read_text())
    assert pack["version"] == VERSION, "set policy/PulumiPolicy.yaml's version to VERSION"


def test_the_changelog_has_a_section_for_this_version():
    assert re.search(rf"^## {re.escape(VERSION)}\b", (ROOT / "CHANGELOG.md").read_text(), re.M)
