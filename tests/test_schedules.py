"""AWS's own schedule rules, checked before any write: EventBridge for reminders, Secrets Manager for
bearer rotation. One rule for both, so a schedule AWS would refuse never reaches ``pulumi up``."""

from __future__ import annotations

import pytest

from components.app_settings import parse_app_settings
from components.reminder_settings import parse_reminders
from tests.canaries import canary_client, canary_credentials, fragments
from tests.conftest import make_config
from tests.test_bad_input import failed
from twitter_runtime import InvalidInputError

TOPIC = "arn:aws:sns:us-east-1:123456789012:reminders"
LISTENER = "brand-monitoring/listener"
KEYS = {**canary_credentials("brand/listener"), **canary_client("brand/listener")}


def rotation_problems(schedule) -> list[str]:
    args = {
        "project": "brand",
        "app": "listener",
        **dict.fromkeys(("consumer_key", "consumer_secret", "access_token", "access_token_secret"), "x"),
        "owner": "team-social",
        "issued_at": "2026-09-01",
        "access_tier": "basic",
        "bearer_rotation_schedule": schedule,
    }
    try:
        parse_app_settings(args, default_environment="dev")
    except InvalidInputError as error:
        return list(error.problems)
    return []


def reminder_problems(schedule) -> list[str]:
    try:
        parse_reminders({"topic_arn": TOPIC, "schedule": schedule})
    except InvalidInputError as error:
        return list(error.problems)
    return []


def no_key_in(problems: list[str]) -> None:
    text = "\n".join(problems)
    assert not [f for value in KEYS.values() for f in fragments(value) if f in text], "a key was echoed"


# --- rate(): the unit's number matches the number ----------------------------------------------------

SINGULAR_PLURAL = "singular unit with 1 and the plural with more"


@pytest.mark.parametrize(
    ("refused", "accepted"),
    [("rate(1 days)", "rate(1 day)"), ("rate(2 day)", "rate(2 days)"), ("rate(5 hour)", "rate(5 hours)")],
)
def test_rotation_rate_unit_must_agree_with_the_number(refused, accepted):
    found = rotation_problems(refused)
    assert any(SINGULAR_PLURAL in p for p in found), found
    assert rotation_problems(accepted) == []


@pytest.mark.parametrize(
    ("refused", "accepted"),
    [
        ("rate(1 minutes)", "rate(1 minute)"),
        ("rate(90 minute)", "rate(90 minutes)"),
        ("rate(1 days)", "rate(1 day)"),
        ("rate(2 day)", "rate(2 days)"),
        ("rate(1 hours)", "rate(1 hour)"),
    ],
)
def test_reminder_rate_unit_must_agree_with_the_number(refused, accepted):
    found = reminder_problems(refused)
    assert any(SINGULAR_PLURAL in p for p in found), found
    assert reminder_problems(accepted) == []
    assert reminder_problems("rate(0 minutes)") and reminder_problems("rate(01 day)")


def test_rotation_runs_at_most_every_four_hours_and_at_least_every_1000_days():
    """Secrets Manager's limits, for rate() and (new) for a cron() that runs more often than that."""
    for schedule in (
        "rate(4 hours)",
        "rate(12 hours)",
        "rate(1 day)",
        "rate(1000 days)",
        "cron(0 0/6 * * ? *)",
    ):
        assert rotation_problems(schedule) == [], schedule
    for schedule in ("rate(3 hours)", "rate(30 minutes)", "rate(1001 days)"):
        assert any(
            "bearer_rotation_schedule must be a schedule such as 'rate(30 days)'" in p
            for p in rotation_problems(schedule)
        ), schedule
    for schedule in (
        "cron(0 * * * ? *)",
        "cron(0 0/2 * * ? *)",
        "cron(0,30 4 * * ? *)",
        "cron(0 1,3 * * ? *)",
        "cron(0 22-1 * * ? *)",
    ):
        found = rotation_problems(schedule)
        assert any("Secrets Manager rotates at most every 4 hours" in p for p in found), (schedule, found)
        assert reminder_problems(schedule) == [], schedule  # EventBridge runs it as often as that


# --- cron(): six fields and one '?' ------------------------------------------------------------------


@pytest.mark.parametrize("schedule", ["cron(0 4 1 * ?)", "cron(0 4 1 * ? * *)", "cron(0 4 1 *)", "cron()"])
def test_cron_needs_six_fields(schedule):
    for found in (rotation_problems(schedule), reminder_problems(schedule)):
        assert any("cron() needs exactly six fields" in p for p in found), found


@pytest.mark.parametrize("schedule", ["cron(0 4 1 * * *)", "cron(0 4 ? * ? *)", "cron(0 4 * * MON *)"])
def test_cron_needs_one_question_mark_in_a_day_field(schedule):
    for found in (rotation_problems(schedule), reminder_problems(schedule)):
        assert any("'?' in exactly one of day-of-month" in p for p in found), found


@pytest.mark.parametrize(
    ("schedule", "field"),
    [
        ("cron(60 4 1 * ? *)", "minutes field (field 1)"),
        ("cron(0 24 1 * ? *)", "hours field (field 2)"),
        ("cron(0 ? 1 * ? *)", "hours field (field 2)"),
        ("cron(0 4 32 * ? *)", "day-of-month field (field 3)"),
        ("cron(0 4 1 13 ? *)", "month field (field 4)"),
        ("cron(0 4 1 FOO ? *)", "month field (field 4)"),
        ("cron(0 4 ? * 8 *)", "day-of-week field (field 5)"),
        ("cron(0 4 1 * ? 1969)", "year field (field 6)"),
        ("cron(0 4 1 * ? x)", "year field (field 6)"),
        ("cron(0/0 4 1 * ? *)", "minutes field (field 1)"),
    ],
)
def test_cron_fields_are_checked_one_by_one(schedule, field):
    for found in (rotation_problems(schedule), reminder_problems(schedule)):
        assert any(f"the cron() {field} may only hold" in p for p in found), (schedule, found)


def test_cron_expressions_aws_accepts_still_pass():
    """Guards the field checks against refusing what AWS takes, next to a refusal the old check let by."""
    assert reminder_problems("cron(0 4 1 * * *)") and rotation_problems("cron(0 4 1 * * *)")
    for schedule in (
        "cron(0 4 1 * ? *)",
        "cron(0 8 * * ? *)",
        "cron(0 4 ? * MON-FRI *)",
        "cron(0 4 L * ? *)",
        "cron(0 4 ? * 2#1 *)",
        "cron(0 4 15W JAN,JUL ? 2026-2030)",
        "cron(0 4 ? * 6L *)",
        "cron(0 4 ? * sun *)",
    ):
        assert rotation_problems(schedule) == [], schedule
        assert reminder_problems(schedule) == [], schedule


# --- key material in a schedule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "schedule",
    [
        f"cron({KEYS['consumer_key']} 4 1 * ? *)",
        f"cron(0 4 1 * ? {KEYS['client_secret']})",
        f"rate({KEYS['access_token_secret']})",
        KEYS["consumer_secret"],
    ],
)
def test_key_material_in_a_schedule_is_refused_without_echo(schedule):
    for found in (rotation_problems(schedule), reminder_problems(schedule)):
        assert any("looks like a key" in p for p in found), found
        no_key_in(found)


def test_key_material_in_the_stack_files_bearer_rotation_is_refused_without_echo():
    config = make_config()
    own_key = config["twitter-secrets:credentials"][LISTENER]["consumer_key"]
    config["twitter-secrets:projects"]["brand-monitoring"]["apps"]["listener"]["bearer_rotation"] = (
        f"cron(0 {own_key} 1 * ? *)"
    )
    text = failed(config)
    assert f"{LISTENER}: bearer_rotation_schedule looks like a key" in text
    assert not [f for f in fragments(own_key) if f in text], "a key was echoed"
