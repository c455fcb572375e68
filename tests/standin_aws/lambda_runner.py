"""Runs a Lambda function that moto holds, where AWS would run it: a test double, never shipped.

moto keeps functions but cannot run them (that needs Docker). Where AWS runs a
function by itself, this does instead, in one place for both callers:

- Secrets Manager's rotation: ``rotate`` sends the four steps (createSecret,
  setSecret, testSecret, finishSecret) with the version id that RotateSecret
  staged AWSPENDING, as Secrets Manager does. The stand-in AWS provider
  (``tests/standin_aws``) calls it when a ``SecretRotation`` is created or changed
  with ``rotateImmediately`` on (pulumi-aws's default).
- Secrets Manager's rotation events: ``rotation_event`` delivers ``RotationFailed`` (or
  ``RotationAbandoned``) for a secret, shaped as CloudTrail hands it to EventBridge, to the
  SNS targets of every rule whose pattern matches (moto's EventBridge has no SNS targets and
  moto's Secrets Manager emits no such event). A test calls it after a rotation failed.
- EventBridge's schedule: ``fire_rule`` sends each Lambda target of a rule the
  event EventBridge sends on a schedule (or the target's own ``input``). A test
  calls it to do what the clock would.

What runs is what moto holds: the package is read back from moto (the S3 object
``tests/moto_aws.py`` created the function from, checked against the function's
``CodeSha256``), unpacked into a temporary folder, and the function's ``Handler``
imported in a separate Python process. That process gets the function's
environment variables, AWS's endpoint pointed at moto, and on its import path
only the package and what Lambda's Python runtime provides (boto3 and its
dependencies), not this project's virtualenv: a package that lacks a dependency
fails here as on Lambda. AWS's own precondition is checked too: the function's
resource policy must let the calling service (``secretsmanager.amazonaws.com``,
``events.amazonaws.com``) invoke it, for that secret or rule.

Environment read here:

``TWITTER_SECRETS_STANDIN_X_URL``
    The fake X API's URL. A function whose ``X_API_BASE_URL`` is X's real host
    (``https://api.x.com``, as deployed for users) gets this URL instead, as if
    X's host name led to the fake; a function given another URL keeps it. The
    engine hands its environment to the stand-in plugin, so a test sets this in
    ``Engine.env`` before ``pulumi up``.

``TWITTER_SECRETS_STANDIN_LOG_DIR``
    Where each run's output goes, as CloudWatch Logs would keep it: appended to
    ``<dir>/<function name>.log`` under a line naming the event (its ``Step``, or
    the rule's event type), whether the run worked or not, so a test can scan
    every function's output for keys, the rotation's included.

Not like Lambda: the interpreter is this one (the virtualenv's Python, not
Lambda's 3.12), IAM permissions of the function's role are not enforced (moto
does not), and a run is synchronous (AWS rotates asynchronously, so a failed
rotation never fails a deployment there; here it fails the ``SecretRotation``,
so a test sees it).
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from tests.moto_aws import CODE_BUCKET

X_URL_ENV = "TWITTER_SECRETS_STANDIN_X_URL"
#: Where each run's output is kept for the tests to scan (one file per function).
LOG_DIR_ENV = "TWITTER_SECRETS_STANDIN_LOG_DIR"
#: X's real API hosts: a function configured with one of them is sent to the fake X instead.
REAL_X_HOSTS = frozenset({"https://api.x.com", "https://api.twitter.com"})
#: What Lambda's Python runtime provides besides the standard library (boto3 and what it needs).
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")
ROTATION_STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
#: Variables Lambda sets itself; a function's own variables cannot override them.
_RESERVED = frozenset(
    {
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_FUNCTION_NAME",
        "LAMBDA_TASK_ROOT",
        "_HANDLER",
    }
)

# Runs inside the child process: import the handler, call it, write the outcome to a file.
# Only the outcome's type and message cross back, never the handler's arguments or locals.
_CHILD = """
import importlib, json, logging, sys, time
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
handler, outcome_path, deadline_ms = sys.argv[1], sys.argv[2], int(sys.argv[3])
module_name, _, function_name = handler.rpartition(".")
event = json.loads(sys.stdin.read())
started = time.monotonic()

class Context:
    function_name = __import__("os").environ["AWS_LAMBDA_FUNCTION_NAME"]
    function_version = "$LATEST"
    aws_request_id = __import__("uuid").uuid4().hex
    memory_limit_in_mb = 128
    def get_remaining_time_in_millis(self):
        return max(0, int(deadline_ms - (time.monotonic() - started) * 1000))

try:
    result = getattr(importlib.import_module(module_name), function_name)(event, Context())
    outcome = {"ok": True, "result": result}
except Exception as error:
    outcome = {"ok": False, "errorType": type(error).__name__, "errorMessage": str(error)}
with open(outcome_path, "w") as handle:
    json.dump(outcome, handle, default=str)
"""


class FunctionError(RuntimeError):
    """The function failed, or AWS would not have run it; the message names which and why."""


@dataclass(frozen=True)
class Invocation:
    """One run: the handler's return value, and its log lines (the test may scan them)."""

    function: str
    result: Any
    logs: str


@dataclass
class LambdaRunner:
    """Runs functions held by the moto server at ``endpoint`` (``client`` makes boto3 clients for it)."""

    client: Callable[[str], Any]
    endpoint: str
    region: str = "us-east-1"
    x_url: str | None = None

    def __post_init__(self) -> None:
        self._runtime: tempfile.TemporaryDirectory[str] | None = None

    @classmethod
    def from_environment(cls, client: Callable[[str], Any], endpoint: str, region: str) -> LambdaRunner:
        """The stand-in's runner: the fake X's URL from ``TWITTER_SECRETS_STANDIN_X_URL``, if set."""
        return cls(client, endpoint, region, os.environ.get(X_URL_ENV) or None)

    # --- what AWS would do -------------------------------------------------------------------

    def rotate(self, secret_arn: str, function_arn: str, token: str) -> None:
        """Secrets Manager's rotation: the four steps, each a separate invocation, stopping at a failure."""
        self._check_allowed(function_arn, "secretsmanager.amazonaws.com", secret_arn)
        for step in ROTATION_STEPS:
            event = {"Step": step, "SecretId": secret_arn, "ClientRequestToken": token}
            try:
                self.invoke(function_arn, event)
            except FunctionError as error:
                raise FunctionError(f"rotation of {secret_arn} stopped at {step}: {error}") from None

    def fire_rule(self, rule: str) -> list[Invocation]:
        """EventBridge firing ``rule`` (as its schedule would): each Lambda target gets its event."""
        events, lambda_ = self.client("events"), self.client("lambda")
        described = events.describe_rule(Name=rule)
        if described.get("State") != "ENABLED":
            return []  # EventBridge does not fire a disabled rule
        runs = []
        for target in events.list_targets_by_rule(Rule=rule)["Targets"]:
            if ":lambda:" not in target["Arn"]:
                continue
            lambda_.get_function(FunctionName=target["Arn"])  # AWS drops events for a missing function
            self._check_allowed(target["Arn"], "events.amazonaws.com", described["Arn"])
            if target.get("Input"):
                event = json.loads(target["Input"])
            else:
                event = scheduled_event(described["Arn"], self._account(), self.region)
            runs.append(self.invoke(target["Arn"], event))
        return runs

    def rotation_event(self, secret_arn: str, name: str) -> list[str]:
        """Secrets Manager's ``name`` event for ``secret_arn``, through EventBridge's rules to their
        SNS targets; the topics it was published to. The pattern is matched by moto's own matcher
        (its server does not implement TestEventPattern)."""
        from moto.events.models import EventPattern

        events, sns = self.client("events"), self.client("sns")
        event = rotation_event(secret_arn, name, self._account(), self.region)
        published = []
        for rule in events.list_rules()["Rules"]:
            if not rule.get("EventPattern") or rule.get("State") != "ENABLED":
                continue
            if not EventPattern.load(rule["EventPattern"]).matches_event(event):
                continue
            for target in events.list_targets_by_rule(Rule=rule["Name"])["Targets"]:
                if ":sns:" in target["Arn"]:
                    sns.publish(TopicArn=target["Arn"], Message=json.dumps(event))
                    published.append(target["Arn"])
        return published

    # --- one invocation -----------------------------------------------------------------------

    def invoke(self, function: str, event: dict[str, Any]) -> Invocation:
        """Run ``function`` (name or ARN) once with ``event``, as Lambda would; FunctionError if it fails."""
        found = self.client("lambda").get_function(FunctionName=function)
        config = found["Configuration"]
        package = self._package(found)
        with tempfile.TemporaryDirectory(prefix="standin-lambda-") as scratch:
            task = Path(scratch) / "task"
            with zipfile.ZipFile(io.BytesIO(package)) as archive:
                archive.extractall(task)
            outcome_path = Path(scratch) / "outcome.json"
            timeout = int(config.get("Timeout") or 3)
            done = subprocess.run(
                [
                    sys.executable,
                    "-S",
                    "-c",
                    _CHILD,
                    config["Handler"],
                    str(outcome_path),
                    str(timeout * 1000),
                ],
                input=json.dumps(event),
                cwd=task,
                env=self._environment(config, task, Path(scratch)),
                capture_output=True,
                text=True,
                timeout=timeout + 30,  # the interpreter's start on top of the function's own limit
                check=False,
            )
            logs = done.stdout + done.stderr
            _keep_logs(config["FunctionName"], event, logs)
            if not outcome_path.exists():
                # The process died before the handler returned (an import failed, say): its last line says why.
                last = (done.stderr.strip().splitlines() or ["no output"])[-1]
                raise FunctionError(f"{config['FunctionName']} did not run: {last}")
            outcome = json.loads(outcome_path.read_text())
        if not outcome["ok"]:
            raise FunctionError(
                f"{config['FunctionName']} failed: {outcome['errorType']}: {outcome['errorMessage']}"
            )
        return Invocation(config["FunctionName"], outcome["result"], logs)

    def _package(self, found: dict[str, Any]) -> bytes:
        """The function's zip as moto holds it: the S3 object its code came from, checked by hash."""
        key = urlsplit(found["Code"]["Location"]).path.lstrip("/")
        data = self.client("s3").get_object(Bucket=CODE_BUCKET, Key=key)["Body"].read()
        expected = found["Configuration"]["CodeSha256"]
        if base64.b64encode(hashlib.sha256(data).digest()).decode() != expected:
            raise FunctionError(
                f"{found['Configuration']['FunctionName']}: the package read back is not the one deployed"
            )
        return data

    def _environment(self, config: dict[str, Any], task: Path, scratch: Path) -> dict[str, str]:
        own = {
            k: v
            for k, v in ((config.get("Environment") or {}).get("Variables") or {}).items()
            if k not in _RESERVED
        }
        if self.x_url and own.get("X_API_BASE_URL", "").rstrip("/") in REAL_X_HOSTS:
            own["X_API_BASE_URL"] = self.x_url
        return {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TZ": "UTC",
            "HOME": str(scratch),  # no ~/.aws: Lambda has none
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPATH": os.pathsep.join([str(task), self._runtime_path()]),
            **own,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_LAMBDA_FUNCTION_NAME": config["FunctionName"],
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{config.get('Runtime') or 'python3.12'}",
            "LAMBDA_TASK_ROOT": str(task),
            "_HANDLER": config["Handler"],
        }

    def _runtime_path(self) -> str:
        """A folder holding (links to) only the packages Lambda's Python runtime provides."""
        if self._runtime is None:
            self._runtime = tempfile.TemporaryDirectory(prefix="standin-lambda-runtime-")
            root = Path(self._runtime.name)
            for name in RUNTIME_PROVIDED:
                distribution = metadata.distribution(name)
                tops = {
                    Path(str(f)).parts[0]
                    for f in distribution.files or []
                    if not str(f).startswith("..") and ".dist-info" not in Path(str(f)).parts[0]
                }
                for top in sorted(tops):
                    source = Path(str(distribution.locate_file(top)))
                    if source.exists() and not (root / top).exists() and top != "__pycache__":
                        (root / top).symlink_to(source)
        return self._runtime.name

    # --- AWS's preconditions -----------------------------------------------------------------

    def _check_allowed(self, function: str, service: str, source_arn: str) -> None:
        """AWS refuses to run a function whose resource policy does not let ``service`` invoke it."""
        try:
            policy = json.loads(self.client("lambda").get_policy(FunctionName=function)["Policy"])
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            policy = {"Statement": []}
        for statement in policy.get("Statement", []):
            principal = statement.get("Principal") or {}
            services = principal.get("Service") if isinstance(principal, dict) else principal
            actions = statement.get("Action")
            actions = [actions] if isinstance(actions, str) else actions or []
            condition = (statement.get("Condition") or {}).get("ArnLike", {}).get("AWS:SourceArn")
            if (
                statement.get("Effect") == "Allow"
                and service in ([services] if isinstance(services, str) else services or [])
                and {"lambda:InvokeFunction", "lambda:*"} & set(actions)
                and (condition is None or fnmatch.fnmatchcase(source_arn, condition))
            ):
                return
        raise FunctionError(
            f"{function}: its resource policy does not let {service} invoke it for {source_arn}"
        )

    def _account(self) -> str:
        return self.client("sts").get_caller_identity()["Account"]


def _keep_logs(function: str, event: dict[str, Any], logs: str) -> None:
    """Append one run's output to the function's log file, when the test asked for one."""
    folder = os.environ.get(LOG_DIR_ENV)
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    what = event.get("Step") or event.get("detail-type") or "event"
    with open(Path(folder) / f"{function}.log", "a") as handle:
        handle.write(f"== {what}\n{logs}")


def scheduled_event(rule_arn: str, account: str, region: str) -> dict[str, Any]:
    """The event EventBridge sends a target when a scheduled rule fires."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


def rotation_event(secret_arn: str, name: str, account: str, region: str) -> dict[str, Any]:
    """A Secrets Manager rotation event (RotationFailed, RotationAbandoned) as EventBridge receives it
    from CloudTrail: the secret's ARN in ``detail.additionalEventData.SecretId``."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "AWS Service Event via CloudTrail",
        "source": "aws.secretsmanager",
        "account": account,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [],
        "detail": {
            "eventVersion": "1.08",
            "eventSource": "secretsmanager.amazonaws.com",
            "eventName": name,
            "awsRegion": region,
            "eventType": "AwsServiceEvent",
            "additionalEventData": {"SecretId": secret_arn},
        },
    }
