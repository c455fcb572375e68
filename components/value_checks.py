"""Checks of single setting values: plain functions over plain values.

Each takes the list it appends problems to, the setting's name as the caller
spells it, the value, and the context a few of them need (the stack's name and
region, today's date). A problem names the field and says what is wrong and
how to fix it; it never quotes the value, which may be a key pasted in the
wrong place. ``components/settings.py`` says which check each setting uses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pulumi import Output

from twitter_runtime.keys import access_level_problem

from .policies import principal_problems, value_kind


@dataclass(frozen=True)
class CheckContext:
    """What a few checks need beyond the value: where the stack deploys and what day it is."""

    default_environment: str
    primary_region: str | None = None
    #: Only to refuse an issued_at in the future; it never reaches a registered input.
    today: date | None = None


SEGMENT = re.compile(r"[A-Za-z0-9_+=.@-]+")
PREFIX = re.compile(r"[A-Za-z0-9_+=.@-]+(/[A-Za-z0-9_+=.@-]+)*")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_APP_ID = re.compile(r"[0-9]{1,20}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]")
KMS_KEY = re.compile(
    r"arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)"
    r"|alias/[A-Za-z0-9/_-]+"
    r"|(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)
_BASE_URL = re.compile(r"(https?)://([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?/?")
_LOOPBACK = re.compile(r"127(\.[0-9]{1,3}){3}|localhost")
# AWS tag rules: letters (any script), digits, spaces and _ . : / = + - @
_TAG_TEXT = re.compile(r"[\w .:/=+\-@]*")
_SCHEDULE = re.compile(r"rate\(([1-9][0-9]*) (hour|hours|day|days)\)|cron\([^()]+\)")
# Secrets Manager rotates at most every 4 hours and at least every 1000 days.
_RATE_LIMITS = {"hour": (4, 1000 * 24), "hours": (4, 1000 * 24), "day": (1, 1000), "days": (1, 1000)}

#: Tag keys the component owns. Users may add tags but never override these,
#: since audits and the rotation tooling trust them.
RESERVED_TAG_KEYS: frozenset[str] = frozenset({"owner", "managed-by"})
RESERVED_TAG_PREFIXES: tuple[str, ...] = ("twitter:", "rotation:", "credentials:", "aws:")
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
# AWS allows 50 tags on a secret; the component uses up to 12 itself.
MAX_USER_TAGS = 50 - 12
#: AWS's limit for a rotation schedule expression.
SCHEDULE_EXPRESSION_MAX = 256
#: How far ahead of this machine's date an issued_at may be: the portal's day may already be tomorrow.
FUTURE_SLACK = timedelta(days=1)


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


def whole_number_in(problems: list[str], name: str, value: object, low: int, high: int) -> int | None:
    number = whole_number(value)
    if number is None or not low <= number <= high:
        problems.append(f"{name} must be a whole number from {low} to {high}")
        return None
    return number


def true_or_false(problems: list[str], name: str, value: object) -> bool | None:
    if not isinstance(value, bool):
        problems.append(f"{name} must be true or false")
        return None
    return value


def one_of(
    problems: list[str], name: str, value: object, choices: tuple[str, ...], why: str = ""
) -> str | None:
    """Case-insensitive: the portal writes 'Basic', config files 'basic'."""
    if not isinstance(value, str) or value.lower() not in choices:
        problems.append(f"{name} must be one of {', '.join(choices)}{why}")
        return None
    return value.lower()


def short_text(problems: list[str], name: str, value: object, limit: int) -> str | None:
    if not isinstance(value, str) or len(value) > limit:
        problems.append(f"{name} must be text of at most {limit} characters")
        return None
    return value


def slug(problems: list[str], name: str, value: object, _ctx: CheckContext | None = None) -> str | None:
    if not isinstance(value, str) or not value:
        problems.append(f"{name} is required and must be a non-empty string")
        return None
    if not SEGMENT.fullmatch(value):
        problems.append(
            f"{name} may only contain letters, digits and _+=.@- (it becomes part of the "
            "Secrets Manager name); use a slug such as 'brand-monitoring'"
        )
        return None
    return value


def name_prefix(problems: list[str], name: str, value: object, _ctx: CheckContext) -> str | None:
    if not isinstance(value, str) or not PREFIX.fullmatch(value):
        problems.append(f"{name} may only contain letters, digits, _+=.@- and single '/' between parts")
        return None
    return value


def tag_text_problems(what: str, value: str, limit: int) -> list[str]:
    problems = []
    if len(value) > limit:
        problems.append(f"{what} is longer than AWS's {limit}-character tag limit")
    if not _TAG_TEXT.fullmatch(value):
        problems.append(
            f"{what} has characters AWS tags do not allow; use letters, digits, spaces and _ . : / = + - @"
        )
    return problems


def owner(problems: list[str], name: str, value: object, _ctx: CheckContext) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{name} is required: the team or person accountable for rotating these keys")
        return None
    problems += tag_text_problems(name, value, TAG_VALUE_MAX)
    return value


def issued_at(problems: list[str], name: str, value: object, ctx: CheckContext) -> date | None:
    """A real date, not in the future: the due date is counted from it, and a later one hides overdue keys."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        problems.append(f"{name} must be a date in the form YYYY-MM-DD (when the keys were generated)")
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        problems.append(f"{name} is not a real calendar date; use YYYY-MM-DD")
        return None
    if ctx.today is not None and day > ctx.today + FUTURE_SLACK:
        problems.append(
            f"{name} is in the future (today is {ctx.today.isoformat()}); give the date the keys "
            "were generated in the portal: rotation is due that many days after it, so a later date "
            "would hide keys that are overdue"
        )
        return None
    return day


def app_id(problems: list[str], name: str, value: object, _ctx: CheckContext) -> str | None:
    """X shows the App ID as a number; YAML reads it as one. Stored as text, as it is a name."""
    number = whole_number(value)
    text = str(number) if number is not None else value
    if not isinstance(text, str) or not _APP_ID.fullmatch(text):
        problems.append(f"{name} must be the numeric App ID shown in the developer portal")
        return None
    return text


def kms_key(problems: list[str], name: str, value: object, _ctx: CheckContext) -> Any:
    """Text is checked now; an Output (a Key's arn) is the program's own and trusted."""
    if isinstance(value, Output):
        return value
    if isinstance(value, str):
        if KMS_KEY.fullmatch(value):
            return value
        problems.append(f"{name} must be a KMS key ARN, key ID, alias ARN or 'alias/<name>'")
        return None
    problems.append(
        f"{name} must be a KMS key ARN, key ID, alias ARN or 'alias/<name>' (text, quoted in YAML), "
        f"or an Output of one; not {value_kind(value)}"
    )
    return None


def replica_regions(problems: list[str], name: str, value: object, ctx: CheckContext) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(r, str) for r in value):
        problems.append(f"{name} must be a list of AWS region names such as 'eu-west-1'")
        return ()
    for index, region in enumerate(value):
        if not _REGION.fullmatch(region):
            problems.append(f"{name}[{index}] is not an AWS region name such as 'eu-west-1'")
        elif region == ctx.primary_region:
            problems.append(
                f"{name}[{index}] is the stack's own region (aws:region); a secret cannot be its "
                "own replica: drop it"
            )
    if len(set(value)) != len(value):
        problems.append(f"{name} lists a region twice")
    return tuple(value)


def user_tags(problems: list[str], name: str, value: object, _ctx: CheckContext) -> dict[str, str]:
    """Tags are named by position, never echoed: a pasted key would otherwise be repeated."""
    if not isinstance(value, Mapping):
        problems.append(f"{name} must be a map of tag key to tag value")
        return {}
    if len(value) > MAX_USER_TAGS:
        problems.append(
            f"{name} has {len(value)} entries; at most {MAX_USER_TAGS} fit beside the component's own"
        )
    checked: dict[str, str] = {}
    for number, (key, text) in enumerate(sorted(value.items(), key=lambda kv: str(kv[0])), start=1):
        where = f"extra tag #{number} (in key order)"
        if not isinstance(key, str) or not key:
            problems.append(f"{name} has an empty or non-string key")
            continue
        if key in RESERVED_TAG_KEYS or key.lower().startswith(RESERVED_TAG_PREFIXES):
            problems.append(
                f"the key of {where} is reserved for the component's rotation metadata; "
                f"choose another key (reserved: owner, managed-by and keys starting "
                f"{', '.join(RESERVED_TAG_PREFIXES)})"
            )
            continue
        if not isinstance(text, str):
            problems.append(f"{where} must have a string value")
            continue
        problems += tag_text_problems(f"the key of {where}", key, TAG_KEY_MAX)
        problems += tag_text_problems(f"the value of {where}", text, TAG_VALUE_MAX)
        checked[key] = text
    return checked


def principals(problems: list[str], name: str, value: object, _ctx: CheckContext) -> tuple[Any, ...]:
    """ARNs as text are checked now, Outputs once they resolve (in the key gate)."""
    found = principal_problems(name, value)
    problems += found
    return tuple(value) if isinstance(value, (list, tuple)) else ()


def access_level(problems: list[str], name: str, value: object, _ctx: CheckContext) -> str | None:
    problem = access_level_problem(value)
    if problem:
        problems.append(problem.replace("access_level", name, 1))
        return None
    return value  # type: ignore[return-value]


def base_url(problems: list[str], name: str, value: object, _ctx: CheckContext) -> str | None:
    """https for any host; http only for this machine (the API Key pair travels in Basic auth)."""
    match = _BASE_URL.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        problems.append(f"{name} must be an http(s) URL of the API host, such as https://api.x.com")
        return None
    scheme, host, port = match.groups()
    if port is not None and not 1 <= int(port) <= 65535:
        problems.append(f"{name} has a port outside 1 to 65535")
        return None
    if scheme == "http" and not _LOOPBACK.fullmatch(host):
        problems.append(
            f"{name} must use https (http only for 127.0.0.1 or localhost): the API Key pair "
            "travels in the request"
        )
        return None
    return value.rstrip("/")  # type: ignore[union-attr]


def rotation_schedule(
    problems: list[str], name: str, value: object, _ctx: CheckContext | None = None
) -> str | None:
    if isinstance(value, str) and len(value) > SCHEDULE_EXPRESSION_MAX:
        problems.append(f"{name} is longer than AWS's {SCHEDULE_EXPRESSION_MAX} characters")
        return None
    match = _SCHEDULE.fullmatch(value) if isinstance(value, str) else None
    if match and (
        match.group(1) is None
        or _RATE_LIMITS[match.group(2)][0] <= int(match.group(1)) <= _RATE_LIMITS[match.group(2)][1]
    ):
        return value  # type: ignore[return-value]
    problems.append(
        f"{name} must be a schedule such as 'rate(30 days)' (4 hours to 1000 days) or "
        "'cron(0 4 1 * ? *)'; for a number of days use bearer_rotation_days"
    )
    return None


def rotation_shorthand(
    problems: list[str], name: str, value: object, _ctx: CheckContext | None = None
) -> Any:
    """The stack file's ``bearer_rotation``: days, a schedule expression, or false."""
    if value is None or value is False or isinstance(value, str) or whole_number(value) is not None:
        return value
    problems.append(
        f"{name} must be a number of days (1 to 1000), a schedule such as 'rate(30 days)', or false"
    )
    return None


def recovery_window(problems: list[str], name: str, value: object, _ctx: CheckContext) -> int | None:
    """7 to 30 days, or 0: the rule that 0 needs force_delete ties two settings (app_settings)."""
    if whole_number(value) == 0:
        return 0
    return whole_number_in(problems, name, value, 7, 30)
