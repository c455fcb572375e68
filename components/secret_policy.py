"""A secret's own resource policy from an app's readers settings: for the keys' and the bearer's secret."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from .app_settings import AppSettings
from .policies import resource_policy_document, to_json


def secret_policy(
    name: str,
    secret: aws.secretsmanager.Secret,
    settings: AppSettings,
    *,
    exempt: list[pulumi.Output[str]],
    opts: pulumi.ResourceOptions,
) -> aws.secretsmanager.SecretPolicy:
    """Readers read; with deny_other_readers nobody else reads, and only admins (and ``exempt``,
    the program's own functions) may change the policy. Principals given as Outputs were
    checked in the key gate before anything was registered."""

    def document(principals: list[list[Any]]) -> str:
        readers, admins, also_exempt = principals
        return to_json(
            resource_policy_document(
                readers,
                deny_other_readers=settings.deny_other_readers,
                admin_principals=[*admins, *also_exempt],
            )
        )

    return aws.secretsmanager.SecretPolicy(
        name,
        secret_arn=secret.arn,
        policy=pulumi.Output.all(
            pulumi.Output.all(*settings.readers),
            pulumi.Output.all(*settings.admin_principals),
            pulumi.Output.all(*exempt),
        ).apply(document),
        block_public_policy=True,
        opts=opts,
    )
