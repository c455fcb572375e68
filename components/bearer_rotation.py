"""Automatic rotation of an app's bearer token: a second secret and its rotation Lambda.

Split out of the component so the component stays a list of what it owns.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from .app_settings import AppSettings
from .aws_names import (
    LAMBDA_DESCRIPTION_MAX,
    rotation_failure_rule_name,
    rotation_function_name,
    rotation_policy_name,
    rotation_role_name,
    within,
)
from .lambda_package import build_rotation_archive
from .metadata import MANAGED_BY
from .monitoring import errors_alarm, function_log_group, rotation_failure_rule
from .policies import assume_role_document, rotation_policy_document, to_json
from .secret_policy import secret_policy

#: The initial value, written once; the first rotation (immediately on deploy) replaces it.
PLACEHOLDER = json.dumps({"bearer_token": ""})
#: The staging label of the bearer secret's first version, the only one Pulumi writes.
INITIAL_STAGE = "TWITTER_SECRETS_INITIAL"


def rotation_rules(schedule: int | str) -> dict[str, Any]:
    if isinstance(schedule, int):
        return {"automatically_after_days": schedule}
    return {"schedule_expression": schedule}


class BearerRotation:
    """The resources behind ``bearer_rotation``; all children of the app's component."""

    def __init__(
        self,
        name: str,
        settings: AppSettings,
        credentials_secret: aws.secretsmanager.Secret,
        credentials_version: aws.secretsmanager.SecretVersion,
        kms_key_arn: pulumi.Output[str | None],
        parent: pulumi.Resource,
    ) -> None:
        # Everything waits for the app's first version, which waits for the keys' validation:
        # bad keys register none of these either.
        child = pulumi.ResourceOptions(parent=parent, depends_on=[credentials_version])
        schedule = settings.bearer_rotation
        self.secret = aws.secretsmanager.Secret(
            f"{name}-bearer",
            name=f"{settings.app_secret_name}/bearer",
            description=(
                f"X (Twitter) app-only Bearer Token for app '{settings.app}' in project '{settings.project}'. "
                f"Rotated automatically by Secrets Manager ({schedule if isinstance(schedule, str) else f'every {schedule} days'}); "
                "do not edit. Managed by Pulumi (twitter-secrets)."
            ),
            kms_key_id=settings.kms_key_id,
            recovery_window_in_days=settings.recovery_window_in_days,
            # Where the app's keys are replicated, its bearer is too: consumers there read it locally.
            # AWS copies each rotated value; the function only ever writes the primary.
            replicas=[
                aws.secretsmanager.SecretReplicaArgs(region=r, kms_key_id=settings.replica_kms_key_ids.get(r))
                for r in settings.replica_regions
            ]
            or None,
            tags={
                "twitter:project": settings.project,
                "twitter:app": settings.app,
                "twitter:environment": settings.environment,
                "owner": settings.owner,
                "rotation:strategy": "automatic",
                "rotation:schedule": str(schedule),
                "managed-by": MANAGED_BY,
            },
            opts=child,
        )
        # The one version Pulumi owns carries only its own staging label. AWS gives the first
        # version of a secret AWSCURRENT as well, until the first rotation (run at once) moves it
        # on; afterwards the label keeps AWS from ever dropping the version, and were it dropped
        # and written again, a version written with a label other than AWSCURRENT never takes
        # AWSCURRENT. So no `pulumi up` can roll a rotated token back to the placeholder.
        self.initial_version = aws.secretsmanager.SecretVersion(
            f"{name}-bearer-initial",
            secret_id=self.secret.id,
            secret_string=pulumi.Output.secret(PLACEHOLDER),
            version_stages=[INITIAL_STAGE],
            # Stages too: AWS adds AWSCURRENT (first version) and AWSPREVIOUS (after a rotation) to this
            # version, and pulumi-aws would otherwise try to take them away at every `pulumi up`.
            opts=pulumi.ResourceOptions(
                parent=parent,
                depends_on=[credentials_version],
                ignore_changes=["secret_string", "version_stages"],
            ),
        )
        self.role = role = aws.iam.Role(
            f"{name}-rotation-role",
            name=rotation_role_name(settings.app_secret_name),
            assume_role_policy=to_json(assume_role_document("lambda.amazonaws.com")),
            description=within(f"Rotates the bearer token of {settings.app_label}", 1000),
            opts=child,
        )
        self.role_policy = aws.iam.RolePolicy(
            f"{name}-rotation-access",
            name=rotation_policy_name(settings.app_secret_name),
            role=role.id,
            policy=pulumi.Output.all(self.secret.arn, credentials_secret.arn, kms_key_arn).apply(
                lambda a: to_json(rotation_policy_document(a[0], a[1], kms_key_arn=a[2]))
            ),
            opts=child,
        )
        function_name = rotation_function_name(settings.app_secret_name)
        logs = function_log_group(
            f"{name}-rotation", function_name, role, settings.log_retention_in_days, child
        )
        self.function = aws.lambda_.Function(
            f"{name}-rotation",
            name=function_name,
            runtime="python3.12",
            handler="handler.lambda_handler",
            role=role.arn,
            code=pulumi.FileArchive(str(build_rotation_archive())),
            # Worst case: three X calls, each with three attempts of up to 25 s, plus a rate-limit wait.
            timeout=300,
            environment={
                "variables": {
                    "CREDENTIALS_SECRET_ARN": credentials_secret.arn,
                    "X_API_BASE_URL": settings.x_api_base_url,
                }
            },
            description=within(
                f"Secrets Manager rotation of the bearer token of {settings.app_label}",
                LAMBDA_DESCRIPTION_MAX,
            ),
            opts=pulumi.ResourceOptions(
                parent=parent, depends_on=[credentials_version, self.role_policy, *logs]
            ),
        )
        permission = aws.lambda_.Permission(
            f"{name}-rotation-invoke",
            action="lambda:InvokeFunction",
            function=self.function.name,
            principal="secretsmanager.amazonaws.com",
            source_arn=self.secret.arn,
            opts=child,
        )
        self.rotation = aws.secretsmanager.SecretRotation(
            f"{name}-bearer-rotation",
            secret_id=self.secret.id,
            rotation_lambda_arn=self.function.arn,
            rotation_rules=rotation_rules(schedule),
            opts=pulumi.ResourceOptions(
                parent=parent,
                depends_on=[self.initial_version, credentials_version, permission, self.role_policy],
            ),
        )
        # Someone hears of a failure: the function's errors, and Secrets Manager giving up.
        topic = settings.alarm_topic_arn
        self.alarm = errors_alarm(
            f"{name}-rotation-errors",
            self.function.name,
            topic,
            f"The bearer rotation of {settings.app_label} failed (see its log group); until it succeeds, "
            "consumers may hold a dead bearer token",
            child,
        )
        self.failure_rule = None
        if topic is not None:
            self.failure_rule = rotation_failure_rule(
                f"{name}-rotation-failed",
                rotation_failure_rule_name(settings.app_secret_name),
                self.secret.arn,
                topic,
                child,
            )
        else:
            pulumi.log.warn(
                f"{settings.app_label}: bearer rotation has no alarm_topic_arn, so a failed rotation pages nobody; "
                "set alarm_topic_arn (or turn reminders on in the stack)",
                resource=parent,
            )
        if settings.readers:
            # The bearer is guarded like the keys; the rotation function must keep reading and writing it.
            self.policy = secret_policy(
                f"{name}-bearer-policy",
                self.secret,
                settings,
                exempt=[role.arn],
                opts=pulumi.ResourceOptions(parent=parent, depends_on=[self.initial_version]),
            )
