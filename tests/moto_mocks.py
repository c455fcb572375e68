"""Pulumi mocks that apply each resource to moto's server through boto3.

The engine and the AWS provider are not here, so this stands in for them in
the simplest honest way: create on first sight, update in place after, and
(like the engine's diff) write a new secret version only when the value
changed. What comes back are moto's real ARNs and version ids.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
from botocore.exceptions import ClientError

from tests.harness import unwrap_secret


def _tags(mapping: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(mapping.items())]


def policy_document(version: dict[str, Any]) -> Any:
    """IAM's stored document, whichever form boto3 hands it back in."""
    document = version["PolicyVersion"]["Document"]
    if isinstance(document, str):
        from urllib.parse import unquote

        document = json.loads(unquote(document))
    return document


def _missing(error: ClientError) -> bool:
    return error.response["Error"]["Code"] in ("ResourceNotFoundException", "NoSuchEntity")


class MotoMocks(pulumi.runtime.Mocks):
    def __init__(self, client: Callable[[str], Any]) -> None:
        self.sm = client("secretsmanager")
        self.iam = client("iam")
        self.kms = client("kms")
        self.account = client("sts").get_caller_identity()["Account"]
        self.applied: list[tuple[str, str]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        inputs = {k: unwrap_secret(v) for k, v in args.inputs.items()}
        handler = {
            "aws:secretsmanager/secret:Secret": self._secret,
            "aws:secretsmanager/secretVersion:SecretVersion": self._version,
            "aws:secretsmanager/secretPolicy:SecretPolicy": self._secret_policy,
            "aws:iam/policy:Policy": self._policy,
            "aws:iam/role:Role": self._role,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment": self._attachment,
        }.get(args.typ)
        if handler is None:
            return f"{args.name}-id", dict(args.inputs)
        self.applied.append((args.typ, args.name))
        id_, extra = handler(inputs)
        state = dict(args.inputs)
        state.pop("secretStringWo", None)  # write-only: never read back
        state.update(extra)
        return id_, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
        if args.token == "aws:kms/getKey:getKey":
            meta = self.kms.describe_key(KeyId=args.args["keyId"])["KeyMetadata"]
            return {"arn": meta["Arn"], "id": meta["KeyId"], "keyId": args.args["keyId"]}, []
        return {}, []

    # --- Secrets Manager ------------------------------------------------------------------

    def _secret(self, inputs: dict[str, Any]) -> tuple[str, dict]:
        name = inputs["name"]
        try:
            arn = self.sm.describe_secret(SecretId=name)["ARN"]
        except ClientError as error:
            if not _missing(error):
                raise
            kwargs: dict[str, Any] = {"Name": name, "Description": inputs.get("description", "")}
            if inputs.get("kmsKeyId"):
                kwargs["KmsKeyId"] = inputs["kmsKeyId"]
            if inputs.get("tags"):
                kwargs["Tags"] = _tags(inputs["tags"])
            arn = self.sm.create_secret(**kwargs)["ARN"]
        else:
            update: dict[str, Any] = {"SecretId": arn, "Description": inputs.get("description", "")}
            if inputs.get("kmsKeyId"):
                update["KmsKeyId"] = inputs["kmsKeyId"]
            self.sm.update_secret(**update)
            old = {t["Key"] for t in self.sm.describe_secret(SecretId=arn).get("Tags", [])}
            stale = sorted(old - set(inputs.get("tags") or {}))
            if stale:
                self.sm.untag_resource(SecretId=arn, TagKeys=stale)
            self.sm.tag_resource(SecretId=arn, Tags=_tags(inputs.get("tags") or {}))
        return arn, {"arn": arn, "id": arn}

    def _version(self, inputs: dict[str, Any]) -> tuple[str, dict]:
        arn = inputs["secretId"]
        value = inputs.get("secretString") or inputs.get("secretStringWo")
        try:
            current = self.sm.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")
        except ClientError as error:
            if not _missing(error):
                raise
            current = None
        if current is not None and current.get("SecretString") == value:
            version_id = current["VersionId"]  # no diff, so the engine would not write
        else:
            version_id = self.sm.put_secret_value(SecretId=arn, SecretString=value)["VersionId"]
        return f"{arn}|{version_id}", {"versionId": version_id, "arn": arn}

    def _secret_policy(self, inputs: dict[str, Any]) -> tuple[str, dict]:
        self.sm.put_resource_policy(
            SecretId=inputs["secretArn"],
            ResourcePolicy=inputs["policy"],
            BlockPublicPolicy=bool(inputs.get("blockPublicPolicy")),
        )
        return inputs["secretArn"], {}

    # --- IAM -------------------------------------------------------------------------------

    def _policy(self, inputs: dict[str, Any]) -> tuple[str, dict]:
        arn = f"arn:aws:iam::{self.account}:policy{inputs.get('path', '/')}{inputs['name']}"
        try:
            policy = self.iam.get_policy(PolicyArn=arn)["Policy"]
        except ClientError as error:
            if not _missing(error):
                raise
            policy = self.iam.create_policy(
                PolicyName=inputs["name"],
                Path=inputs.get("path", "/"),
                PolicyDocument=inputs["policy"],
                Description=inputs.get("description", ""),
                Tags=_tags(inputs.get("tags") or {}),
            )["Policy"]
        else:
            default = self.iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
            if policy_document(default) != json.loads(inputs["policy"]):
                self.iam.create_policy_version(
                    PolicyArn=arn, PolicyDocument=inputs["policy"], SetAsDefault=True
                )
        return policy["Arn"], {"arn": policy["Arn"], "policyId": policy["PolicyId"]}

    def _role(self, inputs: dict[str, Any]) -> tuple[str, dict]:
        role = self.iam.create_role(
            RoleName=inputs["name"], AssumeRolePolicyDocument=inputs["assumeRolePolicy"]
        )
        return inputs["name"], {"arn": role["Role"]["Arn"], "name": inputs["name"]}

    def _attachment(self, inputs: dict[str, Any]) -> tuple[str, dict]:
        self.iam.attach_role_policy(RoleName=inputs["role"], PolicyArn=inputs["policyArn"])
        return f"{inputs['role']}-{inputs['policyArn']}", {}
