"""The ``twitter-secrets:reminders`` setting, checked: plain data, no Pulumi resources.

Kept apart from the resources so the stack can check it together with every other
setting before anything is registered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .policies import is_key_arn
from .problems import SettingsError
from .value_checks import whole_number

SETTING = "twitter-secrets:reminders"
KEYS = ("topic_arn", "create", "emails", "warn_days", "schedule", "alarms", "kms_key_arn")
_SNS_ARN = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_SCHEDULE = re.compile(r"rate\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\)|cron\([^()]+\)")


@dataclass(frozen=True)
class ReminderSettings:
    topic_arn: str | None
    emails: tuple[str, ...]
    warn_days: int = 14
    schedule: str = "rate(1 day)"
    alarms: bool = False
    #: The KMS key that encrypts the topic: a created topic uses it, the publisher may use it.
    kms_key_arn: str | None = None


def parse_reminders(raw: Any, *, region: str | None = None) -> ReminderSettings | None:
    """The setting, checked; None when reminders are off. Errors name the setting, never an address."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise SettingsError(
            [f"{SETTING} must be an object with topic_arn (or create: true), warn_days, schedule"]
        )
    problems = []
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        problems.append(f"{SETTING}: unknown key(s) {', '.join(unknown)}; valid keys are {', '.join(KEYS)}")
    topic, create, emails = raw.get("topic_arn"), raw.get("create"), raw.get("emails")
    if topic is not None and not (isinstance(topic, str) and _SNS_ARN.fullmatch(topic)):
        problems.append(
            f"{SETTING}.topic_arn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)"
        )
    if create not in (None, True, False):
        problems.append(f"{SETTING}.create must be true or false")
    if (topic is None) == (create is not True):
        problems.append(f"{SETTING}: give topic_arn, or create: true (with emails), one of the two")
    if topic is not None and region and _SNS_ARN.fullmatch(str(topic)) and str(topic).split(":")[3] != region:
        problems.append(
            f"{SETTING}.topic_arn is a topic in {str(topic).split(':')[3]}, but the stack deploys to {region}: "
            "CloudWatch alarms and EventBridge rules only publish to a topic in their own region; give one there"
        )
    if create is True and not emails:
        problems.append(
            f"{SETTING}: create: true without emails would send every reminder and failure to a topic nobody "
            "reads; add emails: [...], or give topic_arn of a topic you subscribe yourself"
        )
    kms = raw.get("kms_key_arn")
    if kms is not None and not (isinstance(kms, str) and is_key_arn(kms)):
        problems.append(
            f"{SETTING}.kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)"
        )
    if emails is not None:
        if create is not True:
            problems.append(f"{SETTING}.emails only has an effect with create: true")
        elif not isinstance(emails, list) or not all(
            isinstance(e, str) and _EMAIL.fullmatch(e) for e in emails
        ):
            problems.append(f"{SETTING}.emails must be a list of e-mail addresses")
    warn = whole_number(raw.get("warn_days", 14))
    if warn is None or not 0 <= warn <= 365:
        problems.append(f"{SETTING}.warn_days must be a whole number of days from 0 to 365")
    schedule = raw.get("schedule", "rate(1 day)")
    if not (isinstance(schedule, str) and len(schedule) <= 256 and _SCHEDULE.fullmatch(schedule)):
        problems.append(f"{SETTING}.schedule must be an EventBridge rate(...) or cron(...) expression")
    alarms = raw.get("alarms", False)
    if not isinstance(alarms, bool):
        problems.append(f"{SETTING}.alarms must be true or false")
    if problems:
        raise SettingsError(problems)
    return ReminderSettings(
        topic_arn=topic,
        emails=tuple(emails or ()),
        warn_days=warn or 0,
        schedule=schedule,
        alarms=alarms,
        kms_key_arn=kms,
    )
