"""Checks of single setting values: plain functions over plain values.

Each takes the list it appends problems to, the setting's name as the caller
spells it, the value, and the context a few of them need (the stack's name and
region, today's date). A problem names the field and says what is wrong and
how to fix it; it never quotes the value, which may be a key pasted in the
wrong place. ``components/settings.py`` says which check each setting uses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from pulumi import Output

from twitter_runtime.api_host import base_url_problem
from twitter_runtime.keys import FRAGMENT_CHARS, access_level_problem

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
# AWS tag rules: letters (any script), digits, spaces and _ . : / = + - @
_TAG_TEXT = re.compile(r"[\w .:/=+\-@]*")

#: Tag keys the component owns. Users may add tags but never override these,
#: since audits and the rotation tooling trust them.
RESERVED_TAG_KEYS: frozenset[str] = frozenset({"owner", "managed-by"})
RESERVED_TAG_PREFIXES: tuple[str, ...] = ("twitter:", "rotation:", "credentials:", "aws:")
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
# AWS allows 50 tags on a secret; the component uses up to 12 itself.
MAX_USER_TAGS = 50 - 12
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
    """https for any host; http only for this machine (the runtime's rule, shared with the CLI)."""
    problem = base_url_problem(name, value)
    if problem is not None:
        problems.append(problem)
        return None
    return value.rstrip("/")  # type: ignore[union-attr]


def rotation_schedule(
    problems: list[str], name: str, value: object, _ctx: CheckContext | None = None
) -> str | None:
    """A Secrets Manager rotation schedule, by AWS's rules, before anything is written."""
    found = schedule_problems(name, value, SECRETS_MANAGER_ROTATION)
    if found:
        problems += found
        return None
    return value  # type: ignore[return-value]


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


# --- schedule expressions: AWS's own rules, checked before anything is written ---------------------

#: AWS's limit for a schedule expression (Secrets Manager's rotation rules and EventBridge's rules).
SCHEDULE_EXPRESSION_MAX = 256
_RATE = re.compile(r"rate\(([0-9]+) ([a-z]+)\)")
_CRON = re.compile(r"cron\((.*)\)")
_SNS_TOPIC_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}")
_RATE_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 24 * 60}
#: No schedule has this many letters and digits in a row; a key has: the same run length the key
#: detector of metadata/credential_gate counts as part of a key.
_KEY_RUN = re.compile(rf"[A-Za-z0-9]{{{FRAGMENT_CHARS},}}")


@dataclass(frozen=True)
class ScheduleRules:
    """What one AWS service accepts as a schedule, so its refusals are found before ``pulumi up``."""

    service: str
    #: What the setting takes, after "<name> must be ": every problem with its shape says it.
    usage: str
    #: The singular units rate() may use here.
    units: tuple[str, ...]
    least_minutes: int
    most_minutes: int | None
    #: The rate() limits in words.
    limits: str
    #: The least number of hours between two runs of a cron(), where the service has one.
    cron_least_hours: int | None = None


#: EventBridge rules (the reminders' schedule): rate() in minutes, hours or days, value 1 with the
#: singular unit and more with the plural, at least 1 minute; cron() of six fields with '?' in one of the
#: day fields. docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html and
#: eb-scheduled-rule-pattern.html.
EVENTBRIDGE = ScheduleRules(
    service="EventBridge",
    usage="an EventBridge rate(...) or cron(...) expression, such as 'rate(1 day)' or 'cron(0 8 * * ? *)'",
    units=("minute", "hour", "day"),
    least_minutes=1,
    most_minutes=None,
    limits="rate() in minutes, hours or days, at least 1 minute",
)
#: Secrets Manager rotation (RotationRulesType.ScheduleExpression, docs.aws.amazon.com/secretsmanager/
#: latest/apireference/API_RotationRulesType.html): "rate() expressions represent the interval in hours
#: or days ... You can rotate a secret as often as every four hours"; AutomaticallyAfterDays ranges over
#: 1 to 1000, and rate() is held to the same 1000 days. Its cron() is EventBridge's six fields, so a cron
#: that runs more often than every 4 hours is refused too.
SECRETS_MANAGER_ROTATION = ScheduleRules(
    service="Secrets Manager",
    usage=(
        "a schedule such as 'rate(30 days)' (4 hours to 1000 days) or 'cron(0 4 1 * ? *)'; for a number "
        "of days use bearer_rotation_days"
    ),
    units=("hour", "day"),
    least_minutes=4 * 60,
    most_minutes=1000 * 24 * 60,
    limits="rate() in hours or days, from 4 hours to 1000 days",
    cron_least_hours=4,
)


def schedule_problems(name: str, value: object, rules: ScheduleRules) -> list[str]:
    """A rate() or cron() expression by the service's rules; never quotes the text, which may hold a key."""
    if not isinstance(value, str):
        return [f"{name} must be {rules.usage}"]
    if _KEY_RUN.search(value):
        return [
            f"{name} looks like a key ({FRAGMENT_CHARS} or more letters and digits in a row, which no schedule "
            "has): it would be stored in plain text; remove it, and keep keys only in the credentials, set as "
            "secrets"
        ]
    if len(value) > SCHEDULE_EXPRESSION_MAX:
        return [f"{name} is longer than AWS's {SCHEDULE_EXPRESSION_MAX} characters"]
    rate = _RATE.fullmatch(value)
    if rate:
        return rate_problems(name, rate.group(1), rate.group(2), rules)
    cron = _CRON.fullmatch(value)
    if cron:
        return cron_problems(name, cron.group(1), rules)
    return [f"{name} must be {rules.usage}"]


def rate_problems(name: str, number: str, unit: str, rules: ScheduleRules) -> list[str]:
    """``rate(<number> <unit>)``: a unit the service takes, singular with 1 only, within its limits."""
    singular = unit.removesuffix("s")
    if singular not in rules.units:
        return [f"{name} must be {rules.usage}; {rules.service} takes {rules.limits}"]
    if number.startswith("0"):
        return [f"{name} must be {rules.usage}; rate() needs a whole number from 1, with no leading zero"]
    count = int(number)
    if (count == 1) != (unit == singular):
        return [
            f"{name}: rate() takes the singular unit with 1 and the plural with more, as in rate(1 day) and "
            f"rate(2 days); {rules.service} refuses any other"
        ]
    minutes = count * _RATE_UNIT_MINUTES[singular]
    if minutes < rules.least_minutes or (rules.most_minutes is not None and minutes > rules.most_minutes):
        return [f"{name} must be {rules.usage}; {rules.service} takes {rules.limits}"]
    return []


@dataclass(frozen=True)
class CronField:
    """One of cron()'s six fields: its values, and the tokens only it takes (``?``, ``L``, ``W``, ``#``)."""

    name: str
    low: int
    high: int
    allowed: str
    names: tuple[str, ...] = ()
    #: Tokens beyond numbers, ranges, ``*`` and steps; each group is a value to range-check.
    extra: re.Pattern[str] | None = None
    steps: bool = True


_VALUE = r"[0-9]{1,4}|[A-Za-z]{3}"
_CRON_TOKEN = re.compile(rf"(\*|(?:{_VALUE})(?:-(?:{_VALUE}))?)(?:/([0-9]{{1,4}}))?")
CRON_FIELDS: tuple[CronField, ...] = (
    CronField("minutes", 0, 59, "0 to 59, with , - * /"),
    CronField("hours", 0, 23, "0 to 23, with , - * /"),
    CronField(
        "day-of-month", 1, 31, "1 to 31, with , - * ? / L W", extra=re.compile(r"\?|L|LW|([0-9]{1,2})W")
    ),
    CronField(
        "month",
        1,
        12,
        "1 to 12 or JAN to DEC, with , - * /",
        names=("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
    ),
    CronField(
        "day-of-week",
        1,
        7,
        "1 to 7 or SUN to SAT, with , - * ? L #",
        names=("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"),
        extra=re.compile(r"\?|L|([0-9]|[A-Za-z]{3})L|([0-9]|[A-Za-z]{3})#[1-5]"),
        steps=False,
    ),
    CronField("year", 1970, 2199, "1970 to 2199, with , - * /"),
)


def cron_problems(name: str, body: str, rules: ScheduleRules) -> list[str]:
    """``cron(<six fields>)``: each field's values, one ``?`` in a day field, and the service's frequency."""
    fields = body.split(" ")
    if len(fields) != len(CRON_FIELDS):
        return [
            f"{name}: cron() needs exactly six fields separated by single spaces (minutes hours day-of-month "
            "month day-of-week year), as in 'cron(0 4 1 * ? *)'"
        ]
    problems = [
        f"{name}: the cron() {spec.name} field (field {position}) may only hold {spec.allowed}"
        for position, (spec, text) in enumerate(zip(CRON_FIELDS, fields, strict=True), start=1)
        if not cron_field_ok(spec, text)
    ]
    if (fields[2] == "?") == (fields[4] == "?"):
        problems.append(
            f"{name}: cron() needs '?' in exactly one of day-of-month (field 3) and day-of-week (field 5), "
            "as in 'cron(0 4 1 * ? *)' or 'cron(0 4 ? * MON *)'; AWS refuses it in both or in neither"
        )
    if not problems and rules.cron_least_hours is not None:
        problems += _cron_frequency_problems(name, fields, rules)
    return problems


def cron_field_ok(spec: CronField, text: str) -> bool:
    """Each comma-separated token is a value, range, ``*`` or step the field takes; ``?`` stands alone."""
    if "?" in text and text != "?":
        return False
    return all(_cron_token_ok(spec, token) for token in text.split(","))


def _cron_token_ok(spec: CronField, token: str) -> bool:
    extra = spec.extra.fullmatch(token) if spec.extra else None
    if extra:
        return all(_cron_value(spec, v) is not None for v in extra.groups() if v is not None)
    match = _CRON_TOKEN.fullmatch(token)
    if match is None:
        return False
    span, step = match.groups()
    if step is not None and (not spec.steps or int(step) < 1):
        return False
    return span == "*" or all(_cron_value(spec, v) is not None for v in span.split("-"))


def _cron_value(spec: CronField, text: str) -> int | None:
    """A number in the field's range, or a name it takes (JAN, MON), as its number; else None."""
    if text.isdigit():
        number = int(text)
        return number if spec.low <= number <= spec.high else None
    upper = text.upper()
    return spec.names.index(upper) + spec.low if upper in spec.names else None


def _cron_frequency_problems(name: str, fields: list[str], rules: ScheduleRules) -> list[str]:
    """More than one minute an hour, or hours closer than the service allows, would run too often."""
    assert rules.cron_least_hours is not None
    minutes = cron_selection(CRON_FIELDS[0], fields[0])
    hours = cron_selection(CRON_FIELDS[1], fields[1])
    if len(minutes) <= 1 and least_gap(hours, 24) >= rules.cron_least_hours:
        return []
    return [
        f"{name}: {rules.service} rotates at most every {rules.cron_least_hours} hours, and this cron() runs "
        "more often; give one minute and hours at least that far apart, as in 'cron(0 4 * * ? *)' or "
        "'cron(0 0/6 * * ? *)'"
    ]


def cron_selection(spec: CronField, text: str) -> Set[int]:
    """The values a checked numeric field selects: ``*``, lists, ranges (wrapping past the top) and steps."""
    selected: set[int] = set()
    for token in text.split(","):
        match = _CRON_TOKEN.fullmatch(token)
        assert match is not None, "checked by cron_field_ok first"
        span, step = match.groups()
        first, _, last = (f"{spec.low}-{spec.high}" if span == "*" else span).partition("-")
        start = int(first)
        # A lone value with a step (0/6) runs from it to the top, as ``start-high/step``.
        end = int(last) if last else (spec.high if step else start)
        values = (
            list(range(start, end + 1))
            if start <= end
            else [
                *range(start, spec.high + 1),
                *range(spec.low, end + 1),
            ]
        )
        selected.update(values[:: int(step) if step else 1])
    return selected


def least_gap(values: Set[int], period: int) -> int:
    """The fewest steps between two of the values on a clock of ``period`` (the whole period for one)."""
    ordered = sorted(values)
    if len(ordered) < 2:
        return period
    gaps = [b - a for a, b in pairwise(ordered)]
    return min(*gaps, ordered[0] + period - ordered[-1])


def sns_topic_name_problems(name: str, where: str) -> list[str]:
    """SNS's rule for a standard topic's name, never quoting it: 1 to 256 letters, digits, - and _.

    A FIFO topic (``.fifo``) cannot deliver to e-mail subscriptions, which is what reminders and alarms
    send, so it is refused with its own reason.
    """
    if name.endswith(".fifo"):
        return [f"{where} names a FIFO topic (.fifo), which cannot deliver e-mail; use a standard SNS topic"]
    if not _SNS_TOPIC_NAME.fullmatch(name):
        return [
            f"{where} must name an SNS topic of 1 to 256 letters, digits, hyphens (-) and underscores (_)"
        ]
    return []
