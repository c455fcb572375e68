"""Writes components/args.py and docs/config-reference.md from components/settings.py, or checks them.

    .venv/bin/python scripts/settings_codegen.py          # write both
    .venv/bin/python scripts/settings_codegen.py --check  # exit 1 when either is stale

After it, `scripts/plugin_schema.py` regenerates provider/schema.json from the new arguments.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "runtime")]

from components.settings_render import render_args, render_reference  # noqa: E402

TARGETS = {
    ROOT / "components" / "args.py": render_args,
    ROOT / "docs" / "config-reference.md": render_reference,
}


def main(argv: list[str]) -> int:
    stale = [path for path, render in TARGETS.items() if not path.exists() or path.read_text() != render()]
    if "--check" in argv:
        for path in stale:
            print(
                f"{path.relative_to(ROOT)} is stale: run python scripts/settings_codegen.py", file=sys.stderr
            )
        return 1 if stale else 0
    for path in stale:
        path.write_text(TARGETS[path]())
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
