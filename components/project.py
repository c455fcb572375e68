"""The TwitterProject component: a developer-portal Project and its Apps."""

# No `from __future__ import annotations`: TypedDict must see NotRequired at runtime
# (its __required_keys__), and Pulumi's provider host reads these types.
from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

import pulumi

from twitter_runtime.errors import InvalidInputError, prefixed
from twitter_runtime.keys import CREDENTIAL_FIELDS

from .app_settings import ACCESS_TIERS, AppSettings, parse_app_settings, unknown_arg_problems
from .credential_gate import check_credentials
from .credentials import TwitterAppCredentials, TwitterAppCredentialsArgs

TYPE_TOKEN = "twitter-secrets:index:TwitterProject"
PROJECT_ARGS: tuple[str, ...] = ("project", "access_tier", "use_case", "apps", "credentials")


class TwitterProjectArgs(TypedDict):
    """A Project as the portal shows it: its tier, its use case, its apps."""

    project: str
    """The Project's name (a slug)."""
    apps: Mapping[str, Mapping[str, Any]]
    """App name → TwitterAppCredentials arguments (without ``project`` and ``app``)."""
    access_tier: NotRequired[str]
    """The Project's access tier; apps inherit it unless they set their own."""
    use_case: NotRequired[str]
    """The use case described to X when the Project was created."""
    credentials: NotRequired[pulumi.Input[Mapping[str, Mapping[str, str]]]]
    """Instead of keys in each app: app name → its four keys, as one (secret) object."""


class TwitterProject(pulumi.ComponentResource):
    """Parent of a Project's apps, so the stack mirrors the portal's tree."""

    access_tier: pulumi.Output[str | None]
    use_case: pulumi.Output[str | None]
    apps: dict[str, TwitterAppCredentials]

    def __init__(
        self,
        resource_name: str,
        args: TwitterProjectArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        problems = unknown_arg_problems(args, PROJECT_ARGS)
        project = args.get("project")
        if not isinstance(project, str) or not project:
            problems.append("project is required: the developer-portal Project's name")
        tier = args.get("access_tier")
        if tier is not None and (not isinstance(tier, str) or tier.lower() not in ACCESS_TIERS):
            problems.append(f"access_tier must be one of {', '.join(ACCESS_TIERS)}")
            tier = None
        apps = args.get("apps")
        if not isinstance(apps, Mapping) or not apps:
            problems.append("apps must map at least one app name to its settings")
            apps = {}
        problems = prefixed(str(project), problems)

        # Every app is checked before anything is registered, so one bad app
        # leaves its siblings unwritten too.
        project_keys = args.get("credentials")
        inherited = {"access_tier": tier.lower() if tier else None, "use_case": args.get("use_case")}
        app_args: dict[str, dict[str, Any]] = {}
        settings: dict[str, AppSettings] = {}
        for app_name in sorted(apps):
            merged: dict[str, Any] = {k: v for k, v in inherited.items() if v is not None}
            merged.update(apps[app_name] if isinstance(apps[app_name], Mapping) else {})
            merged.update(project=project, app=app_name)
            probe = merged if project_keys is None else {**merged, "credentials": {}}
            try:
                settings[f"{project}/{app_name}"] = parse_app_settings(
                    probe, default_environment=pulumi.get_stack()
                )
            except InvalidInputError as error:
                problems += error.problems
            app_args[app_name] = merged
        if problems:
            raise InvalidInputError(problems)
        super().__init__(TYPE_TOKEN, resource_name, None, opts)

        # ...and every app's keys pass one gate before any app's resources register.
        if project_keys is not None:
            raw = pulumi.Output.from_input(project_keys).apply(
                lambda keys: {f"{project}/{name}": value for name, value in (keys or {}).items()}
            )
        else:
            raw = pulumi.Output.all(
                **{
                    f"{project}/{name}": a.get("credentials")
                    or pulumi.Output.all(**{f: a[f] for f in CREDENTIAL_FIELDS})
                    for name, a in app_args.items()
                }
            )
        checked = raw.apply(lambda keys: check_credentials(keys, settings))
        self.apps = {}
        for app_name, merged in app_args.items():
            component_args = {k: v for k, v in merged.items() if k not in CREDENTIAL_FIELDS}
            component_args["credentials"] = checked.apply(lambda c, lb=f"{project}/{app_name}": c[lb])
            self.apps[app_name] = TwitterAppCredentials(
                f"{resource_name}/{app_name}",
                TwitterAppCredentialsArgs(**component_args),  # type: ignore[typeddict-item]
                pulumi.ResourceOptions(parent=self),
            )
        self.access_tier = pulumi.Output.from_input(inherited["access_tier"])
        self.use_case = pulumi.Output.from_input(inherited["use_case"])
        self.register_outputs(
            {"access_tier": self.access_tier, "use_case": self.use_case, "apps": sorted(self.apps)}
        )
