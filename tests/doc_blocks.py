"""The fenced code blocks of the README and docs/: each one is run by a test or marked illustrative."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
ILLUSTRATIVE = "<!-- illustrative -->"
_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<lang>\w*)[ \t]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S
)


@dataclass(frozen=True)
class Block:
    path: Path
    lang: str
    text: str
    line: int
    illustrative: bool

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks(lang: str | None = None) -> list[Block]:
    found = []
    for path in DOCS:
        source = path.read_text()
        for match in _FENCE.finditer(source):
            before = source[: match.start()].rstrip("\n").rsplit("\n", 1)[-1].strip()
            if lang is None or match.group("lang") == lang:
                found.append(
                    Block(
                        path=path,
                        lang=match.group("lang"),
                        text=textwrap.dedent(match.group("body")),
                        line=source.count("\n", 0, match.start()) + 1,
                        illustrative=before == ILLUSTRATIVE,
                    )
                )
    return found
