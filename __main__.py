"""Wires the stack's config to the components; all logic lives in components/."""

import gc

import pulumi

from components import TwitterProject
from components.app_settings import stack_region
from components.reminders import RotationReminders, current_stack
from components.stack_config import load_stack, stack_outputs, with_alarm_topic

# CPython's cyclic collector took half the program's time at 2,000 apps, scanning every app's
# Outputs again and again while they all stay alive until the program ends (docs/benchmark.md,
# "Where the time goes"). What is imported so far is frozen out of its scans, and it runs after
# 100,000 new objects instead of 700: the same peak memory, a third less time.
gc.collect()  # nothing that is already garbage gets frozen
gc.freeze()
gc.set_threshold(100_000, 50, 100)

config = pulumi.Config("twitter-secrets")
# Every setting and key is checked here, before anything is registered.
plan = load_stack(config, stack=pulumi.get_stack())
stack = current_stack()

alarm_topic = None
if plan.reminders is not None:
    apps = [(label, s.environment) for label, s in plan.settings.items()]
    reminder = RotationReminders(
        "rotation-reminders", plan.reminders, stack=stack, region=stack_region() or "", apps=apps
    )
    alarm_topic = reminder.topic_arn
    pulumi.export("reminderTopicArn", reminder.topic_arn)

# load_stack checked every key stack-wide: the projects need not check them again.
projects = [
    TwitterProject(args["project"], with_alarm_topic(args, alarm_topic), keys_checked=True)
    for args in plan.projects
]
for name, value in stack_outputs(projects).items():
    pulumi.export(name, value)
