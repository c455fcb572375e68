"""The twitter-secrets policy pack: each rule of rules/catalog.py as a pulumi-policy policy.

This file only wires. It turns pulumi-policy's proxied properties into plain values (marking
each value unknown during preview, so one unknown skips one field and never the whole
resource), reads today's date once per resource for the rotation rules, and reports each
message the rule returns. The rules and their config schemas live in ``rules/``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    proxy,
)
from rules.catalog import RULES, Resource, Rule
from rules.walk import plain

#: The strings pulumi-policy stands in for a value not known during preview.
UNKNOWN_SENTINELS = frozenset(
    value for name, value in vars(proxy).items() if name.startswith("UNKNOWN_") and isinstance(value, str)
)


def _today() -> date:
    return datetime.now(UTC).date()


#: Rules whose misconfiguration was already reported by this analyzer process (once is enough).
_TOLD: set[str] = set()


def _validate(rule: Rule):
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        problem = rule.config_problem(args.get_config())
        if problem and rule.id not in _TOLD:
            _TOLD.add(rule.id)
            report_violation(problem)
        resource = Resource(
            type=args.resource_type,
            name=args.name,
            props=plain(args.props, UNKNOWN_SENTINELS),
            parent_urn=args.opts.parent,
        )
        for message in rule.messages(resource, args.get_config(), _today()):
            report_violation(message)

    return validate


PolicyPack(
    name="twitter-secrets",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(
            name=rule.id,
            description=rule.description,
            validate=_validate(rule),
            enforcement_level=EnforcementLevel(rule.level),
            config_schema=PolicyConfigSchema(properties=rule.settings) if rule.settings else None,
        )
        for rule in RULES
    ],
)
