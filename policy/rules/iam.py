"""x-secret-no-wildcard-read: no IAM identity policy lets its holder read every secret.

X keys are one secret among many, so the read that leaks them is seldom written for them: an
``Allow secretsmanager:GetSecretValue`` (or ``secretsmanager:*``, ``*``) on ``Resource: "*"``
reads them along with everything else. The component's read policy names one secret's ARN;
this rule asks the same of every hand-written policy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

#: Identity-policy resources and the property holding the document.
POLICY_TYPES: dict[str, str] = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}
READ_ACTION = "secretsmanager:getsecretvalue"


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _reads_secrets(statement: Mapping[str, Any]) -> bool:
    if "NotAction" in statement:
        return not any(
            isinstance(a, str) and fnmatchcase(READ_ACTION, a.lower())
            for a in _listed(statement["NotAction"])
        )
    return any(
        isinstance(a, str) and fnmatchcase(READ_ACTION, a.lower()) for a in _listed(statement.get("Action"))
    )


def _every_secret(resource: Any) -> bool:
    """``*``, or a Secrets Manager ARN whose secret part is only a wildcard (``…:secret:*``)."""
    if not isinstance(resource, str):
        return False
    if resource == "*":
        return True
    parts = resource.split(":", 6)
    return (
        len(parts) == 7
        and parts[2] in ("secretsmanager", "*")
        and parts[5] in ("secret", "*")
        and parts[6].strip("*?") == ""
    )


def wildcard_read_problems(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    field = POLICY_TYPES.get(resource_type)
    if field is None:
        return []
    text = props.get(field)
    try:
        document = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return []  # not JSON, or not known yet during preview: nothing to judge
    statements = document.get("Statement") if isinstance(document, Mapping) else None
    if isinstance(statements, Mapping):
        statements = [statements]
    problems = []
    for index, statement in enumerate(statements if isinstance(statements, list) else []):
        if (
            not isinstance(statement, Mapping)
            or statement.get("Effect") != "Allow"
            or not _reads_secrets(statement)
        ):
            continue
        broad = "NotResource" in statement or any(
            _every_secret(r) for r in _listed(statement.get("Resource"))
        )
        if broad:
            problems.append(
                f"{field}.Statement[{index}] allows secretsmanager:GetSecretValue on every secret, X keys included: "
                "name the secrets' ARNs (twitter-secrets exports readPolicyArns for exactly this)"
            )
    return problems
