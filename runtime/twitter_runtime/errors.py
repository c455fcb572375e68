"""Exceptions shared by the Pulumi program, the CLI and the services.

Every message is built from our own words plus names (app labels, field
names); no caller ever passes a credential value in, so an exception can be
logged, printed or shown in a CI job without leaking key material.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


class InvalidInputError(ValueError):
    """Bad input, with every problem found, one line each.

    Collecting all problems before raising spares users the fix-one-rerun loop
    that a first-error-only check forces on a stack with many apps.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("InvalidInputError needs at least one problem")
        super().__init__("\n".join(self.problems))


def prefixed(subject: str, problems: Iterable[str]) -> list[str]:
    """Qualify each problem with what it is about (an app label or a config key)."""
    return [f"{subject}: {problem}" for problem in problems]


# A Secrets Manager ARN, or a secret name of slug segments joined by '/': what may be shown and sent.
_ARN = re.compile(r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_.@-]+")
_NAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}(/[A-Za-z0-9_.@-]{1,64})+")
# Keys and tokens are long runs of letters and digits; names are words joined by - and /.
_LONG_RUN = re.compile(r"[A-Za-z0-9]{20,}")


def is_secret_id(text: object) -> bool:
    """True for a Secrets Manager ARN or a secret name like ``twitter/dev/p/a``, and nothing that could be a key.

    An id is printed in errors and sent to AWS (where CloudTrail records it), so anything else
    (a JSON value, a token, a key) is neither.
    """
    if not isinstance(text, str) or (_LONG_RUN.search(text.rsplit("/", 1)[-1]) and not _ARN.fullmatch(text)):
        return False
    return bool(_ARN.fullmatch(text) or _NAME.fullmatch(text))


class CredentialsUnavailableError(RuntimeError):
    """A service could not get usable keys from a secret.

    Names the secret and, where one is at fault, the field; the value never
    appears, since services log these.
    """

    def __init__(self, secret_arn: str, reason: str, *, field: str | None = None) -> None:
        shown = (
            secret_arn
            if is_secret_id(secret_arn)
            else f"the secret id given ({len(secret_arn or '')} characters, not shown)"
        )
        self.secret_arn = shown
        self.field = field
        super().__init__(f"{shown}: {reason}")


#: The shortest run of a key that counts as the key: the leak tests use the same size.
FRAGMENT = 10


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every run of 10 or more characters of any secret replaced by [redacted].

    X's messages can echo part of what they were sent (a token cut short, a key in a URL);
    a part of a key is a leak too.
    """
    windows = {
        s[i : i + FRAGMENT] for s in secrets if s and len(s) >= FRAGMENT for i in range(len(s) - FRAGMENT + 1)
    }
    short = [s for s in secrets if s and 4 <= len(s) < FRAGMENT]
    hidden = [False] * len(text)
    for i in range(len(text) - FRAGMENT + 1):
        if text[i : i + FRAGMENT] in windows:
            hidden[i : i + FRAGMENT] = [True] * FRAGMENT
    out, i = [], 0
    while i < len(text):
        if hidden[i]:
            while i < len(text) and hidden[i]:
                i += 1
            out.append("[redacted]")
        else:
            out.append(text[i])
            i += 1
    result = "".join(out)
    for secret in short:
        result = result.replace(secret, "[redacted]")
    return result
