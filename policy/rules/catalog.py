"""Every rule of the pack: its id, default enforcement level, config schema and check, in one table.

``__main__.py`` turns each entry into a pulumi-policy ResourceValidationPolicy and does nothing
else, so what a rule reports for a resource under a given config (defaults included) is tested
here without Pulumi. A rule's settings are declared once, in its schema, with their defaults.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .component import via_component_problems
from .iam import wildcard_read_problems
from .plaintext import plaintext_problems
from .secrets import (
    SECRET,
    cmk_problems,
    public_policy_problems,
    recovery_window_problems,
    rotation_due,
    rotation_overdue,
    rotation_tag_problems,
)
from .walk import segment

MANDATORY, ADVISORY = "mandatory", "advisory"


@dataclass(frozen=True)
class Resource:
    """What a rule sees of one resource: plain values (unknowns marked by walk.UNKNOWN)."""

    type: str
    name: str
    props: Mapping[str, Any]
    parent_urn: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    level: str
    check: Callable[[Resource, Mapping[str, Any], date], list[str]]
    #: JSON Schema of each setting, each with its default (``--policy-pack-config`` sets them).
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The rule is about Secrets Manager secrets only (aws:secretsmanager/secret:Secret).
    secrets_only: bool = False

    def config(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """The settings in force: each default, overridden by what the policy config gives."""
        values = {name: schema["default"] for name, schema in self.settings.items()}
        values.update({k: v for k, v in (given or {}).items() if k in self.settings})
        return values

    def config_problem(self, given: Mapping[str, Any] | None) -> str | None:
        """A setting this rule does not have (Pulumi passes unknown ones on silently): a misspelt
        ``allowedKey`` would otherwise leave the rule at its default without a word."""
        unknown = sorted(k for k in (given or {}) if k not in self.settings)
        if not unknown:
            return None
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, list(self.settings), n=1)
            hints.append(f"{name} (did you mean {close[0]}?)" if close else name)
        known = ", ".join(sorted(self.settings)) or "none besides enforcementLevel"
        return (
            f"the policy config for {self.id} has unknown settings: {', '.join(hints)}. Its settings: {known}. "
            "Fix the --policy-pack-config file (or the policy group's config)"
        )

    def messages(self, resource: Resource, given: Mapping[str, Any] | None, today: date) -> list[str]:
        """One line per problem, naming the resource, its type and the property; never a value."""
        if self.secrets_only and resource.type != SECRET:
            return []
        config = self.config(given)
        if resource.name in config.get("exemptResources", ()):
            return []
        name = segment(resource.name)
        return [f"{name} ({resource.type}): {p}" for p in self.check(resource, config, today)]


_EXEMPT = {
    "exemptResources": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Resource names this rule does not check (a reviewed false positive).",
    }
}


def _days(default: int, description: str) -> dict[str, dict[str, Any]]:
    return {"type": "integer", "minimum": 0, "default": default, "description": description}


def _one(message: str | None) -> list[str]:
    return [message] if message else []


RULES: tuple[Rule, ...] = (
    Rule(
        "x-no-plaintext-key-material",
        "No X (Twitter) API key, secret or token in plain text in any resource property.",
        MANDATORY,
        lambda r, _c, _t: plaintext_problems(r.type, r.props),
        _EXEMPT,
    ),
    Rule(
        "x-secret-rotation-tags",
        "An X secret has an owner and every rotation tag, with valid dates (due = issued + interval).",
        MANDATORY,
        lambda r, _c, _t: rotation_tag_problems(r.props),
        secrets_only=True,
    ),
    Rule(
        "x-secret-rotation-due",
        "An X secret's keys are rotated by their due date.",
        ADVISORY,
        lambda r, c, t: _one(rotation_due(r.props, t, grace_days=int(c["graceDays"]))),
        {"graceDays": _days(0, "Days past rotation:due-at before the rule reports.")},
        secrets_only=True,
    ),
    Rule(
        "x-secret-rotation-overdue",
        "An X secret's keys are not long past their rotation date.",
        MANDATORY,
        lambda r, c, t: _one(rotation_overdue(r.props, t, after_days=int(c["mandatoryAfterDays"]))),
        {"mandatoryAfterDays": _days(30, "Days past rotation:due-at after which a deployment is blocked.")},
        secrets_only=True,
    ),
    Rule(
        "x-secret-cmk",
        "An X secret (and each replica) is encrypted with a customer-managed KMS key.",
        MANDATORY,
        lambda r, c, _t: cmk_problems(r.props, c["allowedKeys"] or None),
        {
            "allowedKeys": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": "KMS key ARNs or aliases an X secret may use, exactly as the program gives them "
                "(empty: any customer-managed key).",
            }
        },
        secrets_only=True,
    ),
    Rule(
        "x-secret-recovery-window",
        "An X secret keeps a recovery window when deleted (no force-delete).",
        MANDATORY,
        lambda r, _c, _t: recovery_window_problems(r.props),
        secrets_only=True,
    ),
    Rule(
        "x-secret-no-public-policy",
        "No resource policy opens an X secret to any AWS account.",
        MANDATORY,
        lambda r, _c, _t: public_policy_problems(r.type, r.props),
    ),
    Rule(
        "x-secret-via-component",
        "A secret holding X keys is created by twitter-secrets' TwitterAppCredentials.",
        ADVISORY,
        lambda r, _c, _t: via_component_problems(r.type, r.props, r.parent_urn),
    ),
    Rule(
        "x-secret-no-wildcard-read",
        "No IAM policy reads every Secrets Manager secret (X keys among them).",
        ADVISORY,
        lambda r, _c, _t: wildcard_read_problems(r.type, r.props),
        _EXEMPT,
    ),
)
