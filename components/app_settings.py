"""The check of one secret's settings (everything but its keys), read from the declaration.

Each setting's own check comes from ``components/settings.py``; what is here is the
record the checks produce (``AppSettings``, its fields made from the same table) and
the rules that tie two settings together (a recovery window and force_delete, readers
and deny_other_readers, a name AWS can hold). Plain functions over plain values:
a typo in config fails the program with nothing written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from twitter_runtime.errors import InvalidInputError, prefixed
from twitter_runtime.keys import CREDENTIAL_FIELDS, OAUTH2_CLIENT_FIELDS

from .monitoring_checks import replica_key_problems
from .policies import principal_problems
from .problems import sorted_problems, unknown_problems
from .settings import COMPONENT, KEY_SOURCE_PUT, Setting, checked_settings, names_in
from .value_checks import MAX_USER_TAGS, CheckContext, whole_number

__all__ = ["ALL_ARGS", "AppSettings", "parse_app_settings", "stack_region"]

#: Every argument the component takes, in declaration order. Unknown ones are rejected so
#: that a misspelt option is never silently ignored.
ALL_ARGS: tuple[str, ...] = names_in(COMPONENT)
SECRET_NAME_MAX = 256
#: The bearer secret of an app is ``<app's name>/bearer``: no account may take that name.
RESERVED_ACCOUNT_NAMES = frozenset({"bearer"})


class AppSettingsBase:
    """What is derived from an app's checked settings: its label and the names of its secrets."""

    project: str
    app: str
    account: str | None
    environment: str
    name_prefix: str
    issued_at: date
    rotation_interval_days: int
    bearer_rotation_days: int | None
    bearer_rotation_schedule: str | None

    @property
    def app_label(self) -> str:
        return f"{self.project}/{self.app}"

    @property
    def label(self) -> str:
        """How errors, outputs and the CLI refer to the secret: project/app, or project/app/account."""
        return self.app_label if self.account is None else f"{self.app_label}/{self.account}"

    @property
    def app_secret_name(self) -> str:
        """The App's own name: its secret's, or with several accounts the parent of theirs (and of its bearer)."""
        return f"{self.name_prefix}/{self.environment}/{self.project}/{self.app}"

    @property
    def secret_name(self) -> str:
        return self.app_secret_name if self.account is None else f"{self.app_secret_name}/{self.account}"

    @property
    def rotation_due_at(self) -> date:
        return self.issued_at + timedelta(days=self.rotation_interval_days)

    @property
    def bearer_rotation(self) -> int | str | None:
        """None (off), days between rotations, or a rate()/cron() expression."""
        if self.bearer_rotation_days is not None:
            return self.bearer_rotation_days
        return self.bearer_rotation_schedule


def _field(setting: Setting) -> tuple[str, Any, Any]:
    default = setting.default
    if isinstance(default, dict):
        return setting.name, setting.python_type, dataclasses.field(default_factory=dict)
    return setting.name, setting.python_type, dataclasses.field(default=default)


def make_settings_record() -> type:
    """The frozen record of one secret's checked settings: one field per checked setting."""
    record = dataclasses.make_dataclass(
        "AppSettings",
        [_field(s) for s in checked_settings()],
        bases=(AppSettingsBase,),
        frozen=True,
        kw_only=True,
    )
    record.__module__ = __name__
    return record


AppSettings = make_settings_record()
#: What each app's check reads, once: the table is complete by the time this module loads.
_CHECKED = checked_settings()


def stack_region() -> str | None:
    """The stack's AWS region (``aws:region``), from config only: the program reads no environment."""
    import pulumi

    return pulumi.Config("aws").get("region")


def _credential_problems(args: Mapping[str, Any]) -> list[str]:
    """Only presence: the values may be unresolved secrets, which the key gate checks once they resolve."""
    if _puts_keys(args):
        given = [
            name for name in ("credentials", *CREDENTIAL_FIELDS, *OAUTH2_CLIENT_FIELDS) if args.get(name)
        ]
        return (
            [
                f"key_source is put, yet {', '.join(given)} {'is' if len(given) == 1 else 'are'} given: Pulumi "
                "would keep them in config and state after all; remove them and write the keys with "
                "twitter-secrets put"
            ]
            if given
            else []
        )
    if args.get("credentials") is not None:
        given = [name for name in (*CREDENTIAL_FIELDS, *OAUTH2_CLIENT_FIELDS) if args.get(name) is not None]
        return [f"give either credentials or {', '.join(given)}, not both"] if given else []
    return [f"{name} is required" for name in CREDENTIAL_FIELDS if args.get(name) is None]


def _puts_keys(args: Mapping[str, Any]) -> bool:
    source = args.get("key_source")
    return isinstance(source, str) and source.lower() == KEY_SOURCE_PUT


def _key_source_problems(values: dict[str, Any]) -> list[str]:
    """What needs the keys while Pulumi runs cannot have them when someone else writes them."""
    if values["key_source"] != KEY_SOURCE_PUT:
        return []
    problems = []
    if values["verify"]:
        problems.append(
            "verify checks the keys during pulumi up, and with key_source: put Pulumi never has them; drop "
            "verify and run twitter-secrets verify after twitter-secrets put"
        )
    if values["write_only"]:
        problems.append("write_only has no effect with key_source: put (Pulumi writes no value); drop it")
    if values["bearer_rotation_days"] is not None or values["bearer_rotation_schedule"] is not None:
        problems.append(
            "bearer rotation starts at once when pulumi up turns it on, before twitter-secrets put has "
            "written the keys it needs; with key_source: put, leave bearer rotation off"
        )
    return problems


def _recovery_problems(args: Mapping[str, Any], values: dict[str, Any]) -> list[str]:
    """A window of 0 is allowed only with force_delete, and force_delete only with a window of 0."""
    window, force = args.get("recovery_window_in_days"), values["force_delete"]
    if window is None:
        if force:
            return [
                "force_delete: true only takes effect with recovery_window_in_days: 0; "
                "set both to delete without recovery, or drop force_delete"
            ]
        return []
    if whole_number(window) == 0:
        values["recovery_window_in_days"] = 0
        if not force:
            return [
                "recovery_window_in_days 0 deletes the secret with no way back; "
                "set force_delete: true as well if that is really intended"
            ]
        return []
    return ["force_delete: true contradicts a recovery window; drop one of them"] if force else []


def _reader_problems(values: dict[str, Any]) -> list[str]:
    deny, readers, admins = values["deny_other_readers"], values["readers"], values["admin_principals"]
    problems = []
    if deny:
        # A whole account (:root) as a reader would be denied along with everyone else's roles.
        problems += [p for p in principal_problems("readers", readers, allow_root=False) if "(:root)" in p]
        if not readers:
            problems.append("deny_other_readers needs readers: with none, nobody could read the secret")
        if not admins:
            problems.append(
                "deny_other_readers needs admin_principals: name the role that runs pulumi up (it reads the "
                "value back on refresh) and a break-glass admin role, or they would be locked out too"
            )
    elif admins:
        problems.append("admin_principals only has an effect with deny_other_readers: true")
    return problems


def _record_problems(settings: Any) -> list[str]:
    """What only the whole record can tell: names AWS can hold, room for tags, rotation on this tier."""
    problems = _secret_name_problems(settings.secret_name)
    own_extra = (settings.account is not None) + (
        settings.access_level is not None
    )  # twitter:account, :access-level
    if own_extra and len(settings.tags) > MAX_USER_TAGS - own_extra:
        problems.append(
            f"tags has {len(settings.tags)} entries; at most {MAX_USER_TAGS - own_extra} fit beside the "
            "component's own"
        )
    if settings.bearer_rotation is not None and settings.access_tier == "free":
        problems.append(
            "bearer rotation needs an access tier with GET /2/tweets (its testSecret check); the Free tier "
            "lacks it, so every rotation would fail after invalidating the current token"
        )
    if (
        settings.bearer_rotation is not None
        and len(settings.app_secret_name) + len("/bearer") > SECRET_NAME_MAX
    ):
        problems.append("the bearer secret's name (the secret name plus '/bearer') is over 256 characters")
    return problems


def parse_app_settings(
    args: Mapping[str, Any],
    *,
    default_environment: str,
    label: str | None = None,
    primary_region: str | None = None,
    today: date | None = None,
) -> Any:
    """Check every non-secret argument with its declared check, then the rules between them.

    Raises one error listing all problems, each prefixed with the secret's label.
    ``today`` only refuses an issued_at in the future (default: this machine's date).
    """
    ctx = CheckContext(default_environment, primary_region, date.today() if today is None else today)
    problems: list[str] = unknown_problems(None, args, ALL_ARGS, "argument")
    problems += _credential_problems(args)
    raw = dict(args)
    if raw.get("environment") is None:
        raw["environment"] = default_environment
    values = {
        s.name: s.read(problems, raw.get(s.name), ctx, required=s.is_required(COMPONENT)) for s in _CHECKED
    }
    # A refused part is named, not shown: it may be a key pasted in the wrong place.
    subject = label or "/".join(
        values[part] or f"<invalid {part}>"
        for part in ("project", "app", "account")
        if values[part] is not None or args.get(part) is not None
    )
    if values["account"] in RESERVED_ACCOUNT_NAMES:
        problems.append(
            f"account may not be named '{values['account']}': the App's bearer secret is <app's secret "
            "name>/bearer; choose another account name"
        )
        values["account"] = None
    problems += _recovery_problems(args, values)
    problems += _reader_problems(values)
    problems += _key_source_problems(values)
    problems += replica_key_problems(
        values["kms_key_id"], values["replica_regions"], values["replica_kms_key_ids"]
    )
    if args.get("bearer_rotation_days") is not None and args.get("bearer_rotation_schedule") is not None:
        problems.append("give bearer_rotation_days or bearer_rotation_schedule, not both")
        values["bearer_rotation_days"] = values["bearer_rotation_schedule"] = None
    result = None
    if all(values[k] for k in ("project", "app", "environment", "issued_at")):
        result = AppSettings(**values)
        problems += _record_problems(result)
    if problems or result is None:
        raise InvalidInputError(prefixed(subject, sorted_problems(problems)))
    return result


def _secret_name_problems(name: str) -> list[str]:
    problems = []
    if len(name) > SECRET_NAME_MAX:
        problems.append(
            f"the secret name (name_prefix/environment/project/app) is {len(name)} characters; Secrets "
            f"Manager allows {SECRET_NAME_MAX}. Shorten name_prefix, environment, project or app"
        )
    if len(name) >= 7 and name[-7] == "-":
        problems.append(
            "the secret name ends in '-' plus six characters, which Secrets Manager "
            "confuses with its own ARN suffix; rename the app"
        )
    return problems
