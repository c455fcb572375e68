"""``twitter-secrets:reminders`` checked as plain data: somebody is told, the topic and its key are in the
stack's region, the topic's name is one SNS takes; every problem at once, and no value echoed."""

from __future__ import annotations

import pytest

from components.reminder_settings import KEYS, parse_reminders
from tests.canaries import canary_credentials, fragments
from twitter_runtime import InvalidInputError

SETTING = "twitter-secrets:reminders"
TOPIC = "arn:aws:sns:us-east-1:123456789012:rotation-reminders"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
EMAIL = "team-social@example.com"
CANARY = canary_credentials("reminders/canary")["consumer_key"]


def problems(raw, **kwargs) -> list[str]:
    with pytest.raises(InvalidInputError) as caught:
        parse_reminders(raw, **kwargs)
    found = list(caught.value.problems)
    text = "\n".join(found)
    assert EMAIL not in text and "example.com" not in text, "an address was echoed"
    assert not [f for f in fragments(CANARY) if f in text], "a key was echoed"
    return found


# --- somebody is told --------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [{"create": True}, {"create": True, "emails": []}])
def test_a_created_topic_without_emails_would_tell_nobody(raw):
    (found,) = problems(raw)
    assert found.startswith(f"{SETTING}: create: true without emails makes a topic nobody is subscribed to")
    assert (
        "list the addresses to tell under emails, or give topic_arn of a topic you subscribe yourself"
        in found
    )
    assert parse_reminders({"create": True, "emails": [EMAIL]}) is not None


# --- the stack's region ------------------------------------------------------------------------------


def test_a_topic_in_another_region_is_refused_with_the_reason():
    raw = {"topic_arn": TOPIC.replace("us-east-1", "eu-west-1")}
    (found,) = problems(raw, region="us-east-1")
    assert found.startswith(f"{SETTING}.topic_arn is a topic in another region than the stack's (us-east-1)")
    assert "CloudWatch alarm actions and EventBridge rule targets must be in the stack's region" in found
    settings = parse_reminders({"topic_arn": TOPIC}, region="us-east-1")
    assert settings is not None and settings.topic_arn == TOPIC


def test_without_a_region_the_current_caller_still_works():
    settings = parse_reminders({"topic_arn": TOPIC.replace("us-east-1", "eu-west-1")}, region=None)
    assert settings is not None


# --- the topic's KMS key -----------------------------------------------------------------------------


def test_the_topics_kms_key_is_a_setting():
    assert "kms_key_arn" in KEYS
    settings = parse_reminders(
        {"create": True, "emails": [EMAIL], "kms_key_arn": KEY_ARN}, region="us-east-1"
    )
    assert settings is not None and settings.kms_key_arn == KEY_ARN
    assert parse_reminders({"topic_arn": TOPIC}).kms_key_arn is None


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            "alias/reminders",
            f"{SETTING}.kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
        ),
        (
            f"arn:aws:kms:us-east-1:123456789012:alias/{CANARY}",
            f"{SETTING}.kms_key_arn must be a KMS key ARN",
        ),
        (42, f"{SETTING}.kms_key_arn must be a KMS key ARN"),
        (KEY_ARN.replace("us-east-1", "eu-west-1"), f"{SETTING}.kms_key_arn is a key in another region"),
    ],
)
def test_a_bad_kms_key_is_refused(key, expected):
    found = problems({"topic_arn": TOPIC, "kms_key_arn": key}, region="us-east-1")
    assert any(p.startswith(expected) for p in found), found


# --- SNS topic names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "twitter-dev-rotation-reminders", "A_b-9" * 51 + "x"])
def test_topic_names_sns_takes(name):
    from components.value_checks import sns_topic_name_problems

    assert sns_topic_name_problems(name, "topic") == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("", "topic must name an SNS topic of 1 to 256 letters, digits, hyphens (-) and underscores (_)"),
        ("x" * 257, "topic must name an SNS topic of 1 to 256"),
        ("has space", "topic must name an SNS topic of 1 to 256"),
        (f"{CANARY}.v2", "topic must name an SNS topic of 1 to 256"),
        ("reminders.fifo", "topic names a FIFO topic (.fifo), which cannot deliver e-mail"),
    ],
)
def test_topic_names_sns_refuses(name, expected):
    from components.value_checks import sns_topic_name_problems

    (found,) = sns_topic_name_problems(name, "topic")
    assert found.startswith(expected)
    assert not [f for f in fragments(CANARY) if f in found]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (f"{CANARY}.fifo", f"{SETTING}.topic_arn names a FIFO topic (.fifo)"),
        (f"{CANARY} x", f"{SETTING}.topic_arn must name an SNS topic of 1 to 256"),
    ],
)
def test_the_name_in_a_given_topic_arn_is_checked(name, expected):
    found = problems({"topic_arn": f"arn:aws:sns:us-east-1:123456789012:{name}"})
    assert any(p.startswith(expected) for p in found), found


# --- everything at once, nothing echoed --------------------------------------------------------------


def test_every_problem_is_reported_together_without_values():
    raw = {
        "create": True,
        "emails": [EMAIL, f"{CANARY} at nowhere"],
        "kms_key_arn": f"alias/{CANARY}",
        "schedule": f"cron(0 4 {CANARY} * ? *)",
        "warn_days": -1,
    }
    found = problems(raw, region="us-east-1")
    assert sorted(p.split(" ")[0] for p in found) == [
        f"{SETTING}.emails",
        f"{SETTING}.kms_key_arn",
        f"{SETTING}.schedule",
        f"{SETTING}.warn_days",
    ], found
