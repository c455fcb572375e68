"""Every string in a resource's properties, with its path; JSON inside a string walked too.

A Lambda's environment, an ECS task's container definitions (one JSON string), an EventBridge
target's input: keys hide one level down in JSON as often as in plain properties. Values that
are not text (numbers, and whatever stands for a value unknown during preview) are skipped one
by one, never the whole resource.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .shapes import name_may_be_key

#: JSON nested in JSON nested in a string is walked this deep, and no deeper.
MAX_DEPTH = 8
#: What a path shows in place of a name that may itself be a key.
REDACTED = "<redacted>"


def segment(name: str) -> str:
    """A map key, pair name or resource name as a message may show it.

    Paths are made of names, and a key can be pasted into a name (a tag's key, an environment
    variable's name): such a name is shown as ``<redacted>``; property names, tag names and hex
    digests are shown as they are.
    """
    return REDACTED if name_may_be_key(name) else name


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
            shown = segment(named)
            yield f"{path}[{shown}][name]", named
            for key, item in value.items():
                if key.lower() == "value":
                    yield from strings(item, f"{path}[{shown}]", depth + 1)
            return
        for key, item in value.items():
            shown = segment(str(key))
            child = f"{path}.{shown}" if path else shown
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


class Unknown:
    """A value not known during preview: skipped where it stands, never the whole resource."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = Unknown()


def plain(value: Any, unknown_sentinels: frozenset[str]) -> Any:
    """pulumi-policy's props as plain dicts and lists, each unknown value replaced by UNKNOWN.

    pulumi-policy hands a policy read-only proxies whose item access raises on an unknown value,
    which fails the whole policy for the resource. The proxies give their plain target under the
    key ``"__target"``; each value is then compared with the SDK's unknown sentinels (passed in,
    so this module needs no pulumi-policy import).
    """
    if isinstance(value, str):
        return UNKNOWN if value in unknown_sentinels else value
    if isinstance(value, Mapping):
        target = _target(value, dict)
        source = target if target is not None else value
        return {key: plain(source[key], unknown_sentinels) for key in source}
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        target = _target(value, list)
        source = target if target is not None else [value[i] for i in range(len(value))]
        return [plain(item, unknown_sentinels) for item in source]
    return value


def _target(proxy: Any, kind: type) -> Any:
    try:
        target = proxy["__target"]
    except (KeyError, TypeError, IndexError):
        return None
    return target if isinstance(target, kind) else None
