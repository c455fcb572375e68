"""Pulumi mocks that apply each resource to moto's server through boto3.

The engine and the AWS provider are not here, so this stands in for them in
the simplest honest way: create on first sight, update in place after, and
(like the engine's diff) write a new secret version only when the value
changed. What comes back are moto's real ARNs and version ids. The AWS side
is ``tests/moto_aws.py``, the same code the stand-in provider plugin runs
under the real engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
from botocore.exceptions import ClientError

from tests.harness import unwrap_secret
from tests.moto_aws import (
    ATTACHMENT,
    POLICY,
    ROLE,
    SECRET,
    SECRET_POLICY,
    VERSION,
    WRITE_ONLY,
    MotoAws,
    missing,
    policy_document,
)

__all__ = ["MotoMocks", "policy_document"]
APPLIED = frozenset({SECRET, VERSION, SECRET_POLICY, POLICY, ROLE, ATTACHMENT})


class MotoMocks(pulumi.runtime.Mocks):
    def __init__(self, client: Callable[[str], Any]) -> None:
        self.aws = MotoAws(client)
        self.account = self.aws.account
        self.applied: list[tuple[str, str]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        if args.typ not in APPLIED:
            # Not applied to moto, but every AWS resource has an ARN the program may read.
            kind = args.typ.rsplit(":", 1)[-1].lower()
            return f"{args.name}-id", {
                "arn": f"arn:aws:mock:us-east-1:123456789012:{kind}/{args.name}",
                **args.inputs,
            }
        inputs = {k: unwrap_secret(v) for k, v in args.inputs.items()}
        self.applied.append((args.typ, args.name))
        existing = self._existing_id(args.typ, inputs)
        if existing is None:
            id_, extra = self.aws.create(args.typ, inputs)
        else:
            id_, extra = existing, self.aws.update(args.typ, existing, {}, inputs)
        state = {k: v for k, v in args.inputs.items() if k not in WRITE_ONLY.get(args.typ, ())}
        state.update(extra)
        return id_, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
        return self.aws.invoke(args.token, dict(args.args)), []

    def _existing_id(self, type_: str, inputs: dict[str, Any]) -> str | None:
        """What a second run finds already there (the engine would know it from its state)."""
        try:
            if type_ == SECRET:
                return self.aws.secretsmanager.describe_secret(SecretId=inputs["name"])["ARN"]
            if type_ == POLICY:
                arn = f"arn:aws:iam::{self.account}:policy{inputs.get('path', '/')}{inputs['name']}"
                return self.aws.iam.get_policy(PolicyArn=arn)["Policy"]["Arn"]
            if type_ == VERSION:
                # Name the stage: moto's default read does not follow a moved AWSCURRENT (AWS's does).
                current = self.aws.secretsmanager.get_secret_value(
                    SecretId=inputs["secretId"], VersionStage="AWSCURRENT"
                )
                same = current.get("SecretString") == (
                    inputs.get("secretString") or inputs.get("secretStringWo")
                )
                return f"{inputs['secretId']}|{current['VersionId']}" if same else None
            if type_ == ROLE and inputs.get("name"):
                return self.aws.iam.get_role(RoleName=inputs["name"])["Role"]["RoleName"]
            if type_ == SECRET_POLICY:
                return None  # put_resource_policy replaces whatever is there
        except ClientError as error:
            if not missing(error):
                raise
        return None
