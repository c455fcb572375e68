"""Turns the stack's config into TwitterProject arguments.

The structure checks are plain functions over plain dicts; only
``load_projects`` touches ``pulumi.Config``. Everything non-secret is
validated for every app before the first component is constructed, and the
credentials once for the whole stack, so one bad app stops the whole stack
with nothing written rather than half of it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from twitter_runtime.errors import InvalidInputError
from twitter_runtime.keys import CREDENTIAL_FIELDS, KEY_FIELDS, OAUTH2_CLIENT_FIELDS

from .accounts import ACCOUNTS_ARGS, expand_accounts
from .app_settings import (
    OPTIONAL_ARGS,
    AppSettings,
    parse_app_settings,
    stack_region,
    unknown_names,
    whole_number,
)
from .aws_names import collision_inputs, name_collisions
from .credential_gate import SET_CREDENTIAL_HINT, check_credentials
from .reminders import ReminderSettings, parse_reminders

NAMESPACE = "twitter-secrets"
CONFIG_KEYS: tuple[str, ...] = ("projects", "credentials", "defaults", "reminders")
PROJECT_KEYS: tuple[str, ...] = ("access_tier", "use_case", "owner", "tags", "apps")
#: ``bearer_rotation`` (days or a schedule expression) is the stack file's shorthand for the
#: component's ``bearer_rotation_days`` / ``bearer_rotation_schedule``.
APP_KEYS: tuple[str, ...] = (
    "owner",
    "issued_at",
    *(k for k in OPTIONAL_ARGS if k not in ("use_case", "credentials", "account", *OAUTH2_CLIENT_FIELDS)),
    "bearer_rotation",
    *ACCOUNTS_ARGS,
)
#: Key material has no place in the plain-text part of the config: it goes in `credentials`, as secrets.
PLAIN_TEXT_KEYS = frozenset({*KEY_FIELDS, "credentials"})
DEFAULT_KEYS: tuple[str, ...] = tuple(
    k for k in APP_KEYS if k not in ("issued_at", "app_id", "access_tier", *ACCOUNTS_ARGS)
)


def _unknown(where: str, given: Mapping[str, Any], valid: tuple[str, ...]) -> list[str]:
    unknown = unknown_names(given, valid)
    if unknown is None:
        return []
    return [f"{where}: unknown key(s) {unknown}; valid keys are {', '.join(valid)}"]


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
    """App settings over the project's owner over stack defaults; tags merge across all three.

    An app's rotation setting, in any of its three spellings, replaces the default's whole.
    """
    merged = _with_rotation_fields({k: v for k, v in defaults.items() if k in DEFAULT_KEYS})
    if "owner" in project_spec:
        merged["owner"] = project_spec["owner"]
    app = _with_rotation_fields({k: v for k, v in app_spec.items() if k in APP_KEYS})
    if ROTATION_FIELDS & set(app):
        merged = {k: v for k, v in merged.items() if k not in ROTATION_FIELDS}
    merged.update(app)
    tags = _merge_tags(defaults.get("tags"), project_spec.get("tags"), app_spec.get("tags"))
    if tags is not None:
        merged["tags"] = tags
    return merged


ROTATION_FIELDS = frozenset({"bearer_rotation_days", "bearer_rotation_schedule"})


def rotation_shorthand_problems(where: str, layer: Any) -> list[str]:
    """The stack file's ``bearer_rotation`` beside the long names, or of a type it cannot have."""
    if not isinstance(layer, Mapping) or "bearer_rotation" not in layer:
        return []
    problems = []
    if ROTATION_FIELDS & set(layer):
        problems.append(
            f"{where}: give bearer_rotation or bearer_rotation_days / bearer_rotation_schedule, not both"
        )
    value = layer["bearer_rotation"]
    if not (value is None or value is False or isinstance(value, str) or whole_number(value) is not None):
        problems.append(
            f"{where}: bearer_rotation must be a number of days (1 to 1000), a schedule such as 'rate(30 days)', "
            "or false"
        )
    return problems


def _with_rotation_fields(layer: dict[str, Any]) -> dict[str, Any]:
    """``bearer_rotation: 30`` → ``bearer_rotation_days``; ``"rate(…)"`` → ``bearer_rotation_schedule``."""
    if "bearer_rotation" not in layer:
        return layer
    rotation = layer.pop("bearer_rotation")
    field = "bearer_rotation_schedule" if isinstance(rotation, str) else "bearer_rotation_days"
    layer[field] = None if rotation is False else rotation
    return layer


def plan_projects(
    projects: Any, defaults: Any, *, environment: str, region: str | None = None
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
    problems += rotation_shorthand_problems(f"{NAMESPACE}:defaults", defaults)
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
            typed_keys = sorted(PLAIN_TEXT_KEYS & set(app_spec))
            if typed_keys:
                # Named, never echoed: these are keys typed into the plain-text part of the config.
                problems.append(
                    f"{project}/{app}: {', '.join(typed_keys)} in {NAMESPACE}:projects is stored in plain text; "
                    "keys must be set as secrets: "
                    + SET_CREDENTIAL_HINT.format(label=f"{project}/{app}", field="<field>")
                    + f", then delete them from {NAMESPACE}:projects (and from git history)"
                )
                app_spec = {k: v for k, v in app_spec.items() if k not in PLAIN_TEXT_KEYS}
            problems += _unknown(f"{NAMESPACE}:projects.{project}.apps.{app}", app_spec, APP_KEYS)
            shorthand = rotation_shorthand_problems(f"{project}/{app}", app_spec)
            if shorthand:
                problems += shorthand
                continue
            merged = _layered_app_args(defaults, spec, app_spec)
            expanded, account_problems = expand_accounts(f"{project}/{app}", {**merged, "app": app})
            problems += account_problems
            for sub_label, sub_args in expanded.items():
                # Check each secret as the component will, with placeholders for the keys.
                probe = {**sub_args, "project": project, "app": app, **dict.fromkeys(CREDENTIAL_FIELDS, "")}
                for key in ("access_tier", "use_case"):
                    if key in spec and key not in probe:
                        probe[key] = spec[key]
                try:
                    settings[f"{project}/{sub_label}"] = parse_app_settings(
                        probe, default_environment=environment, primary_region=region
                    )
                except InvalidInputError as error:
                    problems += error.problems
            planned_apps[app] = merged
        entry: dict[str, Any] = {"project": project, "apps": planned_apps}
        for key in ("access_tier", "use_case"):
            if spec.get(key) is not None:
                entry[key] = spec[key]
        planned[project] = entry
    problems += name_collisions(*collision_inputs(settings))
    if problems:
        raise InvalidInputError(problems)
    return planned, settings


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
    if pulumi.runtime.is_config_secret(key):
        return False
    told = "PULUMI_CONFIG_SECRET_KEYS" in os.environ
    return told and key not in runtime_config.get_config_secret_keys_env()


def _parse_credentials_json(text: Any) -> Any:
    """Config hands structured values over as JSON text; never echo it on error."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        raise InvalidInputError(
            [
                f"{NAMESPACE}:credentials is not an object keyed 'project/app'; set each field with "
                + SET_CREDENTIAL_HINT.format(label="<project>/<app>", field="<field>")
                + " (note --path)"
            ]
        ) from None


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
        config.get_object("projects"), config.get_object("defaults"), environment=stack, region=stack_region()
    )
    labels = list(settings)
    # get_secret, not get_secret_object: the latter's error for a non-object
    # value quotes the value, which here is a key.
    credentials = config.get_secret("credentials")
    if credentials is None:
        raise InvalidInputError(
            [
                f"{NAMESPACE}:credentials is not set; for each app, set each of {', '.join(CREDENTIAL_FIELDS)}"
                " with " + SET_CREDENTIAL_HINT.format(label="<project>/<app>", field="<field>"),
                f"  apps without credentials: {', '.join(labels)}",
            ]
        )
    checked = credentials.apply(lambda raw: check_credentials(_parse_credentials_json(raw), settings))
    for project, spec in planned.items():
        # One Output per project, not four per app: this is the per-app hot path at scale. Keyed
        # by app, or app/account: each secret's whole set, the App's keys merged in.
        subs = tuple(label.split("/", 1)[1] for label, s in settings.items() if s.project == project)
        spec["credentials"] = checked.apply(
            lambda c, p=project, subs=subs: {sub: c[f"{p}/{sub}"] for sub in subs}
        )
    return list(planned.values())


def stack_outputs(projects: list[Any]) -> dict[str, Any]:
    """What other stacks and auditors read: ``twitterApps``, ``secretArns``, ``readPolicyArns``.

    Built from one flat gather of every app's Output-valued fields, so a stack
    of 1,000 apps does not wrap each constant in an Output of its own.
    """
    apps = sorted(
        ((c.settings.label, c) for project in projects for c in project.apps.values()),
        key=lambda pair: pair[0],
    )
    fields = [(label, c, list(c.live_outputs().items())) for label, c in apps]
    flat = pulumi.Output.all(*(output for _, _, items in fields for _, output in items))

    def build(values: list[Any]) -> dict[str, dict[str, Any]]:
        entries, position = {}, 0
        for label, component, items in fields:
            live = {name: values[position + i] for i, (name, _) in enumerate(items)}
            position += len(items)
            entries[label] = component.summary_entry(live)
        return entries

    twitter_apps = flat.apply(build)
    return {
        "twitterApps": twitter_apps,
        "secretArns": twitter_apps.apply(lambda entries: {label: e["arn"] for label, e in entries.items()}),
        "readPolicyArns": twitter_apps.apply(
            lambda entries: {
                label: e["readPolicyArn"] for label, e in entries.items() if "readPolicyArn" in e
            }
        ),
    }


def load_reminders(config: pulumi.Config, *, stack: str) -> tuple[ReminderSettings, str] | None:
    """``twitter-secrets:reminders``, checked, and the environment it covers (the stack's default)."""
    settings = parse_reminders(config.get_object("reminders"))
    if settings is None:
        return None
    defaults = config.get_object("defaults") or {}
    environment = defaults.get("environment") if isinstance(defaults, Mapping) else None
    return settings, environment if isinstance(environment, str) and environment else stack
