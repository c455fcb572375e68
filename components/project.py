"""The TwitterProject component: a developer-portal Project and its Apps."""

# No `from __future__ import annotations`: Pulumi's provider host reads the output
# annotations below at run time to build the schema.
from collections.abc import Mapping
from typing import Any

import pulumi

from twitter_runtime.errors import InvalidInputError, prefixed
from twitter_runtime.keys import KEY_FIELDS, given_fields

from .accounts import expand_accounts
from .app_settings import AppSettings, parse_app_settings, stack_region
from .args import TwitterAppCredentialsArgs, TwitterProjectArgs
from .aws_names import collision_inputs, name_collisions
from .credential_gate import check_credentials
from .credentials import TwitterAppCredentials
from .field_names import in_callers_spelling
from .problems import unknown_problems
from .settings import BY_NAME, KEY_SOURCE_PUT, PROJECT, names_in
from .value_checks import CheckContext

TYPE_TOKEN = "twitter-secrets:index:TwitterProject"
PROJECT_ARGS: tuple[str, ...] = names_in(PROJECT)


class TwitterProject(pulumi.ComponentResource):
    """An X developer-portal Project: one TwitterAppCredentials per App (per account of an App with accounts), with outputs as maps keyed by app name."""

    # The docstring above is the schema's description (one line: the same on every Python
    # version). The outputs are plain values other stacks and languages can read; Python
    # programs also get the app components themselves in ``apps``.

    access_tier: pulumi.Output[str | None]
    """The Project's access tier, lower-cased, when given."""
    use_case: pulumi.Output[str | None]
    """The Project's use case, when given."""
    secret_arns: pulumi.Output[dict[str, str]]
    """App name (app/account for each account of an app with accounts) → ARN of its secret."""
    secret_names: pulumi.Output[dict[str, str]]
    """App name (app/account for each account of an app with accounts) → name of its secret."""
    fingerprints: pulumi.Output[dict[str, str]]
    """App name (app/account for each account of an app with accounts) → fingerprint of its stored keys (reveals nothing of them)."""
    rotation_due_at: pulumi.Output[dict[str, str]]
    """App name (app/account for each account of an app with accounts) → the date (YYYY-MM-DD) by which its keys should be regenerated."""
    read_policy_arns: pulumi.Output[dict[str, str]]
    """App name (app/account for each account of an app with accounts) → ARN of the IAM policy that reads exactly its secret (apps with readPolicy only)."""
    bearer_secret_arns: pulumi.Output[dict[str, str]]
    """App name → ARN of its bearer secret (apps with bearer rotation only)."""

    def __init__(
        self,
        resource_name: str,
        args: TwitterProjectArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        keys_checked: bool = False,
    ) -> None:
        """``keys_checked``: the caller (the stack program's load_stack) has already checked these
        keys with every other app's, so the project's own gate would only repeat it."""
        problems = unknown_problems(None, args, PROJECT_ARGS, "argument")
        project = args.get("project")
        if not isinstance(project, str) or not project:
            problems.append("project is required: the developer-portal Project's name")
        tier = BY_NAME["access_tier"].read(
            problems, args.get("access_tier"), CheckContext(pulumi.get_stack())
        )
        apps = args.get("apps")
        if isinstance(apps, pulumi.Output):
            # The schema lets SDKs pass an Input (Go's generator needs it); the map itself must be known.
            problems.append(
                "apps must be a map written in the program, not an Output: the component makes one secret "
                "per app while the program runs (pass the keys as Outputs, in credentials)"
            )
            apps = {}
        elif not isinstance(apps, Mapping) or not apps:
            problems.append("apps must map at least one app name to its settings")
            apps = {}
        problems = prefixed(str(project), problems)

        # Every app is checked before anything is registered, so one bad app
        # leaves its siblings unwritten too.
        project_keys = args.get("credentials")
        inherited = {"access_tier": tier, "use_case": args.get("use_case")}
        app_args: dict[str, dict[str, Any]] = {}
        settings: dict[str, AppSettings] = {}
        for app_name in sorted(apps):
            merged: dict[str, Any] = {k: v for k, v in inherited.items() if v is not None}
            merged.update(apps[app_name] if isinstance(apps[app_name], Mapping) else {})
            merged.update(project=project, app=app_name)
            if "account" in merged:
                problems.append(
                    f"{project}/{app_name}: account is not an app setting; list the app's accounts under accounts"
                )
                merged.pop("account")
            expanded, account_problems = expand_accounts(f"{project}/{app_name}", merged)
            problems += account_problems
            if project_keys is None and "accounts" in merged:
                problems.append(
                    f"{project}/{app_name}: an app with accounts takes its keys from the project's credentials "
                    "(keyed by app for the App's keys, app/account for each Access Token pair)"
                )
            # One component per secret: the app itself, or each of its accounts.
            for sub_label, sub_args in expanded.items():
                probe = sub_args if project_keys is None else {**sub_args, "credentials": {}}
                try:
                    settings[f"{project}/{sub_label}"] = parse_app_settings(
                        probe, default_environment=pulumi.get_stack(), primary_region=stack_region()
                    )
                except InvalidInputError as error:
                    problems += error.problems
                app_args[sub_label] = sub_args
        problems += name_collisions(*collision_inputs(settings))
        if problems:
            raise in_callers_spelling(InvalidInputError(problems))
        super().__init__(TYPE_TOKEN, resource_name, None, opts)

        # ...and every app's keys pass one gate before any app's resources register.
        if project_keys is not None:
            raw = pulumi.Output.from_input(project_keys).apply(
                lambda keys: {f"{project}/{name}": value for name, value in (keys or {}).items()}
            )
        else:
            given = {
                f"{project}/{name}": a.get("credentials")
                or pulumi.Output.all(**{f: a[f] for f in given_fields(a)})
                for name, a in app_args.items()
                if settings[f"{project}/{name}"].key_source != KEY_SOURCE_PUT
            }
            raw = pulumi.Output.all(**given) if given else pulumi.Output.from_input({})
        checked = raw if keys_checked else raw.apply(lambda keys: check_credentials(keys, settings))
        # Not a class annotation: component references cannot be carried by the schema.
        self.apps: dict[str, TwitterAppCredentials] = {}
        for app_name, merged in app_args.items():
            component_args = {k: v for k, v in merged.items() if k not in KEY_FIELDS}
            if settings[f"{project}/{app_name}"].key_source != KEY_SOURCE_PUT:
                component_args["credentials"] = checked.apply(lambda c, lb=f"{project}/{app_name}": c[lb])
            # An app whose keys come from `twitter-secrets put` still waits for its siblings' keys.
            after = checked if "credentials" not in component_args else None
            self.apps[app_name] = TwitterAppCredentials(
                f"{resource_name}/{app_name}",
                TwitterAppCredentialsArgs(**component_args),  # type: ignore[typeddict-item]
                pulumi.ResourceOptions(parent=self),
                after=after,
            )
        self.access_tier = pulumi.Output.from_input(inherited["access_tier"])
        self.use_case = pulumi.Output.from_input(inherited["use_case"])
        apps_by_name = sorted(self.apps.items())
        self.secret_arns = _by_app({n: c.secret_arn for n, c in apps_by_name})
        self.secret_names = _by_app({n: c.secret_name for n, c in apps_by_name})
        self.fingerprints = _by_app({n: c.fingerprint for n, c in apps_by_name})
        self.rotation_due_at = pulumi.Output.from_input(
            {n: c.settings.rotation_due_at.isoformat() for n, c in apps_by_name}
        )
        self.read_policy_arns = _by_app(
            {n: c.read_policy_arn for n, c in apps_by_name if c.settings.read_policy}
        )
        self.bearer_secret_arns = _by_app(
            # The bearer is the App's, not an account's: keyed by app name either way.
            {
                c.settings.app: c.bearer_secret_arn
                for _, c in apps_by_name
                if c.settings.bearer_rotation is not None
            }
        )
        self.register_outputs(
            {
                "access_tier": self.access_tier,
                "use_case": self.use_case,
                "secret_arns": self.secret_arns,
                "secret_names": self.secret_names,
                "fingerprints": self.fingerprints,
                "rotation_due_at": self.rotation_due_at,
                "read_policy_arns": self.read_policy_arns,
                "bearer_secret_arns": self.bearer_secret_arns,
            }
        )


def _by_app(outputs: dict[str, pulumi.Output[Any]]) -> pulumi.Output[dict[str, Any]]:
    return pulumi.Output.all(**outputs) if outputs else pulumi.Output.from_input({})
