"""Names AWS accepts, derived from the secret's name: deterministic, valid, and unique per app.

An app's secret is ``<prefix>/<env>/<project>/<app>``; the IAM policy, role
and Lambda function that go with it cannot contain ``/`` (IAM allows
``[\\w+=,.@-]``, Lambda ``[A-Za-z0-9_-]``) and have length limits (policy 128,
role and function 64). Each name here is the secret's name with ``/`` as
``-``, characters the service refuses as ``-``, and a hash of the full name
in place of the tail when it is too long, so two apps never share one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

IAM_POLICY_MAX = 128
IAM_ROLE_MAX = 64
LAMBDA_NAME_MAX = 64
LAMBDA_DESCRIPTION_MAX = 256
_IAM_REFUSED = re.compile(r"[^\w+=,.@-]|[^\x00-\x7f]")
_LAMBDA_REFUSED = re.compile(r"[^A-Za-z0-9_-]")


def _name(secret_name: str, suffix: str, limit: int, refused: re.Pattern[str]) -> str:
    name = refused.sub("-", secret_name.replace("/", "-")) + f"-{suffix}"
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(secret_name.encode()).hexdigest()[:8]
    head = name[: limit - len(suffix) - len(digest) - 2]
    return f"{head}-{digest}-{suffix}"


def read_policy_name(secret_name: str) -> str:
    return _name(secret_name, "read", IAM_POLICY_MAX, _IAM_REFUSED)


def rotation_role_name(secret_name: str) -> str:
    return _name(secret_name, "rotation", IAM_ROLE_MAX, _IAM_REFUSED)


def rotation_policy_name(secret_name: str) -> str:
    return _name(secret_name, "rotation", IAM_POLICY_MAX, _IAM_REFUSED)


def rotation_function_name(secret_name: str) -> str:
    return _name(secret_name, "rotation", LAMBDA_NAME_MAX, _LAMBDA_REFUSED)


def within(text: str, limit: int) -> str:
    """``text``, cut to ``limit`` characters with an ellipsis when longer (descriptions)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def name_collisions(secret_names: Mapping[str, str]) -> list[str]:
    """App label → secret name in; a problem for each pair of apps whose IAM names would clash.

    IAM names are unique regardless of case, and ``/`` becomes ``-``: ``a-b/c`` and
    ``a/b-c``, or ``p/Listener`` and ``p/listener``, would both create the same policy
    (the second CreatePolicy failing after the secrets were written).
    """
    first: dict[str, str] = {}
    problems = []
    for label in sorted(secret_names):
        key = read_policy_name(secret_names[label]).lower()
        if key in first:
            problems.append(
                f"{first[key]} and {label}: their IAM names would be the same ({read_policy_name(secret_names[label])}, "
                "as IAM ignores case and '/' becomes '-'); rename one of the apps or projects"
            )
        else:
            first[key] = label
    return problems
