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
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)

from tests.moto_aws import (
    AUTONAMED,
    NAMING,
    PERMISSION,
    REPLACE_ON,
    WRITE_ONLY,
    MotoAws,
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


def plain(value: PropertyValue) -> Any:
    """A PropertyValue as plain Python: numbers that are whole become ints, unknowns ``UNKNOWN``."""
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, float) and inner.is_integer():
        return int(inner)
    if isinstance(inner, (Asset, Archive)):
        return _content(inner)
    if isinstance(inner, tuple):
        return [plain(v) for v in inner]
    if hasattr(inner, "items"):
        return {k: plain(v) for k, v in inner.items()}
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
        type_ = request.type
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
        type_ = request.type
        skip = WRITE_ONLY.get(type_, frozenset()) | set(request.ignore_changes)
        olds = {k: plain(v) for k, v in request.old_state.items()}
        news = {k: plain(v) for k, v in request.new_inputs.items()}
        changed = sorted(
            k
            for k in set(news) | {k for k in olds if k not in COMPUTED_ATTRIBUTES}
            if k not in skip and news.get(k) != olds.get(k)
        )
        replaces = [k for k in changed if k in REPLACE_ON.get(type_, frozenset())]
        return DiffResponse(changes=bool(changed), replaces=replaces, diffs=changed)

    async def create(self, request: CreateRequest) -> CreateResponse:
        inputs = {k: plain(v) for k, v in request.properties.items()}
        if request.preview or _has_unknowns(inputs):
            computed = {
                k: PropertyValue.computed() for k in COMPUTED_ATTRIBUTES if k not in request.properties
            }
            return CreateResponse(
                resource_id="", properties={**self._stored(request.type, request.properties), **computed}
            )
        id_, attributes = await asyncio.to_thread(self._aws.create, request.type, inputs)
        return CreateResponse(
            resource_id=id_, properties=self._state(request.type, request.properties, attributes)
        )

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        if request.preview:
            return UpdateResponse(properties=self._stored(request.type, request.news))
        olds = {k: plain(v) for k, v in request.olds.items()}
        news = {k: plain(v) for k, v in request.news.items()}
        attributes = await asyncio.to_thread(self._aws.update, request.type, request.resource_id, olds, news)
        return UpdateResponse(properties=self._state(request.type, request.news, attributes))

    async def delete(self, request: DeleteRequest) -> None:
        state = {k: plain(v) for k, v in request.properties.items()}
        await asyncio.to_thread(self._aws.delete, request.type, request.resource_id, state)

    async def read(self, request: ReadRequest) -> ReadResponse:
        exists = await asyncio.to_thread(self._aws.exists, request.type, request.resource_id)
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
        return {k: v for k, v in inputs.items() if k not in WRITE_ONLY.get(type_, frozenset())}

    def _state(
        self, type_: str, inputs: dict[str, PropertyValue], attributes: dict[str, Any]
    ) -> dict[str, PropertyValue]:
        state = self._stored(type_, inputs)
        state.update({k: wrap(v) for k, v in attributes.items()})
        return state


def _endpoint_from(endpoints: Any) -> str | None:
    if isinstance(endpoints, str):
        endpoints = json.loads(endpoints)
    for entry in endpoints or []:
        for url in (entry or {}).values():
            if isinstance(url, str) and url:
                return url
    return None
