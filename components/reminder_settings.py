"""The ``twitter-secrets:reminders`` setting, checked: plain data, no Pulumi resources.

Kept apart from the resources so the stack can check it together with every other
setting before anything is registered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .monitoring_checks import SNS_TOPIC_ARN, topic_arn_problems
from .policies import is_key_arn
from .problems import SettingsError
from .value_checks import EVENTBRIDGE, schedule_problems, whole_number

SETTING = "twitter-secrets:reminders"
KEYS = ("topic_arn", "create", "emails", "warn_days", "schedule", "alarms", "kms_key_arn")
_KMS_ARN_REGION = re.compile(r"arn:aws[a-z-]*:kms:([a-z0-9-]+):")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class ReminderSettings:
    topic_arn: str | None
    emails: tuple[str, ...]
    warn_days: int = 14
    schedule: str = "rate(1 day)"
    alarms: bool = False
    #: The KMS key that encrypts the reminders topic: a created topic's encryption, and the key the
    #: publishers (the reminder function, alarms, the rotation-failure rule) need kms permissions on.
    kms_key_arn: str | None = None


def parse_reminders(raw: Any, *, region: str | None = None) -> ReminderSettings | None:
    """The setting, checked; None when reminders are off.

    Every problem is collected before one ``SettingsError``; errors name the setting and the key,
    never a value (an address or ARN may hold a key pasted in the wrong place). ``region`` is the
    stack's (``aws:region``): a topic or key elsewhere cannot be used, so it is refused here.
    """
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise SettingsError(
            [f"{SETTING} must be an object with topic_arn (or create: true), warn_days, schedule"]
        )
    problems = _unknown_key_problems(raw)
    topic, create, emails = raw.get("topic_arn"), raw.get("create"), raw.get("emails")
    problems += _topic_problems(topic, region)
    problems += _create_problems(topic, create, emails)
    kms_key_arn = raw.get("kms_key_arn")
    problems += _kms_key_problems(kms_key_arn, region or _region_of(topic))
    warn = whole_number(raw.get("warn_days", 14))
    if warn is None or not 0 <= warn <= 365:
        problems.append(f"{SETTING}.warn_days must be a whole number of days from 0 to 365")
    schedule = raw.get("schedule", "rate(1 day)")
    problems += schedule_problems(f"{SETTING}.schedule", schedule, EVENTBRIDGE)
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
        kms_key_arn=kms_key_arn,
    )


def _unknown_key_problems(raw: dict[Any, Any]) -> list[str]:
    """Names outside KEYS, named so a typo is found (keys of this object are names, not values)."""
    unknown = sorted(str(k) for k in set(raw) - set(KEYS))
    if not unknown:
        return []
    return [f"{SETTING}: unknown key(s) {', '.join(unknown)}; valid keys are {', '.join(KEYS)}"]


def _region_of(arn: object) -> str | None:
    match = SNS_TOPIC_ARN.fullmatch(arn) if isinstance(arn, str) else None
    return match.group(1) if match else None


def _topic_problems(topic: object, region: str | None) -> list[str]:
    """The alarm topic's rule (``monitoring_checks``), for the reminders' topic."""
    return [] if topic is None else topic_arn_problems(f"{SETTING}.topic_arn", topic, region)


def _create_problems(topic: object, create: object, emails: object) -> list[str]:
    """create: true makes a topic and subscribes the emails; without any, nobody would be told."""
    problems = []
    if create not in (None, True, False):
        problems.append(f"{SETTING}.create must be true or false")
    if (topic is None) == (create is not True):
        problems.append(f"{SETTING}: give topic_arn, or create: true (with emails), one of the two")
    if emails is not None:
        if create is not True:
            problems.append(f"{SETTING}.emails only has an effect with create: true")
        elif not isinstance(emails, list) or not all(
            isinstance(e, str) and _EMAIL.fullmatch(e) for e in emails
        ):
            problems.append(f"{SETTING}.emails must be a list of e-mail addresses")
    if create is True and topic is None and not emails:
        problems.append(
            f"{SETTING}: create: true without emails makes a topic nobody is subscribed to, so no reminder "
            "or alarm would reach anyone; list the addresses to tell under emails, or give topic_arn of a "
            "topic you subscribe yourself instead of create"
        )
    return problems


def _kms_key_problems(key: object, region: str | None) -> list[str]:
    """The topic's KMS key, by its key ARN: publishers' kms permissions must name the key itself."""
    if key is None:
        return []
    if not isinstance(key, str) or not is_key_arn(key):
        return [
            f"{SETTING}.kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), the key "
            "that encrypts the reminders topic; an alias or key id will not do, as permissions name the key"
        ]
    match = _KMS_ARN_REGION.match(key)
    if region is not None and match is not None and match.group(1) != region:
        return [
            f"{SETTING}.kms_key_arn is a key in another region than the topic's; SNS encrypts a topic only "
            "with a key of the topic's own region (the stack's, aws:region): give a key in that region"
        ]
    return []
