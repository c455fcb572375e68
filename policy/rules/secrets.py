"""The rules about Secrets Manager secrets that hold X keys, as plain functions.

A secret counts as an X secret when it carries twitter-secrets' tags (``twitter:project``,
``twitter:app`` or any ``rotation:`` tag), whoever wrote it: the component or a hand-written
program copying its layout. Each function returns problems as text naming the property, never a
value of it (tags and policies hold no keys, but the rules never need to quote them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

SECRET = "aws:secretsmanager/secret:Secret"
SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"
ROTATION_TAGS = ("rotation:issued-at", "rotation:interval-days", "rotation:due-at", "rotation:strategy")
MARKER_TAGS = ("twitter:project", "twitter:app")
#: rotation:strategy of a secret Secrets Manager rotates itself (tagged with rotation:schedule).
AUTOMATIC = "automatic"
#: AWS's own key for Secrets Manager: what a secret uses when it names no key.
AWS_MANAGED_KEY = "alias/aws/secretsmanager"
#: Conditions that limit a "*" principal to an organization or account.
LIMITING_CONDITION_KEYS = frozenset(
    {
        "aws:principalorgid",
        "aws:principalaccount",
        "aws:sourceaccount",
        "aws:principalorgpaths",
        "aws:sourceorgid",
    }
)


def tags_of(props: Mapping[str, Any]) -> dict[str, Any]:
    tags = props.get("tags")
    return dict(tags) if isinstance(tags, Mapping) else {}


def is_x_secret(props: Mapping[str, Any]) -> bool:
    tags = tags_of(props)
    return any(t in tags for t in MARKER_TAGS) or any(str(t).startswith("rotation:") for t in tags)


def _day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def rotation_tag_problems(props: Mapping[str, Any]) -> list[str]:
    """x-secret-rotation-tags: an owner and every rotation tag, dates that parse, due = issued + interval;
    for a secret rotated automatically (rotation:strategy automatic), an owner and rotation:schedule."""
    if not is_x_secret(props):
        return []
    tags = tags_of(props)
    strategy = tags.get("rotation:strategy")
    if strategy is not None and not isinstance(strategy, str):
        return []  # not known yet during preview: which tags it needs is judged when it is
    if strategy == AUTOMATIC:
        # Rotated by Secrets Manager on its schedule (the bearer): no issue date to keep, the
        # schedule is the promise.
        missing = [name for name in ("owner", "rotation:schedule") if not tags.get(name)]
        return (
            [f"tags {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing"] if missing else []
        )
    missing = [name for name in ("owner", *ROTATION_TAGS) if not tags.get(name)]
    problems = (
        [f"tags {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing"] if missing else []
    )
    issued, due = _day(tags.get("rotation:issued-at")), _day(tags.get("rotation:due-at"))
    for name, parsed in (("rotation:issued-at", issued), ("rotation:due-at", due)):
        # A value not known yet during preview (not text) is judged when it is known.
        if isinstance(tags.get(name), str) and tags.get(name) and parsed is None:
            problems.append(f"tags.{name} is not a date in the form YYYY-MM-DD")
    interval_text = tags.get("rotation:interval-days")
    interval = (
        int(interval_text)
        if isinstance(interval_text, str) and re.fullmatch(r"[0-9]{1,4}", interval_text)
        else None
    )
    if isinstance(interval_text, str) and interval_text and (interval is None or not 1 <= interval <= 1000):
        problems.append("tags.rotation:interval-days is not a whole number of days from 1 to 1000")
    if issued and due and interval and issued + timedelta(days=interval) != due:
        problems.append(
            "tags.rotation:due-at is not rotation:issued-at plus rotation:interval-days; set them together "
            "(twitter-secrets' components do)"
        )
    return problems


def days_late(props: Mapping[str, Any], today: date) -> tuple[date, int] | None:
    """(due date, days past it) for an X secret whose rotation:due-at is known; else None.

    Unknown or malformed tags are x-secret-rotation-tags' to report, not the due rules'.
    """
    if not is_x_secret(props):
        return None
    due = _day(tags_of(props).get("rotation:due-at"))
    return None if due is None else (due, (today - due).days)


def rotation_due(props: Mapping[str, Any], today: date, *, grace_days: int = 0) -> str | None:
    """x-secret-rotation-due (advisory): the message when rotation is more than grace_days late."""
    late = days_late(props, today)
    if late is None or late[1] <= grace_days:
        return None
    return (
        f"rotation was due on {late[0].isoformat()}, {late[1]} days ago: regenerate the keys in the developer "
        "portal and set rotation:issued-at (issued_at) to that day"
    )


def rotation_overdue(props: Mapping[str, Any], today: date, *, after_days: int) -> str | None:
    """x-secret-rotation-overdue (mandatory): the message when rotation is more than after_days late.

    A separate rule from x-secret-rotation-due because a Pulumi policy has one enforcement level:
    "warn when late, block when very late" is two policies, each with its own number of days.
    """
    late = days_late(props, today)
    if late is None or late[1] <= after_days:
        return None
    return (
        f"rotation was due on {late[0].isoformat()}, {late[1]} days ago, more than the {after_days} days this "
        "policy allows (mandatoryAfterDays): regenerate the keys in the developer portal and set "
        "rotation:issued-at (issued_at) to that day; the deployment that does so passes"
    )


def cmk_problems(props: Mapping[str, Any], allowed: list[str] | None = None) -> list[str]:
    """x-secret-cmk: an X secret is encrypted with a customer-managed key (from the allow-list, if any)."""
    key = props.get("kmsKeyId")
    if not is_x_secret(props) or (key is not None and not isinstance(key, str)):
        return []  # not ours, or a key not known yet during preview: nothing to judge
    if _aws_managed(key):
        return ["kmsKeyId is not set, so AWS's own key encrypts the value; name a customer-managed KMS key"]
    problems = []
    if allowed and key not in allowed:
        problems.append(
            "kmsKeyId is not one of the keys this policy allows (allowedKeys in the policy's config)"
        )
    replicas = props.get("replicas")
    for index, replica in enumerate(replicas if isinstance(replicas, list) else []):
        if not isinstance(replica, Mapping):
            continue
        replica_key = replica.get("kmsKeyId")
        if replica_key is not None and not isinstance(replica_key, str):
            continue  # not known yet during preview
        if _aws_managed(replica_key):
            problems.append(
                f"replicas[{index}].kmsKeyId is not set, so the replica in that region is encrypted with AWS's "
                "own key; name a customer-managed KMS key for each replica"
            )
        elif allowed and replica_key not in allowed:
            problems.append(
                f"replicas[{index}].kmsKeyId is not one of the keys this policy allows (allowedKeys)"
            )
    return problems


def _aws_managed(key: str | None) -> bool:
    return not key or key == AWS_MANAGED_KEY or key.endswith(":" + AWS_MANAGED_KEY)


def recovery_window_problems(props: Mapping[str, Any]) -> list[str]:
    """x-secret-recovery-window: no force-delete (a recovery window of 0) for an X secret."""
    if not is_x_secret(props):
        return []
    window = props.get("recoveryWindowInDays")
    if isinstance(window, (int, float)) and window == 0:
        return ["recoveryWindowInDays is 0: deleting the secret would lose the keys for good; use 7 to 30"]
    return []


def _principals(statement: Mapping[str, Any]) -> list[Any]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if isinstance(principal, Mapping):
        found: list[Any] = []
        for value in principal.values():
            found += value if isinstance(value, list) else [value]
        return found
    return []


#: Condition operators that limit a principal to the values given (not their negations).
_LIMITING_OPERATORS = ("stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike")


def _limited(statement: Mapping[str, Any]) -> bool:
    """A condition that pins the caller to an organization or account: a positive operator on one
    of LIMITING_CONDITION_KEYS with a value that is not only wildcards."""
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return False
    for operator, tests in condition.items():
        bare = str(operator).lower().split(":")[-1].removesuffix("ifexists")
        if bare not in _LIMITING_OPERATORS or not isinstance(tests, Mapping):
            continue
        for key, value in tests.items():
            values = value if isinstance(value, list) else [value]
            if (
                str(key).lower() in LIMITING_CONDITION_KEYS
                and values
                and all(isinstance(v, str) and v.strip("*?") for v in values)
            ):
                return True
    return False


def public_policy_problems(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """x-secret-no-public-policy: no Allow to "*" unless a condition limits it to an organization or
    account, on a SecretPolicy or a Secret's own policy; a SecretPolicy sets blockPublicPolicy."""
    if resource_type == SECRET_POLICY:
        field, text = "policy", props.get("policy")
    elif resource_type == SECRET and is_x_secret(props):
        field, text = "policy", props.get("policy")
    else:
        return []
    problems = []
    block = props.get("blockPublicPolicy")
    if resource_type == SECRET_POLICY and block is not True and isinstance(block, (bool, type(None))):
        problems.append(
            "blockPublicPolicy is not true: Secrets Manager would accept a policy that opens the secret"
        )
    try:
        document = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        document = None  # not JSON (or not known yet): AWS refuses it, nothing to judge here
    statements = document.get("Statement") if isinstance(document, Mapping) else None
    if isinstance(statements, Mapping):
        statements = [statements]
    for index, statement in enumerate(statements or []):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        if "*" in _principals(statement) and not _limited(statement):
            problems.append(
                f'{field}.Statement[{index}] allows Principal "*" with no condition on aws:PrincipalOrgID or '
                "aws:PrincipalAccount: anyone with AWS credentials could read the keys"
            )
    return problems
