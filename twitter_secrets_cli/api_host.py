"""Which X API host ``verify`` and ``authorize`` may send the API Key pair to.

The pair travels in every request (HTTP Basic on ``/oauth2/token``, the OAuth 1.0a header
elsewhere), so plain http is allowed only to this machine, where the fake X of the tests and
local stand-ins run. The rule is the component's (``twitter_runtime.api_host``), so the CLI and
``pulumi up`` accept the same hosts; this module only says where the URL came from.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from twitter_runtime.api_host import base_url_problem
from twitter_runtime.xapi import DEFAULT_BASE_URL

ENV = "X_API_BASE_URL"
__all__ = ["ENV", "api_base_url", "base_url_problem"]


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
