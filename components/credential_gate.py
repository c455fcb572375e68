"""One gate for every app's keys: nothing is written unless all of them pass.

Used for the whole stack by the config reader and for a project by
TwitterProject, so a bad key in one app stops its siblings too, before any
of them registers a resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from twitter_runtime.errors import prefixed
from twitter_runtime.keys import (
    ACCOUNT_FIELDS,
    APP_FIELDS,
    CREDENTIAL_FIELDS,
    KEY_FIELDS,
    credential_problems,
    key_fragments,
    text_fragments,
)

from .accounts import shared_key_problems
from .app_settings import AppSettings
from .metadata import key_material_problems, plain_texts
from .problems import SET_CREDENTIAL_HINT, SettingsError
from .settings import KEY_SOURCE_PUT

NAMESPACE = "twitter-secrets"


def check_credentials(raw: Any, settings: Mapping[str, AppSettings]) -> dict[str, dict[str, str]]:
    """Validate the secret credentials map for the whole stack at once.

    Runs inside an ``apply``: it sees the values but reports only labels and
    field names. Any problem in any app fails every app, so nothing is
    written for a half-valid stack. Duplicate consumer keys, and keys pasted
    into another app's plain text, are found with set look-ups, not by
    comparing every pair of apps. Apps whose key_source is put take no keys
    here; keys given for one are a problem, since they would pass through
    config and state after all.

    An App with several accounts has its own keys under ``project/app`` and
    each account's Access Token pair under ``project/app/account`` (or the
    whole set under the account's label); each account's set is the merge.
    """
    if not isinstance(raw, Mapping):
        raise SettingsError(
            [f"{NAMESPACE}:credentials must be an object keyed 'project/app' with the four keys each"]
        )
    problems: list[str] = []
    every = settings
    put = {label for label, s in settings.items() if s.key_source == KEY_SOURCE_PUT}
    put |= {settings[label].app_label for label in put}
    settings = {label: s for label, s in settings.items() if label not in put}
    app_labels = {s.app_label for s in every.values() if s.account is not None}
    for position, label in enumerate(raw, start=1):
        if label in put:
            problems.append(
                f"{label}: key_source is put, yet {NAMESPACE}:credentials holds keys for it, so they pass "
                f"through config and state after all; remove them with pulumi config rm --path "
                f"'{NAMESPACE}:credentials[\"{label}\"]' and write them with twitter-secrets put --app {label}"
            )
        elif label not in every and label not in app_labels:
            # Named by position: a label can be a key pasted in the wrong place.
            problems.append(
                f"{NAMESPACE}:credentials entry #{position} (in the order given) matches no app in "
                f"{NAMESPACE}:projects; fix its label (project/app, or project/app/account) or remove it"
            )
    for app_label in sorted(app_labels - put):
        problems += _app_entry_problems(app_label, raw.get(app_label))
    owners: dict[str, dict[str, str]] = {field: {} for field in _ONE_HOLDER}
    reported: set[tuple[str, str]] = set()
    checked: dict[str, dict[str, str]] = {}
    for label, app_settings in settings.items():
        entry, found = _entry(raw, label, app_settings)
        if not found and entry is not None:
            found = credential_problems(entry) or key_material_problems(app_settings, entry)
        if found:
            problems += prefixed(label, found)
            continue
        assert entry is not None
        for field, (per_app, why) in _ONE_HOLDER.items():
            # The App's keys are shared by its accounts; an Access Token by nobody.
            holder, value = (app_settings.app_label if per_app else label), entry.get(field)
            owner = owners[field].setdefault(value, holder) if value is not None else holder
            if owner != holder and (holder, field) not in reported:
                reported.add((holder, field))  # once per App, not once per account
                problems.append(f"{holder}: {field} is the same as {owner}'s; {why}")
        checked[label] = {f: entry[f] for f in KEY_FIELDS if entry.get(f) is not None}
    problems += _account_key_problems(checked, settings)
    problems += keys_in_other_apps_texts(checked, every)
    if problems:
        raise SettingsError(problems)
    return checked


#: Values one holder has and no other: field → (held by the App rather than the account, why it matters).
_ONE_HOLDER: dict[str, tuple[bool, str]] = {
    "consumer_key": (True, "each app has its own API Key, so one of them holds the wrong keys"),
    "client_id": (True, "each App has its own OAuth 2.0 client, so one of them holds the wrong one"),
    "client_secret": (True, "each App has its own OAuth 2.0 client, so one of them holds the wrong one"),
    "access_token": (
        False,
        "each account has its own Access Token pair, so one of them holds the wrong token",
    ),
}


def _app_entry_problems(app_label: str, entry: Any) -> list[str]:
    """The shared entry of an App with accounts holds the App's keys only."""
    if entry is None:
        return []
    if not isinstance(entry, Mapping):
        return [f"{app_label}: credentials must be an object with the App's {', '.join(APP_FIELDS)}"]
    misplaced = [f for f in ACCOUNT_FIELDS if f in entry]
    if misplaced:
        return [
            f"{app_label}: {', '.join(misplaced)} belong to one account, and this app has several: set them "
            f"under '{app_label}/<account>' instead"
        ]
    return []


def _entry(raw: Mapping[str, Any], label: str, app_settings: AppSettings) -> tuple[Any, list[str]]:
    """One secret's credential set, merged from the App's entry where it has accounts; or its problems."""
    own = raw.get(label)
    if app_settings.account is None:
        if own is None:
            return None, [
                f"no credentials; set each of {', '.join(CREDENTIAL_FIELDS)} with "
                + SET_CREDENTIAL_HINT.format(label=label, field="<field>")
            ]
        if not isinstance(own, Mapping):
            return None, [f"credentials must be an object with {', '.join(CREDENTIAL_FIELDS)}"]
        return own, []
    shared = raw.get(app_settings.app_label)
    shared = shared if isinstance(shared, Mapping) else {}
    if own is None:
        return None, [
            f"no credentials; set each of {', '.join(ACCOUNT_FIELDS)} with "
            + SET_CREDENTIAL_HINT.format(label=label, field="<field>")
            + f", and the App's {', '.join(APP_FIELDS[:2])} under '{app_settings.app_label}'"
        ]
    if not isinstance(own, Mapping):
        return None, [f"credentials must be an object with {', '.join(ACCOUNT_FIELDS)}"]
    both = [f for f in KEY_FIELDS if f in own and f in shared]
    if both:
        return None, [
            f"{', '.join(both)} set both under '{app_settings.app_label}' and under '{label}'; keep the App's keys "
            f"under '{app_settings.app_label}' only"
        ]
    return {**shared, **own}, []


def _account_key_problems(
    credentials: Mapping[str, Mapping[str, str]], settings: Mapping[str, AppSettings]
) -> list[str]:
    """Each App with accounts: its accounts' sets hold one API Key pair and one OAuth 2.0 client."""
    by_app: dict[str, dict[str, Mapping[str, str]]] = {}
    for label, keys in credentials.items():
        account = settings[label].account
        if account is not None:
            by_app.setdefault(settings[label].app_label, {})[account] = keys
    return [p for app_label in sorted(by_app) for p in shared_key_problems(app_label, by_app[app_label])]


def keys_in_other_apps_texts(
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
