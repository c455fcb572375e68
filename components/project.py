"""The TwitterProject component: a developer-portal Project and its Apps."""

# No `from __future__ import annotations`: TypedDict must see NotRequired at runtime
# (its __required_keys__), and Pulumi's provider host reads these types.
from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

import pulumi

from twitter_runtime.errors import InvalidInputError, prefixed

from .app_settings import ACCESS_TIERS, unknown_arg_problems
from .credentials import TwitterAppCredentials, TwitterAppCredentialsArgs

TYPE_TOKEN = "twitter-secrets:index:TwitterProject"
PROJECT_ARGS: tuple[str, ...] = ("project", "access_tier", "use_case", "apps")


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
        tier = args.get("access_tier")
        if tier is not None and (not isinstance(tier, str) or tier.lower() not in ACCESS_TIERS):
            problems.append(f"access_tier must be one of {', '.join(ACCESS_TIERS)}")
        apps = args.get("apps")
        if not isinstance(apps, Mapping) or not apps:
            problems.append("apps must map at least one app name to its settings")
        if problems:
            raise InvalidInputError(prefixed(str(args.get("project")), problems))
        super().__init__(TYPE_TOKEN, resource_name, None, opts)

        inherited = {"access_tier": tier.lower() if tier else None, "use_case": args.get("use_case")}
        self.apps = {}
        for app_name in sorted(apps):
            app_args: dict[str, Any] = {k: v for k, v in inherited.items() if v is not None}
            app_args.update(apps[app_name])
            app_args.update(project=args["project"], app=app_name)
            self.apps[app_name] = TwitterAppCredentials(
                f"{resource_name}/{app_name}",
                TwitterAppCredentialsArgs(**app_args),  # type: ignore[typeddict-item]
                pulumi.ResourceOptions(parent=self),
            )
        self.access_tier = pulumi.Output.from_input(inherited["access_tier"])
        self.use_case = pulumi.Output.from_input(inherited["use_case"])
        self.register_outputs(
            {"access_tier": self.access_tier, "use_case": self.use_case, "apps": sorted(self.apps)}
        )
