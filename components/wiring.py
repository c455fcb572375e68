"""How consumers reference the secret: ECS container secrets and an ExternalSecret.

Plain functions of the secret's ARN or name, usable from any Pulumi program
(a consumer stack gets the ARN through a StackReference).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from twitter_runtime.keys import CREDENTIAL_FIELDS, STORED_FIELDS

#: Environment variable for each JSON key, as services conventionally name them.
ENV_NAMES: dict[str, str] = {field: f"TWITTER_{field.upper()}" for field in STORED_FIELDS}

#: The External Secrets Operator's stable API.
EXTERNAL_SECRET_API_VERSION = "external-secrets.io/v1"


def ecs_secrets(secret_arn: str, fields: Sequence[str] = CREDENTIAL_FIELDS) -> list[dict[str, str]]:
    """The ``secrets`` list of an ECS container definition.

    ECS's ``valueFrom`` syntax is ``arn:json-key:version-stage:version-id``;
    empty stage and id mean AWSCURRENT at task start. Only fields the secret
    holds: ECS fails a task whose JSON key is missing.
    """
    return [{"name": ENV_NAMES[f], "valueFrom": f"{secret_arn}:{f}::"} for f in fields]


#: The environment variable that carries the keys' fingerprint into a workload.
FINGERPRINT_ENV = "TWITTER_SECRETS_FINGERPRINT"


def ecs_environment(fingerprint: str) -> list[dict[str, str]]:
    """The ``environment`` entry that makes new keys roll an ECS service.

    ECS injects ``secrets`` only when a task starts, so a running service keeps the keys
    it started with. Putting the keys' fingerprint (it reveals nothing of them) in the
    task definition makes new keys a new revision, and a service on it a rolling
    deployment.
    """
    return [{"name": FINGERPRINT_ENV, "value": fingerprint}]


def kubernetes_name(text: str) -> str:
    """An RFC 1123 name (lowercase, digits, '-', at most 63) from a label."""
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return name[:63].rstrip("-") or "twitter-credentials"


def external_secret_manifest(
    *,
    secret_name: str,
    label: str,
    store_name: str,
    store_kind: str = "SecretStore",
    namespace: str | None = None,
    target_name: str | None = None,
    refresh_interval: str = "1h",
    fields: Sequence[str] = CREDENTIAL_FIELDS,
) -> dict[str, Any]:
    """An External Secrets Operator ``ExternalSecret`` mapping the fields the secret holds.

    The Kubernetes Secret it creates has the same variable names as the ECS
    wiring, so one container image works on both.
    """
    if store_kind not in ("SecretStore", "ClusterSecretStore"):
        raise ValueError("store_kind must be SecretStore or ClusterSecretStore")
    name = kubernetes_name(f"twitter-{label}")
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    return {
        "apiVersion": EXTERNAL_SECRET_API_VERSION,
        "kind": "ExternalSecret",
        "metadata": metadata,
        "spec": {
            "refreshInterval": refresh_interval,
            "secretStoreRef": {"name": store_name, "kind": store_kind},
            "target": {"name": target_name or name, "creationPolicy": "Owner"},
            "data": [
                {"secretKey": ENV_NAMES[f], "remoteRef": {"key": secret_name, "property": f}} for f in fields
            ],
        },
    }
