"""The stand-in's gRPC side: Pulumi's Python provider SDK in front of ``tests/moto_aws.py``.

Check applies pulumi-aws's auto-naming and AWS's naming rules and limits;
Diff reports replacements for the properties pulumi-aws replaces on;
Create, Update, Delete and Read act on moto's server. Read answers with what
moto holds now (so ``pulumi refresh`` shows a change made by hand), keeping
each property's secretness. Secrets stay secrets: each input keeps its
PropertyValue (and so its secretness) in the state, and write-only inputs are
never stored.

Where AWS runs a Lambda function by itself (a rotation that starts at once),
``tests/standin_aws/lambda_runner.py`` runs it from moto's copy of its code.

Environment read by the stand-in process (the engine passes the CLI's own):

``TWITTER_SECRETS_STANDIN_AWS_ENDPOINT``
    moto's URL; else the provider config's ``aws:endpoints``.
``TWITTER_SECRETS_STANDIN_X_URL``
    the fake X API's URL, for a function deployed with X's real host (see
    ``lambda_runner``).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from google.protobuf import struct_pb2
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
from tests.standin_aws.lambda_runner import LambdaRunner

#: Where moto's server is; else the provider config's `endpoints` (as `local up` writes them).
ENDPOINT_ENV = "TWITTER_SECRETS_STANDIN_AWS_ENDPOINT"
UNKNOWN = object()
#: An asset or archive the engine sent by its hash only (it does so in Diff); see ``_tolerate_elided``.
ELIDED = "elided-by-the-engine:"
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
        "targetId",
        "standinPackageSources",
    }
)
#: State output where the stand-in notes where each package came from (paths, never contents that
#: are not files), so Read can hand the engine back the package input it was sent without contents.
SOURCES = "standinPackageSources"


def _tolerate_elided() -> None:
    """Let this SDK carry an asset or archive that the engine sent without its contents.

    The engine sends Diff and Read each asset and archive by its hash only,
    which this SDK's ``PropertyValue.unmarshal`` refuses before the provider
    sees the request. Such a value becomes the string ``ELIDED + sig + ":" +
    hash`` here, and goes back to the engine exactly as it came (Read returns
    the inputs it was given); Diff swaps in the digest Check computed from the
    contents.
    """
    unmarshal, marshal = PropertyValue.unmarshal, PropertyValue.marshal
    signatures = {rpc._special_asset_sig, rpc._special_archive_sig}

    def tolerant_unmarshal(value: Any) -> PropertyValue:
        if value.WhichOneof("kind") == "struct_value":
            fields = value.struct_value.fields
            sig = fields.get(rpc._special_sig_key)
            if (
                sig is not None
                and sig.string_value in signatures
                and not any(k in fields for k in ("path", "text", "uri", "assets"))
            ):
                digest = fields["hash"].string_value if "hash" in fields else ""
                return PropertyValue(f"{ELIDED}{sig.string_value}:{digest}")
        return unmarshal(value)

    def tolerant_marshal(self: PropertyValue) -> Any:
        if isinstance(self.value, str) and self.value.startswith(ELIDED):
            sig, _, digest = self.value[len(ELIDED) :].partition(":")
            fields = {
                rpc._special_sig_key: struct_pb2.Value(string_value=sig),
                "hash": struct_pb2.Value(string_value=digest),
            }
            return struct_pb2.Value(struct_value=struct_pb2.Struct(fields=fields))
        return marshal(self)

    PropertyValue.unmarshal = staticmethod(tolerant_unmarshal)  # type: ignore[method-assign]
    PropertyValue.marshal = tolerant_marshal  # type: ignore[method-assign]


_tolerate_elided()


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
        #: (URN, property) -> the digest of the package Check saw, for Diff, which gets only a hash.
        self._checked_digests: dict[tuple[str, str], str] = {}

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

        self.aws = MotoAws(client, functions=LambdaRunner.from_environment(client, endpoint, region))
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
                old
                if old is not None
                # Lambda takes [A-Za-z0-9_.-] only: a resource name's "/" cannot go into the id.
                else PropertyValue(
                    autoname(re.sub(r"[^A-Za-z0-9_.-]", "-", request.name), request.random_seed, 100)
                )
            )
        for key, value in news.items():
            if isinstance(value.value, (Asset, Archive)):
                self._checked_digests[(request.urn, key)] = archive_digest(_content(value.value))
        inputs = {k: plain(v) for k, v in news.items()}
        failures = [CheckFailure(prop, reason) for prop, reason in input_problems(type_, inputs)]
        return CheckResponse(inputs=news, failures=failures or None)

    async def diff(self, request: DiffRequest) -> DiffResponse:
        type_ = _type_of(request)
        skip = WRITE_ONLY.get(type_, frozenset()) | set(request.ignore_changes)
        olds = {k: plain(v) for k, v in request.old_state.items()}
        news = {k: plain(v) for k, v in request.new_inputs.items()}
        # A package arrives by the engine's hash only: compare the digest Check computed from its
        # contents, or (no Check in this process: refresh comparing the state with its inputs,
        # which Read rebuilt from SOURCES) the digest of what SOURCES names.
        sources = olds.get(SOURCES) if isinstance(olds.get(SOURCES), dict) else {}
        for key, value in news.items():
            if isinstance(value, str) and value.startswith(ELIDED):
                digest = self._checked_digests.get((request.urn, key))
                if digest is None and key in sources:
                    digest = archive_digest(_content(_rebuild(sources[key])))
                news[key] = digest or value
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
        state = {k: plain(v) for k, v in request.properties.items()}
        observed = await asyncio.to_thread(self._aws.read, _type_of(request), request.resource_id, state)
        if observed is None:
            return ReadResponse(resource_id="", properties={}, inputs={})
        # A package input stays as it was given (state keeps its digest, which is what is compared).
        # The engine sends it here without its contents, and would store it back that way: rebuild it.
        sources = state.get(SOURCES) if isinstance(state.get(SOURCES), dict) else {}
        given = dict(request.inputs)
        for key, value in request.inputs.items():
            if str(value.value).startswith(ELIDED) and key in sources:
                given[key] = PropertyValue(_rebuild(sources[key]))
        inputs = {k: v for k, v in observed.items() if k in given and k not in sources}
        return ReadResponse(
            resource_id=request.resource_id,
            properties=_merged(request.properties, observed),
            inputs=_merged(given, inputs),
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
        # An archive is kept as its digest (this SDK cannot read back an archive the engine stored),
        # and where it came from, to give Read's caller the package input back whole.
        state = {
            k: PropertyValue(plain(v)) if isinstance(v.value, Archive) else v
            for k, v in self._stored(type_, inputs).items()
        }
        sources = {k: _describe(v.value) for k, v in inputs.items() if isinstance(v.value, Archive)}
        if sources:
            state[SOURCES] = wrap(sources)
        state.update({k: wrap(v) for k, v in attributes.items()})
        return state


def _describe(item: Asset | Archive) -> dict[str, Any]:
    """Where an asset or archive comes from, as plain values (for ``SOURCES``)."""
    if isinstance(item, FileArchive):
        return {"fileArchive": str(item.path)}
    if isinstance(item, AssetArchive):
        return {"assets": {name: _describe(asset) for name, asset in item.assets.items()}}
    if isinstance(item, FileAsset):
        return {"fileAsset": str(item.path)}
    # A StringAsset's text would land in plain state here; nothing this project deploys uses one.
    raise NotImplementedError(f"the stand-in does not keep {type(item).__name__} sources")


def _rebuild(source: dict[str, Any]) -> Asset | Archive:
    """The asset or archive ``_describe`` described."""
    if "fileArchive" in source:
        return FileArchive(source["fileArchive"])
    if "assets" in source:
        return AssetArchive({name: _rebuild(inner) for name, inner in source["assets"].items()})
    if "fileAsset" in source:
        return FileAsset(source["fileAsset"])
    raise NotImplementedError(f"no asset or archive in {sorted(source)}")


def _merged(stored: dict[str, PropertyValue], observed: dict[str, Any]) -> dict[str, PropertyValue]:
    """``stored`` with what AWS holds now; an unchanged value keeps its PropertyValue, a changed one
    keeps its secretness, and a property AWS no longer has is dropped."""
    merged = dict(stored)
    for key, value in observed.items():
        old = stored.get(key)
        if value is None:
            merged.pop(key, None)
        elif old is None or plain(old) != value:
            merged[key] = wrap(value).with_secret(old.is_secret) if old is not None else wrap(value)
    return merged


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
