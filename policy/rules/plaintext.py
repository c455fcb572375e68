"""x-no-plaintext-key-material: an X key anywhere a resource keeps text in the clear.

Only the places made to hold a secret are exempt: a Secrets Manager SecretVersion's value and an
SSM SecureString parameter's value. Everything else (Lambda environments, ECS container
definitions, EventBridge inputs, SSM String and StringList values, tags, descriptions, names) is
walked, JSON inside strings included.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .shapes import HINT_WORDS, Finding, key_kinds, path_hints_x
from .walk import strings

_NON_WORD = re.compile(r"[^A-Za-z0-9]+")
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
SSM_PARAMETER = "aws:ssm/parameter:Parameter"
PROVIDER_PREFIX = "pulumi:providers:"
VERIFICATION = "pulumi-python:dynamic/twitter-secrets:CredentialsVerification"
#: Properties made to hold a secret value, by resource type.
EXEMPT: dict[str, frozenset[str]] = {
    SECRET_VERSION: frozenset({"secretString", "secretBinary", "secretStringWo"}),
    # twitter-secrets' own check with X before any write (``verify: true``): the keys are its
    # inputs as Pulumi secrets, encrypted in the state. A policy sees secrets in plain text with
    # no marker, so the place is exempt, as a SecretVersion's value is.
    VERIFICATION: frozenset({"consumer_key", "consumer_secret", "access_token", "access_token_secret"}),
}


def _exempt(resource_type: str, props: Mapping[str, Any], top: str) -> bool:
    if top in EXEMPT.get(resource_type, frozenset()):
        return True
    if resource_type.startswith(PROVIDER_PREFIX) and ":" in top:
        # A provider's inputs named "<namespace>:<key>" are the stack's config, which the engine
        # hands to default providers (a dynamic provider gets all of it). Config secrets arrive
        # here in plain text with no marker; config is not a resource's to fix, so it is exempt.
        return True
    # An SSM parameter's type not known yet during preview: its value is judged when it is.
    return (
        resource_type == SSM_PARAMETER
        and top in ("value", "valueWo")
        and (props.get("type") == "SecureString" or not isinstance(props.get("type"), (str, type(None))))
    )


def prose_hints_x(text: str) -> bool:
    """Whether a whole word of the same text names X ("Twitter consumer key <key>", "x-api-<key>").

    Whole words only, split at anything but letters and digits: the pieces of a token or a
    Base64 blob, split further at case changes, read as "x" or "Api" often enough to hint at
    anything, while a whole word equal to one of the longer hint words is rare in them (a lone
    "x" is not: it takes a second word, as in "x-api-<key>")."""
    return any(len(word) > 1 and word.lower() in HINT_WORDS for word in _NON_WORD.split(text))


def kinds_at(path: str, text: str, *, named: bool = False) -> list[str]:
    """The X key kinds in one string: a weak shape counts where its path, the words around it in
    the same text, or (``named``) the resource's own name say X."""
    return key_kinds(text, hinted=named or path_hints_x(path) or prose_hints_x(text))


def plaintext_findings(resource_type: str, props: Mapping[str, Any]) -> list[Finding]:
    """Each path holding an X key in plain text, with the kind; sorted, each path once."""
    found: dict[str, str] = {}
    # An SSM parameter's name says what its value is: /app/twitter/consumer_key hints at a key.
    named = (
        resource_type == SSM_PARAMETER and isinstance(props.get("name"), str) and path_hints_x(props["name"])
    )
    for path, text in strings(dict(props)):
        top = path.split(".", 1)[0].split("[", 1)[0].split("(", 1)[0]
        if _exempt(resource_type, props, top):
            continue
        kinds = kinds_at(path, text, named=named)
        if kinds and path not in found:
            found[path] = kinds[0]
    return [Finding(path, kind) for path, kind in sorted(found.items())]


def plaintext_problems(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """One problem per finding: the property path and the kind, never the value."""
    return [
        f"{f.path} holds what looks like an X {f.kind} in plain text. Keep X keys in a Secrets Manager secret "
        "(twitter-secrets' TwitterAppCredentials) or an SSM SecureString, and pass the secret's ARN instead"
        for f in plaintext_findings(resource_type, props)
    ]
