"""How much of the one environment string Pulumi's Python host may pass the stack config takes.

The Python language host hands the program its whole config, secrets decrypted, in one
environment variable, ``PULUMI_CONFIG`` (a JSON object of key → text, structured values as
compact JSON). Linux caps one environment string (``NAME=value`` and its NUL) at
MAX_ARG_STRLEN, 128 KiB: past it the host cannot start the program at all (``fork/exec …:
argument list too long``). Keys are most of a stack's config, about 340 bytes per app with
short names, so one stack stops near 380 apps. This module measures it, with no Pulumi import,
so the program and ``twitter-secrets plan`` can say so well before that.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

#: Linux's MAX_ARG_STRLEN (32 pages of 4 KiB): the longest one environment string may be.
ENV_STRING_MAX = 32 * 4096
ENV_NAME = "PULUMI_CONFIG"
#: A short-named app's share of the config without its keys (key_source put), as the tests measure it.
PUT_BYTES_PER_APP = 45
#: Warn from this share of the limit on: room for a few dozen more apps, time to split.
WARN_SHARE = 0.6


#: What Go's json.Marshal escapes that Python's json.dumps(ensure_ascii=False) does not.
_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _go_json(value: Any) -> str:
    """JSON as Go's json.Marshal writes it: compact, UTF-8, keys sorted, HTML characters escaped."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    for char, escaped in _GO_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


def _compact(value: Any) -> str:
    """A config value as the CLI passes it: text as is, structured values as compact JSON."""
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return _go_json(parsed) if isinstance(parsed, (dict, list)) else value
    return _go_json(value)


def config_env_bytes(config: Mapping[str, Any]) -> int:
    """The length of ``PULUMI_CONFIG=<json>`` and its NUL for this config (UTF-8 bytes); the Python
    host writes it with ``json.Marshal(req.GetConfig())`` (``constructConfig`` in its main.go)."""
    text = _go_json({k: _compact(v) for k, v in config.items()})
    return len(f"{ENV_NAME}=".encode()) + len(text.encode()) + 1


def apps_that_fit(used: int, apps: int) -> int:
    """At this stack's bytes per app, how many apps one stack can hold (what is not per app stays)."""
    if apps <= 0:
        return 0
    per_app = used / apps
    return int(ENV_STRING_MAX // per_app) if per_app else 0


def capacity_problem(used: int, apps: int, *, keys_in_config: bool = True) -> str | None:
    """A warning from WARN_SHARE of the limit on, and what to do; None while there is room."""
    if used < WARN_SHARE * ENV_STRING_MAX:
        return None
    share = used / ENV_STRING_MAX
    over = used > ENV_STRING_MAX
    return (
        f"the stack config takes {used / 1024:.0f} KiB, {share:.0%} of the {ENV_STRING_MAX // 1024} KiB that "
        f"Pulumi's Python host can pass the program in {ENV_NAME} (one environment variable, keys decrypted); "
        f"at {used / max(apps, 1):.0f} bytes per app, about {apps_that_fit(used, apps)} apps fit in one stack "
        f"and this one has {apps}. "
        + (
            "Past the limit the program cannot start ('argument list too long'). "
            if over
            else "Past the limit the program will not start. "
        )
        + (
            "Take the keys out of config: set key_source: put in twitter-secrets:defaults, remove "
            "twitter-secrets:credentials, and write the keys with twitter-secrets put (short-named apps then "
            f"take about {PUT_BYTES_PER_APP} bytes each, so about {ENV_STRING_MAX // PUT_BYTES_PER_APP:,} fit). "
            "Or split the apps into several stacks, for example one per X Project."
            if keys_in_config
            else "Split the apps into several stacks, for example one per X Project, and shorten long tags "
            "and names."
        )
    )
