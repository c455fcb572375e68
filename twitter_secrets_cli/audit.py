"""``audit``: rotation status from stack outputs, and (``--live``) drift in Secrets Manager.

Reads ``pulumi stack output --json`` (a file or ``-`` for stdin), or several
stacks' outputs as one JSON object of stack name → outputs. ``--live`` makes
one DescribeSecret per secret (never GetSecretValue: an audit never reads a
key), with bounded concurrency.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TextIO

from .help_text import plain
from .regions import ClientFactory, RegionalClients, region_of
from .rotation_audit import bearer_drift

STATUS_ORDER = {"overdue": 0, "drift": 1, "due-soon": 2, "unused": 3, "ok": 4}
DEFAULT_UNUSED_DAYS = 90
LIVE_WORKERS = 16
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadInputError(Exception):
    """Exit 2."""


@dataclass
class AppStatus:
    app: str
    stack: str
    environment: str
    owner: str
    tier: str
    issued_at: str
    due_at: str
    days_left: int
    status: str
    fingerprint: str
    arn: str
    drift: list[str] = field(default_factory=list)
    #: With --live: what may need a person's look but is not drift (does not fail the audit).
    notes: list[str] = field(default_factory=list)
    #: With --live: the day Secrets Manager last saw the value read (None: never), and how old
    #: the AWSCURRENT value is, in days.
    last_read: str | None = None
    value_age_days: int | None = None
    #: The stack output entry it was read from (for --live); not part of the report.
    entry: dict[str, Any] = field(default_factory=dict, repr=False)


def _days(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of days (0 or more)")
    return int(text)


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "audit", help="rotation status (and drift with --live) from stack outputs", description=plain(__doc__)
    )
    parser.add_argument("outputs", help="a file with what pulumi stack output --json prints, or - for stdin")
    parser.add_argument("--as-of", help="today, as YYYY-MM-DD (default: the real today)")
    parser.add_argument(
        "--warn-days", type=_days, default=14, help="due-soon within this many days (default 14)"
    )
    parser.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    parser.add_argument("--live", action="store_true", help="check each secret in Secrets Manager for drift")
    parser.add_argument(
        "--unused-days",
        type=_days,
        default=DEFAULT_UNUSED_DAYS,
        help=f"with --live: 'unused' when nobody read the value for this many days (default {DEFAULT_UNUSED_DAYS})",
    )


def _date(value: Any, app: str, field_name: str) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise BadInputError(f"{app}: {field_name} is not a YYYY-MM-DD date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInputError(f"{app}: {field_name} is not a real calendar date") from None


def stacks_of(document: Any) -> dict[str, dict[str, Any]]:
    """One stack's outputs, or a map of stack name → outputs."""
    if isinstance(document, dict) and "twitterApps" in document:
        return {"": document}
    if (
        isinstance(document, dict)
        and document
        and all(isinstance(v, dict) and "twitterApps" in v for v in document.values())
    ):
        return document
    raise BadInputError(
        "no twitterApps output found: pass `pulumi stack output --json` of a twitter-secrets stack, "
        "or an object of stack name → such outputs"
    )


def statuses(document: Any, as_of: date, warn_days: int) -> list[AppStatus]:
    found = []
    for stack, outputs in stacks_of(document).items():
        apps = outputs["twitterApps"]
        if not isinstance(apps, dict):
            hint = (
                " (it shows as [secret]: these outputs are not from twitter-secrets)"
                if apps == "[secret]"
                else ""
            )
            raise BadInputError(
                f"{stack or 'stack'}: twitterApps is not an object of project/app entries{hint}"
            )
        for label, entry in apps.items():
            name = f"{stack}:{label}" if stack else label
            if not isinstance(entry, dict):
                raise BadInputError(f"{name}: entry is not an object")
            if not isinstance(entry.get("arn"), str) or not entry["arn"].startswith("arn:"):
                raise BadInputError(f"{name}: arn is missing or not an ARN")
            bearer = entry.get("bearerSecretArn")
            if bearer is not None and not (isinstance(bearer, str) and bearer.startswith("arn:")):
                raise BadInputError(f"{name}: bearerSecretArn is not an ARN")
            issued = _date(entry.get("issuedAt"), name, "issuedAt")
            due = _date(entry.get("rotationDueAt"), name, "rotationDueAt")
            days_left = (due - as_of).days
            status = "overdue" if days_left < 0 else "due-soon" if days_left <= warn_days else "ok"
            found.append(
                AppStatus(
                    app=label,
                    stack=stack,
                    environment=str(entry.get("environment", "")),
                    owner=str(entry.get("owner", "")),
                    tier=str(entry.get("accessTier", "")),
                    issued_at=issued.isoformat(),
                    due_at=due.isoformat(),
                    days_left=days_left,
                    status=status,
                    fingerprint=str(entry.get("fingerprint", "")),
                    arn=str(entry.get("arn", "")),
                    entry=entry,
                )
            )
    return found


def describe(client: Any, arn: str) -> tuple[dict[str, Any] | None, str | None]:
    """DescribeSecret, plus the versions' creation dates (one ListSecretVersionIds): never a value."""
    from botocore.exceptions import ClientError

    try:
        described = client.describe_secret(SecretId=arn)
        versions = client.list_secret_version_ids(SecretId=arn).get("Versions", [])
        described["_created"] = {v["VersionId"]: v.get("CreatedDate") for v in versions}
        return described, None
    except ClientError as error:
        return None, error.response.get("Error", {}).get("Code", "Unknown")


def _day(value: Any) -> date | None:
    return value.date() if isinstance(value, datetime) else None


def usage(status: AppStatus, described: dict[str, Any] | None, today: date, unused_days: int) -> list[str]:
    """Who still reads the key, how old the value is, and whether Pulumi wrote it.

    Secrets Manager keeps the last day a value was read (``LastAccessedDate``); a value
    nobody read for ``unused_days`` is a candidate for deletion. A value whose AWSCURRENT
    version is not the one the stack wrote was changed outside Pulumi.
    """
    if described is None:
        return []
    problems = []
    read = _day(described.get("LastAccessedDate"))
    status.last_read = read.isoformat() if read else None
    current = next((v for v, s in described.get("VersionIdsToStages", {}).items() if "AWSCURRENT" in s), None)
    created = _day(described.get("_created", {}).get(current))
    if created is not None:
        status.value_age_days = (today - created).days
    recorded = status.entry.get("versionId")
    if recorded and current and current != recorded:
        problems.append(
            "the value was changed outside Pulumi: AWSCURRENT is not the version the stack wrote "
            f"(written {created.isoformat() if created else 'on an unknown day'})"
        )
    status.notes += stale_issued_at(status.issued_at, described)
    since = read or _day(described.get("CreatedDate"))
    if since is not None and (today - since).days >= unused_days and status.status in ("ok", "due-soon"):
        status.status = "unused"
    return problems


def stale_issued_at(issued_at: str, described: dict[str, Any]) -> list[str]:
    """Maybe new keys deployed without a new issued_at: the due date would count from the old keys' day.

    The first value is always written after the keys were issued, so that alone says nothing.
    When AWSCURRENT replaced a value that was itself written on or after issued_at, the value
    changed since: new keys, or only another field (access_level, the OAuth 2.0 client). The
    audit reads no value, so it cannot tell which: a note for a person, not drift.
    """
    stages = described.get("VersionIdsToStages", {})
    created = described.get("_created", {})
    current = next((v for v, s in stages.items() if "AWSCURRENT" in s), None)
    previous = next((v for v, s in stages.items() if "AWSPREVIOUS" in s), None)
    now_day, before_day = _day(created.get(current)), _day(created.get(previous))
    issued = date.fromisoformat(issued_at)
    if now_day is None or before_day is None or before_day < issued or now_day <= issued:
        return []
    return [
        f"the value was replaced on {now_day.isoformat()}, after issued_at {issued_at}: if that was new "
        f"keys, set issued_at to the day they were regenerated (on or before {now_day.isoformat()}) so "
        "rotation is due counted from it"
    ]


def drift(
    entry: dict[str, Any],
    described: dict[str, Any] | None,
    error: str | None,
    same_key: Any = lambda declared, actual: declared == actual,
    *,
    label: str = "<project/app>",
    stack: str = "<stack>",
) -> list[str]:
    """What differs between the stack's word and Secrets Manager's."""
    if described is None:
        return [
            "secret is missing"
            if error == "ResourceNotFoundException"
            else f"cannot describe the secret ({error})"
        ]
    problems = []
    if described.get("DeletedDate"):
        problems.append("secret is scheduled for deletion")
    tags = {t["Key"]: t["Value"] for t in described.get("Tags", [])}
    if entry.get("keySource") == "put":
        problems += put_drift(tags, described, label=label, stack=stack or "<stack>")
    else:
        if tags.get("credentials:fingerprint") != entry.get("fingerprint"):
            problems.append("fingerprint tag differs from the stack output (value changed outside Pulumi?)")
        if not any("AWSCURRENT" in stages for stages in described.get("VersionIdsToStages", {}).values()):
            problems.append("no AWSCURRENT version")
    declared_key = entry.get("kmsKeyId")
    if declared_key:
        same = same_key(declared_key, described.get("KmsKeyId"))
        if same is None:
            problems.append("cannot compare the KMS key (DescribeKey failed: no access, or no such key)")
        elif not same:
            problems.append("KMS key differs from the one declared")
    return problems


def current_fingerprint(described: dict[str, Any]) -> str | None:
    from .put import fingerprint_of_version

    stages = described.get("VersionIdsToStages", {})
    return fingerprint_of_version(next((v for v, s in stages.items() if "AWSCURRENT" in s), None))


def put_drift(tags: dict[str, str], described: dict[str, Any], *, label: str, stack: str) -> list[str]:
    """A key_source put secret: its value is `put`'s to write, and must have been written."""
    from .put import KEY_SOURCE_TAG, fingerprint_of_version

    if tags.get(KEY_SOURCE_TAG) != "put":
        return [
            f"the stack says twitter-secrets put writes this value, but the secret's {KEY_SOURCE_TAG} tag does not"
        ]
    current = next((v for v, s in described.get("VersionIdsToStages", {}).items() if "AWSCURRENT" in s), None)
    if current is None:
        return [f"no keys yet: write them with twitter-secrets put --stack {stack} --app {label}"]
    if fingerprint_of_version(current) is None:
        return ["AWSCURRENT was not written by twitter-secrets put (changed outside it?)"]
    return []


class KeyResolver:
    """Compares KMS key references (alias, id, ARN) by the key they name: one DescribeKey per
    distinct reference and region, and only when the two spellings differ."""

    def __init__(self, kms: Any) -> None:
        #: A KMS client, or a function of the region giving one (aliases are per region).
        self.kms = kms if callable(kms) and not hasattr(kms, "describe_key") else (lambda _region: kms)
        self.arns: dict[tuple[str | None, str], str | None] = {}

    def arn(self, reference: str, region: str | None = None) -> str | None:
        if (region, reference) not in self.arns:
            from botocore.exceptions import BotoCoreError, ClientError

            try:
                described = self.kms(region).describe_key(KeyId=reference)
                self.arns[(region, reference)] = described["KeyMetadata"]["Arn"]
            except (ClientError, BotoCoreError):
                self.arns[(region, reference)] = None
        return self.arns[(region, reference)]

    def same(self, declared: str, actual: str | None, region: str | None = None) -> bool | None:
        """True or False, or None when a reference cannot be resolved (no access, no such key)."""
        if declared == actual:
            return True
        if actual is None:
            # AWS's default key: no KmsKeyId shown. Named by its alias or the alias's ARN.
            return declared == "alias/aws/secretsmanager" or declared.endswith(":alias/aws/secretsmanager")
        declared_arn, actual_arn = self.arn(declared, region), self.arn(actual, region)
        if declared_arn is None or actual_arn is None:
            return None
        return declared_arn == actual_arn


def check_live(
    found: list[AppStatus],
    clients: RegionalClients,
    now: datetime,
    *,
    kms: bool = False,
    unused_days: int = DEFAULT_UNUSED_DAYS,
    today: date | None = None,
) -> None:
    """One DescribeSecret per secret (and per bearer secret), 16 at a time, each in its own region."""
    arns = [s.arn for s in found] + [
        s.entry["bearerSecretArn"] for s in found if s.entry.get("bearerSecretArn")
    ]
    clients.prepare("secretsmanager", arns)
    if kms:
        clients.prepare("kms", arns)
    with ThreadPoolExecutor(max_workers=LIVE_WORKERS) as pool:
        answers = dict(
            zip(
                arns,
                pool.map(lambda arn: describe(clients.for_arn("secretsmanager", arn), arn), arns),
                strict=True,
            )
        )
    resolver = KeyResolver(lambda region: clients.get("kms", region)) if kms else None
    for status in found:
        entry = status.entry
        region = region_of(status.arn)
        same_key = (
            (lambda declared, actual, r=region: resolver.same(declared, actual, r))
            if resolver
            else (lambda declared, actual: declared == actual)
        )
        status.drift = drift(
            entry, *answers[status.arn], same_key=same_key, label=status.app, stack=status.stack
        )
        if entry.get("keySource") == "put" and answers[status.arn][0] is not None:
            # Not in the stack's outputs (Pulumi never sees these keys): the version `put` named for it.
            status.fingerprint = current_fingerprint(answers[status.arn][0]) or ""
        status.drift += usage(status, answers[status.arn][0], today or now.date(), unused_days)
        if entry.get("bearerSecretArn"):
            status.drift += bearer_drift(*answers[entry["bearerSecretArn"]], now)
        if status.drift and status.status != "overdue":
            status.status = "drift"


def render(found: list[AppStatus], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        print(
            json.dumps([{k: v for k, v in asdict(s).items() if k != "entry"} for s in found], indent=2),
            file=out,
        )
        return
    columns = (
        "app",
        "environment",
        "owner",
        "tier",
        "issued_at",
        "due_at",
        "days_left",
        "status",
        "fingerprint",
        "arn",
    )
    if any(s.last_read is not None or s.value_age_days is not None for s in found):
        columns = (*columns[:-1], "last_read", "value_age_days", columns[-1])
    if any(s.stack for s in found):
        columns = ("stack", *columns)
    rows = [[str(getattr(s, c)) for c in columns] for s in found]
    if fmt == "markdown":
        print("| " + " | ".join(columns) + " |", file=out)
        print("|" + "---|" * len(columns), file=out)
        for row, s in zip(rows, found, strict=True):
            print("| " + " | ".join(row) + " |", file=out)
            for problem in s.drift:
                print(f"|  | drift: {problem} |" + " |" * (len(columns) - 2), file=out)
            for note in s.notes:
                print(f"|  | note: {note} |" + " |" * (len(columns) - 2), file=out)
        return
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)), file=out)
    for row, s in zip(rows, found, strict=True):
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)), file=out)
        for problem in s.drift:
            print(f"    drift: {problem}", file=out)
        for note in s.notes:
            print(f"    note: {note}", file=out)


def run(args: argparse.Namespace, out: TextIO, err: TextIO, *, clients: ClientFactory | None = None) -> int:
    try:
        text = sys.stdin.read() if args.outputs == "-" else open(args.outputs).read()
    except OSError as error:
        print(f"audit: cannot read {args.outputs}: {error.strerror}", file=err)
        return 2
    except UnicodeDecodeError:
        print(f"audit: {args.outputs} is not UTF-8 text", file=err)
        return 2
    return run_text(text, args, out, err, clients=clients)


def clock(as_of: date | None, now: datetime | None = None) -> datetime:
    """The moment the live checks count from: now, or now moved to the day ``--as-of`` names, so an
    audit "as of" a later day sees the rotations that will be late by then."""
    now = now or datetime.now(UTC)
    return now if as_of is None else now + (as_of - now.date())


def run_text(
    text: str,
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    *,
    clients: ClientFactory | None = None,
    now: datetime | None = None,
) -> int:
    """The audit of outputs already read (``local`` passes them in); ``now`` is for tests."""
    try:
        document = json.loads(text)
        given = _date(args.as_of, "--as-of", "date") if args.as_of else None
        moment = clock(given, now)
        as_of = moment.date()
        found = statuses(document, as_of, args.warn_days)
    except ValueError as error:
        message = str(error) if isinstance(error, BadInputError) else "the input is not JSON"
        print(f"audit: {message}", file=err)
        return 2
    except BadInputError as error:
        print(f"audit: {error}", file=err)
        return 2
    if args.live:
        from botocore.exceptions import BotoCoreError

        needs_kms = any(s.entry.get("kmsKeyId") for s in found)
        try:
            check_live(
                found,
                RegionalClients(clients),
                moment,
                kms=needs_kms,
                unused_days=args.unused_days,
                today=as_of,  # --as-of makes the usage columns reproducible too
            )
        except BotoCoreError as error:
            print(f"audit: cannot reach Secrets Manager: {error}", file=err)
            return 2
    found.sort(key=lambda s: (STATUS_ORDER[s.status], s.days_left, s.stack, s.app))
    if not found:
        print("audit: twitterApps has no apps; nothing to audit", file=out)
        return 0
    render(found, args.format, out)
    return 1 if any(s.status in ("overdue", "drift") for s in found) else 0
