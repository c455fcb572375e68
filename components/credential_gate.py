"""One gate for every app's keys: nothing is written unless all of them pass.

Used for the whole stack by the config reader and for a project by
TwitterProject, so a bad key in one app stops its siblings too, before any
of them registers a resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from twitter_runtime.errors import InvalidInputError, prefixed
from twitter_runtime.keys import CREDENTIAL_FIELDS, credential_problems, key_fragments, text_fragments

from .app_settings import AppSettings
from .metadata import key_material_problems, plain_texts

NAMESPACE = "twitter-secrets"
SET_CREDENTIAL_HINT = (
    "pulumi config set --secret --path "
    "'twitter-secrets:credentials[\"{label}\"].{field}'  (the value is read from the prompt or stdin)"
)


def check_credentials(raw: Any, settings: Mapping[str, AppSettings]) -> dict[str, dict[str, str]]:
    """Validate the secret credentials map for the whole stack at once.

    Runs inside an ``apply``: it sees the values but reports only labels and
    field names. Any problem in any app fails every app, so nothing is
    written for a half-valid stack. Duplicate consumer keys, and keys pasted
    into another app's plain text, are found with set look-ups, not by
    comparing every pair of apps.
    """
    if not isinstance(raw, Mapping):
        raise InvalidInputError(
            [f"{NAMESPACE}:credentials must be an object keyed 'project/app' with the four keys each"]
        )
    problems: list[str] = []
    for position, label in enumerate(raw, start=1):
        if label not in settings:
            # Named by position: a label can be a key pasted in the wrong place.
            problems.append(
                f"{NAMESPACE}:credentials entry #{position} (in the order given) matches no app in "
                f"{NAMESPACE}:projects; fix its label (project/app) or remove it"
            )
    owner_of_key: dict[str, str] = {}
    checked: dict[str, dict[str, str]] = {}
    for label, app_settings in settings.items():
        entry = raw.get(label)
        if entry is None:
            problems.append(
                f"{label}: no credentials; set each of {', '.join(CREDENTIAL_FIELDS)} with "
                + SET_CREDENTIAL_HINT.format(label=label, field="<field>")
            )
            continue
        if not isinstance(entry, Mapping):
            problems.append(f"{label}: credentials must be an object with {', '.join(CREDENTIAL_FIELDS)}")
            continue
        found = credential_problems(entry)
        if not found:
            found = key_material_problems(app_settings, entry)
        if found:
            problems += prefixed(label, found)
            continue
        key = entry["consumer_key"]
        if key in owner_of_key:
            problems.append(
                f"{label}: consumer_key is the same as {owner_of_key[key]}'s; each app has "
                "its own API Key, so one of them holds the wrong keys"
            )
        else:
            owner_of_key[key] = label
        checked[label] = {field: entry[field] for field in CREDENTIAL_FIELDS}
    problems += _keys_in_other_apps_texts(checked, settings)
    if problems:
        raise InvalidInputError(problems)
    return checked


def _keys_in_other_apps_texts(
    credentials: Mapping[str, Mapping[str, str]], settings: Mapping[str, AppSettings]
) -> list[str]:
    """One app's key, or part of it, pasted into another app's owner, tags or names.

    One dict of every key's 10-character runs, then one pass over every text:
    linear in the size of the stack, not quadratic in the number of apps.
    """
    owner = {fragment: label for label, creds in credentials.items() for fragment in key_fragments(creds)}
    problems = []
    for label, app_settings in settings.items():
        for name, text in plain_texts(app_settings).items():
            holders = {owner[f] for f in text_fragments(text) if f in owner and owner[f] != label}
            problems += [
                f"{label}: {name} contains a key of {holder}; it would be stored in plain text, remove it"
                for holder in sorted(holders)
            ]
    return problems
