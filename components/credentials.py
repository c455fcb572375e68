"""The TwitterAppCredentials component: one app's four keys in one secret."""

# No `from __future__ import annotations`: TypedDict must see NotRequired at runtime
# (its __required_keys__), and Pulumi's provider host reads these types.
from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from twitter_runtime.errors import InvalidInputError, prefixed
from twitter_runtime.keys import (
    CREDENTIAL_FIELDS,
    canonical_payload,
    fingerprint,
    length_warnings,
    validate_credentials,
)

from .app_settings import AppSettings, parse_app_settings
from .metadata import ROTATION_STRATEGY_MANUAL, key_material_problems, secret_description, secret_tags

TYPE_TOKEN = "twitter-secrets:index:TwitterAppCredentials"

# Pulumi carries numbers as float64, so the write-only version must stay below
# 2**53 to survive the trip exactly: 13 hex digits are 52 bits.
_WO_VERSION_HEX_CHARS = 13


class TwitterAppCredentialsArgs(TypedDict):
    """Arguments of TwitterAppCredentials, as a dict so Pulumi's component
    provider host can pass them from YAML or TypeScript programs later."""

    project: str
    """The developer-portal Project the app belongs to (a slug)."""
    app: str
    """The App's name (a slug)."""
    consumer_key: pulumi.Input[str]
    """The API Key. Pass a secret Output, e.g. from ``Config.require_secret``."""
    consumer_secret: pulumi.Input[str]
    """The API Key Secret."""
    access_token: pulumi.Input[str]
    """The Access Token: ``<user id>-<letters and digits>``."""
    access_token_secret: pulumi.Input[str]
    """The Access Token Secret."""
    owner: str
    """Team or person accountable for rotating these keys."""
    issued_at: str
    """YYYY-MM-DD on which the keys were generated in the portal."""
    rotation_interval_days: NotRequired[int]
    """Days from issued_at until rotation is due (1..1000, default 90)."""
    app_id: NotRequired[str]
    """The numeric App ID from the portal."""
    access_tier: NotRequired[str]
    """free, basic, pro, enterprise, or the older essential, elevated, premium."""
    use_case: NotRequired[str]
    """The use case the portal asked for; shown in the secret's description."""
    environment: NotRequired[str]
    """Environment segment of the secret name; defaults to the stack name."""
    name_prefix: NotRequired[str]
    """First segment(s) of the secret name; default ``twitter``."""
    kms_key_id: NotRequired[pulumi.Input[str]]
    """Customer-managed KMS key (ARN, ID or alias) to encrypt the value."""
    recovery_window_in_days: NotRequired[int]
    """Days a deleted secret stays recoverable: 7..30 (default 30), 0 only with force_delete."""
    force_delete: NotRequired[bool]
    """Allow deletion without a recovery window (recovery_window_in_days 0)."""
    replica_regions: NotRequired[Sequence[str]]
    """Regions to replicate the secret to (each uses its region's default key)."""
    tags: NotRequired[Mapping[str, str]]
    """Extra tags; they cannot override the component's rotation metadata."""
    write_only: NotRequired[bool]
    """Write the value through ``secret_string_wo`` so it never lands in state outputs."""


class TwitterAppCredentials(pulumi.ComponentResource):
    """One X app's credential set in one Secrets Manager secret.

    Validation runs before anything is registered: non-secret arguments at
    construction, the keys as soon as they resolve. Every AWS resource takes
    the fingerprint (computed after validation) as an input, so bad keys stop
    the program before a single resource exists.
    """

    secret_arn: pulumi.Output[str]
    """ARN of the secret, for IAM policies and other stacks."""
    secret_name: pulumi.Output[str]
    version_id: pulumi.Output[str]
    """Secrets Manager version id of the value this run wrote."""
    fingerprint: pulumi.Output[str]
    """First 16 hex chars of SHA-256 over the canonical JSON: shows change, reveals nothing."""
    issued_at: pulumi.Output[str]
    rotation_due_at: pulumi.Output[str]
    rotation_interval_days: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        args: TwitterAppCredentialsArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        settings = parse_app_settings(args, default_environment=pulumi.get_stack())
        super().__init__(TYPE_TOKEN, resource_name, None, opts)
        self.settings = settings
        child = pulumi.ResourceOptions(parent=self)

        description = secret_description(settings)
        payload = pulumi.Output.secret(
            pulumi.Output.all(*(args[f] for f in CREDENTIAL_FIELDS)).apply(
                lambda values: self._checked_payload(dict(zip(CREDENTIAL_FIELDS, values, strict=True)))
            )
        )
        fp = pulumi.Output.unsecret(payload.apply(fingerprint))

        secret = aws.secretsmanager.Secret(
            f"{resource_name}-secret",
            name=settings.secret_name,
            description=description,
            kms_key_id=settings.kms_key_id,
            recovery_window_in_days=settings.recovery_window_in_days,
            replicas=[
                aws.secretsmanager.SecretReplicaArgs(region=region) for region in settings.replica_regions
            ]
            or None,
            # The fingerprint tag makes the secret wait for (and so depend on)
            # validation of the keys.
            tags=fp.apply(lambda f: secret_tags(settings, f)),
            opts=child,
        )
        if settings.write_only:
            value: dict[str, Any] = {
                "secret_string_wo": payload,
                "secret_string_wo_version": fp.apply(lambda f: int(f[:_WO_VERSION_HEX_CHARS], 16)),
            }
        else:
            value = {"secret_string": payload}
        version = aws.secretsmanager.SecretVersion(
            f"{resource_name}-version", secret_id=secret.id, opts=child, **value
        )

        self.secret_arn = secret.arn
        self.secret_name = secret.name
        self.version_id = version.version_id
        self.fingerprint = fp
        self.issued_at = pulumi.Output.from_input(settings.issued_at.isoformat())
        self.rotation_due_at = pulumi.Output.from_input(settings.rotation_due_at.isoformat())
        self.rotation_interval_days = pulumi.Output.from_input(settings.rotation_interval_days)
        self.register_outputs(
            {
                "secret_arn": self.secret_arn,
                "secret_name": self.secret_name,
                "version_id": self.version_id,
                "fingerprint": self.fingerprint,
                "issued_at": self.issued_at,
                "rotation_due_at": self.rotation_due_at,
                "rotation_interval_days": self.rotation_interval_days,
            }
        )

    def _checked_payload(self, credentials: dict[str, Any]) -> str:
        """Validate resolved keys; only a valid set becomes the secret value."""
        settings: AppSettings = self.settings
        checked = validate_credentials(settings.label, credentials)
        leaked = key_material_problems(settings, checked)
        if leaked:
            raise InvalidInputError(prefixed(settings.label, leaked))
        for warning in length_warnings(checked):
            pulumi.log.warn(f"{settings.label}: {warning}", resource=self)
        return canonical_payload(checked)

    def summary(self) -> dict[str, pulumi.Input[Any]]:
        """The per-app entry of the stack's ``twitterApps`` output (no key material)."""
        s = self.settings
        entry: dict[str, pulumi.Input[Any]] = {
            "arn": self.secret_arn,
            "name": self.secret_name,
            "versionId": self.version_id,
            "fingerprint": self.fingerprint,
            "owner": s.owner,
            "environment": s.environment,
            "issuedAt": s.issued_at.isoformat(),
            "rotationIntervalDays": s.rotation_interval_days,
            "rotationDueAt": s.rotation_due_at.isoformat(),
            "rotationStrategy": ROTATION_STRATEGY_MANUAL,
        }
        if s.access_tier:
            entry["accessTier"] = s.access_tier
        if s.app_id:
            entry["appId"] = s.app_id
        return entry
