"""The ExternalSecret as a Kubernetes resource, for programs that use pulumi_kubernetes.

``TwitterAppCredentials.external_secret`` returns the manifest as an Output;
an Output cannot be spread into ``CustomResource(**manifest)``, and the
resource's apiVersion and kind must be known when it is registered. This
registers it the way pulumi_kubernetes needs: the constant parts plain,
metadata and spec as Outputs. pulumi_kubernetes is imported only here, so
programs without Kubernetes never need it.
"""

from __future__ import annotations

from typing import Any

import pulumi

from .wiring import EXTERNAL_SECRET_API_VERSION


def register_external_secret(
    resource_name: str, manifest: pulumi.Output[dict[str, Any]], *, provider: Any = None
) -> Any:
    """A ``kubernetes:external-secrets.io/v1:ExternalSecret`` on ``provider`` (default: the ambient cluster)."""
    import pulumi_kubernetes as k8s

    return k8s.apiextensions.CustomResource(
        resource_name,
        api_version=EXTERNAL_SECRET_API_VERSION,
        kind="ExternalSecret",
        metadata=manifest.apply(lambda m: m["metadata"]),
        spec=manifest.apply(lambda m: m["spec"]),
        opts=pulumi.ResourceOptions(provider=provider) if provider is not None else None,
    )
