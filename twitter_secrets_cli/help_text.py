"""Module docstrings as command help: plain text, without reStructuredText markup."""

from __future__ import annotations

import re

_LITERAL = re.compile(r"``([^`]+)``")
_ROLE = re.compile(r":[a-z]+:`([^`]+)`")


def plain(doc: str | None) -> str:
    """``twitter-secrets plan`` → twitter-secrets plan; :class:`X` → X."""
    return _ROLE.sub(r"\1", _LITERAL.sub(r"\1", doc or "")).strip()
