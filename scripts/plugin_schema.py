"""Writes (or checks) provider/schema.json: the schema the plugin serves, for review in diffs.

    python scripts/plugin_schema.py          # rewrite provider/schema.json
    python scripts/plugin_schema.py --check  # exit 1 if it is out of date

The schema is built by the class the plugin process runs
(``pulumi.provider.experimental.component.ComponentProvider``) from the same
components, name, namespace and version as ``provider/__main__.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ROOT / "provider" / "__main__.py"
SNAPSHOT = ROOT / "provider" / "schema.json"


def plugin_module() -> ModuleType:
    """provider/__main__.py as a module, without starting the host (its ``__name__`` is not __main__)."""
    spec = importlib.util.spec_from_file_location("twitter_secrets_plugin", PLUGIN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def plugin_schema() -> dict[str, Any]:
    from pulumi.provider.experimental.component import ComponentProvider

    plugin = plugin_module()
    provider = ComponentProvider(plugin.COMPONENTS, plugin.NAME, plugin.NAMESPACE, plugin.version())
    assert provider.schema is not None
    return json.loads(provider.schema)


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 when it differs")
    args = parser.parse_args(argv)
    text = render(plugin_schema())
    if args.check:
        if SNAPSHOT.exists() and SNAPSHOT.read_text() == text:
            print(f"{SNAPSHOT.relative_to(ROOT)} is up to date")
            return 0
        print(
            f"{SNAPSHOT.relative_to(ROOT)} is out of date: run python scripts/plugin_schema.py",
            file=sys.stderr,
        )
        return 1
    SNAPSHOT.write_text(text)
    print(f"wrote {SNAPSHOT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
