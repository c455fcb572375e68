"""Exceptions shared by the Pulumi program, the CLI and the services.

Every message is built from our own words plus names (app labels, field
names); no caller ever passes a credential value in, so an exception can be
logged, printed or shown in a CI job without leaking key material.
"""

from __future__ import annotations

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


class CredentialsUnavailableError(RuntimeError):
    """A service could not get usable keys from a secret.

    Names the secret and, where one is at fault, the field; the value never
    appears, since services log these.
    """

    def __init__(self, secret_arn: str, reason: str, *, field: str | None = None) -> None:
        self.secret_arn = secret_arn
        self.field = field
        super().__init__(f"{secret_arn}: {reason}")
