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
