"""What each AWS resource type this project registers does to moto's server: one interpretation.

Test double, never shipped. Two stand-ins use it: ``tests/moto_mocks.py``
(Pulumi's mock monitor, no engine) and ``tests/standin_aws`` (the stand-in for
the pulumi-aws provider plugin that the real engine loads as ``aws``). Both
go through the same create, update and delete code, so what the tests learn
about AWS on the mock path holds on the engine path too.

It follows pulumi-aws (the Terraform AWS provider it bridges) where that
shows: which properties force a replacement (``REPLACE_ON``), how a resource
without a name is auto-named (``<resource name>-<7 hex>``), and the naming
rules and size limits AWS would enforce at deploy time (``input_problems``),
so a name AWS would refuse fails here too. Values are plain Python here:
the callers unwrap Pulumi secrets before and wrap them again after.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
GET_KEY = "aws:kms/getKey:getKey"

#: Inputs whose change pulumi-aws answers with a replacement (ForceNew in the Terraform schema).
REPLACE_ON: dict[str, frozenset[str]] = {
    SECRET: frozenset({"name", "namePrefix"}),
    VERSION: frozenset({"secretId", "secretString", "secretBinary", "secretStringWoVersion"}),
    SECRET_POLICY: frozenset({"secretArn"}),
    ROTATION: frozenset({"secretId"}),
    POLICY: frozenset({"name", "namePrefix", "path", "description"}),
    ROLE: frozenset({"name", "namePrefix", "path"}),
    ROLE_POLICY: frozenset({"name", "namePrefix", "role"}),
    ATTACHMENT: frozenset({"role", "policyArn"}),
    FUNCTION: frozenset({"name", "packageType"}),
    PERMISSION: frozenset(
        {"action", "function", "principal", "sourceArn", "sourceAccount", "statementId", "qualifier"}
    ),
    TASK_DEFINITION: frozenset(
        {
            "family",
            "containerDefinitions",
            "cpu",
            "memory",
            "networkMode",
            "requiresCompatibilities",
            "executionRoleArn",
            "taskRoleArn",
        }
    ),
}
#: Write-only inputs: sent to AWS, never stored back into state.
WRITE_ONLY: dict[str, frozenset[str]] = {VERSION: frozenset({"secretStringWo"})}

# name property, pattern, longest name: AWS's rules for the named types.
_IAM_NAME = re.compile(r"[\w+=,.@-]+")
NAMING: dict[str, tuple[str, re.Pattern[str], int]] = {
    ROLE: ("name", _IAM_NAME, 64),
    POLICY: ("name", _IAM_NAME, 128),
    ROLE_POLICY: ("name", _IAM_NAME, 128),
    FUNCTION: ("name", re.compile(r"[A-Za-z0-9_-]+"), 64),
    SECRET: ("name", re.compile(r"[A-Za-z0-9/_+=.@-]+"), 512),
    TASK_DEFINITION: ("family", re.compile(r"[A-Za-z0-9_-]+"), 255),
}
#: Types pulumi-aws auto-names when the program gives no name.
AUTONAMED = frozenset({ROLE, POLICY, ROLE_POLICY, FUNCTION, SECRET})
DESCRIPTION_MAX = {SECRET: 2048, POLICY: 1000, ROLE: 1000, FUNCTION: 256}
TAGS_MAX, TAG_KEY_MAX, TAG_VALUE_MAX = 50, 128, 256


def autoname(resource_name: str, seed: bytes, limit: int) -> str:
    """``<resource name>-<7 hex>``, as pulumi-aws names a resource the program did not name."""
    suffix = hashlib.sha256(seed + resource_name.encode()).hexdigest()[:7]
    return f"{resource_name[: max(1, limit - 8)]}-{suffix}"


def input_problems(type_: str, inputs: dict[str, Any]) -> list[tuple[str, str]]:
    """(property, reason) for each input AWS would refuse at deploy time."""
    problems: list[tuple[str, str]] = []
    if type_ in NAMING:
        prop, pattern, limit = NAMING[type_]
        name = inputs.get(prop)
        if isinstance(name, str):
            if len(name) > limit:
                problems.append(
                    (prop, f"{prop} '{name}' is {len(name)} characters; AWS allows at most {limit}")
                )
            if not pattern.fullmatch(name):
                problems.append((prop, f"{prop} '{name}' does not match AWS's pattern {pattern.pattern}"))
    description = inputs.get("description")
    if (
        type_ in DESCRIPTION_MAX
        and isinstance(description, str)
        and len(description) > DESCRIPTION_MAX[type_]
    ):
        problems.append(
            (
                "description",
                f"description is {len(description)} characters; AWS allows {DESCRIPTION_MAX[type_]}",
            )
        )
    tags = inputs.get("tags")
    if isinstance(tags, dict):
        if len(tags) > TAGS_MAX:
            problems.append(("tags", f"{len(tags)} tags; AWS allows {TAGS_MAX}"))
        for key, value in tags.items():
            if len(key) > TAG_KEY_MAX or len(str(value)) > TAG_VALUE_MAX:
                problems.append(
                    ("tags", f"a tag is over AWS's {TAG_KEY_MAX}/{TAG_VALUE_MAX}-character limits")
                )
    return problems


def _tags(mapping: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted((mapping or {}).items())]


def policy_document(version: dict[str, Any]) -> Any:
    """IAM's stored document, whichever form boto3 hands it back in."""
    document = version["PolicyVersion"]["Document"]
    if isinstance(document, str):
        document = json.loads(unquote(document))
    return document


def missing(error: ClientError) -> bool:
    return error.response["Error"]["Code"] in ("ResourceNotFoundException", "NoSuchEntity")


def archive_bytes(code: Any) -> bytes:
    """A Lambda package from what the program gave: a zip file's path, or files by name."""
    if isinstance(code, (str, Path)):
        return Path(code).read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in sorted(code.items()):
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


def archive_digest(code: Any) -> str:
    """What state keeps of a Lambda package: its digest, so a diff sees a changed package."""
    if isinstance(code, str) and code.startswith("sha256:"):
        return code
    return "sha256:" + hashlib.sha256(archive_bytes(code)).hexdigest()


class MotoAws:
    """Creates, updates, reads and deletes this project's resource types on moto's server."""

    def __init__(self, client: Callable[[str], Any]) -> None:
        self._client = client
        self._clients: dict[str, Any] = {}

    def __getattr__(self, service: str) -> Any:
        if service.startswith("_"):
            raise AttributeError(service)
        if service not in self._clients:
            self._clients[service] = self._client({"lambda_": "lambda"}.get(service, service))
        return self._clients[service]

    @property
    def account(self) -> str:
        return self.sts.get_caller_identity()["Account"]

    # --- the operations --------------------------------------------------------------------

    def create(self, type_: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Make the resource; its id and the attributes AWS computed."""
        return getattr(self, "_create_" + _short(type_))(inputs)

    def update(self, type_: str, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        """Change in place what ``REPLACE_ON`` does not cover; the computed attributes after."""
        handler = getattr(self, "_update_" + _short(type_), None)
        return handler(id_, olds, news) if handler else {}

    def delete(self, type_: str, id_: str, state: dict[str, Any]) -> None:
        handler = getattr(self, "_delete_" + _short(type_), None)
        if handler is not None:
            try:
                handler(id_, state)
            except ClientError as error:
                if not missing(error):
                    raise

    def exists(self, type_: str, id_: str) -> bool:
        """For refresh: whether AWS still has it (and a secret is not scheduled for deletion)."""
        try:
            if type_ == SECRET:
                return "DeletedDate" not in self.secretsmanager.describe_secret(SecretId=id_)
            if type_ == POLICY:
                self.iam.get_policy(PolicyArn=id_)
            elif type_ == ROLE:
                self.iam.get_role(RoleName=id_)
            elif type_ == FUNCTION:
                self.lambda_.get_function(FunctionName=id_)
        except ClientError as error:
            if missing(error):
                return False
            raise
        return True

    def invoke(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        if token == GET_KEY:
            meta = self.kms.describe_key(KeyId=args["keyId"])["KeyMetadata"]
            return {"arn": meta["Arn"], "id": meta["KeyId"], "keyId": args["keyId"]}
        raise NotImplementedError(f"{token} is not implemented by the stand-in")

    # --- Secrets Manager ---------------------------------------------------------------------

    def _create_secret(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {"Name": inputs["name"], "Description": inputs.get("description", "")}
        if inputs.get("kmsKeyId"):
            kwargs["KmsKeyId"] = inputs["kmsKeyId"]
        if inputs.get("tags"):
            kwargs["Tags"] = _tags(inputs["tags"])
        if inputs.get("replicas"):
            kwargs["AddReplicaRegions"] = [{"Region": r["region"]} for r in inputs["replicas"]]
        arn = self.secretsmanager.create_secret(**kwargs)["ARN"]
        return arn, {"arn": arn, "id": arn}

    def _update_secret(self, arn: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        update: dict[str, Any] = {"SecretId": arn, "Description": news.get("description", "")}
        if news.get("kmsKeyId"):
            update["KmsKeyId"] = news["kmsKeyId"]
        self.secretsmanager.update_secret(**update)
        current = {t["Key"] for t in self.secretsmanager.describe_secret(SecretId=arn).get("Tags", [])}
        stale = sorted(current - set(news.get("tags") or {}))
        if stale:
            self.secretsmanager.untag_resource(SecretId=arn, TagKeys=stale)
        if news.get("tags"):
            self.secretsmanager.tag_resource(SecretId=arn, Tags=_tags(news["tags"]))
        return {"arn": arn, "id": arn}

    def _delete_secret(self, arn: str, state: dict[str, Any]) -> None:
        window = int(state.get("recoveryWindowInDays") or 30)
        if window == 0:
            self.secretsmanager.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
        else:
            self.secretsmanager.delete_secret(SecretId=arn, RecoveryWindowInDays=window)

    def _create_secret_version(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        arn = inputs["secretId"]
        value = inputs.get("secretString") or inputs.get("secretStringWo")
        kwargs: dict[str, Any] = {"SecretId": arn, "SecretString": value}
        if inputs.get("versionStages"):
            kwargs["VersionStages"] = list(inputs["versionStages"])
        version_id = self.secretsmanager.put_secret_value(**kwargs)["VersionId"]
        stages = self.secretsmanager.describe_secret(SecretId=arn)["VersionIdsToStages"].get(version_id, [])
        return f"{arn}|{version_id}", {"arn": arn, "versionId": version_id, "versionStages": stages}

    def _update_secret_version(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        # The value forces a replacement; what is left to update is which stages the version has.
        arn, version_id = id_.split("|", 1)
        stages = self.secretsmanager.describe_secret(SecretId=arn)["VersionIdsToStages"].get(version_id, [])
        return {"arn": arn, "versionId": version_id, "versionStages": stages}

    def _delete_secret_version(self, id_: str, state: dict[str, Any]) -> None:
        # Like pulumi-aws: remove the version's own stages, never AWSCURRENT (it can only move).
        arn, version_id = id_.split("|", 1)
        for stage in state.get("versionStages") or []:
            if stage != "AWSCURRENT":
                self.secretsmanager.update_secret_version_stage(
                    SecretId=arn, VersionStage=stage, RemoveFromVersionId=version_id
                )

    def _create_secret_policy(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._update_secret_policy(inputs["secretArn"], {}, inputs)
        return inputs["secretArn"], {}

    def _update_secret_policy(self, arn: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        self.secretsmanager.put_resource_policy(
            SecretId=arn, ResourcePolicy=news["policy"], BlockPublicPolicy=bool(news.get("blockPublicPolicy"))
        )
        return {}

    def _delete_secret_policy(self, arn: str, state: dict[str, Any]) -> None:
        self.secretsmanager.delete_resource_policy(SecretId=arn)

    def _create_secret_rotation(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._update_secret_rotation(inputs["secretId"], {}, inputs)
        return inputs["secretId"], {"rotationEnabled": True}

    def _update_secret_rotation(self, arn: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        rules = {
            {"automaticallyAfterDays": "AutomaticallyAfterDays", "scheduleExpression": "ScheduleExpression"}[
                k
            ]: (int(v) if isinstance(v, float) else v)
            for k, v in (news.get("rotationRules") or {}).items()
        }
        self.secretsmanager.rotate_secret(
            SecretId=arn,
            RotationLambdaARN=news["rotationLambdaArn"],
            RotationRules=rules,
            RotateImmediately=False,  # moto cannot run the function: it would need Docker
        )
        return {"rotationEnabled": True}

    def _delete_secret_rotation(self, arn: str, state: dict[str, Any]) -> None:
        self.secretsmanager.cancel_rotate_secret(SecretId=arn)

    # --- IAM -------------------------------------------------------------------------------

    def _create_policy(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        policy = self.iam.create_policy(
            PolicyName=inputs["name"],
            Path=inputs.get("path", "/"),
            PolicyDocument=inputs["policy"],
            Description=inputs.get("description", ""),
            Tags=_tags(inputs.get("tags")),
        )["Policy"]
        return policy["Arn"], {"arn": policy["Arn"], "policyId": policy["PolicyId"]}

    def _update_policy(self, arn: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        policy = self.iam.get_policy(PolicyArn=arn)["Policy"]
        default = self.iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
        if policy_document(default) != json.loads(news["policy"]):
            versions = self.iam.list_policy_versions(PolicyArn=arn)["Versions"]
            if len(versions) >= 5:  # IAM keeps five; drop the oldest non-default, as pulumi-aws does
                oldest = min(
                    (v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"]
                )
                self.iam.delete_policy_version(PolicyArn=arn, VersionId=oldest["VersionId"])
            self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=news["policy"], SetAsDefault=True)
        if news.get("tags") != olds.get("tags"):
            stale = sorted(set(olds.get("tags") or {}) - set(news.get("tags") or {}))
            if stale:
                self.iam.untag_policy(PolicyArn=arn, TagKeys=stale)
            if news.get("tags"):
                self.iam.tag_policy(PolicyArn=arn, Tags=_tags(news["tags"]))
        return {"arn": arn, "policyId": policy["PolicyId"]}

    def _delete_policy(self, arn: str, state: dict[str, Any]) -> None:
        for version in self.iam.list_policy_versions(PolicyArn=arn)["Versions"]:
            if not version["IsDefaultVersion"]:
                self.iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
        self.iam.delete_policy(PolicyArn=arn)

    def _create_role(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "RoleName": inputs["name"],
            "AssumeRolePolicyDocument": inputs["assumeRolePolicy"],
            "Path": inputs.get("path", "/"),
        }
        if inputs.get("description"):
            kwargs["Description"] = inputs["description"]
        if inputs.get("tags"):
            kwargs["Tags"] = _tags(inputs["tags"])
        role = self.iam.create_role(**kwargs)["Role"]
        return inputs["name"], {"arn": role["Arn"], "name": inputs["name"], "uniqueId": role["RoleId"]}

    def _update_role(self, name: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        self.iam.update_assume_role_policy(RoleName=name, PolicyDocument=news["assumeRolePolicy"])
        if news.get("description") != olds.get("description"):
            self.iam.update_role(RoleName=name, Description=news.get("description") or "")
        role = self.iam.get_role(RoleName=name)["Role"]
        return {"arn": role["Arn"], "name": name, "uniqueId": role["RoleId"]}

    def _delete_role(self, name: str, state: dict[str, Any]) -> None:
        self.iam.delete_role(RoleName=name)

    def _create_role_policy(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.iam.put_role_policy(
            RoleName=inputs["role"], PolicyName=inputs["name"], PolicyDocument=inputs["policy"]
        )
        return f"{inputs['role']}:{inputs['name']}", {}

    def _update_role_policy(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        self.iam.put_role_policy(
            RoleName=news["role"], PolicyName=news["name"], PolicyDocument=news["policy"]
        )
        return {}

    def _delete_role_policy(self, id_: str, state: dict[str, Any]) -> None:
        role, name = id_.split(":", 1)
        self.iam.delete_role_policy(RoleName=role, PolicyName=name)

    def _create_role_policy_attachment(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.iam.attach_role_policy(RoleName=inputs["role"], PolicyArn=inputs["policyArn"])
        suffix = hashlib.sha256(inputs["policyArn"].encode()).hexdigest()[:8]
        return f"{inputs['role']}-{suffix}", {}

    def _delete_role_policy_attachment(self, id_: str, state: dict[str, Any]) -> None:
        self.iam.detach_role_policy(RoleName=state["role"], PolicyArn=state["policyArn"])

    # --- Lambda and ECS --------------------------------------------------------------------

    def _create_function(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "FunctionName": inputs["name"],
            "Runtime": inputs.get("runtime", "python3.12"),
            "Role": inputs["role"],
            "Handler": inputs.get("handler", "index.handler"),
            "Code": {"ZipFile": archive_bytes(inputs["code"])},
            "Timeout": int(inputs.get("timeout") or 3),
            "Description": inputs.get("description", ""),
        }
        variables = (inputs.get("environment") or {}).get("variables")
        if variables:
            kwargs["Environment"] = {"Variables": dict(variables)}
        function = self.lambda_.create_function(**kwargs)
        return inputs["name"], {"arn": function["FunctionArn"], "name": inputs["name"], "version": "$LATEST"}

    def _update_function(self, name: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        variables = (news.get("environment") or {}).get("variables") or {}
        self.lambda_.update_function_configuration(
            FunctionName=name,
            Role=news["role"],
            Handler=news.get("handler", "index.handler"),
            Timeout=int(news.get("timeout") or 3),
            Description=news.get("description", ""),
            Environment={"Variables": dict(variables)},
        )
        if olds.get("code") is None or archive_digest(news["code"]) != archive_digest(olds["code"]):
            self.lambda_.update_function_code(FunctionName=name, ZipFile=archive_bytes(news["code"]))
        arn = self.lambda_.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
        return {"arn": arn, "name": name, "version": "$LATEST"}

    def _delete_function(self, name: str, state: dict[str, Any]) -> None:
        self.lambda_.delete_function(FunctionName=name)

    def _create_permission(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        statement = (
            inputs.get("statementId")
            or "stand-in-" + hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:8]
        )
        self.lambda_.add_permission(
            FunctionName=inputs["function"],
            StatementId=statement,
            Action=inputs["action"],
            Principal=inputs["principal"],
            **({"SourceArn": inputs["sourceArn"]} if inputs.get("sourceArn") else {}),
        )
        return statement, {"statementId": statement}

    def _delete_permission(self, statement: str, state: dict[str, Any]) -> None:
        self.lambda_.remove_permission(FunctionName=state["function"], StatementId=statement)

    def _create_task_definition(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "family": inputs["family"],
            "containerDefinitions": json.loads(inputs["containerDefinitions"]),
            "requiresCompatibilities": list(inputs.get("requiresCompatibilities") or []),
        }
        for prop, key in (
            ("cpu", "cpu"),
            ("memory", "memory"),
            ("networkMode", "networkMode"),
            ("executionRoleArn", "executionRoleArn"),
            ("taskRoleArn", "taskRoleArn"),
        ):
            if inputs.get(prop):
                kwargs[key] = inputs[prop]
        task = self.ecs.register_task_definition(**kwargs)["taskDefinition"]
        arn = task["taskDefinitionArn"]
        return arn, {
            "arn": arn,
            "revision": float(task["revision"]),
            "arnWithoutRevision": arn.rsplit(":", 1)[0],
        }

    def _delete_task_definition(self, arn: str, state: dict[str, Any]) -> None:
        self.ecs.deregister_task_definition(taskDefinition=arn)


def _short(type_: str) -> str:
    """``aws:iam/rolePolicyAttachment:RolePolicyAttachment`` → ``role_policy_attachment``."""
    name = type_.rsplit(":", 1)[1]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
