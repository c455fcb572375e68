"""Runs a Pulumi program under Pulumi's mock monitor and records everything.

Used by the tests and by ``twitter-secrets plan`` (a preview with no
engine, no cloud and no credentials). A fake cloud answers each registration
with deterministic ids and AWS-shaped computed attributes. Besides what
``Mocks.new_resource`` sees, the monitor keeps the raw protobuf of each
registration (so secrets can be told from plain inputs), its dependencies,
and the engine's log lines.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import runpy
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "__main__.py"  # this checkout's program: the tests' default
ACCOUNT = "123456789012"
REGION = "us-east-1"
#: Pulumi's marker for a secret value in serialized properties.
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
SIG_KEY = "4dabf18193072939515e22adb298388d"


@dataclass
class Registration:
    type: str
    name: str
    urn: str
    parent: str
    inputs: dict[str, Any]
    raw: dict[str, Any]
    custom: bool
    dependencies: list[str] = field(default_factory=list)
    ignore_changes: list[str] = field(default_factory=list)


@dataclass
class ProgramRun:
    registrations: list[Registration] = field(default_factory=list)
    component_outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: set[str] = field(default_factory=set)
    logs: list[tuple[str, str]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    error: BaseException | None = None

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    @property
    def aws_resources(self) -> list[Registration]:
        return [r for r in self.registrations if r.type.startswith("aws:")]

    def warnings(self) -> list[str]:
        return [m for level, m in self.logs if level == "WARNING"]

    def fingerprint_of_inputs(self) -> str:
        """A digest of every registration, byte for byte, for determinism checks.

        Sorted by resource: registrations race each other through the monitor,
        and the engine matches resources by URN, not by arrival order.
        """
        blob = json.dumps(
            sorted((r.type, r.name, r.parent, r.raw) for r in self.registrations), sort_keys=True
        )
        return hashlib.sha256(blob.encode()).hexdigest()


def unwrap_secret(value: Any) -> Any:
    """The plain value inside Pulumi's secret wrapper (or the value itself)."""
    if isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG:
        return value["value"]
    return value


def is_wrapped_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def _fake_state(type_: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Deterministic ids and computed attributes, shaped like AWS's."""
    state = dict(inputs)
    if type_ == "aws:secretsmanager/secret:Secret":
        suffix = hashlib.sha256(inputs["name"].encode()).hexdigest()[:6]
        arn = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{inputs['name']}-{suffix}"
        state.update(arn=arn, id=arn)
        return arn, state
    if type_ == "aws:secretsmanager/secretVersion:SecretVersion":
        value = unwrap_secret(inputs.get("secretString") or inputs.get("secretStringWo") or "")
        version = str(uuid.uuid5(uuid.NAMESPACE_URL, inputs["secretId"] + value))
        state.update(versionId=version, arn=inputs["secretId"])
        # Like the provider, never echo a write-only value back into state.
        state.pop("secretStringWo", None)
        return f"{inputs['secretId']}|{version}", state
    if type_ == "aws:iam/policy:Policy":
        arn = f"arn:aws:iam::{ACCOUNT}:policy{inputs.get('path', '/')}{inputs['name']}"
        state.update(arn=arn, policyId=f"ANPA{hashlib.sha256(arn.encode()).hexdigest()[:17].upper()}")
        return arn, state
    if type_ == "aws:iam/role:Role":
        state.update(
            arn=f"arn:aws:iam::{ACCOUNT}:role/{inputs.get('name', name)}", name=inputs.get("name", name)
        )
        return state["name"], state
    if type_ == "pulumi-python:dynamic/twitter-secrets:CredentialsVerification":
        # What X would report for these keys: the access token's user.
        user_id = unwrap_secret(inputs["access_token"]).split("-", 1)[0]
        state.update(user_id=user_id, username=f"user{user_id}")
        return unwrap_secret(inputs["fingerprint"]), state
    if type_ == "pulumi:pulumi:StackReference":
        state.update(outputs=STACK_REFERENCES.get(inputs["name"], {}), secretOutputNames=[])
        return inputs["name"], state
    state.setdefault("arn", f"arn:aws:mock:{REGION}:{ACCOUNT}:{type_.split(':')[-1].lower()}/{name}")
    return f"{name}-id", state


#: Outputs a mocked StackReference returns, by stack name (set by tests).
STACK_REFERENCES: dict[str, dict[str, Any]] = {}


def fake_key_arn(key_id: str) -> str:
    """What aws.kms.get_key answers for an alias or key id."""
    return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{uuid.uuid5(uuid.NAMESPACE_URL, key_id)}"


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self, run: ProgramRun) -> None:
        self.run = run

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        return _fake_state(args.typ, args.name, args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        self.run.calls.append((args.token, dict(args.args)))
        if args.token == "aws:kms/getKey:getKey":
            arn = fake_key_arn(args.args["keyId"])
            return {"arn": arn, "id": arn.rsplit("/", 1)[1], "keyId": args.args["keyId"]}, []
        return {}, []


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    def __init__(self, mocks: pulumi.runtime.Mocks, run: ProgramRun) -> None:
        super().__init__(mocks)
        self.run = run
        self.urns: dict[str, str] = {}

    def RegisterResource(self, request):  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)
        raw = json_format.MessageToDict(request.object)
        self.run.registrations.append(
            Registration(
                type=request.type,
                name=request.name,
                urn=response.urn,
                parent=request.parent,
                inputs=pulumi_mocks.rpc.deserialize_properties(request.object) if request.custom else {},
                raw=raw,
                custom=request.custom,
                dependencies=list(request.dependencies),
                ignore_changes=list(request.ignoreChanges),
            )
        )
        return response

    def RegisterResourceOutputs(self, request):  # noqa: N802 - gRPC method name
        self.run.component_outputs[request.urn] = json_format.MessageToDict(request.outputs)
        return super().RegisterResourceOutputs(request)


class _ListHandler(logging.Handler):
    def __init__(self, run: ProgramRun) -> None:
        super().__init__()
        self.run = run

    def emit(self, record: logging.LogRecord) -> None:
        self.run.logs.append((record.levelname, record.getMessage()))


def run_program(
    config: dict[str, Any],
    *,
    stack: str = "dev",
    project: str = "twitter-secrets",
    secret_keys: tuple[str, ...] = ("twitter-secrets:credentials",),
    main: Path = MAIN,
    mocks: pulumi.runtime.Mocks | None = None,
) -> ProgramRun:
    """Run the program once with this config; never raises for program errors.

    ``mocks`` replaces the in-memory fake cloud, e.g. with one that applies
    each resource to an emulated AWS.
    """
    run = ProgramRun()
    logger = logging.getLogger(f"pulumi-mock-{uuid.uuid4()}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(_ListHandler(run))

    pulumi.runtime.set_all_config(
        {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()},
        list(secret_keys),
    )
    pulumi_settings.set_root_resource(None)
    mocks = mocks or _Mocks(run)
    pulumi.runtime.set_mocks(
        mocks,
        project=project,
        stack=stack,
        preview=False,
        logger=logger,
        monitor=_RecordingMonitor(mocks, run),
        # What a local or S3 backend calls every stack's organization (Pulumi Cloud: yours).
        organization="organization",
    )

    async def collect() -> None:
        root = pulumi_settings.get_root_resource()
        for name, value in getattr(root, "outputs", {}).items():
            out = pulumi.Output.from_input(value)
            run.outputs[name] = await out.future()
            if await out.is_secret():
                run.secret_outputs.add(name)

    @pulumi.runtime.test
    def program():
        runpy.run_path(str(main), run_name="__main__")
        return pulumi.Output.from_input(collect())

    threshold = gc.get_threshold()
    try:
        program()
    except Exception as error:  # the test inspects it
        run.error = error
    finally:
        # The program tunes the collector for its own process (__main__.py); in this one, which
        # runs many programs (tests, `plan`), each run leaves it as it found it.
        gc.unfreeze()
        gc.set_threshold(*threshold)
    return run
