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

``read`` answers with what moto holds now, in the shape of the program's
inputs, so ``pulumi refresh`` sees a change made by hand. Lambda code is
stored in moto's S3 (``CODE_BUCKET``) and the function created from there,
so whoever runs a function later (``tests/standin_aws/lambda_runner.py``)
reads the very bytes moto holds. moto cannot run Lambda code (it needs
Docker): a ``SecretRotation`` that rotates immediately, as pulumi-aws's does
by default, hands the four rotation steps to the ``functions`` runner given
to ``MotoAws``; without one the rotation is configured and not run. (moto
marks a secret ``RotationEnabled`` only for ``AutomaticallyAfterDays`` rules,
so a rotation on a ``rate()``/``cron()`` schedule is refused by the handler
here, not on AWS: the tests rotate every N days.) Deleting a secret removes
its replicas first, as pulumi-aws does (AWS refuses to delete one that has any).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol
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
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
GET_KEY = "aws:kms/getKey:getKey"
#: Where the stand-in keeps each function's package in moto's S3 (AWS keeps it in a bucket of its own).
CODE_BUCKET = "twitter-secrets-standin-lambda-code"

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
    TOPIC: frozenset({"name", "namePrefix", "fifoTopic"}),
    SUBSCRIPTION: frozenset({"topic", "protocol", "endpoint", "endpointAutoConfirms"}),
    EVENT_RULE: frozenset({"name", "namePrefix", "eventBusName"}),
    EVENT_TARGET: frozenset({"rule", "targetId", "eventBusName"}),
    ALARM: frozenset({"name"}),
    LOG_GROUP: frozenset({"name", "namePrefix", "kmsKeyId"}),
    TOPIC_POLICY: frozenset({"arn"}),
}
#: What AWS holds for a property nobody set: ``read`` leaves such a property out of the state.
READ_DEFAULTS: dict[str, dict[str, Any]] = {
    ROLE: {"path": "/"},
    POLICY: {"path": "/"},
    FUNCTION: {"timeout": 3},
    EVENT_RULE: {"state": "ENABLED"},
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
    TOPIC: ("name", re.compile(r"[A-Za-z0-9_-]+(\.fifo)?"), 256),
    EVENT_RULE: ("name", re.compile(r"[.\-_A-Za-z0-9]+"), 64),
    ALARM: ("name", re.compile(r"[^\x00-\x1f\x7f]+"), 255),
    PERMISSION: ("statementId", re.compile(r"[A-Za-z0-9_.-]+"), 100),
    LOG_GROUP: ("name", re.compile(r"[A-Za-z0-9_./#-]+"), 512),
}
#: Types pulumi-aws auto-names when the program gives no name.
AUTONAMED = frozenset({ROLE, POLICY, ROLE_POLICY, FUNCTION, SECRET, TOPIC, EVENT_RULE, ALARM})
DESCRIPTION_MAX = {SECRET: 2048, POLICY: 1000, ROLE: 1000, FUNCTION: 256, EVENT_RULE: 512}
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


def _sync_tags(
    current: Iterable[str],
    wanted: dict[str, str] | None,
    *,
    untag: Callable[[list[str]], Any],
    tag: Callable[[dict[str, str]], Any],
) -> None:
    """Make a resource's tags ``wanted``: drop the keys it no longer has, then set the rest (every
    AWS service spells the two calls its own way, so the caller passes them)."""
    stale = sorted(set(current) - set(wanted or {}))
    if stale:
        untag(stale)
    if wanted:
        tag(wanted)


def _tags(mapping: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted((mapping or {}).items())]


def _replica(replica: dict[str, Any]) -> dict[str, str]:
    """A replica as AddReplicaRegions takes it: its region, and its own region's key when given."""
    return {
        "Region": replica["region"],
        **({"KmsKeyId": replica["kmsKeyId"]} if replica.get("kmsKeyId") else {}),
    }


def _tag_map(tags: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags or []}


def _document(stored: Any, document: Any) -> str:
    """A JSON document as the state has it when AWS holds the same document, else AWS's as JSON."""
    if isinstance(document, str):
        document = json.loads(unquote(document))
    if isinstance(stored, str):
        try:
            if json.loads(stored) == document:
                return stored
        except ValueError:
            pass
    return json.dumps(document)


def _in_order(stored: Any, observed: list[Any]) -> list[Any]:
    """The state's list when AWS holds the same items (AWS's order is its own), else AWS's."""
    if isinstance(stored, list) and sorted(map(json.dumps, stored)) == sorted(map(json.dumps, observed)):
        return stored
    return observed


class FunctionRunner(Protocol):
    """Runs a Lambda function moto holds (``tests/standin_aws/lambda_runner.py``)."""

    def rotate(self, secret_arn: str, function_arn: str, token: str) -> None: ...


def policy_document(version: dict[str, Any]) -> Any:
    """IAM's stored document, whichever form boto3 hands it back in."""
    document = version["PolicyVersion"]["Document"]
    if isinstance(document, str):
        document = json.loads(unquote(document))
    return document


def missing(error: ClientError) -> bool:
    return error.response["Error"]["Code"] in (
        "ResourceNotFoundException",
        "NoSuchEntity",
        "NotFound",
        "NotFoundException",
    )


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

    def __init__(self, client: Callable[[str], Any], functions: FunctionRunner | None = None) -> None:
        self._client = client
        self._clients: dict[str, Any] = {}
        #: Runs a function as Lambda would; moto cannot (it needs Docker).
        self.functions = functions

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
        """Remove it from AWS; already gone is fine. A type without a delete is a gap, said so."""
        handler = getattr(self, "_delete_" + _short(type_), None)
        if handler is None:
            raise NotImplementedError(f"the stand-in cannot delete {type_}")
        try:
            handler(id_, state)
        except ClientError as error:
            if not missing(error):
                raise

    def read(self, type_: str, id_: str, state: dict[str, Any]) -> dict[str, Any] | None:
        """What AWS holds now, as the program's inputs spell it; None when it is gone.

        ``state`` is the resource's last known state (plain values): a document AWS holds
        unchanged keeps the state's JSON text, and a list with the same items its order.
        """
        handler = getattr(self, "_read_" + _short(type_), None)
        try:
            observed = handler(id_, state) if handler else {}
        except ClientError as error:
            if missing(error):
                return None
            raise
        if observed is None:
            return None
        # A property the state never had stays out while AWS holds nothing or its default for it.
        defaults = READ_DEFAULTS.get(type_, {})
        return {
            k: v
            for k, v in observed.items()
            if k in state or (v not in (None, "", [], {}, False) and v != defaults.get(k))
        }

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
            kwargs["AddReplicaRegions"] = [_replica(r) for r in inputs["replicas"]]
        arn = self._create_secret_once(kwargs)
        return arn, {"arn": arn, "id": arn}

    def _create_secret_once(self, kwargs: dict[str, Any]) -> str:
        """CreateSecret, retried after an HTTP 500 as the provider's AWS SDK retries it: moto's server
        answers an occasional 500 when thousands of creates arrive eight at a time, sometimes after
        creating the secret, which then counts as created (the provider's call is idempotent)."""
        for attempt in range(3):
            try:
                return self.secretsmanager.create_secret(**kwargs)["ARN"]
            except ClientError as error:
                if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != 500 or attempt == 2:
                    raise
            try:
                return self.secretsmanager.describe_secret(SecretId=kwargs["Name"])["ARN"]
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                    raise
        raise AssertionError("unreachable")

    def _update_secret(self, arn: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        update: dict[str, Any] = {"SecretId": arn, "Description": news.get("description", "")}
        if news.get("kmsKeyId"):
            update["KmsKeyId"] = news["kmsKeyId"]
        self.secretsmanager.update_secret(**update)
        described = self.secretsmanager.describe_secret(SecretId=arn)
        _sync_tags(
            {t["Key"] for t in described.get("Tags", [])},
            news.get("tags"),
            untag=lambda keys: self.secretsmanager.untag_resource(SecretId=arn, TagKeys=keys),
            tag=lambda tags: self.secretsmanager.tag_resource(SecretId=arn, Tags=_tags(tags)),
        )
        # Replicas, as pulumi-aws changes them on an existing secret: add the new regions, then
        # remove the ones no longer listed (each removal deletes that region's copy).
        replicated = {r["Region"] for r in described.get("ReplicationStatus", [])}
        wanted = [r["region"] for r in news.get("replicas") or []]
        added = [r for r in news.get("replicas") or [] if r["region"] not in replicated]
        if added:
            self.secretsmanager.replicate_secret_to_regions(
                SecretId=arn, AddReplicaRegions=[_replica(r) for r in added]
            )
        removed = sorted(replicated - set(wanted))
        if removed:
            self.secretsmanager.remove_regions_from_replication(SecretId=arn, RemoveReplicaRegions=removed)
        return {"arn": arn, "id": arn}

    def _read_secret(self, arn: str, state: dict[str, Any]) -> dict[str, Any] | None:
        described = self.secretsmanager.describe_secret(SecretId=arn)
        if "DeletedDate" in described:
            return None  # scheduled for deletion: gone, as far as the stack is concerned
        # moto keeps no replica's own key (it reports AWS's default for each): a key the state gave a
        # replica is echoed from the state, so the stand-in sees no drift it cannot observe.
        keys = {r["region"]: r["kmsKeyId"] for r in state.get("replicas") or [] if r.get("kmsKeyId")}
        replicas = [
            {"region": r["Region"], **({"kmsKeyId": keys[r["Region"]]} if r["Region"] in keys else {})}
            for r in sorted(described.get("ReplicationStatus", []), key=lambda r: r["Region"])
        ]
        return {
            "name": described["Name"],
            "description": described.get("Description", ""),
            "kmsKeyId": described.get("KmsKeyId"),
            "tags": _tag_map(described.get("Tags")),
            "replicas": _in_order(state.get("replicas"), replicas),
        }

    def _delete_secret(self, arn: str, state: dict[str, Any]) -> None:
        # AWS refuses to delete a secret that still has replicas; pulumi-aws removes them first.
        replicated = self.secretsmanager.describe_secret(SecretId=arn).get("ReplicationStatus", [])
        if replicated:
            self.secretsmanager.remove_regions_from_replication(
                SecretId=arn, RemoveReplicaRegions=[r["Region"] for r in replicated]
            )
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

    def _read_secret_version(self, id_: str, state: dict[str, Any]) -> dict[str, Any] | None:
        arn, version_id = id_.split("|", 1)
        stages = self.secretsmanager.describe_secret(SecretId=arn)["VersionIdsToStages"].get(version_id)
        if stages is None:
            return None
        return {"versionStages": _in_order(state.get("versionStages"), sorted(stages))}

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

    def _read_secret_policy(self, arn: str, state: dict[str, Any]) -> dict[str, Any] | None:
        policy = self.secretsmanager.get_resource_policy(SecretId=arn).get("ResourcePolicy")
        return None if policy is None else {"policy": _document(state.get("policy"), policy)}

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
        # pulumi-aws's rotateImmediately defaults to true: creating or changing the rotation
        # rotates at once. moto cannot run the function, so the runner does, with the version
        # id RotateSecret stages AWSPENDING, as Secrets Manager would.
        immediately = news.get("rotateImmediately") is not False and self.functions is not None
        token = str(uuid.uuid4())
        self.secretsmanager.rotate_secret(
            SecretId=arn,
            ClientRequestToken=token,
            RotationLambdaARN=news["rotationLambdaArn"],
            RotationRules=rules,
            RotateImmediately=immediately,
        )
        if immediately:
            assert self.functions is not None
            self.functions.rotate(arn, news["rotationLambdaArn"], token)
        return {"rotationEnabled": True}

    def _delete_secret_rotation(self, arn: str, state: dict[str, Any]) -> None:
        self.secretsmanager.cancel_rotate_secret(SecretId=arn)

    def _read_secret_rotation(self, arn: str, state: dict[str, Any]) -> dict[str, Any] | None:
        described = self.secretsmanager.describe_secret(SecretId=arn)
        if not described.get("RotationEnabled") or "DeletedDate" in described:
            return None
        rules = {
            {"AutomaticallyAfterDays": "automaticallyAfterDays", "ScheduleExpression": "scheduleExpression"}[
                k
            ]: v
            for k, v in (described.get("RotationRules") or {}).items()
            if k in ("AutomaticallyAfterDays", "ScheduleExpression")
        }
        return {"rotationLambdaArn": described.get("RotationLambdaARN"), "rotationRules": rules}

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
            _sync_tags(
                olds.get("tags") or {},
                news.get("tags"),
                untag=lambda keys: self.iam.untag_policy(PolicyArn=arn, TagKeys=keys),
                tag=lambda tags: self.iam.tag_policy(PolicyArn=arn, Tags=_tags(tags)),
            )
        return {"arn": arn, "policyId": policy["PolicyId"]}

    def _delete_policy(self, arn: str, state: dict[str, Any]) -> None:
        for version in self.iam.list_policy_versions(PolicyArn=arn)["Versions"]:
            if not version["IsDefaultVersion"]:
                self.iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
        self.iam.delete_policy(PolicyArn=arn)

    def _read_policy(self, arn: str, state: dict[str, Any]) -> dict[str, Any] | None:
        policy = self.iam.get_policy(PolicyArn=arn)["Policy"]
        default = self.iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
        return {
            "name": policy["PolicyName"],
            "path": policy.get("Path", "/"),
            "description": policy.get("Description", ""),
            "policy": _document(state.get("policy"), policy_document(default)),
            "tags": _tag_map(self.iam.list_policy_tags(PolicyArn=arn).get("Tags")),
        }

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
        _sync_tags(
            _tag_map(self.iam.list_role_tags(RoleName=name).get("Tags")),
            news.get("tags"),
            untag=lambda keys: self.iam.untag_role(RoleName=name, TagKeys=keys),
            tag=lambda tags: self.iam.tag_role(RoleName=name, Tags=_tags(tags)),
        )
        role = self.iam.get_role(RoleName=name)["Role"]
        return {"arn": role["Arn"], "name": name, "uniqueId": role["RoleId"]}

    def _read_role(self, name: str, state: dict[str, Any]) -> dict[str, Any] | None:
        role = self.iam.get_role(RoleName=name)["Role"]
        return {
            "name": role["RoleName"],
            "path": role.get("Path", "/"),
            "description": role.get("Description", ""),
            "assumeRolePolicy": _document(state.get("assumeRolePolicy"), role["AssumeRolePolicyDocument"]),
            "tags": _tag_map(self.iam.list_role_tags(RoleName=name).get("Tags")),
        }

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

    def _read_role_policy(self, id_: str, state: dict[str, Any]) -> dict[str, Any] | None:
        role, name = id_.split(":", 1)
        document = self.iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        return {"policy": _document(state.get("policy"), document)}

    def _create_role_policy_attachment(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.iam.attach_role_policy(RoleName=inputs["role"], PolicyArn=inputs["policyArn"])
        suffix = hashlib.sha256(inputs["policyArn"].encode()).hexdigest()[:8]
        return f"{inputs['role']}-{suffix}", {}

    def _delete_role_policy_attachment(self, id_: str, state: dict[str, Any]) -> None:
        self.iam.detach_role_policy(RoleName=state["role"], PolicyArn=state["policyArn"])

    def _read_role_policy_attachment(self, id_: str, state: dict[str, Any]) -> dict[str, Any] | None:
        role = state.get("role") or id_.rsplit("-", 1)[0]
        if not state.get("policyArn"):
            return {}  # nothing to compare with
        attached = self.iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        return {} if any(p["PolicyArn"] == state.get("policyArn") for p in attached) else None

    # --- Lambda and ECS --------------------------------------------------------------------

    def _upload_code(self, name: str, code: Any) -> dict[str, str]:
        """Put the package in moto's S3 and name it there: the function is created from it, and
        whoever runs the function reads it back from moto (``tests/standin_aws/lambda_runner.py``)."""
        data = archive_bytes(code)
        try:
            self.s3.head_bucket(Bucket=CODE_BUCKET)
        except ClientError:
            self.s3.create_bucket(Bucket=CODE_BUCKET)
        key = f"{name}/{hashlib.sha256(data).hexdigest()}.zip"
        self.s3.put_object(Bucket=CODE_BUCKET, Key=key, Body=data)
        return {"S3Bucket": CODE_BUCKET, "S3Key": key}

    def _create_function(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "FunctionName": inputs["name"],
            "Runtime": inputs.get("runtime", "python3.12"),
            "Role": inputs["role"],
            "Handler": inputs.get("handler", "index.handler"),
            "Code": self._upload_code(inputs["name"], inputs["code"]),
            "Timeout": int(inputs.get("timeout") or 3),
            "Description": inputs.get("description", ""),
        }
        variables = (inputs.get("environment") or {}).get("variables")
        if variables:
            kwargs["Environment"] = {"Variables": dict(variables)}
        if inputs.get("tags"):
            kwargs["Tags"] = dict(inputs["tags"])
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
            self.lambda_.update_function_code(FunctionName=name, **self._upload_code(name, news["code"]))
        arn = self.lambda_.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
        _sync_tags(
            self.lambda_.list_tags(Resource=arn).get("Tags") or {},
            news.get("tags"),
            untag=lambda keys: self.lambda_.untag_resource(Resource=arn, TagKeys=keys),
            tag=lambda tags: self.lambda_.tag_resource(Resource=arn, Tags=dict(tags)),
        )
        return {"arn": arn, "name": name, "version": "$LATEST"}

    def _delete_function(self, name: str, state: dict[str, Any]) -> None:
        self.lambda_.delete_function(FunctionName=name)

    def _read_function(self, name: str, state: dict[str, Any]) -> dict[str, Any] | None:
        function = self.lambda_.get_function(FunctionName=name)
        config = function["Configuration"]
        variables = (config.get("Environment") or {}).get("Variables") or {}
        return {
            "name": config["FunctionName"],
            "runtime": config.get("Runtime"),
            "handler": config.get("Handler"),
            "role": config.get("Role"),
            "timeout": config.get("Timeout"),
            "description": config.get("Description", ""),
            "environment": {"variables": variables} if variables else None,
            "tags": function.get("Tags") or {},
            # What state keeps of the package: its digest (Lambda's CodeSha256 is the same hash).
            "code": "sha256:" + base64.b64decode(config["CodeSha256"]).hex(),
        }

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

    def _read_permission(self, statement: str, state: dict[str, Any]) -> dict[str, Any] | None:
        function = state.get("function")
        if not function:
            return {}  # nothing to look it up by
        policy = json.loads(self.lambda_.get_policy(FunctionName=function)["Policy"])
        return {} if any(s.get("Sid") == statement for s in policy.get("Statement", [])) else None

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

    def _read_task_definition(self, arn: str, state: dict[str, Any]) -> dict[str, Any] | None:
        try:
            task = self.ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        except ClientError as error:
            if error.response["Error"]["Code"] == "ClientException":  # ECS's answer for an unknown one
                return None
            raise
        return None if task.get("status") == "INACTIVE" else {}

    # --- SNS ---------------------------------------------------------------------------------

    def _create_topic(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {"Name": inputs["name"], "Attributes": _topic_attributes(inputs)}
        if inputs.get("tags"):
            kwargs["Tags"] = _tags(inputs["tags"])
        arn = self.sns.create_topic(**kwargs)["TopicArn"]
        return arn, {"arn": arn}

    def _update_topic(self, arn: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        for name, value in _topic_attributes(news).items():
            self.sns.set_topic_attributes(TopicArn=arn, AttributeName=name, AttributeValue=value)
        _sync_tags(
            _tag_map(self.sns.list_tags_for_resource(ResourceArn=arn).get("Tags")),
            news.get("tags"),
            untag=lambda keys: self.sns.untag_resource(ResourceArn=arn, TagKeys=keys),
            tag=lambda tags: self.sns.tag_resource(ResourceArn=arn, Tags=_tags(tags)),
        )
        return {"arn": arn}

    def _delete_topic(self, arn: str, state: dict[str, Any]) -> None:
        self.sns.delete_topic(TopicArn=arn)

    def _read_topic(self, arn: str, state: dict[str, Any]) -> dict[str, Any] | None:
        attributes = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        return {
            "name": arn.rsplit(":", 1)[1],
            "displayName": attributes.get("DisplayName", ""),
            "tags": _tag_map(self.sns.list_tags_for_resource(ResourceArn=arn).get("Tags")),
        }

    def _create_topic_subscription(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        arn = self.sns.subscribe(
            TopicArn=inputs["topic"],
            Protocol=inputs["protocol"],
            Endpoint=inputs["endpoint"],
            Attributes=_subscription_attributes(inputs),
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        return arn, {"arn": arn}

    def _update_topic_subscription(
        self, arn: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        for name, value in _subscription_attributes(news).items():
            self.sns.set_subscription_attributes(
                SubscriptionArn=arn, AttributeName=name, AttributeValue=value
            )
        return {"arn": arn}

    def _delete_topic_subscription(self, arn: str, state: dict[str, Any]) -> None:
        self.sns.unsubscribe(SubscriptionArn=arn)

    def _read_topic_subscription(self, arn: str, state: dict[str, Any]) -> dict[str, Any] | None:
        attributes = self.sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        return {
            "topic": attributes["TopicArn"],
            "protocol": attributes["Protocol"],
            "endpoint": attributes["Endpoint"],
            "rawMessageDelivery": attributes.get("RawMessageDelivery") == "true",
        }

    # --- EventBridge (pulumi-aws's cloudwatch module) ------------------------------------------

    def _create_event_rule(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        arn = self._put_rule(inputs)
        if inputs.get("tags"):
            self.events.tag_resource(ResourceARN=arn, Tags=_tags(inputs["tags"]))
        return inputs["name"], {"arn": arn}

    def _put_rule(self, inputs: dict[str, Any]) -> str:
        kwargs: dict[str, Any] = {"Name": inputs["name"], "State": inputs.get("state") or "ENABLED"}
        for prop, key in (
            ("scheduleExpression", "ScheduleExpression"),
            ("eventPattern", "EventPattern"),
            ("description", "Description"),
            ("roleArn", "RoleArn"),
            ("eventBusName", "EventBusName"),
        ):
            if inputs.get(prop):
                kwargs[key] = inputs[prop]
        return self.events.put_rule(**kwargs)["RuleArn"]

    def _update_event_rule(self, name: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        arn = self._put_rule(news)
        _sync_tags(
            _tag_map(self.events.list_tags_for_resource(ResourceARN=arn).get("Tags")),
            news.get("tags"),
            untag=lambda keys: self.events.untag_resource(ResourceARN=arn, TagKeys=keys),
            tag=lambda tags: self.events.tag_resource(ResourceARN=arn, Tags=_tags(tags)),
        )
        return {"arn": arn}

    def _delete_event_rule(self, name: str, state: dict[str, Any]) -> None:
        self.events.delete_rule(Name=name)

    def _read_event_rule(self, name: str, state: dict[str, Any]) -> dict[str, Any] | None:
        rule = self.events.describe_rule(Name=name)
        return {
            "name": rule["Name"],
            "scheduleExpression": rule.get("ScheduleExpression"),
            "eventPattern": rule.get("EventPattern"),
            "description": rule.get("Description", ""),
            "state": rule.get("State"),
            "tags": _tag_map(self.events.list_tags_for_resource(ResourceARN=rule["Arn"]).get("Tags")),
        }

    def _create_event_target(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        # The Terraform provider makes up a target id when none is given; so does the stand-in.
        target_id = inputs.get("targetId") or "standin-" + uuid.uuid4().hex[:20]
        self._put_target(inputs, target_id)
        return f"{inputs['rule']}-{target_id}", {"targetId": target_id}

    def _put_target(self, inputs: dict[str, Any], target_id: str) -> None:
        target: dict[str, Any] = {"Id": target_id, "Arn": inputs["arn"]}
        if inputs.get("input"):
            target["Input"] = inputs["input"]
        if inputs.get("roleArn"):
            target["RoleArn"] = inputs["roleArn"]
        failed = self.events.put_targets(Rule=inputs["rule"], Targets=[target]).get("FailedEntryCount")
        if failed:
            raise RuntimeError(f"EventBridge refused the target of rule {inputs['rule']}")

    def _update_event_target(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        target_id = news.get("targetId") or olds["targetId"]
        self._put_target(news, target_id)
        return {"targetId": target_id}

    def _delete_event_target(self, id_: str, state: dict[str, Any]) -> None:
        self.events.remove_targets(Rule=state["rule"], Ids=[state["targetId"]])

    def _read_event_target(self, id_: str, state: dict[str, Any]) -> dict[str, Any] | None:
        rule, target_id = state.get("rule"), state.get("targetId")
        if not (rule and target_id):
            return {}  # nothing to look it up by
        targets = self.events.list_targets_by_rule(Rule=rule)["Targets"]
        found = next((t for t in targets if t["Id"] == target_id), None)
        return None if found is None else {"arn": found["Arn"], "input": found.get("Input")}

    # --- CloudWatch Logs ---------------------------------------------------------------------

    def _create_log_group(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        name = inputs["name"]
        kwargs: dict[str, Any] = {"logGroupName": name}
        if inputs.get("tags"):
            kwargs["tags"] = inputs["tags"]
        self.logs.create_log_group(**kwargs)
        self._retention(name, inputs.get("retentionInDays"))
        (group,) = [
            g
            for g in self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
            if g["logGroupName"] == name
        ]
        return name, {"arn": group["arn"]}

    def _retention(self, name: str, days: Any) -> None:
        if days:
            self.logs.put_retention_policy(logGroupName=name, retentionInDays=int(days))
        else:
            self.logs.delete_retention_policy(logGroupName=name)

    def _update_log_group(self, name: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        self._retention(name, news.get("retentionInDays"))
        return {}

    def _delete_log_group(self, name: str, state: dict[str, Any]) -> None:
        self.logs.delete_log_group(logGroupName=name)

    def _read_log_group(self, name: str, state: dict[str, Any]) -> dict[str, Any] | None:
        found = [
            g
            for g in self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
            if g["logGroupName"] == name
        ]
        if not found:
            return None
        return {"name": name, "retentionInDays": found[0].get("retentionInDays")}

    # --- SNS topic policies -------------------------------------------------------------------

    def _create_topic_policy(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.sns.set_topic_attributes(
            TopicArn=inputs["arn"], AttributeName="Policy", AttributeValue=inputs["policy"]
        )
        return inputs["arn"], {}

    def _update_topic_policy(self, arn: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        return self._create_topic_policy(news)[1]

    def _delete_topic_policy(self, arn: str, state: dict[str, Any]) -> None:
        pass  # SNS has no "delete policy": the topic keeps its last one until it goes (as pulumi-aws resets it)

    def _read_topic_policy(self, arn: str, state: dict[str, Any]) -> dict[str, Any] | None:
        policy = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"].get("Policy")
        return {"arn": arn, "policy": _document(state.get("policy"), policy)}

    # --- CloudWatch alarms -------------------------------------------------------------------

    def _create_metric_alarm(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return inputs["name"], self._update_metric_alarm(inputs["name"], {}, inputs)

    def _update_metric_alarm(self, name: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "AlarmName": name,
            "ComparisonOperator": news["comparisonOperator"],
            "EvaluationPeriods": int(news["evaluationPeriods"]),
            "ActionsEnabled": news.get("actionsEnabled", True) is not False,
        }
        for prop, key, kind in _ALARM_FIELDS:
            if news.get(prop) is not None and key not in kwargs:
                kwargs[key] = kind(news[prop])
        if news.get("dimensions"):
            kwargs["Dimensions"] = [{"Name": k, "Value": v} for k, v in sorted(news["dimensions"].items())]
        self.cloudwatch.put_metric_alarm(**kwargs)
        (alarm,) = self.cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        arn = alarm["AlarmArn"]
        _sync_tags(
            _tag_map(self.cloudwatch.list_tags_for_resource(ResourceARN=arn).get("Tags")),
            news.get("tags"),
            untag=lambda keys: self.cloudwatch.untag_resource(ResourceARN=arn, TagKeys=keys),
            tag=lambda tags: self.cloudwatch.tag_resource(ResourceARN=arn, Tags=_tags(tags)),
        )
        return {"arn": arn}

    def _delete_metric_alarm(self, name: str, state: dict[str, Any]) -> None:
        self.cloudwatch.delete_alarms(AlarmNames=[name])

    def _read_metric_alarm(self, name: str, state: dict[str, Any]) -> dict[str, Any] | None:
        alarms = self.cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        if not alarms:
            return None
        (alarm,) = alarms
        observed: dict[str, Any] = {
            prop: _number(alarm[key]) if kind is float else list(alarm[key]) if kind is list else alarm[key]
            for prop, key, kind in _ALARM_FIELDS
            if key in alarm
        }
        observed["name"] = alarm["AlarmName"]
        observed["comparisonOperator"] = alarm["ComparisonOperator"]
        observed["evaluationPeriods"] = alarm["EvaluationPeriods"]
        observed["dimensions"] = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
        observed["tags"] = _tag_map(
            self.cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"]).get("Tags")
        )
        for prop in ("alarmActions", "okActions", "insufficientDataActions"):
            observed[prop] = _in_order(state.get(prop), observed.get(prop, []))
        return observed


def _number(value: Any) -> Any:
    """A number as the program gives it: 14, not 14.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


#: MetricAlarm input, PutMetricAlarm parameter, and how the parameter is typed.
_ALARM_FIELDS: tuple[tuple[str, str, Any], ...] = (
    ("namespace", "Namespace", str),
    ("metricName", "MetricName", str),
    ("statistic", "Statistic", str),
    ("extendedStatistic", "ExtendedStatistic", str),
    ("period", "Period", int),
    ("threshold", "Threshold", float),
    ("datapointsToAlarm", "DatapointsToAlarm", int),
    ("treatMissingData", "TreatMissingData", str),
    ("alarmDescription", "AlarmDescription", str),
    ("alarmActions", "AlarmActions", list),
    ("okActions", "OKActions", list),
    ("insufficientDataActions", "InsufficientDataActions", list),
    ("unit", "Unit", str),
)


def _topic_attributes(inputs: dict[str, Any]) -> dict[str, str]:
    """The SetTopicAttributes names of the Topic inputs that map one to one."""
    names = {"displayName": "DisplayName", "kmsMasterKeyId": "KmsMasterKeyId", "policy": "Policy"}
    attributes = {names[k]: str(v) for k, v in inputs.items() if k in names and v is not None}
    if inputs.get("fifoTopic"):
        attributes["FifoTopic"] = "true"
    return attributes


def _subscription_attributes(inputs: dict[str, Any]) -> dict[str, str]:
    """The SetSubscriptionAttributes names of the TopicSubscription inputs that map one to one."""
    attributes: dict[str, str] = {}
    if inputs.get("rawMessageDelivery") is not None:
        attributes["RawMessageDelivery"] = "true" if inputs["rawMessageDelivery"] else "false"
    for prop, name in (
        ("filterPolicy", "FilterPolicy"),
        ("deliveryPolicy", "DeliveryPolicy"),
        ("redrivePolicy", "RedrivePolicy"),
    ):
        if inputs.get(prop):
            attributes[name] = inputs[prop]
    return attributes


def _short(type_: str) -> str:
    """``aws:iam/rolePolicyAttachment:RolePolicyAttachment`` → ``role_policy_attachment``."""
    name = type_.rsplit(":", 1)[1]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
