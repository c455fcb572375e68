"""Every string in a resource's properties, with its path; JSON inside a string walked too.

A Lambda's environment, an ECS task's container definitions (one JSON string), an EventBridge
target's input: keys hide one level down in JSON as often as in plain properties. Values that
are not text (numbers, and whatever stands for a value unknown during preview) are skipped one
by one, never the whole resource.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

#: JSON nested in JSON nested in a string is walked this deep, and no deeper.
MAX_DEPTH = 8


def strings(value: Any, path: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """(path, text) for every string leaf; map keys are walked as text too (a key can be pasted
    into a tag's name), at the path of the map with ``[key]`` appended."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, dict):
        named = _pair_name(value)
        if named is not None:
            # [{"name": "TWITTER_API_KEY", "value": "..."}] (ECS environments, tag lists): the name
            # is what the value is, so it goes into the value's path.
            yield f"{path}[{named}][name]", named
            for key, item in value.items():
                if key.lower() == "value":
                    yield from strings(item, f"{path}[{named}]", depth + 1)
            return
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if isinstance(key, str):
                yield f"{child}[key]", key
            yield from strings(item, child, depth + 1)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from strings(item, f"{path}[{index}]", depth + 1)
    elif isinstance(value, str):
        nested = _json(value)
        if nested is None:
            yield path, value
        else:  # the JSON's own strings, each at its own path (not the whole text again)
            yield from strings(nested, f"{path}(json)", depth + 1)


def _pair_name(value: dict[Any, Any]) -> str | None:
    """The name of a {name|key, value} pair, when the dict is one."""
    keys = {k.lower(): k for k in value if isinstance(k, str)}
    if len(value) != 2 or "value" not in keys:
        return None
    name = value.get(keys.get("name") or keys.get("key") or "")
    return name if isinstance(name, str) else None


def _json(text: str) -> Any:
    stripped = text.strip()
    if not stripped or stripped[0] not in "[{":
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None
