"""Deploy-time gate: X must accept the keys before they reach Secrets Manager.

A Pulumi dynamic resource. Pulumi stores the provider object itself in state
in plain text (the ``__provider`` input), so the provider holds nothing: no
key, no client, no closure over either. The keys arrive only as secret
inputs (encrypted in state), and the outputs are the fingerprint and the
verified user, never a key. A declared ``access_level`` must match X's
``x-access-level`` for the token. ``diff`` compares fingerprints only, so X is
called when the keys change and not on every ``pulumi up`` (``/2/users/me``
allows 75 calls per 15 minutes, far fewer on the Free tier).
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from twitter_runtime.credentials import TwitterCredentials
from twitter_runtime.keys import CREDENTIAL_FIELDS
from twitter_runtime.xapi import DEFAULT_BASE_URL, XApiClient

OUTPUTS = ("fingerprint", "user_id", "username")


def verify_with_x(props: dict[str, Any]) -> dict[str, str]:
    """User-context check, the declared access level against X's, then app check; the outputs carry no key."""
    creds = TwitterCredentials(
        **{f: props[f] for f in CREDENTIAL_FIELDS}, access_level=props.get("access_level") or None
    )
    client = XApiClient(props.get("api_base_url") or DEFAULT_BASE_URL)
    user = client.verify_keys(props.get("label") or "", creds)
    return {"fingerprint": props["fingerprint"], "user_id": user.id, "username": user.username}


class CredentialsVerifier(ResourceProvider):
    """Stateless on purpose: Pulumi pickles this object into state in plain text."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=props["fingerprint"], outs=verify_with_x(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = olds.get("fingerprint") != news.get("fingerprint")
        return DiffResult(changes=changed, replaces=[], stables=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=verify_with_x(news))


class CredentialsVerification(
    pulumi.dynamic.Resource, module="twitter-secrets", name="CredentialsVerification"
):
    """Passes once X has accepted the keys whose fingerprint it carries."""

    fingerprint: pulumi.Output[str]
    user_id: pulumi.Output[str]
    username: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        credentials: dict[str, pulumi.Input[str]],
        fingerprint: pulumi.Input[str],
        api_base_url: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        access_level: str | None = None,
        label: str | None = None,
    ) -> None:
        props: dict[str, Any] = {f: pulumi.Output.secret(credentials[f]) for f in CREDENTIAL_FIELDS}
        props.update(fingerprint=fingerprint, api_base_url=api_base_url)
        if access_level is not None:
            # Only when declared, so stacks without it keep their inputs byte for byte.
            props.update(access_level=access_level, label=label)
        props.update(dict.fromkeys(("user_id", "username")))
        super().__init__(CredentialsVerifier(), name, props, opts)
