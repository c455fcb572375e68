"""Turns the stack's config into TwitterProject arguments.

The structure checks are plain functions over plain dicts; only
``load_projects`` touches ``pulumi.Config``. Everything non-secret is
validated for every app before the first component is constructed, and the
credentials once for the whole stack, so one bad app stops the whole stack
with nothing written rather than half of it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from twitter_runtime.errors import InvalidInputError, prefixed
from twitter_runtime.keys import CREDENTIAL_FIELDS, credential_problems

from .app_settings import OPTIONAL_ARGS, AppSettings, parse_app_settings
from .metadata import key_material_problems, plain_texts

NAMESPACE = "twitter-secrets"
CONFIG_KEYS: tuple[str, ...] = ("projects", "credentials", "defaults")
PROJECT_KEYS: tuple[str, ...] = ("access_tier", "use_case", "owner", "tags", "apps")
APP_KEYS: tuple[str, ...] = ("owner", "issued_at", *(k for k in OPTIONAL_ARGS if k != "use_case"))
DEFAULT_KEYS: tuple[str, ...] = tuple(k for k in APP_KEYS if k not in ("issued_at", "app_id", "access_tier"))

SET_CREDENTIAL_HINT = (
    "pulumi config set --secret --path "
    "'twitter-secrets:credentials[\"{label}\"].{field}'  (the value is read from the prompt or stdin)"
)


def _unknown(where: str, given: Mapping[str, Any], valid: tuple[str, ...]) -> list[str]:
    unknown = sorted(set(given) - set(valid))
    if not unknown:
        return []
    return [f"{where}: unknown key(s) {', '.join(unknown)}; valid keys are {', '.join(valid)}"]


def unknown_config_keys(config_keys: list[str] | set[str]) -> list[str]:
    """Problems for ``twitter-secrets:*`` keys the program would ignore."""
    ours = {k.split(":", 1)[1] for k in config_keys if k.startswith(NAMESPACE + ":")}
    return _unknown("config", dict.fromkeys(ours), CONFIG_KEYS)


def _merge_tags(*layers: Any) -> Any:
    maps = [layer for layer in layers if layer is not None]
    if not all(isinstance(m, Mapping) for m in maps):
        return next(m for m in maps if not isinstance(m, Mapping))  # let validation report it
    merged: dict[str, Any] = {}
    for m in maps:
        merged.update(m)
    return merged or None


def _layered_app_args(
    defaults: Mapping[str, Any], project_spec: Mapping[str, Any], app_spec: Mapping[str, Any]
) -> dict[str, Any]:
    """App settings over the project's owner over stack defaults; tags merge across all three."""
    merged = {k: v for k, v in defaults.items() if k in DEFAULT_KEYS}
    if "owner" in project_spec:
        merged["owner"] = project_spec["owner"]
    merged.update({k: v for k, v in app_spec.items() if k in APP_KEYS})
    tags = _merge_tags(defaults.get("tags"), project_spec.get("tags"), app_spec.get("tags"))
    if tags is not None:
        merged["tags"] = tags
    return merged


def plan_projects(
    projects: Any, defaults: Any, *, environment: str
) -> tuple[dict[str, dict[str, Any]], dict[str, AppSettings]]:
    """Validate the non-secret config.

    Returns project → TwitterProject args (minus keys), and each app's settings
    by label for the stack-wide credential check.

    Precedence: app settings over project settings over ``defaults``; tags merge.
    """
    problems: list[str] = []
    defaults = {} if defaults is None else defaults
    if not isinstance(defaults, Mapping):
        raise InvalidInputError([f"{NAMESPACE}:defaults must be an object of app settings"])
    problems += _unknown(f"{NAMESPACE}:defaults", defaults, DEFAULT_KEYS)
    if not isinstance(projects, Mapping) or not projects:
        raise InvalidInputError(
            [*problems, f"{NAMESPACE}:projects must map each Project name to its settings and apps"]
        )
    planned: dict[str, dict[str, Any]] = {}
    settings: dict[str, AppSettings] = {}
    for project in sorted(projects):
        spec = projects[project]
        if not isinstance(spec, Mapping):
            problems.append(f"{project}: must be an object with access_tier, use_case and apps")
            continue
        problems += _unknown(f"{NAMESPACE}:projects.{project}", spec, PROJECT_KEYS)
        apps = spec.get("apps")
        if not isinstance(apps, Mapping) or not apps:
            problems.append(f"{project}: apps must map at least one app name to its settings")
            continue
        planned_apps: dict[str, dict[str, Any]] = {}
        for app in sorted(apps):
            app_spec = apps[app]
            if not isinstance(app_spec, Mapping):
                problems.append(f"{project}/{app}: must be an object of app settings")
                continue
            problems += _unknown(f"{NAMESPACE}:projects.{project}.apps.{app}", app_spec, APP_KEYS)
            merged = _layered_app_args(defaults, spec, app_spec)
            # Check the app as the component will, with placeholders for the keys.
            probe = {**merged, "project": project, "app": app, **dict.fromkeys(CREDENTIAL_FIELDS, "")}
            for key in ("access_tier", "use_case"):
                if key in spec and key not in probe:
                    probe[key] = spec[key]
            try:
                settings[f"{project}/{app}"] = parse_app_settings(probe, default_environment=environment)
            except InvalidInputError as error:
                problems += error.problems
            planned_apps[app] = merged
        entry: dict[str, Any] = {"project": project, "apps": planned_apps}
        for key in ("access_tier", "use_case"):
            if spec.get(key) is not None:
                entry[key] = spec[key]
        planned[project] = entry
    if problems:
        raise InvalidInputError(problems)
    return planned, settings


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
    for label in sorted(set(raw) - set(settings)):
        problems.append(
            f"{NAMESPACE}:credentials has an entry '{label}' that matches no app in "
            f"{NAMESPACE}:projects; fix the label or remove it"
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


_TOKEN = re.compile(r"[0-9]+-[A-Za-z0-9]+|[A-Za-z0-9]+")


def _keys_in_other_apps_texts(
    credentials: Mapping[str, Mapping[str, str]], settings: Mapping[str, AppSettings]
) -> list[str]:
    """One app's key pasted whole into another app's owner, tags or names.

    Keys are letters and digits, so a pasted key is a whole token of the text:
    one pass over all texts with a set of all keys, linear in the stack's size.
    """
    owner = {value: label for label, creds in credentials.items() for value in creds.values()}
    problems = []
    for label, app_settings in settings.items():
        for name, text in plain_texts(app_settings).items():
            holders = {owner[t] for t in _TOKEN.findall(text) if t in owner and owner[t] != label}
            problems += [
                f"{label}: {name} contains a key of {holder}; it would be stored in plain text, remove it"
                for holder in sorted(holders)
            ]
    return problems


def _all_config_keys() -> set[str]:
    # The SDK keeps config either in its context (tests, automation API) or in
    # the PULUMI_CONFIG environment (the CLI's language host); read both.
    return set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())


def _stored_in_plain_text(key: str) -> bool:
    """True only when the engine told us which keys are secret and this is not one.

    The CLI lists a structured key as secret when any leaf is ``secure``. An
    engine that passes no list gets the benefit of the doubt rather than a
    false alarm.
    """
    listed = runtime_config._SECRET_KEYS.get() | set(runtime_config.get_config_secret_keys_env())
    told = bool(listed) or "PULUMI_CONFIG_SECRET_KEYS" in os.environ
    return told and key not in listed


def load_projects(config: pulumi.Config, *, stack: str) -> list[dict[str, Any]]:
    """Read and check the stack's config; return TwitterProject args with the keys wired in."""
    problems = unknown_config_keys(_all_config_keys())
    if _stored_in_plain_text(f"{NAMESPACE}:credentials") and config.get("credentials") is not None:
        problems.append(
            f"{NAMESPACE}:credentials is stored in plain text; set each value with "
            "pulumi config set --secret --path so it is encrypted"
        )
    if problems:
        raise InvalidInputError(problems)
    planned, settings = plan_projects(
        config.get_object("projects"), config.get_object("defaults"), environment=stack
    )
    labels = list(settings)
    credentials = config.get_secret_object("credentials")
    if credentials is None:
        raise InvalidInputError(
            [
                f"{NAMESPACE}:credentials is not set; for each app, set each of {', '.join(CREDENTIAL_FIELDS)}"
                " with " + SET_CREDENTIAL_HINT.format(label="<project>/<app>", field="<field>"),
                f"  apps without credentials: {', '.join(labels)}",
            ]
        )
    checked = credentials.apply(lambda raw: check_credentials(raw, settings))
    for project, spec in planned.items():
        for app, app_args in spec["apps"].items():
            for field in CREDENTIAL_FIELDS:
                app_args[field] = checked.apply(lambda c, lb=f"{project}/{app}", f=field: c[lb][f])
    return list(planned.values())


def stack_outputs(projects: list[Any]) -> dict[str, Any]:
    """What other stacks and auditors read: ``twitterApps``, ``secretArns``, ``readPolicyArns``."""
    apps = sorted(
        ((c.settings.label, c) for project in projects for c in project.apps.values()),
        key=lambda pair: pair[0],
    )
    return {
        "twitterApps": {label: c.summary() for label, c in apps},
        "secretArns": {label: c.secret_arn for label, c in apps},
        "readPolicyArns": {label: c.read_policy_arn for label, c in apps if c.settings.read_policy},
    }
