"""Several user accounts of one App: one secret per account, each with the App's keys and its own token.

One API Key pair can act for many accounts (a bot fleet, a support team), each
through its own Access Token pair. Each account gets a secret of its own rather
than one secret with every token: a service granted account A's secret cannot
read account B's. The App's keys (API Key pair, OAuth 2.0 client) are copied
into each account's secret, so a consumer loads one secret exactly as it loads
a single-account App's.

Plain functions over plain dicts, shared by the stack-config reader and the
TwitterProject component, so both expand an App the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from twitter_runtime.keys import KEY_FIELDS

from .problems import unknown_names
from .settings import ACCOUNT, BY_NAME, names_in
from .value_checks import CheckContext

#: What an account may set for itself; everything else it takes from its App.
ACCOUNT_KEYS: tuple[str, ...] = names_in(ACCOUNT)

#: App settings that describe the accounts and are not passed to each account's component.
ACCOUNTS_ARGS: tuple[str, ...] = ("accounts", "bearer_rotation_account")
_ROTATION = ("bearer_rotation_days", "bearer_rotation_schedule")


def _rotates(args: Mapping[str, Any]) -> bool:
    # Identity, not equality: 0 is a (bad) number of days to report, not "off" like false.
    return any(args.get(k) is not None and args.get(k) is not False for k in _ROTATION)


def expand_accounts(label: str, app_args: Mapping[str, Any]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The App's component arguments by sub-label (``app`` or ``app/account``), and the problems.

    An App without ``accounts`` maps to itself, unchanged. With accounts, each
    account's own settings override the App's (its tags merge over them), and
    bearer rotation, which is the App's and not an account's, goes to the one
    account whose Access Token signs X's invalidate_token: ``bearer_rotation_account``.
    """
    app = str(app_args.get("app"))
    accounts = app_args.get("accounts")
    anchor = app_args.get("bearer_rotation_account")
    if accounts is None:
        problems = []
        if anchor is not None:
            problems.append(f"{label}: bearer_rotation_account only applies to an app with accounts")
        return {app: {k: v for k, v in app_args.items() if k not in ACCOUNTS_ARGS}}, problems
    if not isinstance(accounts, Mapping) or not accounts:
        return {}, [f"{label}: accounts must map at least one account name to its settings (or be left out)"]
    problems: list[str] = []
    if anchor is not None and not isinstance(anchor, str):
        problems.append(f"{label}: bearer_rotation_account must be the name of one of the app's accounts")
        anchor = None
    elif _rotates(app_args):
        # Checked here, for the App: otherwise a bad value would surface only after an anchor is named.
        rotation_problems: list[str] = []
        if all(app_args.get(k) is not None for k in _ROTATION):
            rotation_problems.append("give bearer_rotation_days or bearer_rotation_schedule, not both")
        for key in _ROTATION:
            BY_NAME[key].read(rotation_problems, app_args.get(key), CheckContext(default_environment=""))
        problems += [f"{label}: {p}" for p in rotation_problems]
        if anchor is None:
            problems.append(
                f"{label}: bearer rotation with several accounts needs bearer_rotation_account: the account "
                "whose Access Token is the App owner's (X signs invalidate_token with it)"
            )
        elif anchor not in accounts:
            problems.append(f"{label}: bearer_rotation_account must name one of the app's accounts")
    elif anchor is not None:
        problems.append(f"{label}: bearer_rotation_account only applies with bearer rotation on")
    base = {k: v for k, v in app_args.items() if k not in ACCOUNTS_ARGS and k not in _ROTATION}
    expanded: dict[str, dict[str, Any]] = {}
    for name in sorted(accounts, key=str):
        spec = accounts[name]
        where = f"{label}/{name}"
        if not isinstance(spec, Mapping):
            if spec is not None:
                problems.append(f"{where}: must be an object of account settings ({', '.join(ACCOUNT_KEYS)})")
                continue
            spec = {}
        typed = sorted(set(spec) & {*KEY_FIELDS, "credentials"})
        if typed:
            # Named, never echoed: keys do not belong in the plain-text settings.
            problems.append(
                f"{where}: {', '.join(typed)} in the account's settings would be stored in plain text; set the "
                f"account's Access Token pair as secrets under the credentials entry '{where}' instead"
            )
        unknown = unknown_names({k: v for k, v in spec.items() if k not in typed}, ACCOUNT_KEYS)
        if unknown is not None:
            problems.append(
                f"{where}: unknown account setting(s) {unknown}; valid are {', '.join(ACCOUNT_KEYS)}"
            )
        merged = {**base, **{k: v for k, v in spec.items() if k in ACCOUNT_KEYS}, "account": name}
        if isinstance(base.get("tags"), Mapping) and isinstance(spec.get("tags"), Mapping):
            merged["tags"] = {**base["tags"], **spec["tags"]}
        if name == anchor:
            merged.update({k: app_args[k] for k in _ROTATION if k in app_args})
        expanded[f"{app}/{name}"] = merged
    return expanded, problems


#: The App's keys that all its accounts share, as (id, secret, what the portal calls the pair).
_SHARED_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("consumer_key", "consumer_secret", "API Key pair"),
    ("client_id", "client_secret", "OAuth 2.0 client"),
)


def shared_key_problems(app_label: str, keys_by_account: Mapping[str, Mapping[str, str]]) -> list[str]:
    """The accounts of one App hold one API Key pair and one OAuth 2.0 client, or they are named.

    Each account's set may come whole under its own label, so nothing else makes them agree. Values
    are compared for equality only and never printed: the problems name accounts and fields.
    """
    if len(keys_by_account) < 2:
        return []
    problems: list[str] = []
    for id_field, secret_field, what in _SHARED_PAIRS:
        problems += _pair_problems(app_label, keys_by_account, id_field, secret_field, what)
    return problems


def _pair_problems(
    app_label: str, keys: Mapping[str, Mapping[str, str]], id_field: str, secret_field: str, what: str
) -> list[str]:
    fix = (
        f"set {id_field}, {secret_field} once under '{app_label}' and only each account's Access Token "
        f"pair under '{app_label}/<account>'"
    )
    by_id = _accounts_by_value(keys, id_field)
    without = by_id.pop(None, [])
    if by_id and without:
        having = sorted(name for names in by_id.values() for name in names)
        return [
            f"{app_label}: an {what} ({id_field}) is set for {', '.join(having)} but not for "
            f"{', '.join(without)}; one App has one {what}, shared by all its accounts (or none): {fix}"
        ]
    if len(by_id) > 1:
        return [
            f"{app_label}: the accounts hold different {what}s ({id_field}): {_holders(by_id)}; one App has "
            f"one {what}, shared by all its accounts, so some hold another App's: {fix}"
        ]
    problems = []
    for names in by_id.values():
        by_secret = _accounts_by_value({name: keys[name] for name in names}, secret_field)
        if len(by_secret) > 1:
            problems.append(
                f"{app_label}: accounts {', '.join(names)} hold the same {id_field} but not the same "
                f"{secret_field} ({_holders(by_secret)}); one of them is stale or mistyped: {fix}"
            )
    return problems


def _accounts_by_value(keys: Mapping[str, Mapping[str, str]], field: str) -> dict[str | None, list[str]]:
    """Account names grouped by the value they hold (``None``: not set); the values stay in memory."""
    groups: dict[str | None, list[str]] = {}
    for name in sorted(keys):
        groups.setdefault(keys[name].get(field), []).append(name)
    return groups


def _holders(groups: Mapping[str | None, list[str]]) -> str:
    """'alice and bob share one, carol has another': who holds what, by name only."""
    parts = []
    for index, names in enumerate(sorted(groups.values())):
        which = "one" if index == 0 else "another"
        if len(names) == 1:
            parts.append(f"{names[0]} has {which}")
        else:
            parts.append(f"{', '.join(names[:-1])} and {names[-1]} share {which}")
    return ", ".join(parts)
