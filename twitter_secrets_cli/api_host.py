"""Which X API host ``verify`` and ``authorize`` may send the API Key pair to.

The pair travels in every request (HTTP Basic on ``/oauth2/token``, the OAuth 1.0a header
elsewhere), so plain http is allowed only to this machine, where the fake X of the tests and
local stand-ins run. This is the component's rule for ``x_api_base_url``
(``components/value_checks.py``, ``base_url``), word for word, so the CLI and ``pulumi up`` accept
the same hosts; ``tests/test_cli_guards.py`` checks the two agree. It lives here because the CLI
does not import the components (and their Pulumi SDK) to check one URL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from twitter_runtime.xapi import DEFAULT_BASE_URL

_BASE_URL = re.compile(r"(https?)://([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?/?")
_LOOPBACK = re.compile(r"127(\.[0-9]{1,3}){3}|localhost")
ENV = "X_API_BASE_URL"


def base_url_problem(name: str, value: object) -> str | None:
    """Why ``value`` may not carry the API Key pair, naming the setting but never echoing the value."""
    match = _BASE_URL.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return f"{name} must be an http(s) URL of the API host, such as https://api.x.com"
    scheme, host, port = match.groups()
    if port is not None and not 1 <= int(port) <= 65535:
        return f"{name} has a port outside 1 to 65535"
    if scheme == "http" and not _LOOPBACK.fullmatch(host):
        return (
            f"{name} must use https (http only for 127.0.0.1 or localhost): the API Key pair "
            "travels in the request"
        )
    return None


def api_base_url(given: str | None, environ: Mapping[str, str] | None = None) -> str:
    """``--api-base-url``, else ``$X_API_BASE_URL``, else https://api.x.com, checked before any request.

    Raises ``ValueError`` with one line naming where the bad URL came from.
    """
    environ = os.environ if environ is None else environ
    if given is not None:
        name, value = "--api-base-url", given
    elif environ.get(ENV):
        name, value = ENV, environ[ENV]
    else:
        return DEFAULT_BASE_URL
    problem = base_url_problem(name, value)
    if problem is not None:
        raise ValueError(problem)
    return value.rstrip("/")
