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
from .policies import assume_role_document, reminder_policy_document, to_json
from .reminder_settings import ReminderSettings

HANDLER = Path(__file__).resolve().parent.parent / "reminders" / "handler.py"
NAMESPACE = "TwitterSecrets"
METRIC_NAME = "DaysUntilRotationDue"
LAMBDA_LOGS_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


class RotationReminders(pulumi.ComponentResource):
    """The reminder function, its role, schedule and topic, for one environment's apps."""

    def __init__(
        self,
        resource_name: str,
        settings: ReminderSettings,
        *,
        environment: str,
        apps: list[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("twitter-secrets:index:RotationReminders", resource_name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = {"twitter:environment": environment, "managed-by": MANAGED_BY}
        if settings.topic_arn is not None:
            topic_arn: pulumi.Output[str] = pulumi.Output.from_input(settings.topic_arn)
        else:
            topic = aws.sns.Topic(
                f"{resource_name}-topic",
                name=f"twitter-{environment}-rotation-reminders",
                tags=tags,
                opts=child,
            )
            topic_arn = topic.arn
            for index, address in enumerate(settings.emails):
                aws.sns.TopicSubscription(
                    f"{resource_name}-email-{index}",
                    topic=topic.arn,
                    protocol="email",
                    endpoint=address,
                    opts=child,
                )
        name = reminder_name(environment)
        role = aws.iam.Role(
            f"{resource_name}-role",
            name=name,
            assume_role_policy=to_json(assume_role_document("lambda.amazonaws.com")),
            description=f"Sends the X key rotation reminders of {environment}",
            tags=tags,
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{resource_name}-access",
            name=name,
            role=role.id,
            policy=topic_arn.apply(lambda arn: to_json(reminder_policy_document(arn, NAMESPACE))),
            opts=child,
        )
        logs = aws.iam.RolePolicyAttachment(
            f"{resource_name}-logs", role=role.name, policy_arn=LAMBDA_LOGS_POLICY, opts=child
        )
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
                    "ENVIRONMENT": environment,
                    "WARN_DAYS": str(settings.warn_days),
                    "METRIC_NAMESPACE": NAMESPACE,
                }
            },
            description=f"Reminds owners before the X keys of {environment} are due for rotation",
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy, logs]),
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
        if settings.alarms:
            for label in sorted(apps):
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
