"""Rotation reminders: a daily Lambda that tells owners before their X keys are due.

Opt-in with ``twitter-secrets:reminders``. The settings are checked (plain
functions, before anything is registered); ``RotationReminders`` registers the
topic (or uses yours), the function with its least-privilege role, the
schedule, and optionally one CloudWatch alarm per app on the days-until-due
metric the function writes.
"""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_aws as aws

from .aws_names import reminder_name
from .metadata import MANAGED_BY
from .monitoring import errors_alarm, function_log_group
from .policies import alert_topic_policy_document, assume_role_document, reminder_policy_document, to_json
from .reminder_settings import ReminderSettings

HANDLER = Path(__file__).resolve().parent.parent / "reminders" / "handler.py"
NAMESPACE = "TwitterSecrets"
METRIC_NAME = "DaysUntilRotationDue"
#: The tag that ties a secret to the stack that owns it; the reminder function filters by it.
STACK_TAG = "twitter:stack"


def current_stack() -> str:
    """organization/project/stack: what ties a secret to its stack (deterministic: no clock, no call)."""
    return f"{pulumi.get_organization()}/{pulumi.get_project()}/{pulumi.get_stack()}"


#: Days CloudWatch Logs keeps the reminder function's log group.
LOG_RETENTION_DAYS = 365


class RotationReminders(pulumi.ComponentResource):
    """The reminder function, its role, schedule, log group, alarms and topic, for one stack's apps.

    Every AWS name derives from the stack (organization, project, stack) and its region, so two
    stacks that share an environment never collide on a name nor adopt each other's topic.
    """

    def __init__(
        self,
        resource_name: str,
        settings: ReminderSettings,
        *,
        stack: str,
        region: str,
        apps: list[tuple[str, str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("twitter-secrets:index:RotationReminders", resource_name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = {STACK_TAG: stack, "managed-by": MANAGED_BY}
        name = reminder_name(f"{stack}/{region}")
        if settings.topic_arn is not None:
            topic_arn: pulumi.Output[str] = pulumi.Output.from_input(settings.topic_arn)
        else:
            topic = aws.sns.Topic(
                f"{resource_name}-topic",
                name=name,
                kms_master_key_id=settings.kms_key_arn,
                tags=tags,
                opts=child,
            )
            topic_arn = topic.arn
            # Alarms and EventBridge rules of this account may publish failures to it.
            aws.sns.TopicPolicy(
                f"{resource_name}-topic-policy",
                arn=topic.arn,
                policy=topic.arn.apply(
                    lambda arn: to_json(alert_topic_policy_document(arn, arn.split(":")[4]))
                ),
                opts=child,
            )
            for index, address in enumerate(settings.emails):
                aws.sns.TopicSubscription(
                    f"{resource_name}-email-{index}",
                    topic=topic.arn,
                    protocol="email",
                    endpoint=address,
                    opts=child,
                )
        role = aws.iam.Role(
            f"{resource_name}-role",
            name=name,
            assume_role_policy=to_json(assume_role_document("lambda.amazonaws.com")),
            description=f"Sends the X key rotation reminders of {stack}"[:1000],
            tags=tags,
            opts=child,
        )
        kms = settings.kms_key_arn
        policy = aws.iam.RolePolicy(
            f"{resource_name}-access",
            name=name,
            role=role.id,
            policy=topic_arn.apply(
                lambda arn: to_json(reminder_policy_document(arn, NAMESPACE, topic_kms_key_arn=kms))
            ),
            opts=child,
        )
        logs = function_log_group(resource_name, name, role, LOG_RETENTION_DAYS, child)
        function = aws.lambda_.Function(
            f"{resource_name}-function",
            name=name,
            runtime="python3.12",
            handler="handler.lambda_handler",
            role=role.arn,
            code=pulumi.AssetArchive({"handler.py": pulumi.FileAsset(str(HANDLER))}),
            timeout=300,
            environment={
                "variables": {
                    "TOPIC_ARN": topic_arn,
                    "STACK": stack,
                    "WARN_DAYS": str(settings.warn_days),
                    "METRIC_NAMESPACE": NAMESPACE,
                }
            },
            description=f"Reminds owners before the X keys of {stack} are due for rotation"[:256],
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy, *logs]),
        )
        rule = aws.cloudwatch.EventRule(
            f"{resource_name}-schedule",
            name=name,
            schedule_expression=settings.schedule,
            tags=tags,
            opts=child,
        )
        aws.lambda_.Permission(
            f"{resource_name}-invoke",
            action="lambda:InvokeFunction",
            function=function.name,
            principal="events.amazonaws.com",
            source_arn=rule.arn,
            opts=child,
        )
        aws.cloudwatch.EventTarget(f"{resource_name}-target", rule=rule.name, arn=function.arn, opts=child)
        errors_alarm(
            f"{resource_name}-errors",
            function.name,
            topic_arn,
            f"The rotation reminders of {stack} failed (see the function's log group): owners may not be told",
            child,
        )
        if settings.alarms:
            for label, environment in sorted(apps):
                aws.cloudwatch.MetricAlarm(
                    f"{resource_name}-{label}-alarm",
                    name=f"{name}-{label.replace('/', '-')}"[:255],
                    namespace=NAMESPACE,
                    metric_name=METRIC_NAME,
                    dimensions={"Environment": environment, "App": label},
                    statistic="Minimum",
                    period=86400,
                    evaluation_periods=1,
                    threshold=settings.warn_days,
                    comparison_operator="LessThanOrEqualToThreshold",
                    treat_missing_data="notBreaching",
                    alarm_actions=[topic_arn],
                    alarm_description=f"The X keys of {label} ({environment}) are due within {settings.warn_days} days",
                    opts=child,
                )
        self.topic_arn = topic_arn
        self.function_name = function.name
        self.register_outputs({"topic_arn": topic_arn, "function_name": function.name})
