"""Format-valid credentials whose every value is a recognisable canary.

A leak scan searches for each value and for fragments of it, so a partial
leak (a prefix in an error, a suffix in a tag) is caught too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

FIELDS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
_LENGTHS = {"consumer_key": 25, "consumer_secret": 50, "access_token_secret": 45}


def _alnum(seed: str, length: int) -> str:
    out = ""
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).hexdigest()
        counter += 1
    # Mix in upper case so values look like the portal's.
    return "".join(c.upper() if i % 3 == 0 else c for i, c in enumerate(out[:length]))


def canary_credentials(label: str, user_id: str = "9988776655") -> dict[str, str]:
    """The four keys for one app; distinct per label."""
    creds = {
        "consumer_key": "CnryCK" + _alnum(label + "ck", 19),
        "consumer_secret": "CnryCS" + _alnum(label + "cs", 44),
        "access_token": f"{user_id}-CnryAT" + _alnum(label + "at", 34),
        "access_token_secret": "CnryTS" + _alnum(label + "ts", 39),
    }
    for field, length in _LENGTHS.items():
        assert len(creds[field]) == length
    return creds


def fragments(value: str, size: int = 10) -> list[str]:
    """Every window of ``size`` characters: a leak of any part is still a leak."""
    return [value[i : i + size] for i in range(0, len(value) - size + 1)]


#: An Access Token's leading X user id and its dash: public (X shows whose token it is), not secret.
_USER_ID = re.compile(r"^\d+-")


def found_fragments(text: str, values: Iterable[str], size: int = 10) -> list[str]:
    """Every ``size``-character window of any value that occurs in ``text``, sorted: a leak of any
    part of a key is a leak. An Access Token's public user id prefix is left out of its windows.

    A window can only occur inside a run of the values' own characters, so the text's distinct
    runs are cut into windows once and each value's windows looked up: linear in the text, where
    one substring search per window took minutes over the state of 1,000 apps.
    """
    wanted = {f for value in values for f in fragments(_USER_ID.sub("", value), size)}
    if not wanted:
        return []
    alphabet = "".join(sorted({c for f in wanted for c in f}))
    runs = set(re.findall(f"[{re.escape(alphabet)}]{{{size},}}", text))
    present = {run[i : i + size] for run in runs for i in range(len(run) - size + 1)}
    return sorted(wanted & present)


def canary_client(label: str) -> dict[str, str]:
    """An OAuth 2.0 Client ID (34 characters, as X issues) and Client Secret (50, with '-' and '_')."""
    client_id = "CnryCI" + _alnum(label + "ci", 28)
    secret = "CnryCX" + _alnum(label + "cx", 42)
    return {"client_id": client_id, "client_secret": secret[:20] + "-" + secret[20:35] + "_" + secret[35:]}


def canary_bearer(label: str) -> str:
    """An app-only Bearer Token as X issues one: a run of 'A's, then URL-encoded Base64 (here a
    canary). Scan for ``bearer.lstrip("A")``: a window of 'A's alone would match any padding."""
    body = "CnryBR" + _alnum(label + "br", 60)
    return "A" * 22 + body[:40] + "%2F" + body[40:] + "%3D"
