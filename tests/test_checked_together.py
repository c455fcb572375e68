"""Issue 22 item 10: bad keys, a bad reminders block and a bad app setting are reported in one
error, before any resource is registered (before, the keys were checked in an apply that the
reminder resources did not wait for, and a bad reminders block hid every other problem)."""

from __future__ import annotations

import copy

from tests.canaries import fragments
from tests.conftest import PROJECTS, make_config
from tests.test_bad_input import failed

OTHER = "research/archive"


def broken_everywhere() -> dict:
    projects = copy.deepcopy(PROJECTS)
    projects["brand-monitoring"]["apps"]["listener"]["rotation_interval_days"] = 0  # a bad app setting
    config = make_config(projects, reminders={"create": True, "warn_days": 999})  # no emails, bad warn_days
    config["twitter-secrets:credentials"][OTHER]["access_token"] = "CnryATnoUserIdPrefix"  # a bad key
    return config


def test_three_kinds_of_problem_in_one_error_and_nothing_registered():
    message = failed(broken_everywhere())
    assert (
        "brand-monitoring/listener: rotation_interval_days must be a whole number from 1 to 1000" in message
    )
    assert "twitter-secrets:reminders: create: true without emails" in message
    assert "twitter-secrets:reminders.warn_days must be a whole number of days from 0 to 365" in message
    assert f"{OTHER}: access_token is not in the form" in message


def test_a_bad_key_alone_registers_no_reminder_resource():
    config = make_config(reminders={"create": True, "emails": ["team@example.com"]})
    config["twitter-secrets:credentials"][OTHER]["consumer_key"] = ""
    message = failed(config)  # asserts zero AWS resources, the 12 reminder resources included
    assert f"{OTHER}: consumer_key is empty" in message


def test_the_combined_error_echoes_no_key():
    config = broken_everywhere()
    message = failed(config)
    for creds in config["twitter-secrets:credentials"].values():
        for value in creds.values():
            for piece in fragments(value.split("-", 1)[-1]):
                assert piece not in message
