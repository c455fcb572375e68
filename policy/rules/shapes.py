"""What X's keys look like, told apart from what merely resembles them.

Strong shapes are flagged wherever they appear: a Bearer Token (a run of 20 or more 'A's, then
URL-encoded Base64) and an Access Token (a numeric user id, '-', then mixed-case letters and
digits). Weak shapes, a bare run of X's usual key lengths, are common in ordinary data (hashes,
ids, Base64), so they count only where the property's own path names an X key (``consumer``,
``api``, ``twitter``, ``x``, ...). Mixed case and a digit are required of every run: hex digests,
lowercase ids and fingerprints never have both cases.

The lengths are the developer portal's (twitter_runtime/keys.py holds the same ones for the
program; a test keeps the two in step).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The developer portal's lengths: API Key 25, API Key Secret 50, Access Token Secret 45;
#: OAuth 2.0 Client ID 34, Client Secret 50 (URL-safe Base64).
WEAK_LENGTHS: dict[int, str] = {25: "API Key", 45: "Access Token Secret", 50: "API Key Secret"}
CLIENT_ID_LENGTH, CLIENT_SECRET_LENGTH = 34, 50

#: A whole token: Base64 with '+', '/' and '=' URL-encoded, 80 to 200 characters. A Base64 blob
#: (a Lambda's code, a certificate) has raw '+' and '/' or runs far longer, so it never matches.
_BEARER = re.compile(r"(?<![A-Za-z0-9%+/=])A{20,}[A-Za-z0-9%]{30,180}(?![A-Za-z0-9%+/=])")
_ACCESS_TOKEN = re.compile(r"(?<![A-Za-z0-9])[0-9]{1,19}-[A-Za-z0-9]{25,50}(?![A-Za-z0-9])")
#: The run of URL-safe characters a match sits in: a token in "x-api-<token>" sits in a short
#: one, a look-alike inside a JWT or a URL-safe Base64 blob in a long one.
_URL_SAFE_AROUND = re.compile(r"[A-Za-z0-9_\-]+")
#: How many URL-safe characters may surround an Access Token in its run ("x-api-", "_prod").
_AROUND_MAX = 20
#: Runs bounded by anything but Base64's own characters: a key may sit in "x-api-<key>", while a
#: Base64 blob's runs are cut by '+', '/' and '='.
_ALNUM_RUN = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9]{25,50}(?![A-Za-z0-9/+=])")
_URL_SAFE_RUN = re.compile(r"(?<![A-Za-z0-9_\-/+=])[A-Za-z0-9_\-]{34,}(?![A-Za-z0-9_\-/+=])")
#: Words in a property path that say it holds an X key.
HINT_WORDS = frozenset({"consumer", "api", "twitter", "x", "bearer", "oauth"})
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


@dataclass(frozen=True)
class Finding:
    """A kind of key at a path. Never the value, nor any part of it."""

    path: str
    kind: str


def _mixed(run: str) -> bool:
    return any(c.islower() for c in run) and any(c.isupper() for c in run) and any(c.isdigit() for c in run)


_NAME_RUN = re.compile(r"[A-Za-z0-9%_\-]{20,}")


def _random_looking(run: str) -> bool:
    """Mixed case with a digit, or mixed case in pieces too short for words: a key, not a
    camelCase property name ("forceOverwriteReplicaSecret") nor a SCREAMING_SNAKE variable."""
    letters = run.replace("-", "").replace("_", "").replace("%", "")
    if not (any(c.islower() for c in letters) and any(c.isupper() for c in letters)):
        return "A" * 20 in run  # a Bearer Token's run of 'A's
    if any(c.isdigit() for c in letters):
        return True
    words = _WORD.findall(letters)
    return bool(words) and sum(map(len, words)) / len(words) < 3.5


def name_may_be_key(name: str) -> bool:
    """Whether a name (a map key, a variable's or a resource's name) may itself be a key: any X
    key shape in it, or a run that looks random. Property names, tag names and hex digests never do."""
    return bool(key_kinds(name, hinted=True)) or any(_random_looking(run) for run in _NAME_RUN.findall(name))


def path_hints_x(path: str) -> bool:
    """Whether the path's words (snake, camel, kebab or SCREAMING case) name an X key."""
    return any(word.lower() in HINT_WORDS for word in _WORD.findall(path))


def key_kinds(text: str, *, hinted: bool) -> list[str]:
    """The kinds of X key this text holds, strongest first; empty when it holds none."""
    kinds: list[str] = []
    if any(len(m.group()) >= 80 and (_mixed(m.group()) or "%" in m.group()) for m in _BEARER.finditer(text)):
        kinds.append("Bearer Token")
    if any(_mixed(m.group().split("-", 1)[1]) and _standalone(text, m) for m in _ACCESS_TOKEN.finditer(text)):
        kinds.append("Access Token")
    if not hinted:
        return kinds
    for match in _ALNUM_RUN.finditer(text):
        run = match.group()
        if len(run) in WEAK_LENGTHS and _mixed(run) and "Bearer Token" not in kinds:
            kinds.append(WEAK_LENGTHS[len(run)])
    for match in _URL_SAFE_RUN.finditer(text):
        for run in _tails(match.group()):
            if ("-" in run or "_" in run) and len(run) == CLIENT_SECRET_LENGTH and _mixed(_alnum(run)):
                kinds.append("OAuth 2.0 Client Secret")
            elif len(run) == CLIENT_ID_LENGTH and _mixed(run) and run.isalnum():
                kinds.append("OAuth 2.0 Client ID")
    return list(dict.fromkeys(kinds))


def _standalone(text: str, match: re.Match[str]) -> bool:
    """Not a piece of a longer URL-safe token (a JWT, URL-safe Base64)."""
    around = next(r for r in _URL_SAFE_AROUND.finditer(text) if r.start() <= match.start() < r.end())
    return len(around.group()) - len(match.group()) <= _AROUND_MAX


def _alnum(run: str) -> str:
    return run.replace("-", "").replace("_", "")


def _tails(run: str) -> list[str]:
    """The run, and what follows each '-' or '_' in it: a secret written as "x-api-<secret>"."""
    return [run] + [run[i + 1 :] for i, c in enumerate(run) if c in "-_"]
