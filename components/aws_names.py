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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app_settings import AppSettings

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


def rotation_failure_rule_name(secret_name: str) -> str:
    """The EventBridge rule that pages on a failed bearer rotation (rule names: 64, [.-_A-Za-z0-9])."""
    return _name(secret_name, "rotation-failed", LAMBDA_NAME_MAX, _LAMBDA_REFUSED)


def reminder_name(scope: str) -> str:
    """The reminder function's (and its role's and schedule's) name: valid for IAM, Lambda and EventBridge."""
    return _name(f"twitter/{scope}", "reminders", LAMBDA_NAME_MAX, _LAMBDA_REFUSED)


def within(text: str, limit: int) -> str:
    """``text``, cut to ``limit`` characters with an ellipsis when longer (descriptions)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def name_collisions(secret_names: Mapping[str, str], rotating: Mapping[str, str] | None = None) -> list[str]:
    """App label → secret name in (and, for apps with bearer rotation, which have a Lambda
    function, label → the App's own secret name it is named after); a problem for each pair of
    apps whose AWS names would clash.

    IAM names are unique regardless of case, and ``/`` becomes ``-``: ``a-b/c`` and
    ``a/b-c``, or ``p/Listener`` and ``p/listener``, would create the same policy (the
    second CreatePolicy failing after the secrets were written). Lambda names also turn
    ``.``, ``@``, ``+`` and ``=`` into ``-``: ``p/a.b`` and ``p/a-b`` would share a function.
    """
    rotating = rotating or {}
    derived = (
        ("IAM", lambda name: read_policy_name(name).lower(), secret_names),
        ("Lambda", rotation_function_name, rotating),
    )
    problems = []
    reported: set[tuple[str, str]] = set()
    for service, derive, names in derived:
        first: dict[str, str] = {}
        for label in sorted(names):
            key = derive(names[label])
            pair = (first.get(key, ""), label)
            if key in first and pair not in reported:
                reported.add(pair)
                problems.append(
                    f"{first[key]} and {label}: their {service} names would be the same ({key}: {service} "
                    f"{'ignores case and ' if service == 'IAM' else ''}turns '/' and other characters into '-'); "
                    "rename one of the apps or projects"
                )
            first.setdefault(key, label)
    return problems


def collision_inputs(settings: Mapping[str, AppSettings]) -> tuple[dict[str, str], dict[str, str]]:
    """What ``name_collisions`` compares: every secret's name, and the App name each rotation Lambda takes."""
    return (
        {label: s.secret_name for label, s in settings.items()},
        {label: s.app_secret_name for label, s in settings.items() if s.bearer_rotation is not None},
    )
