"""Turns the stack's config into TwitterProject arguments.

The structure checks are plain functions over plain dicts; only
``load_stack`` touches ``pulumi.Config``. Everything non-secret is
validated for every app before the first component is constructed, and the
credentials once for the whole stack, so one bad app stops the whole stack
with nothing written rather than half of it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from twitter_runtime.errors import InvalidInputError
from twitter_runtime.keys import CREDENTIAL_FIELDS

from .app_settings import AppSettings, parse_app_settings, stack_region
from .aws_names import collision_inputs, name_collisions
from .config_size import capacity_problem, config_env_bytes
from .credential_gate import check_credentials
from .layering import NAMESPACE, layer_stack_config
from .problems import SET_CREDENTIAL_HINT, SettingsError, unknown_problems
from .reminder_settings import ReminderSettings, parse_reminders
from .settings import KEY_SOURCE_PUT

CONFIG_KEYS: tuple[str, ...] = ("projects", "credentials", "defaults", "reminders")


def unknown_config_keys(config_keys: list[str] | set[str]) -> list[str]:
    """Problems for ``twitter-secrets:*`` keys the program would ignore."""
    ours = {k.split(":", 1)[1] for k in config_keys if k.startswith(NAMESPACE + ":")}
    return unknown_problems("config", dict.fromkeys(ours), CONFIG_KEYS)


def plan_projects(
    projects: Any, defaults: Any, *, environment: str, region: str | None = None
) -> tuple[dict[str, dict[str, Any]], dict[str, AppSettings]]:
    """Layer the non-secret config, then check each secret's settings: in that order, each once.

    Returns project → TwitterProject args (minus keys), and each secret's settings by
    label for the stack-wide credential check.
    """
    planned, settings, problems = _plan(projects, defaults, environment=environment, region=region)
    if problems:
        raise SettingsError(problems)
    return planned, settings


def _plan(
    projects: Any, defaults: Any, *, environment: str, region: str | None
) -> tuple[dict[str, dict[str, Any]], dict[str, AppSettings], list[str]]:
    """``plan_projects`` that returns its problems with the settings of every app that passed,
    so the keys of those apps are checked in the same run."""
    layered = layer_stack_config(projects, defaults)
    problems = list(layered.problems)
    settings: dict[str, AppSettings] = {}
    for label, args in layered.secrets.items():
        try:
            settings[label] = parse_app_settings(args, default_environment=environment, primary_region=region)
        except InvalidInputError as error:
            problems += error.problems
    problems += name_collisions(*collision_inputs(settings))
    return layered.projects, settings, problems


def _all_config_values() -> dict[str, Any]:
    """Every config value the program was given. The SDK keeps config either in its context
    (tests, automation API) or in the PULUMI_CONFIG environment (the CLI's language host): both."""
    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


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
        raise SettingsError(
            [
                f"{NAMESPACE}:credentials is not an object keyed 'project/app'; set each field with "
                + SET_CREDENTIAL_HINT.format(label="<project>/<app>", field="<field>")
                + " (note --path)"
            ]
        ) from None


@dataclass
class StackPlan:
    """Everything the program registers, checked: project args with their keys, and the reminders."""

    projects: list[dict[str, Any]]
    settings: dict[str, AppSettings]
    reminders: ReminderSettings | None


def load_stack(config: pulumi.Config, *, stack: str) -> StackPlan:
    """Check every setting, the keys and the reminders together, before anything is registered.

    The keys are read as the SDK hands config over (text) and checked here, not in an
    ``apply``: a bad key then stops the program before the first resource, and is reported
    with a bad reminders block and a bad app setting in one error. They go on as a secret
    Output, so the engine keeps them encrypted in the state.
    """
    given = _all_config_values()
    problems = unknown_config_keys(set(given))
    if _stored_in_plain_text(f"{NAMESPACE}:credentials") and config.get("credentials") is not None:
        problems.append(
            f"{NAMESPACE}:credentials is stored in plain text; set each value with "
            "pulumi config set --secret --path so it is encrypted"
        )
    region = stack_region()
    reminders = None
    try:
        reminders = parse_reminders(config.get_object("reminders"), region=region)
    except SettingsError as error:
        problems += error.problems
    planned, settings, plan_problems = _plan(
        config.get_object("projects"), config.get_object("defaults"), environment=stack, region=region
    )
    problems += plan_problems
    raw = runtime_config.get_config(f"{NAMESPACE}:credentials")
    checked: dict[str, dict[str, str]] = {}
    from_config = [label for label, s in settings.items() if s.key_source != KEY_SOURCE_PUT]
    if raw is None:
        if from_config:
            problems += [
                f"{NAMESPACE}:credentials is not set; for each app, set each of {', '.join(CREDENTIAL_FIELDS)}"
                " with "
                + SET_CREDENTIAL_HINT.format(label="<project>/<app>", field="<field>")
                + f" (apps without credentials: {', '.join(from_config)}); or set key_source: put and "
                "write them with twitter-secrets put",
            ]
    else:
        try:
            parsed = _parse_credentials_json(raw)
            if plan_problems and isinstance(parsed, Mapping):
                # Only the apps that passed: their keys' problems are reported now, not after the next fix.
                parsed = {
                    label: keys for label, keys in parsed.items() if label in _labels_and_apps(settings)
                }
            checked = check_credentials(parsed, settings)
        except SettingsError as error:
            problems += error.problems
    if problems:
        raise SettingsError(problems)
    config_warning = capacity_problem(
        config_env_bytes(given), len(settings), keys_in_config=bool(from_config)
    )
    if config_warning:
        pulumi.log.warn(f"{NAMESPACE}: {config_warning}")
    secret = pulumi.Output.secret(checked)
    by_project: dict[str, list[str]] = {}
    for label in from_config:
        by_project.setdefault(settings[label].project, []).append(label.split("/", 1)[1])
    for project, spec in planned.items():
        # One Output per project, not four per app: this is the per-app hot path at scale. Keyed
        # by app, or app/account: each secret's whole set, the App's keys merged in.
        subs = tuple(by_project.get(project, ()))
        spec["credentials"] = secret.apply(
            lambda c, p=project, subs=subs: {sub: c[f"{p}/{sub}"] for sub in subs}
        )

    return StackPlan(list(planned.values()), settings, reminders)


def _labels_and_apps(settings: Mapping[str, AppSettings]) -> set[str]:
    return set(settings) | {s.app_label for s in settings.values()}


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


def with_alarm_topic(project: dict[str, Any], topic_arn: Any) -> dict[str, Any]:
    """The reminders topic as the alarm topic of every app that names none: one place hears of
    both due keys and failed rotations."""
    if topic_arn is None:
        return project
    apps = {
        app: spec if spec.get("alarm_topic_arn") is not None else {**spec, "alarm_topic_arn": topic_arn}
        for app, spec in project["apps"].items()
    }
    return {**project, "apps": apps}
