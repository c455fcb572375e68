"""The stack file's layers made into one set of arguments per secret, before any value is checked.

``twitter-secrets:defaults``, then ``projects.<project>`` (its owner and tags), then
``projects.<project>.apps.<app>``, then each of the app's ``accounts``: each layer over
the one before, tags merged across all of them. What is reported here is only what
stops the layers from being combined: a layer that is not an object, a name the layer
does not take (with a "did you mean"), keys typed into plain text, and the
``bearer_rotation`` shorthand given beside its long names. Every value is checked
after this, once per secret, by ``app_settings.parse_app_settings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from twitter_runtime.keys import CREDENTIAL_FIELDS, KEY_FIELDS

from .accounts import expand_accounts
from .problems import SET_CREDENTIAL_HINT, unknown_problems
from .settings import BY_NAME, STACK_APP, STACK_DEFAULTS, STACK_PROJECT, names_in
from .value_checks import CheckContext

NAMESPACE = "twitter-secrets"
APP_KEYS: tuple[str, ...] = names_in(STACK_APP)
PROJECT_KEYS: tuple[str, ...] = names_in(STACK_PROJECT)
DEFAULT_KEYS: tuple[str, ...] = names_in(STACK_DEFAULTS)
#: Key material has no place in the plain-text part of the config: it goes in `credentials`, as secrets.
PLAIN_TEXT_KEYS = frozenset({*KEY_FIELDS, "credentials"})
ROTATION_FIELDS = frozenset({"bearer_rotation_days", "bearer_rotation_schedule"})
#: What a project passes to each of its apps (TwitterProject does the same for its own arguments).
PROJECT_INHERITED = ("access_tier", "use_case")


@dataclass
class Layered:
    """The stack's apps with their layers combined: TwitterProject arguments and one probe per secret."""

    #: project → TwitterProject args, keys not yet wired in.
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: project/app[/account] → that secret's arguments, with empty placeholders for the keys.
    secrets: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _merge_tags(*layers: Any) -> Any:
    maps = [layer for layer in layers if layer is not None]
    if not all(isinstance(m, Mapping) for m in maps):
        return next(m for m in maps if not isinstance(m, Mapping))  # let the check report it
    merged: dict[str, Any] = {}
    for m in maps:
        merged.update(m)
    return merged or None


def _shorthand_problems(where: str, layer: Mapping[str, Any]) -> list[str]:
    """``bearer_rotation`` beside the long names, or of a type it cannot have."""
    if "bearer_rotation" not in layer:
        return []
    problems = []
    if ROTATION_FIELDS & set(layer):
        problems.append("give bearer_rotation or bearer_rotation_days / bearer_rotation_schedule, not both")
    BY_NAME["bearer_rotation"].read(problems, layer["bearer_rotation"], CheckContext(default_environment=""))
    return [f"{where}: {p}" for p in problems]


def _with_rotation_fields(layer: dict[str, Any]) -> dict[str, Any]:
    """``bearer_rotation: 30`` → ``bearer_rotation_days``; ``"rate(…)"`` → ``bearer_rotation_schedule``."""
    if "bearer_rotation" not in layer:
        return layer
    rotation = layer.pop("bearer_rotation")
    name = "bearer_rotation_schedule" if isinstance(rotation, str) else "bearer_rotation_days"
    layer[name] = None if rotation is False else rotation
    return layer


def _app_args(
    defaults: Mapping[str, Any], project: Mapping[str, Any], app: Mapping[str, Any]
) -> dict[str, Any]:
    """App over the project's owner over defaults; an app's rotation, in any spelling, replaces the default's."""
    merged = _with_rotation_fields({k: v for k, v in defaults.items() if k in DEFAULT_KEYS})
    if "owner" in project:
        merged["owner"] = project["owner"]
    own = _with_rotation_fields({k: v for k, v in app.items() if k in APP_KEYS})
    if ROTATION_FIELDS & set(own):
        merged = {k: v for k, v in merged.items() if k not in ROTATION_FIELDS}
    merged.update(own)
    tags = _merge_tags(defaults.get("tags"), project.get("tags"), app.get("tags"))
    if tags is not None:
        merged["tags"] = tags
    return merged


def _typed_keys_problem(label: str, typed: list[str]) -> str:
    # Named, never echoed: these are keys typed into the plain-text part of the config.
    return (
        f"{label}: {', '.join(typed)} in {NAMESPACE}:projects is stored in plain text; keys must be set as "
        "secrets: "
        + SET_CREDENTIAL_HINT.format(label=label, field="<field>")
        + f", then delete them from {NAMESPACE}:projects (and from git history)"
    )


def layer_stack_config(projects: Any, defaults: Any) -> Layered:
    """Combine the layers; report only what stops them combining (values are checked afterwards)."""
    out = Layered()
    defaults = {} if defaults is None else defaults
    if not isinstance(defaults, Mapping):
        out.problems.append(f"{NAMESPACE}:defaults must be an object of app settings")
        return out
    out.problems += unknown_problems(f"{NAMESPACE}:defaults", defaults, DEFAULT_KEYS)
    out.problems += _shorthand_problems(f"{NAMESPACE}:defaults", defaults)
    if not isinstance(projects, Mapping) or not projects:
        out.problems.append(f"{NAMESPACE}:projects must map each Project name to its settings and apps")
        return out
    for project in sorted(projects):
        spec = projects[project]
        if not isinstance(spec, Mapping):
            out.problems.append(f"{project}: must be an object with access_tier, use_case and apps")
            continue
        out.problems += unknown_problems(f"{NAMESPACE}:projects.{project}", spec, PROJECT_KEYS)
        apps = spec.get("apps")
        if not isinstance(apps, Mapping) or not apps:
            out.problems.append(f"{project}: apps must map at least one app name to its settings")
            continue
        planned_apps: dict[str, dict[str, Any]] = {}
        for app in sorted(apps):
            app_spec, label = apps[app], f"{project}/{app}"
            if not isinstance(app_spec, Mapping):
                out.problems.append(f"{label}: must be an object of app settings")
                continue
            typed = sorted(PLAIN_TEXT_KEYS & set(app_spec))
            if typed:
                out.problems.append(_typed_keys_problem(label, typed))
                app_spec = {k: v for k, v in app_spec.items() if k not in PLAIN_TEXT_KEYS}
            out.problems += unknown_problems(f"{NAMESPACE}:projects.{project}.apps.{app}", app_spec, APP_KEYS)
            shorthand = _shorthand_problems(label, app_spec)
            if shorthand:
                out.problems += shorthand
                continue
            merged = _app_args(defaults, spec, app_spec)
            expanded, account_problems = expand_accounts(label, {**merged, "app": app})
            out.problems += account_problems
            for sub_label, sub_args in expanded.items():
                secret = {**sub_args, "project": project, "app": app, **dict.fromkeys(CREDENTIAL_FIELDS, "")}
                for key in PROJECT_INHERITED:
                    if key in spec and key not in secret:
                        secret[key] = spec[key]
                out.secrets[f"{project}/{sub_label}"] = secret
            planned_apps[app] = merged
        entry: dict[str, Any] = {"project": project, "apps": planned_apps}
        entry.update({k: spec[k] for k in PROJECT_INHERITED if spec.get(k) is not None})
        out.projects[project] = entry
    return out
