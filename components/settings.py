"""Every setting, declared once: name, type, default, bounds or check, description, and where it may be written.

From this one table come the components' argument TypedDicts (``components/args.py``,
generated, and from them the plugin schema), the checks of component arguments and of
stack config (``components/app_settings.py`` reads the bounds and checks here), the
``AppSettings`` record those checks return, and the config reference
(``docs/config-reference.md``, generated). ``scripts/settings_codegen.py`` writes the two
generated files; a test fails when either is stale. Adding a setting is one entry here,
then running that script.

Why a table of our own rather than pydantic over ``Annotated`` TypedDicts: Pulumi's
component provider host (pulumi 3.272) builds the schema from the raw annotations and
fails on ``Annotated`` (``TypeError: issubclass() arg 1 must be a class``; a test keeps
watch); and the host reads descriptions from each
class's source, so a TypedDict built at run time would lose them. The table stays plain
data, checked by the small functions in ``value_checks.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from twitter_runtime.keys import ACCESS_LEVELS, KEY_FIELDS

from . import monitoring_checks as monitoring
from . import value_checks as check

# Where a setting may be written. The first four are the plugin's types, the last three
# the stack file's (`twitter-secrets:projects.<p>`, `.apps.<a>`, `twitter-secrets:defaults`).
COMPONENT = "TwitterAppCredentialsArgs"
PROJECT = "TwitterProjectArgs"
PROJECT_APP = "TwitterProjectApp"
ACCOUNT = "TwitterProjectAccount"
STACK_PROJECT = "projects.<project>"
STACK_APP = "projects.<project>.apps.<app>"
STACK_DEFAULTS = "defaults"
ARG_SCOPES = (COMPONENT, PROJECT, PROJECT_APP, ACCOUNT)
STACK_SCOPES = (STACK_PROJECT, STACK_APP, STACK_DEFAULTS)
#: An app's settings, written the same in the component, a project's app, the stack file and its defaults.
APP_WIDE = frozenset({COMPONENT, PROJECT_APP, STACK_APP, STACK_DEFAULTS})

#: Where an app's keys come from: the stack's config (through Pulumi), or `twitter-secrets put`.
KEY_SOURCE_CONFIG, KEY_SOURCE_PUT = "config", "put"
KEY_SOURCES: tuple[str, ...] = (KEY_SOURCE_CONFIG, KEY_SOURCE_PUT)

ACCESS_TIERS: tuple[str, ...] = ("free", "basic", "essential", "elevated", "pro", "premium", "enterprise")

Check = Callable[[list[str], str, Any, check.CheckContext], Any]


@dataclass(frozen=True)
class Setting:
    """One setting. ``kind`` decides the argument's type; the bounds or ``check`` decide what is accepted."""

    name: str
    doc: str
    kind: str  # text | int | bool | list | map | key | object
    scopes: frozenset[str]
    #: Scopes where it must be given.
    required: frozenset[str] = frozenset()
    #: The value an app gets when it is not given (normalized).
    default: Any = None
    low: int | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    #: Checks a value no bound describes; returns the normalized value (None when refused).
    check: Check | None = None
    #: pulumi.Input[...] in the arguments: it may be an Output (a secret, or another resource's ARN).
    output_ok: bool = False
    #: The Python type of the checked value in AppSettings.
    python_type: Any = None
    #: The argument's annotation where the kind does not say it (nested types).
    annotation: dict[str, str] = field(default_factory=dict)
    #: A description that differs by scope (a project's tier, an account's owner).
    docs: dict[str, str] = field(default_factory=dict)
    #: Not part of AppSettings: keys, and settings the layering step turns into others.
    layered: bool = False

    def doc_in(self, scope: str) -> str:
        return self.docs.get(scope, self.doc)

    def is_required(self, scope: str) -> bool:
        return scope in self.required

    def read(
        self, problems: list[str], value: Any, ctx: check.CheckContext, *, required: bool = False
    ) -> Any:
        """The checked, normalized value; the default when absent or refused (the problem says why).

        A required setting that is absent goes through its check, which says it is required.
        """
        name = self.name
        if value is None and not required:
            return self._default()
        found: list[str] = []
        if self.check is not None:
            result = self.check(found, name, value, ctx)
        elif self.kind == "int":
            result = check.whole_number_in(found, name, value, self.low, self.high)  # type: ignore[arg-type]
        elif self.kind == "bool":
            result = check.true_or_false(found, name, value)
        elif self.choices:
            result = check.one_of(found, name, value, self.choices)
        elif self.max_length is not None:
            result = check.short_text(found, name, value, self.max_length)
        else:
            raise TypeError(f"setting {self.name} has no check for kind {self.kind}")
        problems += found
        return self._default() if found and result is None else result

    def _default(self) -> Any:
        """A fresh copy of a map default: no two apps' settings share one dict."""
        return dict(self.default) if isinstance(self.default, dict) else self.default


def _keys_doc(label: str) -> str:
    return (
        f"The {label}, as a secret (a secret config value or Output). Required unless credentials is given."
    )


_KEY_DOCS = {
    "consumer_key": _keys_doc("API Key"),
    "consumer_secret": _keys_doc("API Key Secret"),
    "access_token": _keys_doc("Access Token (<user id>-<letters and digits>)"),
    "access_token_secret": _keys_doc("Access Token Secret"),
    "client_id": "The App's OAuth 2.0 Client ID, as a secret, for services that run OAuth 2.0 user flows (optional).",
    "client_secret": "The OAuth 2.0 Client Secret, as a secret: confidential clients only, and only with clientId.",
}
_ACCOUNT = "this account's"

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "project",
        "The developer-portal Project the app belongs to, as a slug (part of the secret's name).",
        "text",
        frozenset({COMPONENT, PROJECT}),
        required=frozenset({COMPONENT, PROJECT}),
        check=check.slug,
        python_type=str,
        docs={PROJECT: "The Project's name, as a slug (part of each secret's name)."},
    ),
    Setting(
        "app",
        "The App's name, as a slug (part of the secret's name).",
        "text",
        frozenset({COMPONENT}),
        required=frozenset({COMPONENT}),
        check=check.slug,
        python_type=str,
    ),
    *(
        Setting(name, doc, "key", frozenset({COMPONENT}), output_ok=True, layered=True)
        for name, doc in _KEY_DOCS.items()
    ),
    Setting(
        "credentials",
        "Instead of the key arguments: one secret object with consumer_key, consumer_secret, access_token, "
        "access_token_secret and optionally client_id, client_secret.",
        "key",
        frozenset({COMPONENT, PROJECT}),
        output_ok=True,
        layered=True,
        annotation={
            COMPONENT: "pulumi.Input[Mapping[str, str]]",
            PROJECT: "pulumi.Input[Mapping[str, Mapping[str, str]]]",
        },
        docs={
            PROJECT: "App name → its keys (consumer_key, consumer_secret, access_token, access_token_secret; "
            "optionally client_id, client_secret), as one secret object. For an app with accounts: the App's "
            "keys under the app name, each Access Token pair under app/account."
        },
    ),
    Setting(
        "account",
        "One of several user accounts the App acts for, as a slug: the secret is then <app's name>/<account>, "
        "holding the App's keys and this account's Access Token pair.",
        "text",
        frozenset({COMPONENT}),
        check=check.slug,
        python_type=str | None,
    ),
    Setting(
        "owner",
        "The team or person accountable for rotating these keys (a tag on the secret).",
        "text",
        APP_WIDE | {ACCOUNT, STACK_PROJECT},
        required=frozenset({COMPONENT, PROJECT_APP}),
        check=check.owner,
        python_type=str,
        docs={
            ACCOUNT: f"Who is accountable for rotating {_ACCOUNT} Access Token pair (default: the App's owner).",
            STACK_PROJECT: "The owner of every app of the Project that does not name its own.",
        },
    ),
    Setting(
        "issued_at",
        "The date (YYYY-MM-DD, quoted in YAML) on which the keys were generated in the portal; not in the "
        "future. Set it again whenever the keys are regenerated: rotation is due rotationIntervalDays after it.",
        "text",
        APP_WIDE - {STACK_DEFAULTS} | {ACCOUNT},
        required=frozenset({COMPONENT, PROJECT_APP}),
        check=check.issued_at,
        python_type=Any,
        docs={
            ACCOUNT: f"The date (YYYY-MM-DD) {_ACCOUNT} Access Token pair was generated (default: the App's issuedAt)."
        },
    ),
    Setting(
        "rotation_interval_days",
        "Days from issuedAt until rotation is due: a whole number from 1 to 1000 (default 90).",
        "int",
        APP_WIDE | {ACCOUNT},
        default=90,
        low=1,
        high=1000,
        python_type=int,
        docs={ACCOUNT: "Days from issuedAt until rotation is due (default: the App's)."},
    ),
    Setting(
        "app_id",
        "The numeric App ID shown in the developer portal.",
        "text",
        APP_WIDE - {STACK_DEFAULTS},
        check=check.app_id,
        python_type=str | None,
    ),
    Setting(
        "access_tier",
        "The access tier: free, basic, pro, enterprise, or the older essential, elevated, premium.",
        "text",
        APP_WIDE - {STACK_DEFAULTS} | {PROJECT, STACK_PROJECT},
        choices=ACCESS_TIERS,
        python_type=str | None,
        docs={
            PROJECT: "The Project's access tier; apps inherit it unless they set their own.",
            STACK_PROJECT: "The Project's access tier; apps inherit it unless they set their own.",
        },
    ),
    Setting(
        "use_case",
        "The use case described to X (at most 500 characters); shown in the secret's description.",
        "text",
        frozenset({COMPONENT, PROJECT_APP, PROJECT, STACK_PROJECT}),
        max_length=500,
        python_type=str | None,
        docs={
            PROJECT: "The use case described to X when the Project was created; apps inherit it.",
            STACK_PROJECT: "The use case described to X when the Project was created; apps inherit it.",
        },
    ),
    Setting(
        "environment",
        "The environment segment of the secret's name (default: the stack name).",
        "text",
        APP_WIDE,
        check=lambda problems, name, value, ctx: check.slug(problems, name, value),
        python_type=str,
    ),
    Setting(
        "name_prefix",
        "The first segment(s) of the secret's name (default twitter): <prefix>/<environment>/<project>/<app>.",
        "text",
        APP_WIDE,
        default="twitter",
        check=check.name_prefix,
        python_type=str,
    ),
    Setting(
        "kms_key_id",
        "A customer-managed KMS key (ARN, key id or alias) to encrypt the value with (default: AWS's own key).",
        "text",
        APP_WIDE,
        check=check.kms_key,
        output_ok=True,
        python_type=Any,
    ),
    Setting(
        "recovery_window_in_days",
        "Days a deleted secret stays recoverable: 7 to 30 (default 30); 0 only with forceDelete.",
        "int",
        APP_WIDE,
        default=30,
        low=7,
        high=30,
        check=check.recovery_window,
        python_type=int,
    ),
    Setting(
        "force_delete",
        "Allow deletion without a recovery window (with recoveryWindowInDays 0): the keys are then gone for good.",
        "bool",
        APP_WIDE,
        default=False,
        python_type=bool,
    ),
    Setting(
        "replica_regions",
        "AWS regions to replicate the secret to (each with its region's default key).",
        "list",
        APP_WIDE,
        default=(),
        check=check.replica_regions,
        python_type=tuple[str, ...],
    ),
    Setting(
        "replica_kms_key_ids",
        "Replica region → the KMS key ARN (in that region) that encrypts the replica, for the keys' secret and "
        "the bearer secret alike; required for every replica region when kmsKeyId is set.",
        "map",
        APP_WIDE,
        default={},
        check=monitoring.replica_kms_keys,
        python_type=dict[str, str],
    ),
    Setting(
        "tags",
        "Extra tags for the secret; they cannot override the rotation metadata (owner, managed-by, twitter:*, "
        "rotation:*).",
        "map",
        APP_WIDE | {ACCOUNT, STACK_PROJECT},
        default={},
        check=check.user_tags,
        python_type=dict[str, str],
        docs={
            ACCOUNT: f"Extra tags for {_ACCOUNT} secret, merged over the App's.",
            STACK_APP: "Extra tags for the secret; they cannot override the rotation metadata (owner, managed-by, "
            "twitter:*, rotation:*). Tags from defaults, the project, the app and the account merge, the most "
            "specific winning.",
        },
    ),
    Setting(
        "key_source",
        "Who writes the keys: config (default; from the stack's secret config, through Pulumi into the "
        "secret) or put (Pulumi creates the secret, its policies and metadata and never sees the keys; "
        "`twitter-secrets put` writes them from standard input, so they are in neither config nor state, "
        "and one stack holds thousands of apps).",
        "text",
        APP_WIDE,
        default=KEY_SOURCE_CONFIG,
        choices=KEY_SOURCES,
        python_type=str,
    ),
    Setting(
        "write_only",
        "Write the value through the provider's write-only field, so it is never kept in the state's outputs.",
        "bool",
        APP_WIDE,
        default=False,
        python_type=bool,
    ),
    Setting(
        "read_policy",
        "Create the IAM policy that reads exactly this secret (default true).",
        "bool",
        APP_WIDE,
        default=True,
        python_type=bool,
    ),
    Setting(
        "readers",
        "IAM role or user ARNs allowed to read by the secret's own resource policy.",
        "list",
        APP_WIDE | {ACCOUNT},
        default=(),
        check=check.principals,
        output_ok=True,
        python_type=tuple[Any, ...],
        docs={
            ACCOUNT: f"IAM role or user ARNs allowed to read {_ACCOUNT} secret (instead of the App's readers)."
        },
    ),
    Setting(
        "deny_other_readers",
        "Also deny reading the value to every principal not in readers or adminPrincipals.",
        "bool",
        APP_WIDE,
        default=False,
        python_type=bool,
    ),
    Setting(
        "admin_principals",
        "With denyOtherReaders: principals never locked out, such as the deploying role and a break-glass admin.",
        "list",
        APP_WIDE,
        default=(),
        check=check.principals,
        output_ok=True,
        python_type=tuple[Any, ...],
    ),
    Setting(
        "verify",
        "Check the keys with X (user context and app) before storing them; runs only when the keys change.",
        "bool",
        APP_WIDE,
        default=False,
        python_type=bool,
    ),
    Setting(
        "x_api_base_url",
        "The X API host for verification and bearer rotation (default https://api.x.com).",
        "text",
        APP_WIDE,
        default="https://api.x.com",
        check=check.base_url,
        python_type=str,
    ),
    Setting(
        "bearer_rotation_days",
        "Rotate the app-only Bearer Token automatically every this many days (1 to 1000).",
        "int",
        APP_WIDE,
        low=1,
        high=1000,
        python_type=int | None,
    ),
    Setting(
        "bearer_rotation_schedule",
        "Instead of bearerRotationDays: a Secrets Manager schedule: 'rate(N hours)' (N at least 4), "
        "'rate(N days)' (up to 1000; 'rate(1 day)'), or a six-field 'cron(...)' with '?' in day-of-month or "
        "day-of-week that runs at most every 4 hours, such as 'cron(0 4 1 * ? *)'.",
        "text",
        APP_WIDE,
        check=check.rotation_schedule,
        python_type=str | None,
    ),
    Setting(
        "bearer_rotation",
        "Shorthand in the stack file for bearer_rotation_days (a number) or bearer_rotation_schedule "
        "(a schedule expression); false turns off a default's rotation.",
        "text",
        frozenset({STACK_APP, STACK_DEFAULTS}),
        check=check.rotation_shorthand,
        layered=True,
    ),
    Setting(
        "alarm_topic_arn",
        "SNS topic (in the stack's region) that hears of a failed or abandoned bearer rotation and of the "
        "rotation function's errors (default in a stack with reminders: the reminders topic).",
        "text",
        APP_WIDE,
        check=monitoring.alarm_topic_arn,
        output_ok=True,
        python_type=Any,
    ),
    Setting(
        "log_retention_in_days",
        "Days CloudWatch Logs keeps the rotation function's log group (default 365; one of the values "
        "CloudWatch accepts).",
        "int",
        APP_WIDE,
        default=365,
        check=monitoring.log_retention_days,
        python_type=int,
    ),
    Setting(
        "access_level",
        "The permission the Access Token was issued with: read, read-write or read-write-directmessages (X's "
        "x-access-level). Stored with the keys; verify checks it with X.",
        "text",
        APP_WIDE | {ACCOUNT},
        choices=ACCESS_LEVELS,
        check=check.access_level,
        python_type=str | None,
        docs={
            ACCOUNT: f"The permission {_ACCOUNT} Access Token was issued with: read, read-write or "
            "read-write-directmessages."
        },
    ),
    Setting(
        "accounts",
        "Several user accounts of this App: account name (a slug) → its settings. Each gets its own secret, "
        "<app's name>/<account>, readable without the others.",
        "object",
        frozenset({PROJECT_APP, STACK_APP}),
        layered=True,
        annotation={PROJECT_APP: f"Mapping[str, {ACCOUNT}]"},
    ),
    Setting(
        "bearer_rotation_account",
        "With accounts and bearer rotation: the account whose Access Token is the App owner's (X signs "
        "invalidate_token with it).",
        "text",
        frozenset({PROJECT_APP, STACK_APP}),
        layered=True,
    ),
    Setting(
        "apps",
        "App name (a slug) → that App's settings.",
        "object",
        frozenset({PROJECT, STACK_PROJECT}),
        required=frozenset({PROJECT}),
        layered=True,
        # An Input, not plain: Pulumi's Go SDK generator refers to the input struct of a plain map's
        # object type without generating it (the Go SDK did not compile). Literal maps still reach
        # the component as plain values: the provider host wraps only secrets and dependencies.
        annotation={PROJECT: f"pulumi.Input[Mapping[str, {PROJECT_APP}]]"},
    ),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def names_in(scope: str) -> tuple[str, ...]:
    """The names valid in one scope, in declaration order (the order errors and the schema list them).

    Reads the table when called, so an entry appended to it (as the declaration test does) counts.
    """
    return tuple(s.name for s in SETTINGS if scope in s.scopes)


def checked_settings() -> tuple[Setting, ...]:
    """The settings an app's check reads and AppSettings holds: not keys, not layering-only ones."""
    return tuple(s for s in SETTINGS if COMPONENT in s.scopes and not s.layered)


KEY_SETTINGS = tuple(s.name for s in SETTINGS if s.kind == "key")
assert set(KEY_FIELDS) <= set(KEY_SETTINGS), "every key field is declared as a key setting"
