"""Validation of everything about an app except its keys.

Plain functions over plain values: names, dates, tiers and tags are checked
before the component registers anything, so a typo in config fails the
program with nothing written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pulumi import Output

from twitter_runtime.errors import InvalidInputError, prefixed
from twitter_runtime.keys import CREDENTIAL_FIELDS, OAUTH2_CLIENT_FIELDS, access_level_problem

from .policies import principal_problems, value_kind

ACCESS_TIERS: tuple[str, ...] = (
    "free",
    "basic",
    "essential",
    "elevated",
    "pro",
    "premium",
    "enterprise",
)

DEFAULT_ROTATION_INTERVAL_DAYS = 90
DEFAULT_RECOVERY_WINDOW_DAYS = 30
DEFAULT_NAME_PREFIX = "twitter"
DEFAULT_X_API_BASE_URL = "https://api.x.com"

#: Every argument the component takes. Unknown ones are rejected so that a
#: misspelt option is never silently ignored.
REQUIRED_ARGS: tuple[str, ...] = ("project", "app", *CREDENTIAL_FIELDS, "owner", "issued_at")
OPTIONAL_ARGS: tuple[str, ...] = (
    "rotation_interval_days",
    "app_id",
    "access_tier",
    "use_case",
    "environment",
    "name_prefix",
    "kms_key_id",
    "recovery_window_in_days",
    "force_delete",
    "replica_regions",
    "tags",
    "write_only",
    "read_policy",
    "readers",
    "deny_other_readers",
    "admin_principals",
    "verify",
    "x_api_base_url",
    "bearer_rotation_days",
    "bearer_rotation_schedule",
    "credentials",
    "account",
    "access_level",
    *OAUTH2_CLIENT_FIELDS,
)
ALL_ARGS: tuple[str, ...] = REQUIRED_ARGS + OPTIONAL_ARGS

#: Tag keys the component owns. Users may add tags but never override these,
#: since audits and the rotation tooling trust them.
RESERVED_TAG_KEYS: frozenset[str] = frozenset({"owner", "managed-by"})
RESERVED_TAG_PREFIXES: tuple[str, ...] = ("twitter:", "rotation:", "credentials:", "aws:")

SECRET_NAME_MAX = 256
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
# AWS allows 50 tags on a secret; the component uses up to 12 itself.
MAX_USER_TAGS = 50 - 12

_SEGMENT = re.compile(r"[A-Za-z0-9_+=.@-]+")
_PREFIX = re.compile(r"[A-Za-z0-9_+=.@-]+(/[A-Za-z0-9_+=.@-]+)*")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_APP_ID = re.compile(r"[0-9]{1,20}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]")
_KMS_KEY = re.compile(
    r"arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)"
    r"|alias/[A-Za-z0-9/_-]+"
    r"|(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)
# AWS tag rules: letters (any script), digits, spaces and _ . : / = + - @
_BASE_URL = re.compile(r"(https?)://([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?/?")
_LOOPBACK = re.compile(r"127(\.[0-9]{1,3}){3}|localhost")
#: The bearer secret of an app is ``<app's name>/bearer``: no account may take that name.
RESERVED_ACCOUNT_NAMES = frozenset({"bearer"})
#: AWS's limit for a rotation schedule expression.
SCHEDULE_EXPRESSION_MAX = 256
_TAG_TEXT = re.compile(r"[\w .:/=+\-@]*")


@dataclass(frozen=True)
class AppSettings:
    """The validated, normalized non-secret settings of one app."""

    project: str
    app: str
    owner: str
    issued_at: date
    environment: str
    rotation_interval_days: int = DEFAULT_ROTATION_INTERVAL_DAYS
    app_id: str | None = None
    access_tier: str | None = None
    use_case: str | None = None
    name_prefix: str = DEFAULT_NAME_PREFIX
    # A plain string (validated) or a pulumi Output (e.g. a Key's arn).
    kms_key_id: Any = None
    recovery_window_in_days: int = DEFAULT_RECOVERY_WINDOW_DAYS
    force_delete: bool = False
    replica_regions: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    write_only: bool = False
    read_policy: bool = True
    # Principal ARNs: plain strings (validated) or pulumi Outputs (checked on resolve).
    readers: tuple[Any, ...] = ()
    deny_other_readers: bool = False
    admin_principals: tuple[Any, ...] = ()
    verify: bool = False
    x_api_base_url: str = DEFAULT_X_API_BASE_URL
    # None (off), days between rotations, or a rate()/cron() expression.
    bearer_rotation: int | str | None = None
    #: One of several user accounts of the App (its own Access Token pair, its own secret).
    account: str | None = None
    #: The permission level the Access Token was issued with (X's x-access-level), when declared.
    access_level: str | None = None

    @property
    def app_label(self) -> str:
        return f"{self.project}/{self.app}"

    @property
    def label(self) -> str:
        """How errors, outputs and the CLI refer to the secret: project/app, or project/app/account."""
        return self.app_label if self.account is None else f"{self.app_label}/{self.account}"

    @property
    def app_secret_name(self) -> str:
        """The App's own name: its secret's, or with several accounts the parent of theirs (and of its bearer)."""
        return f"{self.name_prefix}/{self.environment}/{self.project}/{self.app}"

    @property
    def secret_name(self) -> str:
        return self.app_secret_name if self.account is None else f"{self.app_secret_name}/{self.account}"

    @property
    def rotation_due_at(self) -> date:
        return self.issued_at + timedelta(days=self.rotation_interval_days)


def _check_segment(problems: list[str], name: str, value: object) -> str | None:
    if not isinstance(value, str) or not value:
        problems.append(f"{name} is required and must be a non-empty string")
        return None
    if not _SEGMENT.fullmatch(value):
        problems.append(
            f"{name} may only contain letters, digits and _+=.@- (it becomes part of the "
            "Secrets Manager name); use a slug such as 'brand-monitoring'"
        )
        return None
    return value


def whole_number(value: object) -> int | None:
    """An int, or a float with nothing after the point: YAML and TypeScript programs send 30 as 30.0.

    ``True`` is not 1 and ``30.5`` is not 30: both are ``None``, for the caller to refuse by name.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _check_int(problems: list[str], name: str, value: object, low: int, high: int, default: int) -> int:
    if value is None:
        return default
    number = whole_number(value)
    if number is None or not low <= number <= high:
        problems.append(f"{name} must be a whole number from {low} to {high}")
        return default
    return number


def _check_bool(problems: list[str], name: str, value: object) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        problems.append(f"{name} must be true or false")
        return False
    return value


def _check_tag_text(problems: list[str], what: str, value: str, limit: int) -> None:
    if len(value) > limit:
        problems.append(f"{what} is longer than AWS's {limit}-character tag limit")
    if not _TAG_TEXT.fullmatch(value):
        problems.append(
            f"{what} has characters AWS tags do not allow; use letters, digits, spaces and _ . : / = + - @"
        )


def parse_issued_at(problems: list[str], value: object) -> date | None:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        problems.append("issued_at must be a date in the form YYYY-MM-DD (when the keys were generated)")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append("issued_at is not a real calendar date; use YYYY-MM-DD")
        return None


def _check_user_tags(problems: list[str], tags: object) -> dict[str, str]:
    if tags is None:
        return {}
    if not isinstance(tags, Mapping):
        problems.append("tags must be a map of tag key to tag value")
        return {}
    if len(tags) > MAX_USER_TAGS:
        problems.append(
            f"tags has {len(tags)} entries; at most {MAX_USER_TAGS} fit beside the component's own"
        )
    checked: dict[str, str] = {}
    for number, (key, value) in enumerate(sorted(tags.items(), key=lambda kv: str(kv[0])), start=1):
        # Tags are named by position, not echoed: a pasted key would otherwise be repeated.
        where = f"extra tag #{number} (in key order)"
        if not isinstance(key, str) or not key:
            problems.append("tags has an empty or non-string key")
            continue
        if key in RESERVED_TAG_KEYS or key.lower().startswith(RESERVED_TAG_PREFIXES):
            problems.append(
                f"the key of {where} is reserved for the component's rotation metadata; "
                f"choose another key (reserved: owner, managed-by and keys starting "
                f"{', '.join(RESERVED_TAG_PREFIXES)})"
            )
            continue
        if not isinstance(value, str):
            problems.append(f"{where} must have a string value")
            continue
        _check_tag_text(problems, f"the key of {where}", key, TAG_KEY_MAX)
        _check_tag_text(problems, f"the value of {where}", value, TAG_VALUE_MAX)
        checked[key] = value
    return checked


def _check_regions(problems: list[str], regions: object, primary: str | None) -> tuple[str, ...]:
    if regions is None:
        return ()
    if not isinstance(regions, (list, tuple)) or not all(isinstance(r, str) for r in regions):
        problems.append("replica_regions must be a list of AWS region names such as 'eu-west-1'")
        return ()
    for index, region in enumerate(regions):
        if not _REGION.fullmatch(region):
            problems.append(f"replica_regions[{index}] is not an AWS region name such as 'eu-west-1'")
        elif region == primary:
            problems.append(
                f"replica_regions[{index}] is the stack's own region (aws:region); a secret cannot be its "
                "own replica: drop it"
            )
    if len(set(regions)) != len(regions):
        problems.append("replica_regions lists a region twice")
    return tuple(regions)


def _check_readers(problems: list[str], args: Mapping[str, Any]) -> tuple[tuple, bool, tuple]:
    deny = _check_bool(problems, "deny_other_readers", args.get("deny_other_readers"))
    readers = args.get("readers") or ()
    admins = args.get("admin_principals") or ()
    problems += principal_problems("readers", readers, allow_root=not deny)
    problems += principal_problems("admin_principals", admins)
    if deny and not readers:
        problems.append("deny_other_readers needs readers: with none, nobody could read the secret")
    if deny and not admins:
        problems.append(
            "deny_other_readers needs admin_principals: name the role that runs pulumi up (it reads the "
            "value back on refresh) and a break-glass admin role, or they would be locked out too"
        )
    if admins and not deny:
        problems.append("admin_principals only has an effect with deny_other_readers: true")
    as_tuple = lambda v: tuple(v) if isinstance(v, (list, tuple)) else ()  # noqa: E731
    return as_tuple(readers), deny, as_tuple(admins)


_SCHEDULE = re.compile(r"rate\(([1-9][0-9]*) (hour|hours|day|days)\)|cron\([^()]+\)")
# Secrets Manager rotates at most every 4 hours and at least every 1000 days.
_RATE_LIMITS = {"hour": (4, 1000 * 24), "hours": (4, 1000 * 24), "day": (1, 1000), "days": (1, 1000)}


def _in_range(number: int, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= number <= bounds[1]


def check_bearer_rotation(problems: list[str], days: object, schedule: object) -> int | str | None:
    """Days between rotations, or Secrets Manager's rate()/cron() schedule expression: one of the two.

    Two fields rather than one that takes either, since a schema (and so every
    language's SDK) cannot carry a number-or-string.
    """
    if days is not None and schedule is not None:
        problems.append("give bearer_rotation_days or bearer_rotation_schedule, not both")
        return None
    if days is not None:
        return _check_int(problems, "bearer_rotation_days", days, 1, 1000, 0) or None
    if schedule is None:
        return None
    if isinstance(schedule, str) and len(schedule) > SCHEDULE_EXPRESSION_MAX:
        problems.append(f"bearer_rotation_schedule is longer than AWS's {SCHEDULE_EXPRESSION_MAX} characters")
        return None
    match = _SCHEDULE.fullmatch(schedule) if isinstance(schedule, str) else None
    if match and (match.group(1) is None or _in_range(int(match.group(1)), _RATE_LIMITS[match.group(2)])):
        return schedule
    problems.append(
        "bearer_rotation_schedule must be a schedule such as 'rate(30 days)' (4 hours to 1000 days) or "
        "'cron(0 4 1 * ? *)'; for a number of days use bearer_rotation_days"
    )
    return None


def stack_region() -> str | None:
    """The stack's AWS region (``aws:region``), from config only: the program reads no environment."""
    import pulumi

    return pulumi.Config("aws").get("region")


def _base_url_problem(value: object) -> str | None:
    """https for any host; http only for this machine (the API Key pair travels in Basic auth)."""
    match = _BASE_URL.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return "x_api_base_url must be an http(s) URL of the API host, such as https://api.x.com"
    scheme, host, port = match.groups()
    if port is not None and not 1 <= int(port) <= 65535:
        return "x_api_base_url has a port outside 1 to 65535"
    if scheme == "http" and not _LOOPBACK.fullmatch(host):
        return (
            "x_api_base_url must use https (http only for 127.0.0.1 or localhost): the API Key pair "
            "travels in the request"
        )
    return None


#: What a misspelt setting looks like: lower case, digits, '_' and '-'. X's keys are long
#: mixed-case runs, so any other name of 10 characters or more (the shortest run that counts
#: as part of a key) is not shown: it may be a key pasted where a name belongs.
_SETTING_NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def unknown_names(given: Mapping[Any, Any], valid: tuple[str, ...]) -> str | None:
    """The unknown names among ``given``, as an error may show them; ``None`` when all are known.

    Sorted, so the same config gives the same text whatever order the engine passes it in.
    A camelCase spelling of a valid name (the plugin's) gets a "did you mean".
    """
    unknown = [name for name in given if name not in valid]
    if not unknown:
        return None
    shown, hidden = [], 0
    for name in unknown:
        text = name if isinstance(name, str) else None
        snake = _CAMEL.sub("_", text).lower() if text else None
        if text and snake != text and snake in valid:
            shown.append(f"{text} (did you mean {snake}?)")
        elif text is not None and (len(text) < 10 or _SETTING_NAME.fullmatch(text)):
            shown.append(text)
        else:
            hidden += 1
    names = sorted(shown)
    if hidden:
        names.append(f"{hidden} more not shown (each may be a key pasted in the wrong place)")
    return ", ".join(names)


def unknown_arg_problems(args: Mapping[str, Any], valid: tuple[str, ...]) -> list[str]:
    unknown = unknown_names(args, valid)
    if unknown is None:
        return []
    return [f"unknown argument(s) {unknown}; valid arguments are {', '.join(valid)}"]


def parse_app_settings(
    args: Mapping[str, Any],
    *,
    default_environment: str,
    label: str | None = None,
    primary_region: str | None = None,
) -> AppSettings:
    """Validate every non-secret argument; raise one error listing all problems.

    Credential arguments are only checked for presence here: their values may
    be unresolved secrets, which the component validates once they resolve.
    """
    problems: list[str] = unknown_arg_problems(args, ALL_ARGS)
    if args.get("credentials") is not None:
        given = [name for name in (*CREDENTIAL_FIELDS, *OAUTH2_CLIENT_FIELDS) if args.get(name) is not None]
        if given:
            problems.append(f"give either credentials or {', '.join(given)}, not both")
    else:
        for name in CREDENTIAL_FIELDS:
            if args.get(name) is None:
                problems.append(f"{name} is required")
    project = _check_segment(problems, "project", args.get("project"))
    app = _check_segment(problems, "app", args.get("app"))
    account = args.get("account")
    if account is not None:
        account = _check_segment(problems, "account", account)
        if account in RESERVED_ACCOUNT_NAMES:
            problems.append(
                f"account may not be named '{account}': the App's bearer secret is <app's secret name>/bearer; "
                "choose another account name"
            )
            account = None
    subject = label or "/".join(
        str(part)
        for part in (project or args.get("project"), app or args.get("app"), account or args.get("account"))
        if part is not None
    )
    access_level = args.get("access_level")
    level_problem = access_level_problem(access_level)
    if level_problem:
        problems.append(level_problem)
        access_level = None

    owner = args.get("owner")
    if not isinstance(owner, str) or not owner.strip():
        problems.append("owner is required: the team or person accountable for rotating these keys")
        owner = ""
    else:
        _check_tag_text(problems, "owner", owner, TAG_VALUE_MAX)

    issued_at = parse_issued_at(problems, args.get("issued_at"))
    interval = _check_int(
        problems,
        "rotation_interval_days",
        args.get("rotation_interval_days"),
        1,
        1000,
        DEFAULT_ROTATION_INTERVAL_DAYS,
    )

    app_id = args.get("app_id")
    if app_id is not None:
        if whole_number(app_id) is not None:
            app_id = str(whole_number(app_id))
        if not isinstance(app_id, str) or not _APP_ID.fullmatch(app_id):
            problems.append("app_id must be the numeric App ID shown in the developer portal")
            app_id = None

    tier = args.get("access_tier")
    if tier is not None:
        if not isinstance(tier, str) or tier.lower() not in ACCESS_TIERS:
            problems.append(f"access_tier must be one of {', '.join(ACCESS_TIERS)}")
            tier = None
        else:
            tier = tier.lower()

    use_case = args.get("use_case")
    if use_case is not None and (not isinstance(use_case, str) or len(use_case) > 500):
        problems.append("use_case must be text of at most 500 characters")
        use_case = None

    environment = args.get("environment")
    environment = default_environment if environment is None else environment
    environment = _check_segment(problems, "environment", environment) or ""

    prefix = args.get("name_prefix", DEFAULT_NAME_PREFIX)
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        problems.append("name_prefix may only contain letters, digits, _+=.@- and single '/' between parts")
        prefix = DEFAULT_NAME_PREFIX

    kms_key_id = args.get("kms_key_id")
    if isinstance(kms_key_id, str) and not _KMS_KEY.fullmatch(kms_key_id):
        problems.append("kms_key_id must be a KMS key ARN, key ID, alias ARN or 'alias/<name>'")
    elif kms_key_id is not None and not isinstance(kms_key_id, (str, Output)):
        problems.append(
            "kms_key_id must be a KMS key ARN, key ID, alias ARN or 'alias/<name>' (text, quoted in YAML), "
            f"or an Output of one; not {value_kind(kms_key_id)}"
        )
        kms_key_id = None

    force_delete = _check_bool(problems, "force_delete", args.get("force_delete"))
    window = args.get("recovery_window_in_days")
    if window is None:
        window = DEFAULT_RECOVERY_WINDOW_DAYS
        if force_delete:
            problems.append(
                "force_delete: true only takes effect with recovery_window_in_days: 0; "
                "set both to delete without recovery, or drop force_delete"
            )
    elif whole_number(window) == 0:
        window = 0
        if not force_delete:
            problems.append(
                "recovery_window_in_days 0 deletes the secret with no way back; "
                "set force_delete: true as well if that is really intended"
            )
    else:
        window = _check_int(problems, "recovery_window_in_days", window, 7, 30, DEFAULT_RECOVERY_WINDOW_DAYS)
        if force_delete:
            problems.append("force_delete: true contradicts a recovery window; drop one of them")

    regions = _check_regions(problems, args.get("replica_regions"), primary_region)
    tags = _check_user_tags(problems, args.get("tags"))
    write_only = _check_bool(problems, "write_only", args.get("write_only"))
    read_policy = args.get("read_policy")
    read_policy = True if read_policy is None else _check_bool(problems, "read_policy", read_policy)
    readers, deny_others, admins = _check_readers(problems, args)
    verify = _check_bool(problems, "verify", args.get("verify"))
    bearer_rotation = check_bearer_rotation(
        problems, args.get("bearer_rotation_days"), args.get("bearer_rotation_schedule")
    )
    base_url = args.get("x_api_base_url", DEFAULT_X_API_BASE_URL)
    problem = _base_url_problem(base_url)
    if problem:
        problems.append(problem)
        base_url = DEFAULT_X_API_BASE_URL

    if issued_at is not None:
        try:
            issued_at + timedelta(days=interval)
        except OverflowError:
            problems.append("issued_at plus rotation_interval_days is past the year 9999; check issued_at")
            issued_at = None

    settings = None
    if project and app and environment and issued_at:
        settings = AppSettings(
            project=project,
            app=app,
            owner=owner,
            issued_at=issued_at,
            environment=environment,
            rotation_interval_days=interval,
            app_id=app_id,
            access_tier=tier,
            use_case=use_case,
            name_prefix=prefix,
            kms_key_id=kms_key_id,
            recovery_window_in_days=window,
            force_delete=force_delete,
            replica_regions=regions,
            tags=tags,
            write_only=write_only,
            read_policy=read_policy,
            readers=readers,
            deny_other_readers=deny_others,
            admin_principals=admins,
            verify=verify,
            x_api_base_url=base_url.rstrip("/"),
            bearer_rotation=bearer_rotation,
            account=account,
            access_level=access_level,
        )
        problems.extend(_secret_name_problems(settings.secret_name))
        own_extra = (account is not None) + (
            access_level is not None
        )  # twitter:account, twitter:access-level
        if own_extra and len(tags) > MAX_USER_TAGS - own_extra:
            problems.append(
                f"tags has {len(tags)} entries; at most {MAX_USER_TAGS - own_extra} fit beside the component's own"
            )
        if bearer_rotation is not None and tier == "free":
            problems.append(
                "bearer rotation needs an access tier with GET /2/tweets (its testSecret check); the Free tier "
                "lacks it, so every rotation would fail after invalidating the current token"
            )
        if bearer_rotation is not None and len(settings.app_secret_name) + len("/bearer") > SECRET_NAME_MAX:
            problems.append(
                "the bearer secret's name (the secret name plus '/bearer') is over 256 characters"
            )
    if problems or settings is None:
        raise InvalidInputError(prefixed(subject, problems))
    return settings


def _secret_name_problems(name: str) -> list[str]:
    problems = []
    if len(name) > SECRET_NAME_MAX:
        problems.append(
            f"the secret name {name!r} is {len(name)} characters; Secrets Manager allows "
            f"{SECRET_NAME_MAX}. Shorten name_prefix, environment, project or app"
        )
    if len(name) >= 7 and name[-7] == "-":
        problems.append(
            f"the secret name {name!r} ends in '-' plus six characters, which Secrets Manager "
            "confuses with its own ARN suffix; rename the app"
        )
    return problems
