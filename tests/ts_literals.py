"""Reads the object literals an example TypeScript program passes to our components.

Enough of TypeScript for the examples, not a parser for any program: string,
number and boolean literals, arrays and objects are read as values; anything
else (a call, a variable, a template) is ``COMPUTED``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.schema_check import COMPUTED

_NEW = re.compile(r"new\s+(\w+)\.(\w+)\(\s*(\"[^\"]*\"|'[^']*')\s*,\s*\{")
_KEY = re.compile(r"\s*(?:\"([^\"]+)\"|'([^']+)'|([A-Za-z_$][\w$]*))\s*:\s*(.*)", re.S)


def _split_top_level(body: str) -> list[str]:
    parts, depth, start, quote = [], 0, 0, ""
    for i, ch in enumerate(body):
        if quote:
            quote = "" if ch == quote and body[i - 1] != "\\" else quote
        elif ch in "\"'`":
            quote = ch
        elif ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return [p.strip() for p in parts if p.strip()]


def _without_comments(text: str) -> str:
    """Drops ``// ...`` line comments (a ``//`` after white space, so URLs in strings survive)."""
    return "\n".join(re.sub(r"(^|\s)//.*$", "", line) for line in text.splitlines())


def literal(text: str) -> Any:
    text = text.strip()
    if text.startswith("{") and text.endswith("}"):
        result = {}
        for entry in _split_top_level(text[1:-1]):
            match = _KEY.fullmatch(entry)
            if match is None:
                return COMPUTED  # a spread or a shorthand: not a literal
            key = match.group(1) or match.group(2) or match.group(3)
            result[key] = literal(match.group(4))
        return result
    if text.startswith("[") and text.endswith("]"):
        return [literal(item) for item in _split_top_level(text[1:-1])]
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    if re.fullmatch(r"-?[0-9]*\.[0-9]+", text):
        return float(text)
    if re.fullmatch(r"\"[^\"\\]*\"", text):
        return json.loads(text)
    if re.fullmatch(r"'[^'\\]*'", text):
        return text[1:-1]
    return COMPUTED


def _matching_brace(text: str, open_at: int) -> int:
    depth, quote = 0, ""
    for i in range(open_at, len(text)):
        ch = text[i]
        if quote:
            quote = "" if ch == quote and text[i - 1] != "\\" else quote
        elif ch in "\"'`":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced braces")


def component_calls(source: str, module_alias: str) -> list[tuple[str, str, Any]]:
    """(class name, resource name, arguments) for each ``new <alias>.<Class>("name", {...})``."""
    source = _without_comments(source)
    calls = []
    for match in _NEW.finditer(source):
        if match.group(1) != module_alias:
            continue
        open_at = match.end() - 1
        body = source[open_at : _matching_brace(source, open_at) + 1]
        calls.append((match.group(2), literal(match.group(3)), literal(body)))
    return calls
