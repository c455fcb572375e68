"""The TwitterAppCredentials component: one app's four keys in one secret."""

# No `from __future__ import annotations`: Pulumi's provider host reads the output
# annotations below at run time to build the schema.
import json
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from twitter_runtime.errors import InvalidInputError, prefixed
from twitter_runtime.keys import (
    ACCESS_LEVEL_FIELD,
    CREDENTIAL_FIELDS,
    STORED_FIELDS,
    canonical_payload,
    fingerprint,
    given_fields,
    length_warnings,
    validate_credentials,
)

from .app_settings import AppSettings, parse_app_settings, stack_region
from .args import TwitterAppCredentialsArgs
from .aws_names import read_policy_name
from .field_names import in_callers_spelling
from .metadata import (
    MANAGED_BY,
    ROTATION_STRATEGY_MANUAL,
    key_material_problems,
    secret_description,
    secret_tags,
)
from .policies import (
    POLICY_PATH,
    is_key_arn,
    principal_problems,
    read_policy_document,
    to_json,
)
from .problems import SettingsError
from .reminders import STACK_TAG, current_stack
from .secret_policy import secret_policy
from .settings import KEY_SOURCE_PUT
from .wiring import ecs_environment, ecs_secrets, external_secret_manifest

TYPE_TOKEN = "twitter-secrets:index:TwitterAppCredentials"

# Pulumi carries numbers as float64, so the write-only version must stay below
# 2**53 to survive the trip exactly: 13 hex digits are 52 bits.
_WO_VERSION_HEX_CHARS = 13


class TwitterAppCredentials(pulumi.ComponentResource):
    """One X developer-portal App's keys in one AWS Secrets Manager secret, with rotation metadata and least-privilege read access."""

    # The docstring above is the schema's description, kept on one line so it reads the same
    # on every Python version. Validation runs before anything is registered: non-secret
    # arguments at construction, the keys as soon as they resolve. Every AWS resource takes
    # the fingerprint (computed after validation) as an input, so bad keys stop the program
    # before a single resource exists.

    secret_arn: pulumi.Output[str]
    """ARN of the secret: for IAM policies, and for other stacks through a StackReference."""
    secret_name: pulumi.Output[str]
    """Name of the secret: <namePrefix>/<environment>/<project>/<app>, then /<account> for one of several accounts."""
    version_id: pulumi.Output[str]
    """Secrets Manager version id of the value this deployment wrote."""
    fingerprint: pulumi.Output[str]
    """First 16 hex digits of SHA-256 over the stored JSON (keys and declared accessLevel): shows that they changed, reveals nothing of them."""
    issued_at: pulumi.Output[str]
    """The date the keys were generated (YYYY-MM-DD), as given."""
    rotation_due_at: pulumi.Output[str]
    """The date (YYYY-MM-DD) by which the keys should be regenerated: issuedAt plus rotationIntervalDays."""
    rotation_interval_days: pulumi.Output[int]
    """Days between issuedAt and rotationDueAt."""
    read_policy_arn: pulumi.Output[str | None]
    """ARN of the IAM policy that reads exactly this secret (absent when readPolicy is false)."""
    verified_user_id: pulumi.Output[str | None]
    """With verify: the X user id the Access Token acts for, as X reported it."""
    verified_username: pulumi.Output[str | None]
    """With verify: the X username the Access Token acts for, as X reported it."""
    bearer_secret_arn: pulumi.Output[str | None]
    """With bearer rotation: ARN of the <name>/bearer secret that rotation keeps current."""

    def __init__(
        self,
        resource_name: str,
        args: TwitterAppCredentialsArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        after: pulumi.Input[Any] | None = None,
    ) -> None:
        """``after``: with key_source put, an Output the secret waits for (a project's key gate),
        so a sibling's bad key stops this app too."""
        try:
            settings = parse_app_settings(
                args, default_environment=pulumi.get_stack(), primary_region=stack_region()
            )
        except InvalidInputError as error:
            raise in_callers_spelling(error) from None
        super().__init__(TYPE_TOKEN, resource_name, None, opts)
        self.settings = settings
        child = pulumi.ResourceOptions(parent=self)

        description = secret_description(settings)
        stack = current_stack()
        gate: list[pulumi.Resource] = []
        # One placeholder for every output of a feature that is off (cheaper at 1,000 apps).
        none: pulumi.Output[Any] = pulumi.Output.from_input(None)
        puts_keys = settings.key_source == KEY_SOURCE_PUT
        if puts_keys:
            # `twitter-secrets put` writes the value: nothing here sees a key, and the secret waits
            # only for principals given as Outputs to pass their check.
            fp: pulumi.Output[Any] = none
            # What `put` stores: the four keys and the declared access level. An OAuth 2.0 client
            # put may write is unknown here, so ECS and Kubernetes wiring leave it out.
            stored = [*CREDENTIAL_FIELDS, *([ACCESS_LEVEL_FIELD] if settings.access_level else [])]
            self._stored_fields = pulumi.Output.from_input(stored)
            ready = self._principals_gate(
                none
                if after is None
                else pulumi.Output.unsecret(pulumi.Output.from_input(after).apply(lambda _: None))
            )
        else:
            payload, fp = self._payload_and_fingerprint(args)
            ready = fp
        if settings.verify:
            from .verification import CredentialsVerification  # only stacks that verify load the X client

            # X must accept the keys first; the secret's tags and value wait for it.
            verification = CredentialsVerification(
                f"{resource_name}-verification",
                credentials={f: payload.apply(lambda p, f=f: json.loads(p)[f]) for f in CREDENTIAL_FIELDS},
                fingerprint=fp,
                api_base_url=settings.x_api_base_url,
                opts=pulumi.ResourceOptions(parent=self),
                access_level=settings.access_level,
                label=settings.label,
            )
            fp = ready = verification.fingerprint
            gate.append(verification)
        self.verified_user_id = verification.user_id if settings.verify else none
        self.verified_username = verification.username if settings.verify else none

        secret = aws.secretsmanager.Secret(
            f"{resource_name}-secret",
            name=settings.secret_name,
            description=description,
            kms_key_id=settings.kms_key_id,
            recovery_window_in_days=settings.recovery_window_in_days,
            replicas=[
                aws.secretsmanager.SecretReplicaArgs(
                    region=region, kms_key_id=settings.replica_kms_key_ids.get(region)
                )
                for region in settings.replica_regions
            ]
            or None,
            # The fingerprint tag makes the secret wait for (and so depend on)
            # validation of the keys; with put, on that of the principals.
            # The stack tag lets the stack's reminders find its secrets, and only them.
            tags=ready.apply(lambda f: {**secret_tags(settings, f), STACK_TAG: stack}),
            opts=child,
        )
        version = None if puts_keys else self._value_version(resource_name, secret, payload, fp, gate)
        # Policies wait for the first version: AWS (and moto) misbehave when a
        # policy or rotation races it.
        after_version = pulumi.ResourceOptions(parent=self, depends_on=[version or secret])
        self._resource_name = resource_name
        kms_key_arn = self._kms_key_arn()
        self._bearer = None
        if settings.bearer_rotation is not None and version is not None:
            from .bearer_rotation import BearerRotation  # builds the Lambda archive: only when asked for

            # Named for the App, not the account that runs it: choosing another account keeps every
            # bearer resource (same name, same type chain, same URN) rather than replacing it
            # with one whose AWS names are still taken.
            bearer_name = (
                resource_name.removesuffix(f"/{settings.account}") if settings.account else resource_name
            )
            self._bearer = BearerRotation(bearer_name, settings, secret, version, kms_key_arn, self)
        self.bearer_secret_arn = self._bearer.secret.arn if self._bearer else none
        self._read_policy = (
            self._read_policy_resource(secret, kms_key_arn, after_version) if settings.read_policy else None
        )
        if settings.readers:
            # The rotation function reads the main secret: never deny it.
            exempt = [self._bearer.role.arn] if self._bearer else []
            secret_policy(f"{resource_name}-policy", secret, settings, exempt=exempt, opts=after_version)

        self.secret_arn = secret.arn
        self.secret_name = secret.name
        self.version_id = version.version_id if version is not None else none
        self.fingerprint = fp
        self.issued_at = pulumi.Output.from_input(settings.issued_at.isoformat())
        self.rotation_due_at = pulumi.Output.from_input(settings.rotation_due_at.isoformat())
        self.rotation_interval_days = pulumi.Output.from_input(settings.rotation_interval_days)
        self.read_policy_arn = self._read_policy.arn if self._read_policy else none
        registered: dict[str, Any] = {
            "secret_arn": self.secret_arn,
            "secret_name": self.secret_name,
            "version_id": self.version_id,
            "fingerprint": self.fingerprint,
            "issued_at": settings.issued_at.isoformat(),
            "rotation_due_at": settings.rotation_due_at.isoformat(),
            "rotation_interval_days": settings.rotation_interval_days,
        }
        if self._read_policy is not None:
            registered["read_policy_arn"] = self.read_policy_arn
        if self._bearer is not None:
            registered["bearer_secret_arn"] = self.bearer_secret_arn
        if settings.verify:
            registered["verified_username"] = self.verified_username
        self.register_outputs(registered)

    def _payload_and_fingerprint(
        self, args: TwitterAppCredentialsArgs
    ) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
        """The checked keys as the secret's JSON (a secret Output) and its fingerprint (not secret)."""
        keys = args.get("credentials")
        if keys is None:
            keys = pulumi.Output.all(**{f: args[f] for f in given_fields(args)})  # type: ignore[literal-required]
        payload = pulumi.Output.secret(
            self._principals_gate(pulumi.Output.from_input(keys)).apply(self._checked_payload)
        )
        # Which fields the value holds (names only): what ECS and Kubernetes wiring may reference.
        self._stored_fields = pulumi.Output.unsecret(
            payload.apply(lambda p: [f for f in STORED_FIELDS if f in json.loads(p)])
        )
        return payload, pulumi.Output.unsecret(payload.apply(fingerprint))

    def _principals_gate(self, value: pulumi.Output[Any]) -> pulumi.Output[Any]:
        """``value`` once principals given as Outputs have passed their check, so a bad one stops the
        secret too, not only its policy."""
        s = self.settings
        if all(isinstance(p, str) for p in (*s.readers, *s.admin_principals)):
            return value
        return pulumi.Output.all(
            value, pulumi.Output.all(*s.readers), pulumi.Output.all(*s.admin_principals)
        ).apply(lambda a: self._checked_principals(a[1], a[2]) or a[0])

    def _value_version(
        self,
        resource_name: str,
        secret: aws.secretsmanager.Secret,
        payload: pulumi.Output[str],
        fp: pulumi.Output[str],
        gate: list[pulumi.Resource],
    ) -> aws.secretsmanager.SecretVersion:
        if self.settings.write_only:
            value: dict[str, Any] = {
                "secret_string_wo": payload,
                "secret_string_wo_version": fp.apply(lambda f: int(f[:_WO_VERSION_HEX_CHARS], 16)),
            }
        else:
            value = {"secret_string": payload}
        return aws.secretsmanager.SecretVersion(
            f"{resource_name}-version",
            secret_id=secret.id,
            opts=pulumi.ResourceOptions(parent=self, depends_on=gate),
            **value,
        )

    @property
    def ecs_secrets(self) -> pulumi.Output[list[dict[str, str]]]:
        """The ``secrets`` list of an ECS container definition: TWITTER_CONSUMER_KEY etc., one per stored field."""
        return pulumi.Output.all(self.secret_arn, self._stored_fields).apply(
            lambda a: ecs_secrets(a[0], a[1])
        )

    @property
    def ecs_environment(self) -> pulumi.Output[list[dict[str, str]]]:
        """The ``environment`` entry with the keys' fingerprint: new keys, new task definition, rolling deploy."""
        # With key_source put, Pulumi never learns the fingerprint: no entry, and new keys roll nothing.
        return self.fingerprint.apply(lambda f: ecs_environment(f) if f else [])

    def _kms_key_arn(self) -> pulumi.Output[str | None]:
        """kms:Decrypt must name the key ARN; resolve an alias or key id to it."""
        key = self.settings.kms_key_id
        if key is None:
            return pulumi.Output.from_input(None)

        def resolve(value: str) -> Any:
            if is_key_arn(value):
                return value
            return aws.kms.get_key_output(key_id=value, opts=pulumi.InvokeOutputOptions(parent=self)).arn

        return pulumi.Output.from_input(key).apply(resolve)

    def _read_policy_resource(
        self,
        secret: aws.secretsmanager.Secret,
        kms_key_arn: pulumi.Output[str | None],
        opts: pulumi.ResourceOptions,
    ) -> aws.iam.Policy:
        s = self.settings
        # The bearer is read with the same policy (see read_policy_document): one policy per app.
        bearer_arn = self._bearer.secret.arn if self._bearer else None
        document = pulumi.Output.all(secret.arn, kms_key_arn, bearer_arn).apply(
            lambda a: to_json(
                read_policy_document(
                    a[0], kms_key_arn=a[1], replica_regions=s.replica_regions, bearer_secret_arn=a[2]
                )
            )
        )
        return aws.iam.Policy(
            f"{self._resource_name}-read",
            name=read_policy_name(s.secret_name),
            path=POLICY_PATH,
            description=f"Read the X (Twitter) credentials of {s.label} ({s.secret_name}) and nothing else",
            policy=document,
            tags={
                "twitter:project": s.project,
                "twitter:app": s.app,
                "twitter:environment": s.environment,
                "managed-by": MANAGED_BY,
                **({"twitter:account": s.account} if s.account is not None else {}),
            },
            opts=opts,
        )

    def _checked_principals(self, readers: list[Any], admins: list[Any]) -> None:
        s = self.settings
        problems = principal_problems("readers", readers, allow_root=not s.deny_other_readers)
        problems += principal_problems("admin_principals", admins)
        if problems:
            raise SettingsError(prefixed(s.label, problems))

    def grant_read(
        self, role: pulumi.Input[str] | aws.iam.Role, *, name: str | None = None
    ) -> aws.iam.RolePolicyAttachment:
        """Attach this app's read policy to a role (like CDK's ``grantRead``).

        ``role`` is a Role, a role name or a role ARN. ``name`` keys the
        attachment in the stack; it is derived from a Role or a plain string,
        and required for an Output, whose value is not known yet.
        """
        if self._read_policy is None:
            raise ValueError(f"{self.settings.label}: grant_read needs read_policy: true")
        if isinstance(role, aws.iam.Role):
            key, role_name = name or role._name, role.name
        elif isinstance(role, str):
            role_name = role.rsplit("/", 1)[-1] if role.startswith("arn:") else role
            key = name or role_name
        elif name is None:
            raise ValueError(f"{self.settings.label}: grant_read(role) with an Output role needs name=...")
        else:
            key, role_name = name, role
        return aws.iam.RolePolicyAttachment(
            f"{self._resource_name}-read-{key}",
            role=role_name,
            policy_arn=self._read_policy.arn,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def external_secret(
        self,
        store_name: str,
        *,
        store_kind: str = "SecretStore",
        namespace: str | None = None,
        target_name: str | None = None,
        refresh_interval: str = "1h",
    ) -> pulumi.Output[dict[str, Any]]:
        """An External Secrets Operator manifest that syncs the four keys into Kubernetes.

        The operator re-reads the secret every ``refresh_interval``, so new keys reach the
        Kubernetes Secret within that time (a reloader then restarts the Deployment).
        """
        label = self.settings.label
        return pulumi.Output.all(self.secret_name, self._stored_fields).apply(
            lambda a: external_secret_manifest(
                secret_name=a[0],
                fields=a[1],
                label=label,
                store_name=store_name,
                store_kind=store_kind,
                namespace=namespace,
                target_name=target_name,
                refresh_interval=refresh_interval,
            )
        )

    def kubernetes_external_secret(
        self,
        resource_name: str,
        store_name: str,
        *,
        store_kind: str = "SecretStore",
        namespace: str | None = None,
        target_name: str | None = None,
        refresh_interval: str = "1h",
        provider: Any = None,
    ) -> Any:
        """Register the ExternalSecret with pulumi_kubernetes (which the program must install)."""
        from .kubernetes import register_external_secret

        manifest = self.external_secret(
            store_name,
            store_kind=store_kind,
            namespace=namespace,
            target_name=target_name,
            refresh_interval=refresh_interval,
        )
        return register_external_secret(resource_name, manifest, provider=provider)

    def _checked_payload(self, credentials: Mapping[str, Any]) -> str:
        """Validate resolved keys; only a valid set becomes the secret value."""
        settings: AppSettings = self.settings
        checked = validate_credentials(settings.label, credentials)
        leaked = key_material_problems(settings, checked)
        if leaked:
            raise SettingsError(prefixed(settings.label, leaked))
        for warning in length_warnings(checked):
            pulumi.log.warn(f"{settings.label}: {warning}", resource=self)
        # The declared permission level travels with the token it describes (not a key).
        return canonical_payload({**checked, ACCESS_LEVEL_FIELD: settings.access_level})

    def live_outputs(self) -> dict[str, pulumi.Output[Any]]:
        """The Output-valued fields of the app's ``twitterApps`` entry (none carries key material)."""
        live: dict[str, pulumi.Output[Any]] = {"arn": self.secret_arn, "name": self.secret_name}
        if self.settings.key_source != KEY_SOURCE_PUT:
            live["versionId"], live["fingerprint"] = self.version_id, self.fingerprint
        if self._read_policy is not None:
            live["readPolicyArn"] = self.read_policy_arn
        if self._bearer is not None:
            live["bearerSecretArn"] = self.bearer_secret_arn
        if self.settings.verify:
            live["verifiedUserId"] = self.verified_user_id
            live["verifiedUsername"] = self.verified_username
        return live

    def summary_entry(self, live: Mapping[str, Any]) -> dict[str, Any]:
        """The app's ``twitterApps`` entry, given the resolved values of ``live_outputs``."""
        s = self.settings
        entry: dict[str, Any] = {
            **live,
            "owner": s.owner,
            "environment": s.environment,
            "issuedAt": s.issued_at.isoformat(),
            "rotationIntervalDays": s.rotation_interval_days,
            "rotationDueAt": s.rotation_due_at.isoformat(),
            "rotationStrategy": ROTATION_STRATEGY_MANUAL,
        }
        if s.key_source == KEY_SOURCE_PUT:
            entry["keySource"] = KEY_SOURCE_PUT  # `audit` expects no fingerprint, `put` may write
        if s.access_tier:
            entry["accessTier"] = s.access_tier
        if s.account is not None:
            entry["app"], entry["account"] = s.app_label, s.account
        if s.access_level is not None:
            entry["accessLevel"] = s.access_level
        if s.app_id:
            entry["appId"] = s.app_id
        if isinstance(s.kms_key_id, str):
            entry["kmsKeyId"] = s.kms_key_id  # what `audit --live` compares with the secret's key
        return entry
