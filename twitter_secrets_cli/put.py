"""``put``: write the keys of apps with ``key_source: put`` into the secrets ``pulumi up`` created.

The keys come from standard input only: typed at hidden prompts for one app (``--app`` on a
terminal), or one JSON object from a pipe (``--app``: the app's fields; without it: an object
of project/app → fields, e.g. ``sops -d keys.json | twitter-secrets put --stack prod``). They
never touch the stack config, the Pulumi state or a command line.

Every key is checked (the same checks as ``pulumi up``) and every secret found before the
first write: a bad key or a missing secret writes nothing. Each value is written with a
version id made from its fingerprint, so a re-run writes nothing new, and putting back
earlier keys makes that version current again. AWSCURRENT always holds a whole set.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from twitter_runtime.keys import (
    ACCESS_LEVEL_FIELD,
    CREDENTIAL_FIELDS,
    OAUTH2_CLIENT_FIELDS,
    canonical_payload,
    fingerprint,
)

from .help_text import plain
from .plan import UnusableInputError, load_config
from .project_dir import NoProjectError, add_project_dir_argument, project_dir, stack_file

#: Every version ``put`` writes is named for the value's fingerprint: the same keys, the same version.
VERSION_PREFIX = "twitter-secrets-put-"
KEY_SOURCE_TAG = "credentials:source"
_PROMPTS = {
    "consumer_key": "API Key",
    "consumer_secret": "API Key Secret",
    "access_token": "Access Token",
    "access_token_secret": "Access Token Secret",
    "client_id": "OAuth 2.0 Client ID (Enter for none)",
    "client_secret": "OAuth 2.0 Client Secret (Enter for none)",
}


def version_id(value_fingerprint: str) -> str:
    """Secrets Manager's ClientRequestToken (32 to 64 characters) for a value: its fingerprint."""
    return VERSION_PREFIX + value_fingerprint


def fingerprint_of_version(version: str | None) -> str | None:
    """The fingerprint a version ``put`` wrote is named for; None for any other version."""
    if version and version.startswith(VERSION_PREFIX):
        return version[len(VERSION_PREFIX) :]
    return None


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "put",
        help="write the keys of key_source: put apps from standard input",
        description=plain(__doc__),
    )
    parser.add_argument("--stack", required=True, help="the stack whose Pulumi.<stack>.yaml names the apps")
    parser.add_argument(
        "--app",
        help="project/app (project/app/account for one account of an app with several): one app, its "
        "fields on stdin or at hidden prompts; without it, stdin holds project/app → fields for any number",
    )
    parser.add_argument("--config-file", help="a stack config file to use instead of Pulumi.<stack>.yaml")
    add_project_dir_argument(parser)


@dataclasses.dataclass
class Target:
    """One secret to write: where, and the checked value (kept out of repr)."""

    label: str
    secret_name: str
    payload: str = dataclasses.field(repr=False)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.payload)


def stack_settings(args: argparse.Namespace) -> tuple[dict[str, Any], str | None]:
    """Every app's checked settings from the stack file (the program's own checks), and its region."""
    from components.problems import SettingsError
    from components.stack_config import plan_projects

    path = Path(args.config_file) if args.config_file else stack_file(project_dir(args), args.stack)
    config = load_config(path)
    region = config.get("aws:region")
    try:
        _, settings = plan_projects(
            config.get("twitter-secrets:projects"),
            config.get("twitter-secrets:defaults"),
            environment=args.stack,
            region=region if isinstance(region, str) else None,
        )
    except SettingsError as error:
        raise StackConfigError(error.problems) from None
    return settings, region if isinstance(region, str) else None


class StackConfigError(Exception):
    """Exit 1: the stack config itself has problems (the same ones ``pulumi up`` would report)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def app_label_problem(label: str, settings: Mapping[str, Any]) -> str | None:
    """Why --app cannot be written (checked before anyone types a key); None when it can. The label
    came from the command line, so naming it reveals nothing."""
    from components.settings import KEY_SOURCE_PUT

    accounts = sorted(s.label for s in settings.values() if s.app_label == label and s.account is not None)
    if accounts:
        return (
            f"{label} has several accounts ({', '.join(accounts)}): pipe one JSON object with the App's keys "
            f"under '{label}' and each account's Access Token pair under its own label"
        )
    if label not in settings:
        return f"{label} is not an app of this stack; give project/app as in twitter-secrets:projects"
    if settings[label].key_source != KEY_SOURCE_PUT:
        return f"{label}: its key_source is config, so pulumi up writes its value; set key_source: put for it first"
    return None


def read_keys(args: argparse.Namespace, stdin: TextIO, err: TextIO) -> Any:
    """The keys as given: hidden prompts on a terminal with --app, else one JSON object from stdin."""
    if args.app and stdin.isatty():
        print(f"put: the keys of {args.app}, from its Keys and tokens page (input is hidden)", file=err)
        given = {}
        for field in (*CREDENTIAL_FIELDS, *OAUTH2_CLIENT_FIELDS):
            value = getpass.getpass(f"{_PROMPTS[field]}: ", stream=err)
            if value or field in CREDENTIAL_FIELDS:
                given[field] = value
        return {args.app: given}
    if stdin.isatty():
        raise UnusableInputError(
            "without --app, pipe one JSON object of project/app → its fields into stdin "
            "(e.g. sops -d keys.json | twitter-secrets put --stack …)"
        )
    text = stdin.read()
    if not text.strip():
        raise UnusableInputError("stdin is empty: pipe one JSON object of the keys; nothing was written")
    try:
        given = json.loads(text)
    except json.JSONDecodeError as error:
        # The position only: the text is keys.
        raise UnusableInputError(
            f"stdin is not one JSON object (line {error.lineno}, column {error.colno}); nothing was written"
        ) from None
    except ValueError:  # e.g. a number too long to convert: still keys, still not shown
        raise UnusableInputError("stdin is not one JSON object of text fields; nothing was written") from None
    if not isinstance(given, Mapping):
        raise UnusableInputError("stdin must hold one JSON object; nothing was written")
    return {args.app: given} if args.app else given


def checked_targets(given: Any, settings: Mapping[str, Any]) -> list[Target]:
    """The program's own key checks over what was given, for put apps only; raises with every problem."""
    from components.credential_gate import check_credentials, keys_in_other_apps_texts
    from components.problems import SettingsError
    from components.settings import KEY_SOURCE_CONFIG, KEY_SOURCE_PUT

    put = {label: s for label, s in settings.items() if s.key_source == KEY_SOURCE_PUT}
    problems = []
    app_labels = {s.app_label for s in put.values() if s.account is not None}
    wanted: dict[str, Any] = {}
    for position, label in enumerate(given, start=1):
        if label in put or label in app_labels:
            if not isinstance(given[label], Mapping):
                problems.append(f"{label}: give an object of its fields ({', '.join(CREDENTIAL_FIELDS)})")
            else:
                wanted[label] = given[label]
        elif label in settings or label in {s.app_label for s in settings.values()}:
            problems.append(
                f"{label}: its key_source is config: pulumi up writes its value from the stack config and "
                "would undo one written here; set key_source: put for it first, or set its keys in config"
            )
        else:
            # Named by position: a label can be a key pasted in the wrong place.
            problems.append(
                f"entry #{position} (in the order given) names no app of this stack whose keys put writes; "
                "give project/app (project/app/account for one account of an app with several)"
            )
    chosen = {
        label: dataclasses.replace(s, key_source=KEY_SOURCE_CONFIG)
        for label, s in put.items()
        if label in wanted
    }
    # The accounts of one App share its API Key pair: written together, or one would hold keys the
    # others no longer match (pulumi up refuses that mismatch in config too).
    for app_label in sorted(
        {s.app_label for s in chosen.values() if s.account is not None} | (app_labels & set(wanted))
    ):
        every = sorted(label for label, s in put.items() if s.app_label == app_label)
        missing = [label for label in every if label not in chosen]
        if missing:
            problems.append(
                f"{app_label}: give every account of this App together ({', '.join(every)}): they share its "
                f"API Key pair; missing {', '.join(missing)}"
            )
    if problems:
        raise SettingsError(problems)
    if not chosen:
        raise SettingsError(["nothing to write: stdin names no app whose key_source is put"])
    checked = check_credentials(wanted, chosen)
    # A key pasted into any app's owner, tags or names, not only the apps being written.
    pasted = keys_in_other_apps_texts(checked, settings)
    if pasted:
        raise SettingsError(pasted)
    return [
        Target(
            label,
            chosen[label].secret_name,
            canonical_payload({**checked[label], ACCESS_LEVEL_FIELD: chosen[label].access_level}),
        )
        for label in sorted(chosen)
    ]


def secrets_by_name(client: Any) -> dict[str, dict[str, Any]]:
    """Every secret that says ``put`` writes its value, by name: one ListSecrets page per 100."""
    found: dict[str, dict[str, Any]] = {}
    pages = client.get_paginator("list_secrets").paginate(
        Filters=[{"Key": "tag-key", "Values": [KEY_SOURCE_TAG]}], PaginationConfig={"PageSize": 100}
    )
    for page in pages:
        for secret in page.get("SecretList", []):
            tags = {t["Key"]: t["Value"] for t in secret.get("Tags", [])}
            if tags.get(KEY_SOURCE_TAG) == "put":
                found[secret["Name"]] = secret
    return found


def current_version(secret: Mapping[str, Any]) -> str | None:
    stages = secret.get("SecretVersionsToStages") or secret.get("VersionIdsToStages") or {}
    return next((v for v, s in stages.items() if "AWSCURRENT" in s), None)


def write(client: Any, target: Target, secret: Mapping[str, Any]) -> str:
    """Make the target's value AWSCURRENT; 'unchanged', 'written' or 'restored' (an earlier version)."""
    wanted = version_id(target.fingerprint)
    current = current_version(secret)
    if current == wanted:
        return "unchanged"
    answer = client.put_secret_value(
        SecretId=secret["ARN"], SecretString=target.payload, ClientRequestToken=wanted
    )
    if "AWSCURRENT" in answer.get("VersionStages", []):
        return "written"
    # The same keys were put before: Secrets Manager kept that version and ignored the request.
    client.update_secret_version_stage(
        SecretId=secret["ARN"],
        VersionStage="AWSCURRENT",
        MoveToVersionId=wanted,
        **({"RemoveFromVersionId": current} if current else {}),
    )
    return "restored"


def secrets_client(region: str | None) -> Any:
    """Adaptive retries: Secrets Manager throttles PutSecretValue per account, and a put of
    thousands of apps should slow down, not fail."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "adaptive", "max_attempts": 10})
    return boto3.client("secretsmanager", region_name=region, config=config)


def run(
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    *,
    stdin: TextIO | None = None,
    client: Any = None,
) -> int:
    from components.problems import SettingsError

    try:
        settings, region = stack_settings(args)
        label_problem = app_label_problem(args.app, settings) if args.app else None
        if label_problem:
            print(f"put: {label_problem}; nothing was written", file=err)
            return 1
        targets = checked_targets(read_keys(args, stdin or sys.stdin, err), settings)
    except StackConfigError as error:
        print("put: the stack config has problems; fix them first (nothing was written):", file=err)
        for problem in error.problems:
            print(f"  {problem}", file=err)
        return 1
    except SettingsError as error:
        print("put: nothing was written:", file=err)
        for problem in error.problems:
            print(f"  {problem}", file=err)
        return 1
    except (UnusableInputError, NoProjectError) as error:
        print(f"put: {error}", file=err)
        return 2
    client = client or secrets_client(region)
    existing = secrets_by_name(client)
    missing = [t.label for t in targets if t.secret_name not in existing]
    if missing:
        print(
            f"put: no secret written by put for {', '.join(missing)} (run pulumi up first; a secret whose "
            "key_source is config is not put's to write); nothing was written",
            file=err,
        )
        return 1
    done: dict[str, int] = {}
    for number, target in enumerate(targets):
        try:
            outcome = write(client, target, existing[target.secret_name])
        except Exception as error:
            left = ", ".join(t.label for t in targets[number:])
            print(
                f"put: writing {target.label} failed ({type(error).__name__}); not written: {left}. "
                "Run the same command again: what was written is kept and not written twice",
                file=err,
            )
            return 1
        done[outcome] = done.get(outcome, 0) + 1
        print(f"{target.label}: {outcome} (fingerprint {target.fingerprint})", file=out)
    print(
        "put: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(done.items())) + f" of {len(targets)}",
        file=out,
    )
    if done.get("written") or done.get("restored"):
        print(
            "put: for keys regenerated in the portal, set their issued_at in the stack config to that day "
            "and run pulumi up, so rotation is due counted from it",
            file=err,
        )
    return 0
