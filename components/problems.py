"""How a bad setting is reported: one format for component arguments and stack config.

A Pulumi program that raises ``pulumi.RunError`` ends ``pulumi preview``/``up`` with its
message and no Python traceback (the language host logs it as an error); any other
exception is shown inside "Program failed with an unhandled exception" and a stack
trace. So every problem with the user's input reaches Pulumi as ``SettingsError``, a
``RunError`` that is still the runtime's ``InvalidInputError`` for callers that catch that.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pulumi

from twitter_runtime.errors import InvalidInputError

#: How to set one key, in every message that asks for one: on the prompt or stdin, never argv.
SET_CREDENTIAL_HINT = (
    "pulumi config set --secret --path "
    "'twitter-secrets:credentials[\"{label}\"].{field}'  (the value is read from the prompt or stdin)"
)


class SettingsError(InvalidInputError, pulumi.RunError):
    """Every problem found, sorted by app then field, shown by Pulumi without a traceback."""

    def __init__(self, problems: Iterable[str]) -> None:
        super().__init__(sorted_problems(problems))


def settings_error(error: InvalidInputError) -> SettingsError:
    return error if isinstance(error, SettingsError) else SettingsError(error.problems)


_STACK_PATH = re.compile(r"twitter-secrets:projects\.([^.]+)\.apps\.([^.]+)")


def _sort_key(problem: str) -> tuple[str, str]:
    """``project/app: field …`` sorts by the label, then by the field the text starts with.

    A problem with an app's place in the stack file (``twitter-secrets:projects.P.apps.A``)
    sorts with that app, P/A; its field is the unknown name it reports.
    """
    label, sep, rest = problem.partition(": ")
    if not sep:
        return ("", problem)
    path = _STACK_PATH.fullmatch(label)
    if path:
        label = f"{path.group(1)}/{path.group(2)}"
        rest = rest.removeprefix("unknown key(s) ")
    return (label, rest)


def sorted_problems(problems: Iterable[str]) -> list[str]:
    """Sorted by app, then field, each once: the same config always gives the same list."""
    return sorted(dict.fromkeys(problems), key=_sort_key)


#: What a misspelt setting looks like: lower case, digits, '_' and '-'. X's keys are long
#: mixed-case runs, so any other name of 10 characters or more (the shortest run that counts
#: as part of a key) is not shown: it may be a key pasted where a name belongs.
_SETTING_NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def did_you_mean(name: str, valid: Iterable[str]) -> str | None:
    """The valid name a typo most likely meant: its snake_case spelling, or the closest by difflib."""
    valid = tuple(valid)
    snake = _CAMEL.sub("_", name).lower().replace("-", "_")
    if snake != name and snake in valid:
        return snake
    close = difflib.get_close_matches(snake, valid, n=1, cutoff=0.8)
    return close[0] if close else None


def unknown_names(given: Mapping[Any, Any], valid: tuple[str, ...]) -> str | None:
    """The unknown names among ``given``, as an error may show them; ``None`` when all are known.

    Sorted, so the same config gives the same text whatever order the engine passes it in.
    A near miss of a valid name (a typo, or the plugin's camelCase) gets a "did you mean".
    """
    unknown = [name for name in given if name not in valid]
    if not unknown:
        return None
    shown, hidden = [], 0
    for name in unknown:
        text = name if isinstance(name, str) else None
        if text is not None and (len(text) < 10 or _SETTING_NAME.fullmatch(text)):
            guess = did_you_mean(text, valid)
            shown.append(f"{text} (did you mean {guess}?)" if guess else text)
        elif text is not None and _CAMEL.sub("_", text).lower() in valid:
            shown.append(f"{text} (did you mean {_CAMEL.sub('_', text).lower()}?)")
        else:
            hidden += 1
    names = sorted(shown)
    if hidden:
        names.append(f"{hidden} more not shown (each may be a key pasted in the wrong place)")
    return ", ".join(names)


def unknown_problems(
    where: str | None, given: Mapping[str, Any], valid: tuple[str, ...], noun: str = "key"
) -> list[str]:
    """One problem naming the unknown names, or none; ``where`` is left out for a component's own
    arguments, which its label prefixes later."""
    unknown = unknown_names(given, valid)
    if unknown is None:
        return []
    prefix = f"{where}: " if where else ""
    return [f"{prefix}unknown {noun}(s) {unknown}; valid {noun}s are {', '.join(valid)}"]
