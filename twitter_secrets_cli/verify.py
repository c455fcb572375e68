"""``verify``: does X still accept the keys stored in these secrets?

Reads each secret through the runtime loader (this command, unlike ``audit``,
does read keys) and runs the user-context and app checks; a secret that
declares access_level must hold a token X reports at that level. On a rate limit it
reports the reset time and moves on instead of retrying.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import asdict, dataclass
from typing import Any, TextIO

import boto3
from botocore.exceptions import BotoCoreError

from twitter_runtime.errors import CredentialsUnavailableError, is_secret_id
from twitter_runtime.loader import NO_AWS_CREDENTIALS, aws_unreachable_reason, load_credentials
from twitter_runtime.xapi import XApiClient, XApiError, XRateLimitedError, XUsageCapError

from .api_host import api_base_url
from .help_text import plain
from .regions import ClientFactory, RegionalClients

_SECRET_ARN = re.compile(r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+")


@dataclass
class Verdict:
    app: str
    arn: str
    user_id: str = ""
    username: str = ""
    access_level: str = ""
    result: str = ""
    ok: bool = False


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "verify", help="check with X that the stored keys still work", description=plain(__doc__)
    )
    parser.add_argument("arns", nargs="*", help="secret ARNs to check")
    parser.add_argument(
        "--stack-outputs",
        help="a file with what pulumi stack output --json prints: check every app in secretArns",
    )
    parser.add_argument(
        "--api-base-url", default=None, help="X API host (default $X_API_BASE_URL or https://api.x.com)"
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")


def _as_given(argument: str, position: int) -> str:
    """The argument as typed when it is a secret name; by position when it could be a key or a value."""
    return repr(argument) if is_secret_id(argument) else f"argument #{position}"


def targets(args: argparse.Namespace) -> list[tuple[str, str]]:
    not_arns = [
        _as_given(arn, i) for i, arn in enumerate(args.arns, start=1) if not _SECRET_ARN.fullmatch(arn)
    ]
    if not_arns:
        raise ValueError(
            f"{', '.join(not_arns)} is not a Secrets Manager ARN (arn:aws:secretsmanager:<region>:<account>:"
            "secret:<name>); give the ARNs from secretArns, or --stack-outputs"
        )
    # A secret named twitter/<env>/<project>/<app>-XXXXXX is shown as project/app.
    found = [
        ("/".join(arn.split(":secret:")[-1].rsplit("-", 1)[0].split("/")[-2:]), arn) for arn in args.arns
    ]
    if args.stack_outputs:
        with open(args.stack_outputs) as handle:
            outputs = json.load(handle)
        arns = outputs.get("secretArns") if isinstance(outputs, dict) else None
        if not isinstance(arns, dict):
            raise ValueError(f"{args.stack_outputs} has no secretArns output")
        found += sorted(output_arns(args.stack_outputs, arns).items())
    return found


def output_arns(path: str, arns: dict[str, Any]) -> dict[str, str]:
    """secretArns as label → ARN; a value that is not an ARN (a number, a list, a key pasted by mistake)
    is refused by its label, or by position when the label could be a key, never by its value."""
    for position, (label, arn) in enumerate(arns.items(), start=1):
        if not (isinstance(arn, str) and _SECRET_ARN.fullmatch(arn)):
            named = f"secretArns[{label!r}]" if is_secret_id(label) else f"secretArns entry #{position}"
            raise ValueError(
                f"{path}: {named} is not a Secrets Manager ARN; pass what `pulumi stack output --json` prints"
            )
    return arns


def _label_from_tags(secrets: RegionalClients, arn: str) -> str | None:
    """project/app (or project/app/account) from the secret's own tags: a name alone cannot tell
    a multi-part name prefix from an account."""
    from botocore.exceptions import ClientError

    try:
        described = secrets.for_arn("secretsmanager", arn).describe_secret(SecretId=arn)
    except (ClientError, BotoCoreError):
        return None  # the read that follows reports why
    tags = {t["Key"]: t["Value"] for t in described.get("Tags", [])}
    if not (tags.get("twitter:project") and tags.get("twitter:app")):
        return None
    parts = [tags["twitter:project"], tags["twitter:app"], tags.get("twitter:account")]
    return "/".join(p for p in parts if p)


def check(app: str, arn: str, x: XApiClient, secrets: RegionalClients) -> tuple[Verdict, str | None]:
    """The app's verdict, and why to stop asking X for the rest (a rate limit, the monthly cap), if so."""
    verdict = Verdict(app=app, arn=arn)
    try:
        creds = load_credentials(arn, client=secrets.for_arn("secretsmanager", arn), max_age_seconds=0)
        user = x.verify_keys(app, creds)
    except XRateLimitedError as error:
        when = error.reset_at.isoformat() if error.reset_at else "the reset time X gives"
        verdict.result = f"not checked: rate limited until {when}"
        return verdict, f"rate limited until {when}"
    except XUsageCapError as error:
        verdict.result = str(error)
        return verdict, f"the monthly usage cap is used up (see {app})"
    except (XApiError, CredentialsUnavailableError) as error:
        verdict.result = str(error)
        return verdict, None
    except BotoCoreError as error:
        verdict.result = f"cannot read the secret: {aws_unreachable_reason(error)}"
        return verdict, None
    verdict.user_id, verdict.username, verdict.access_level = user.id, user.username, user.access_level
    verdict.result, verdict.ok = "ok", True
    return verdict, None


def run(args: argparse.Namespace, out: TextIO, err: TextIO, *, clients: ClientFactory | None = None) -> int:
    try:
        base_url = api_base_url(args.api_base_url)  # before anything is read: the keys go there
        todo = targets(args)
    except (OSError, ValueError) as error:
        print(f"verify: {error}", file=err)
        return 2
    if not todo:
        print("verify: give secret ARNs or --stack-outputs", file=err)
        return 2
    from botocore.exceptions import BotoCoreError

    secrets = RegionalClients(clients)
    try:
        secrets.prepare("secretsmanager", [arn for _, arn in todo])
    except BotoCoreError as error:
        print(f"verify: cannot reach Secrets Manager: {aws_unreachable_reason(error)}", file=err)
        return 2
    if clients is None and boto3.session.Session().get_credentials() is None:
        # Before anything is read: one line that says how to give credentials, not one failure per app.
        print(f"verify: {NO_AWS_CREDENTIALS}", file=err)
        return 2
    given = set(args.arns)
    todo = [(_label_from_tags(secrets, arn) or app if arn in given else app, arn) for app, arn in todo]
    x = XApiClient(base_url)
    verdicts: list[Verdict] = []
    stopped: str | None = None
    for app, arn in todo:
        if stopped is not None:
            # X said stop (a rate limit, the monthly cap): asking again now would only spend more of it.
            verdicts.append(Verdict(app=app, arn=arn, result=f"not checked: {stopped}"))
            continue
        verdict, stopped = check(app, arn, x, secrets)
        verdicts.append(verdict)
    if args.format == "json":
        print(json.dumps([asdict(v) for v in verdicts], indent=2), file=out)
    else:
        columns = ("app", "user_id", "username", "access_level", "result")
        rows = [[str(getattr(v, c)) for c in columns] for v in verdicts]
        widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns[:-1])]
        print("  ".join(c.ljust(w) for c, w in zip(columns, [*widths, 0], strict=True)).rstrip(), file=out)
        for row in rows:
            print("  ".join(v.ljust(w) for v, w in zip(row, [*widths, 0], strict=True)).rstrip(), file=out)
    return 0 if all(v.ok for v in verdicts) else 1
