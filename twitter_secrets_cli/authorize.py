"""``authorize``: a new Access Token pair for an account, through X's PIN flow.

The app's API Key pair comes from its secret (``--secret-arn``) or from the
environment (TWITTER_CONSUMER_KEY, TWITTER_CONSUMER_SECRET), never from the
command line. The new pair is written into the ``--stack`` stack's secret
config with ``pulumi config set --secret --path``, each value passed on
standard input: argv is visible to every user of the machine. The values
are never printed.

Everything that could stop the write (no Pulumi CLI, no such stack, an app
the stack does not know) is checked before the account holder is sent to X:
a pair approved and then thrown away is worse than no flow at all.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
from datetime import UTC, date, datetime
from typing import Any, TextIO

from twitter_runtime.access_level import access_level_mismatch
from twitter_runtime.credentials import TwitterCredentials
from twitter_runtime.errors import CredentialsUnavailableError
from twitter_runtime.keys import ACCESS_LEVELS
from twitter_runtime.loader import load_credentials
from twitter_runtime.xapi import XApiClient, XApiError, XAuthenticationError

from .api_host import api_base_url
from .help_text import plain
from .regions import default_factory, region_of

CONFIG_PATH = 'twitter-secrets:credentials["{app}"].{field}'


def issued_at_path(label: str) -> str:
    """Where the stack file keeps the new pair's date: the app's, or its account's."""
    project, app, *account = label.split("/")
    where = f"twitter-secrets:projects.{project}.apps.{app}"
    return f"{where}.accounts.{account[0]}.issued_at" if account else f"{where}.issued_at"


def write_issued_at(pulumi: str, stack: str, label: str, day: date, err: TextIO) -> int:
    """The pair is new today: rotation is due counted from today, not from the old pair's date.

    A date is no secret, so it may go on the command line, as plain config beside the app's settings.
    """
    done = subprocess.run(
        [pulumi, "config", "set", "--path", issued_at_path(label), day.isoformat(), "--stack", stack],
        text=True,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        print(
            f"authorize: the pair is stored, but setting {issued_at_path(label)} failed "
            f"(exit {done.returncode}): {done.stderr.strip()}; set it to {day.isoformat()} yourself",
            file=err,
        )
        return 1
    return 0


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "authorize", help="get a new Access Token pair with the PIN flow", description=plain(__doc__)
    )
    parser.add_argument(
        "--app",
        required=True,
        help="project/app whose API Key pair to use (and to write to); project/app/account for one of an "
        "app's several accounts",
    )
    parser.add_argument(
        "--secret-arn", help="read the API Key pair from this secret (else from the environment)"
    )
    parser.add_argument(
        "--stack", required=True, help="write the new pair into this stack's config (needs the Pulumi CLI)"
    )
    parser.add_argument(
        "--api-base-url", default=None, help="X API host (default $X_API_BASE_URL or https://api.x.com)"
    )


def consumer_pair(args: argparse.Namespace, secrets: Any) -> tuple[str, str]:
    """The API Key pair: from the secret (read in the region its ARN names), else the environment."""
    if args.secret_arn:
        client = secrets or default_factory("secretsmanager", region_of(args.secret_arn))
        creds = load_credentials(args.secret_arn, client=client, max_age_seconds=0)
        return creds.consumer_key, creds.consumer_secret
    key, secret = os.environ.get("TWITTER_CONSUMER_KEY"), os.environ.get("TWITTER_CONSUMER_SECRET")
    if not key or not secret:
        raise ValueError("give --secret-arn, or set TWITTER_CONSUMER_KEY and TWITTER_CONSUMER_SECRET")
    return key, secret


def preflight(stack: str, app: str) -> tuple[str, str | None, str | None]:
    """The Pulumi CLI's path, why the pair could not be stored (None when it can), and the
    access_level the stack declares for it (None when it declares none)."""
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        return "", "the Pulumi CLI is not on PATH (install it from pulumi.com); nothing was written", None
    done = subprocess.run(
        [pulumi, "config", "--json", "--stack", stack], text=True, capture_output=True, check=False
    )
    if done.returncode != 0:
        return (
            pulumi,
            f"cannot read the config of stack {stack} (`pulumi config` said: {done.stderr.strip()[-300:]}); "
            "run from the project's folder with an existing stack, e.g. `pulumi stack init` first",
            None,
        )
    try:
        config = json.loads(done.stdout)
        projects = config.get("twitter-secrets:projects", {}).get("objectValue") or {}
        defaults = (config.get("twitter-secrets:defaults") or {}).get("objectValue") or {}
        project, name, *account = app.split("/", 2)
        spec = ((projects.get(project) or {}).get("apps") or {}).get(name)
        accounts = spec.get("accounts") if isinstance(spec, dict) else None
    except (ValueError, AttributeError):
        spec = accounts = account = None
        defaults = {}
    if not isinstance(spec, dict):
        where = "/".join(app.split("/")[:2])
        return (
            pulumi,
            f"stack {stack} has no app {where} in twitter-secrets:projects; add it there first",
            None,
        )
    # An app with accounts takes a new pair per account; one without, for itself.
    if not account and isinstance(accounts, dict):
        return (
            pulumi,
            f"app {app} of stack {stack} has several accounts ({', '.join(sorted(accounts))}): give "
            f"--app {app}/<account>",
            None,
        )
    if account and account[0] not in (accounts if isinstance(accounts, dict) else {}):
        return (
            pulumi,
            f"stack {stack} has no account {app} in twitter-secrets:projects; add it under the app's accounts first",
            None,
        )
    # The level the program will store: the account's, else the app's, else the stack's default.
    layers = [
        accounts[account[0]] if account else None,
        spec,
        defaults if isinstance(defaults, dict) else None,
    ]
    level = next(
        (layer["access_level"] for layer in layers if isinstance(layer, dict) and "access_level" in layer),
        None,
    )
    if level is not None and level not in ACCESS_LEVELS:
        return (
            pulumi,
            f"{app}: access_level in stack {stack} must be one of {', '.join(ACCESS_LEVELS)}; fix it before "
            "getting a token to compare with it",
            None,
        )
    return pulumi, None, level


def write_config(pulumi: str, stack: str, app: str, values: dict[str, str], err: TextIO) -> int:
    for field, value in values.items():
        done = subprocess.run(
            [
                pulumi,
                "config",
                "set",
                "--secret",
                "--path",
                CONFIG_PATH.format(app=app, field=field),
                "--stack",
                stack,
            ],
            input=value,
            text=True,
            capture_output=True,
        )
        if done.returncode != 0:
            partial = (
                " The stack now holds the new access_token with the old secret: run authorize again."
                if (field == "access_token_secret")
                else ""
            )
            print(
                f"authorize: `pulumi config set` failed for {field} (exit {done.returncode}): "
                f"{done.stderr.strip()[-300:]}{partial}",
                file=err,
            )
            return 1
    return 0


def run(
    args: argparse.Namespace, out: TextIO, err: TextIO, *, secrets: Any = None, read_pin: Any = input
) -> int:
    if args.app.count("/") not in (1, 2):
        print("authorize: --app must be project/app or project/app/account", file=err)
        return 2
    try:
        base_url = api_base_url(args.api_base_url)  # before the stack or the secret is read
    except ValueError as error:
        print(f"authorize: {error}", file=err)
        return 2
    pulumi, problem, declared = preflight(args.stack, args.app)
    if problem is not None:
        print(f"authorize: {problem}", file=err)
        return 2
    try:
        key, secret = consumer_pair(args, secrets)
    except (ValueError, CredentialsUnavailableError) as error:
        print(f"authorize: {error}", file=err)
        return 2
    x = XApiClient(base_url)
    try:
        request = x.request_token(key, secret)
        print(
            "Open this URL signed in as the account the app should act for, approve, and enter the PIN:",
            file=out,
        )
        print(x.authorize_url(request), file=out, flush=True)
        pin = read_pin("PIN: ")
        grant = x.access_token(key, secret, request, pin)
    except XAuthenticationError as error:
        if "access_token" in str(error):
            print(
                "authorize: X refused the PIN (mistyped, or more than a few minutes old); start again",
                file=err,
            )
        else:
            print(f"authorize: {error}", file=err)
        return 1
    except XApiError as error:
        print(f"authorize: {error}", file=err)
        return 1
    except EOFError:
        print("authorize: no PIN given", file=err)
        return 2
    print(f"Authorized @{grant.screen_name} (user id {grant.user_id}).", file=out)
    status = write_config(
        pulumi,
        args.stack,
        args.app,
        {"access_token": grant.access_token, "access_token_secret": grant.access_token_secret},
        err,
    )
    if status != 0:
        return status
    today = datetime.now(UTC).date()
    status = write_issued_at(pulumi, args.stack, args.app, today, err)
    if status != 0:
        return status
    print(
        f"Stored as secret config of stack {args.stack} for {args.app}, with issued_at {today.isoformat()} "
        "(rotation is due counted from today); run `pulumi up` to deploy it.",
        file=out,
    )
    print(
        "issued_at dates the whole secret, the API Key pair in it too: if that pair is older than today, "
        "regenerate it as well, or its age is no longer tracked.",
        file=out,
    )
    # Only once the pair is stored: nothing here may cost the account holder's approval.
    mismatch = _level_check(x, args.app, key, secret, grant, declared, out)
    if mismatch:
        print(f"authorize: {mismatch}", file=err)
        return 1
    return 0


def _level_check(
    x: XApiClient, app: str, key: str, secret: str, grant: Any, declared: str | None, out: TextIO
) -> str | None:
    """Which permission X gave the new token; the mismatch with the stack's access_level, if any."""
    creds = TwitterCredentials(
        consumer_key=key,
        consumer_secret=secret,
        access_token=grant.access_token,
        access_token_secret=grant.access_token_secret,
    )
    try:
        reported = x.reported_access_level(creds, x.verify_user_context(creds))
    except XApiError as error:
        print(f"Could not ask X for the new token's access level (the pair is stored): {error}", file=out)
        return None
    print(f"X reports {reported or 'no'} access for the new token.", file=out)
    return access_level_mismatch(app, declared, reported) if declared else None
