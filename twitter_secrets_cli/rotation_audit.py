"""``audit --live`` on a bearer secret: is its rotation on, on time, and not stuck?

A failed rotation changes nothing anyone sees at once: the old token keeps working until X
invalidates it. So the audit reads what Secrets Manager keeps (one DescribeSecret and one
ListSecretVersionIds, never a value) and reports:

- rotation turned off on a secret the stack rotates;
- a rotation that is late: NextRotationDate passed, or no rotation since LastRotatedDate plus
  the rule's interval and a day of grace, or none at all since rotation was turned on a day ago;
- a version still holding AWSPENDING (and not AWSCURRENT) a day after it was created: its
  rotation failed or is stuck, and the next one may be refused until it is cleared.

A day of grace everywhere: a rotation in progress, or one Secrets Manager starts late in its
window, is not a problem yet.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

GRACE = timedelta(days=1)
_RATE = re.compile(r"rate\(([0-9]+) (hour|hours|day|days)\)")


def _on(value: datetime) -> str:
    return value.astimezone(UTC).date().isoformat()


def interval(rules: Any) -> timedelta | None:
    """How often the rule says to rotate; None for a cron() schedule (NextRotationDate says when)."""
    if not isinstance(rules, dict):
        return None
    days = rules.get("AutomaticallyAfterDays")
    if isinstance(days, int) and days > 0:
        return timedelta(days=days)
    match = _RATE.fullmatch(str(rules.get("ScheduleExpression", "")).strip())
    if match is None:
        return None
    count = int(match.group(1))
    return timedelta(hours=count) if match.group(2).startswith("hour") else timedelta(days=count)


def _every(period: timedelta) -> str:
    if period.days and not period.seconds:
        return f"every {period.days} days"
    return f"every {int(period.total_seconds() // 3600)} hours"


def late(described: dict[str, Any], now: datetime) -> list[str]:
    """Rotation is on but has not happened when its schedule said it would."""
    last, upcoming = described.get("LastRotatedDate"), described.get("NextRotationDate")
    period = interval(described.get("RotationRules"))
    if not isinstance(last, datetime):
        # Turning rotation on changes the secret: it has been on since LastChangedDate at the latest.
        since = described.get("LastChangedDate") or described.get("CreatedDate")
        if isinstance(since, datetime) and since + GRACE < now:
            return [
                f"bearer secret: rotation is enabled but has never completed (enabled on or before {_on(since)})"
            ]
    overdue = isinstance(upcoming, datetime) and upcoming < now
    overdue |= isinstance(last, datetime) and period is not None and last + period + GRACE < now
    if not overdue:
        return []
    detail = ""
    if isinstance(last, datetime):
        then = f"due {_on(upcoming)}" if isinstance(upcoming, datetime) else _every(period) if period else ""
        detail = f" (last rotated {_on(last)}{', ' + then if then else ''})"
    return [f"bearer secret: the scheduled rotation is overdue{detail}"]


def stuck(described: dict[str, Any], now: datetime) -> list[str]:
    """Versions left in AWSPENDING for more than a day; the version id is no secret, and names which."""
    created = described.get("_created", {})
    problems = []
    for version, stages in described.get("VersionIdsToStages", {}).items():
        if "AWSPENDING" not in stages or "AWSCURRENT" in stages:
            continue
        when = created.get(version)
        if not isinstance(when, datetime):
            problems.append("bearer secret: a rotation failed or is stuck (AWSPENDING left on a version)")
        elif when + GRACE < now:
            problems.append(
                f"bearer secret: a rotation failed or is stuck: version {version}, created {_on(when)}, "
                "still holds AWSPENDING and not AWSCURRENT"
            )
    return problems


def bearer_drift(described: dict[str, Any] | None, error: str | None, now: datetime) -> list[str]:
    """Every rotation problem of one bearer secret, from DescribeSecret (and its versions' dates)."""
    if described is None:
        return [f"bearer secret: {'missing' if error == 'ResourceNotFoundException' else error}"]
    enabled = bool(described.get("RotationEnabled"))
    problems = [] if enabled else ["bearer secret: rotation is disabled"]
    problems += stuck(described, now)
    if enabled:
        problems += late(described, now)
    return problems
