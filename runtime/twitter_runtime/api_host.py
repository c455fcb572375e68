"""Which X API host may receive an app's keys: https anywhere, plain http only to this machine.

The API Key pair travels in every request (HTTP Basic on ``/oauth2/token``, the OAuth 1.0a
header elsewhere), so an http URL to another host would hand it to anyone on the path. One
rule for the component's ``x_api_base_url`` and the CLI's ``--api-base-url``/``X_API_BASE_URL``;
here, in the Pulumi-free runtime, so both can import it.
"""

from __future__ import annotations

import re

_BASE_URL = re.compile(r"(https?)://([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?/?")
_LOOPBACK = re.compile(r"127(\.[0-9]{1,3}){3}|localhost")


def base_url_problem(name: str, value: object) -> str | None:
    """Why ``value`` may not carry the keys, naming the setting but never echoing the value."""
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
