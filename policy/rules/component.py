"""x-secret-via-component: a secret holding X keys is created by twitter-secrets' component.

A hand-written Secret gets none of what the component gives (key checks before any write, the
rotation tags kept in step, a least-privilege read policy, a recovery window). The rule reads the
resource's parent from its options, a URN whose type part names every ancestor's type; the last
one is the parent's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .plaintext import SECRET_VERSION, kinds_at
from .secrets import SECRET, is_x_secret
from .walk import strings

COMPONENT_TYPE = "twitter-secrets:index:TwitterAppCredentials"


def parent_type(parent_urn: str | None) -> str | None:
    """The parent's own type from its URN (``urn:pulumi:stack::project::a$b::name`` → ``b``)."""
    if not parent_urn:
        return None
    parts = parent_urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else None


def holds_x_keys(resource_type: str, props: Mapping[str, Any]) -> bool:
    """A Secret tagged as an X secret, or a SecretVersion whose value has an X key's shape."""
    if resource_type == SECRET:
        return is_x_secret(props)
    if resource_type != SECRET_VERSION:
        return False
    return any(kinds_at(path, text) for path, text in strings({"secretString": props.get("secretString")}))


def via_component_problems(resource_type: str, props: Mapping[str, Any], parent_urn: str | None) -> list[str]:
    if not holds_x_keys(resource_type, props) or parent_type(parent_urn) == COMPONENT_TYPE:
        return []
    field = "tags" if resource_type == SECRET else "secretString"
    return [
        f"{field} shows this holds X keys, but it is not created by twitter-secrets' TwitterAppCredentials "
        "(its parent is not one): declare the app in the component (or the TwitterProject) to get the key "
        "checks, rotation tags, read policy and recovery window"
    ]
