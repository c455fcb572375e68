"""Argument names in errors as the caller spelled them.

Python programs write ``rotation_interval_days``; YAML, TypeScript, Go and C#
programs, which reach the components through the plugin, write
``rotationIntervalDays``. An error should name the field the user actually
typed, so inside the plugin process the names are given in the schema's
spelling.
"""

from __future__ import annotations

import re

from pulumi.provider.experimental import host
from pulumi.provider.experimental.util import camel_case

from twitter_runtime.errors import InvalidInputError
from twitter_runtime.keys import KEY_FIELDS

from .problems import SettingsError
from .settings import SETTINGS

# The keys inside a `credentials` object are data (the secret's JSON keys), not arguments,
# so they keep their spelling in every language.
_RENAMED = {s.name: camel_case(s.name) for s in SETTINGS if camel_case(s.name) != s.name}
_RENAMED = {k: v for k, v in _RENAMED.items() if k not in KEY_FIELDS}
_NAME = re.compile(r"\b(" + "|".join(sorted(_RENAMED, key=len, reverse=True)) + r")\b")


def schema_spelling(text: str) -> str:
    return _NAME.sub(lambda match: _RENAMED[match.group(1)], text)


def in_callers_spelling(error: InvalidInputError) -> SettingsError:
    """The same problems, with argument names camelCased when the plugin host runs this process."""
    if not host.is_hosting:
        return SettingsError(error.problems)
    return SettingsError([schema_spelling(problem) for problem in error.problems])
