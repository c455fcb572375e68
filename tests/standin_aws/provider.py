"""The stand-in's gRPC side: Pulumi's Python provider SDK in front of ``tests/moto_aws.py``.

Check applies pulumi-aws's auto-naming and AWS's naming rules and limits;
Diff reports replacements for the properties pulumi-aws replaces on;
Create, Update, Delete and Read act on moto's server. Secrets stay secrets:
each input keeps its PropertyValue (and so its secretness) in the state, and
write-only inputs are never stored.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from pulumi import Archive, Asset, AssetArchive, FileArchive, FileAsset, StringAsset
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    InvokeRequest,
    InvokeResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)
from pulumi.runtime import rpc

from tests.moto_aws import (
    AUTONAMED,
    NAMING,
    PERMISSION,
    REPLACE_ON,
    WRITE_ONLY,
    MotoAws,
    archive_digest,
    autoname,
    input_problems,
)

#: Where moto's server is; else the provider config's `endpoints` (as `local up` writes them).
ENDPOINT_ENV = "TWITTER_SECRETS_STANDIN_AWS_ENDPOINT"
UNKNOWN = object()
COMPUTED_ATTRIBUTES = frozenset(
    {
        "arn",
        "id",
        "versionId",
        "versionStages",
        "policyId",
        "uniqueId",
        "revision",
        "arnWithoutRevision",
        "rotationEnabled",
        "version",
    }
)


def plain(value: PropertyValue, *, content: bool = False) -> Any:
    """A PropertyValue as plain Python: numbers that are whole become ints, unknowns ``UNKNOWN``.

    An archive becomes its digest (what state keeps and diffs compare), or with
    ``content`` what AWS is sent: a zip file's path, or files by name.
    """
    inner = value.value
    if isinstance(inner, Computed) or inner == rpc.UNKNOWN:
        return UNKNOWN
    if isinstance(inner, float) and inner.is_integer():
        return int(inner)
    if isinstance(inner, (Asset, Archive)):
        return _content(inner) if content else archive_digest(_content(inner))
    if isinstance(inner, tuple):
        return [plain(v, content=content) for v in inner]
    if hasattr(inner, "items"):
        return {k: plain(v, content=content) for k, v in inner.items()}
    return inner


def _content(item: Asset | Archive) -> Any:
    """An asset or archive as what Lambda gets: a zip file's path, or files by name."""
    if isinstance(item, FileArchive):
        return str(item.path)
    if isinstance(item, AssetArchive):
        return {name: _content(asset) for name, asset in item.assets.items()}
    if isinstance(item, FileAsset):
        return Path(item.path).read_bytes()
    if isinstance(item, StringAsset):
        return item.text.encode()
    raise NotImplementedError(f"the stand-in does not read {type(item).__name__}")


def wrap(value: Any) -> PropertyValue:
    if isinstance(value, PropertyValue):
        return value
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return PropertyValue(value)
    if isinstance(value, (int, float)):
        return PropertyValue(float(value))
    if isinstance(value, dict):
        return PropertyValue({k: wrap(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return PropertyValue([wrap(v) for v in value])
    raise TypeError(f"cannot wrap {type(value).__name__}")


def _sendable(value: PropertyValue) -> PropertyValue:
    """The value with each unknown as the wire protocol's unknown string (this SDK cannot marshal Computed)."""
    inner = value.value
    if isinstance(inner, Computed):
        return PropertyValue(rpc.UNKNOWN, is_secret=value.is_secret)
    if isinstance(inner, tuple):
        return value.with_value([_sendable(v) for v in inner])
    if hasattr(inner, "items"):
        return value.with_value({k: _sendable(v) for k, v in inner.items()})
    return value


def _has_unknowns(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(_has_unknowns(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknowns(v) for v in value)
    return False


class StandinAwsProvider(Provider):
    """Loaded by the engine as ``aws``; answers for exactly the types ``tests/moto_aws.py`` knows."""

    def __init__(self) -> None:
        self.aws: MotoAws | None = None

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        config = {k: plain(v) for k, v in request.args.items()}
        endpoint = os.environ.get(ENDPOINT_ENV) or _endpoint_from(config.get("endpoints"))
        if not endpoint:
            raise RuntimeError(
                f"the stand-in AWS provider needs {ENDPOINT_ENV} or aws:endpoints (moto's URL)"
            )
        region = config.get("region") or os.environ.get("AWS_REGION") or "us-east-1"
        settings = Config(retries={"max_attempts": 1, "mode": "standard"})

        def client(service: str) -> Any:
            return boto3.client(
                service,
                endpoint_url=endpoint,
                region_name=region,
                config=settings,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )

        self.aws = MotoAws(client)
        return ConfigureResponse(accept_secrets=True, supports_preview=True, accept_resources=True)

    async def check(self, request: CheckRequest) -> CheckResponse:
        news = dict(request.new_inputs)
        type_ = _type_of(request)
        named = NAMING.get(type_, ("name", None, 64))
        if type_ in AUTONAMED and named[0] not in news:
            old = request.old_inputs.get(named[0])
            news[named[0]] = (
                old
                if old is not None
                else PropertyValue(autoname(request.name, request.random_seed, named[2]))
            )
        if type_ == PERMISSION and "statementId" not in news:
            old = request.old_inputs.get("statementId")
            news["statementId"] = (
                old if old is not None else PropertyValue(autoname(request.name, request.random_seed, 100))
            )
        inputs = {k: plain(v) for k, v in news.items()}
        failures = [CheckFailure(prop, reason) for prop, reason in input_problems(type_, inputs)]
        return CheckResponse(inputs=news, failures=failures or None)

    async def diff(self, request: DiffRequest) -> DiffResponse:
        type_ = _type_of(request)
        skip = WRITE_ONLY.get(type_, frozenset()) | set(request.ignore_changes)
        olds = {k: plain(v) for k, v in request.old_state.items()}
        news = {k: plain(v) for k, v in request.new_inputs.items()}
        changed = sorted(
            k
            for k in set(news) | {k for k in olds if k not in COMPUTED_ATTRIBUTES}
            if k not in skip and news.get(k) != olds.get(k)
        )
        replaces = [k for k in changed if k in REPLACE_ON.get(type_, frozenset())]
        # The engine reads replacements from the detailed diff once one is given (this SDK always says so).
        detailed = {
            k: PropertyDiff(
                _kind(k in olds, k in news, replace=k in replaces),
                input_diff=True,
            )
            for k in changed
        }
        return DiffResponse(changes=bool(changed), replaces=replaces, diffs=changed, detailed_diff=detailed)

    async def create(self, request: CreateRequest) -> CreateResponse:
        inputs = {k: plain(v, content=True) for k, v in request.properties.items()}
        if request.preview or _has_unknowns(inputs):
            # Known after apply: the wire protocol's unknown (this SDK's Computed does not marshal).
            computed = {
                k: PropertyValue(rpc.UNKNOWN) for k in COMPUTED_ATTRIBUTES if k not in request.properties
            }
            return CreateResponse(
                resource_id="", properties={**self._stored(_type_of(request), request.properties), **computed}
            )
        id_, attributes = await asyncio.to_thread(self._aws.create, _type_of(request), inputs)
        return CreateResponse(
            resource_id=id_, properties=self._state(_type_of(request), request.properties, attributes)
        )

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        if request.preview:
            return UpdateResponse(properties=self._stored(_type_of(request), request.news))
        olds = {k: plain(v) for k, v in request.olds.items()}
        news = {k: plain(v, content=True) for k, v in request.news.items()}
        attributes = await asyncio.to_thread(
            self._aws.update, _type_of(request), request.resource_id, olds, news
        )
        return UpdateResponse(properties=self._state(_type_of(request), request.news, attributes))

    async def delete(self, request: DeleteRequest) -> None:
        state = {k: plain(v) for k, v in request.properties.items()}
        await asyncio.to_thread(self._aws.delete, _type_of(request), request.resource_id, state)

    async def read(self, request: ReadRequest) -> ReadResponse:
        exists = await asyncio.to_thread(self._aws.exists, _type_of(request), request.resource_id)
        if not exists:
            return ReadResponse(resource_id="", properties={}, inputs={})
        return ReadResponse(
            resource_id=request.resource_id, properties=request.properties, inputs=request.inputs
        )

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        args = {k: plain(v) for k, v in request.args.items()}
        result = await asyncio.to_thread(self._aws.invoke, request.tok, args)
        return InvokeResponse(return_value={k: wrap(v) for k, v in result.items()})

    @property
    def _aws(self) -> MotoAws:
        if self.aws is None:
            raise RuntimeError("the stand-in AWS provider was not configured")
        return self.aws

    @staticmethod
    def _stored(type_: str, inputs: dict[str, PropertyValue]) -> dict[str, PropertyValue]:
        return {k: _sendable(v) for k, v in inputs.items() if k not in WRITE_ONLY.get(type_, frozenset())}

    def _state(
        self, type_: str, inputs: dict[str, PropertyValue], attributes: dict[str, Any]
    ) -> dict[str, PropertyValue]:
        # An archive is kept as its digest: this SDK cannot read back an archive the engine stored.
        state = {
            k: PropertyValue(plain(v)) if isinstance(v.value, Archive) else v
            for k, v in self._stored(type_, inputs).items()
        }
        state.update({k: wrap(v) for k, v in attributes.items()})
        return state


def _type_of(request: Any) -> str:
    """The resource's own type: the URN's type part also names each parent's (``a$b$aws:…``)."""
    return request.type.rsplit("$", 1)[-1]


def _kind(was: bool, now: bool, *, replace: bool) -> PropertyDiffKind:
    if not was:
        return PropertyDiffKind.ADD_REPLACE if replace else PropertyDiffKind.ADD
    if not now:
        return PropertyDiffKind.DELETE_REPLACE if replace else PropertyDiffKind.DELETE
    return PropertyDiffKind.UPDATE_REPLACE if replace else PropertyDiffKind.UPDATE


def _endpoint_from(endpoints: Any) -> str | None:
    if isinstance(endpoints, str):
        endpoints = json.loads(endpoints)
    for entry in endpoints or []:
        for url in (entry or {}).values():
            if isinstance(url, str) and url:
                return url
    return None
