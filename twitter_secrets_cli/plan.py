"""``plan``: what ``pulumi up`` would create, with no cloud, no credentials and no CLI.

Runs the real ``__main__.py`` under Pulumi's mock monitor with a stack's
config file. Encrypted values cannot be read without the stack's secrets
provider, so the keys are replaced by format-valid placeholders unless real
ones come through the environment (never the command line).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from pathlib import Path
from typing import Any, TextIO

import yaml

from twitter_runtime.errors import InvalidInputError

from .help_text import plain
from .mock_engine import ProgramRun, is_wrapped_secret, run_program
from .project_dir import NoProjectError, add_project_dir_argument, project_dir, stack_file
from .stack_file import DuplicateKeyError, KeyNotTextError, load_stack_yaml

CREDENTIALS_KEY = "twitter-secrets:credentials"
CREDENTIALS_ENV = "TWITTER_SECRETS_CREDENTIALS"
HONESTY = (
    "Mock-based preview: the real __main__.py ran under Pulumi's mock monitor with a fake cloud.\n"
    "This is not `pulumi preview`: no engine, no provider, no AWS calls. Computed values\n"
    "(ARNs, version ids) are stand-ins; the keys are {source}."
)


class UnusableInputError(Exception):
    """Exit 2: the input cannot be used at all."""


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "plan", help="list what pulumi up would create (mock-based, no cloud)", description=plain(__doc__)
    )
    parser.add_argument(
        "--stack",
        default="dev",
        help="stack name; reads Pulumi.<stack>.yaml in the stack config folder (default dev)",
    )
    parser.add_argument("--config-file", help="a stack config file to use instead")
    add_project_dir_argument(parser)
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people, json for tools (default text)",
    )


def _alnum(seed: str, length: int) -> str:
    out, counter = "", 0
    while len(out) < length:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).hexdigest()
        counter += 1
    return "".join(c.upper() if i % 2 else c for i, c in enumerate(out[:length]))


def placeholder_credentials(label: str, index: int) -> dict[str, str]:
    """Format-valid keys that are obviously not real (they start with 'Plan')."""
    return {
        "consumer_key": "PlanCK" + _alnum(label + "ck", 19),
        "consumer_secret": "PlanCS" + _alnum(label + "cs", 44),
        "access_token": f"{1000 + index}-PlanAT" + _alnum(label + "at", 34),
        "access_token_secret": "PlanTS" + _alnum(label + "ts", 39),
    }


def _puts_keys(app_spec: Any, defaults: Any) -> bool:
    """Whether `twitter-secrets put`, not config, gives this app its keys (key_source: put on the
    app, or in defaults when the app names none)."""
    own = app_spec.get("key_source") if isinstance(app_spec, dict) else None
    given = own if own is not None else (defaults.get("key_source") if isinstance(defaults, dict) else None)
    return isinstance(given, str) and given.lower() == "put"


def placeholders_for(projects: Any, defaults: Any = None) -> dict[str, dict[str, str]]:
    """Format-valid keys for every secret the projects describe: one per app, or per account of an
    app with accounts (all sharing the App's API Key pair, as real accounts do). Apps whose keys
    `twitter-secrets put` writes get none: config must not hold theirs."""
    labels: list[tuple[str, str]] = []  # (secret's label, the App's label)
    if isinstance(projects, dict):
        for project, spec in sorted(projects.items()):
            apps = spec.get("apps") if isinstance(spec, dict) else None
            for app in sorted(apps) if isinstance(apps, dict) else ():
                if _puts_keys(apps[app], defaults):
                    continue
                accounts = apps[app].get("accounts") if isinstance(apps[app], dict) else None
                if isinstance(accounts, dict) and accounts:
                    labels += [
                        (f"{project}/{app}/{a}", f"{project}/{app}") for a in sorted(accounts, key=str)
                    ]
                else:
                    labels.append((f"{project}/{app}", f"{project}/{app}"))
    placeholders = {}
    for i, (label, app_label) in enumerate(labels):
        app_keys = placeholder_credentials(app_label, i)
        placeholders[label] = {
            **placeholder_credentials(label, i),
            **{k: app_keys[k] for k in ("consumer_key", "consumer_secret")},
        }
    return placeholders


def load_config(path: Path) -> dict[str, Any]:
    try:
        document = load_stack_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UnusableInputError(f"{path}: no such stack config file") from None
    except IsADirectoryError:
        raise UnusableInputError(
            f"{path}: is a folder; give the stack config file (Pulumi.<stack>.yaml)"
        ) from None
    except UnicodeDecodeError:
        raise UnusableInputError(f"{path}: is not UTF-8 text; save it as UTF-8") from None
    except OSError as error:
        raise UnusableInputError(f"{path}: cannot be read ({error.strerror})") from None
    except KeyNotTextError as error:
        raise UnusableInputError(f"{path}: {error}") from None
    except DuplicateKeyError as error:
        raise UnusableInputError(f"{path}: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise UnusableInputError(f"{path}: not valid YAML{where}") from None
    if not isinstance(document, dict) or not isinstance(document.get("config", {}), dict):
        raise UnusableInputError(f"{path}: expected a Pulumi stack file with a 'config:' mapping")
    return dict(document.get("config") or {})


def _scrub_secure(value: Any) -> Any:
    """Other encrypted config values are unreadable here: stand in a marker."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return "[secure value]"
        return {k: _scrub_secure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_secure(v) for v in value]
    return value


def _plain_leaves(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) != {"secure"} and any(_plain_leaves(v) for v in value.values())
    if isinstance(value, list):
        return any(_plain_leaves(v) for v in value)
    return value is not None


class PlainTextCredentialsError(Exception):
    """Exit 1: what `pulumi up` would refuse too."""


def prepare(config: dict[str, Any], environ: dict[str, str]) -> tuple[dict[str, Any], str]:
    """The config to run with, and where its keys came from."""
    if _plain_leaves(config.get(CREDENTIALS_KEY)):
        raise PlainTextCredentialsError(
            f"{CREDENTIALS_KEY} holds plain-text values in the stack file; set each with "
            "`pulumi config set --secret --path` so it is encrypted (and take the plain ones out of git history)"
        )
    config = {k: _scrub_secure(v) for k, v in config.items() if k != CREDENTIALS_KEY}
    if environ.get(CREDENTIALS_ENV):
        try:
            config[CREDENTIALS_KEY] = json.loads(environ[CREDENTIALS_ENV])
        except ValueError:
            raise UnusableInputError(
                f"{CREDENTIALS_ENV} is not JSON (an object keyed 'project/app')"
            ) from None
        return config, f"real values from ${CREDENTIALS_ENV} (shown only as [secret])"
    placeholders = placeholders_for(
        config.get("twitter-secrets:projects"), config.get("twitter-secrets:defaults")
    )
    if placeholders:  # none when every app's keys come from `twitter-secrets put`
        config[CREDENTIALS_KEY] = placeholders
    return config, f"format-valid placeholders (set ${CREDENTIALS_ENV} to check real ones)"


def _shown(value: Any) -> Any:
    """An input as a reviewer should see it: secrets masked, policy JSON parsed, assets by path."""
    if is_wrapped_secret(value):
        return "[secret]"
    if isinstance(value, dict):
        return {k: _shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown(v) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if hasattr(value, "path"):
        return f"<archive {Path(value.path).name}>"
    if isinstance(value, float) and value.is_integer():
        return int(value)  # protobuf carries every number as a float
    return value


def _scrubbed(text: str, config: dict[str, Any]) -> str:
    """An unexpected error's text, with any key it might quote taken out."""
    keys = config.get(CREDENTIALS_KEY)
    for entry in keys.values() if isinstance(keys, dict) else []:
        for value in entry.values() if isinstance(entry, dict) else []:
            if isinstance(value, str) and len(value) >= 8:
                text = text.replace(value, "[redacted]")
    return text


def _root_error(error: BaseException) -> BaseException:
    """The InvalidInputError behind a failed run, if one is in its chain.

    A chain can loop (Pulumi's serialization error can be its own ``__context__``),
    so each exception is visited once.
    """
    current: BaseException | None = error
    visited: set[int] = set()
    while current is not None and id(current) not in visited:
        if isinstance(current, InvalidInputError):
            return current
        visited.add(id(current))
        current = current.__cause__ or current.__context__
    return error


def summarize(run: ProgramRun) -> dict[str, Any]:
    # Registrations race each other through the monitor: list them in a stable order.
    registered = sorted(
        (r for r in run.registrations if r.type != "pulumi:pulumi:Stack"),
        key=lambda r: (r.custom, r.name, r.type),
    )
    resources = [
        {"type": r.type, "name": r.name, "inputs": _shown(r.inputs) if r.custom else {}} for r in registered
    ]
    apps = run.outputs.get("twitterApps") or {}
    fields = sorted({f for entry in apps.values() for f in entry})
    return {
        "resources": resources,
        "outputs": {
            name: (sorted(value) if isinstance(value, dict) else value) for name, value in run.outputs.items()
        },
        "twitterApps_fields": fields,
    }


def run(args: argparse.Namespace, out: TextIO, err: TextIO, environ: dict[str, str] | None = None) -> int:
    environ = dict(os.environ) if environ is None else environ
    try:
        project = project_dir(args)
        path = Path(args.config_file) if args.config_file else stack_file(project, args.stack)
    except NoProjectError as error:
        print(f"plan: {error}", file=err)
        return 2
    try:
        config, source = prepare(load_config(path), environ)
    except UnusableInputError as error:
        print(f"plan: {error}", file=err)
        return 2
    except PlainTextCredentialsError as error:
        print(f"plan: the program would fail; nothing would be created:\n  {error}", file=out)
        return 1
    result = run_program(config, stack=args.stack, main=project / "__main__.py")
    if result.error is not None:
        root = _root_error(result.error)
        lines = (
            root.problems
            if isinstance(root, InvalidInputError)
            else [_scrubbed(f"{type(root).__name__}: {root}", config)]
        )
        if args.format == "json":
            print(json.dumps({"ok": False, "errors": list(lines)}, indent=2), file=out)
        else:
            _failure(
                out,
                f"the program would fail; nothing would be created ({path.name}, stack {args.stack})",
                lines,
            )
        return 1
    # Here, not at the top: the program run above has imported the components already, and the
    # CLI's other commands should not pay for them at start-up.
    from components.config_size import ENV_STRING_MAX, config_env_bytes

    summary = summarize(result)
    # What pulumi up would print as warnings (the config's size among them); never a value.
    warnings = [_scrubbed(w, config) for w in result.warnings()]
    too_big = config_env_bytes(config) > ENV_STRING_MAX
    if args.format == "json":
        report = {"ok": not too_big, "mock_based": True, "warnings": warnings, **summary}
        print(json.dumps(report, indent=2, sort_keys=True), file=out)
        return 1 if too_big else 0
    if too_big:
        _failure(
            out, f"pulumi up would fail before the program starts ({path.name}, stack {args.stack})", warnings
        )
        return 1
    print(HONESTY.format(source=source), file=out)
    print(
        f"\nStack {args.stack} ({path.name}): {len(summary['resources'])} resources would be created",
        file=out,
    )
    for resource in summary["resources"]:
        print(f"\n+ {resource['type']}  {resource['name']}", file=out)
        for key, value in sorted(resource["inputs"].items()):
            rendered = json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else str(value)
            print(f"    {key}: {rendered}", file=out)
    print("\nOutputs:", file=out)
    for name, value in summary["outputs"].items():
        keys = ", ".join(value) if isinstance(value, list) else str(value)
        print(f"  {name}: {keys}", file=out)
    print(f"  (each twitterApps entry: {', '.join(summary['twitterApps_fields'])})", file=out)
    for warning in warnings:
        print(f"\nwarning: {warning}", file=out)
    return 0


def _failure(out: TextIO, heading: str, lines: list[str]) -> None:
    """Why nothing would be created: a heading, then one indented line per problem."""
    print(f"plan: {heading}:", file=out)
    for line in lines:
        print(f"  {line}", file=out)
