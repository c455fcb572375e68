"""Wires the stack's config to the components; all logic lives in components/."""

import pulumi

from components import TwitterProject
from components.reminders import RotationReminders
from components.stack_config import load_projects, load_reminders, stack_outputs

config = pulumi.Config("twitter-secrets")
reminders = load_reminders(config, stack=pulumi.get_stack())  # checked before anything is registered
projects = [TwitterProject(args["project"], args) for args in load_projects(config, stack=pulumi.get_stack())]

for name, value in stack_outputs(projects).items():
    pulumi.export(name, value)

if reminders is not None:
    settings, environment = reminders
    labels = [label for project in projects for label in (c.settings.label for c in project.apps.values())]
    reminder = RotationReminders("rotation-reminders", settings, environment=environment, apps=labels)
    pulumi.export("reminderTopicArn", reminder.topic_arn)
