"""The components' arguments as TypedDicts: the Python API and the plugin's schema in one.

Pulumi's component provider host builds the multi-language schema from these
annotations and the docstring under each field, so every field is a type a
schema can carry (no unions, no component references) and says what it is.

The app settings are written out twice, in ``TwitterAppCredentialsArgs`` and in
``TwitterProjectAppArgs``, because the host reads a field's description from
the class that declares it, not from a base class; a test keeps the two in
step (same fields, types and descriptions).
"""

# No `from __future__ import annotations`: TypedDict must see NotRequired at runtime
# (its __required_keys__), and Pulumi's provider host reads these types.
from collections.abc import Mapping, Sequence
from typing import NotRequired, TypedDict

import pulumi


class TwitterAppCredentialsArgs(TypedDict):
    """Arguments of TwitterAppCredentials: one developer-portal App's keys and their metadata."""

    project: str
    """The developer-portal Project the app belongs to, as a slug (part of the secret's name)."""
    app: str
    """The App's name, as a slug (part of the secret's name)."""
    consumer_key: NotRequired[pulumi.Input[str]]
    """The API Key. Pass it as a secret (a secret config value or Output). Required unless credentials is given."""
    consumer_secret: NotRequired[pulumi.Input[str]]
    """The API Key Secret, as a secret. Required unless credentials is given."""
    access_token: NotRequired[pulumi.Input[str]]
    """The Access Token (<user id>-<letters and digits>), as a secret. Required unless credentials is given."""
    access_token_secret: NotRequired[pulumi.Input[str]]
    """The Access Token Secret, as a secret. Required unless credentials is given."""
    client_id: NotRequired[pulumi.Input[str]]
    """The App's OAuth 2.0 Client ID, as a secret, for services that run OAuth 2.0 user flows (optional)."""
    client_secret: NotRequired[pulumi.Input[str]]
    """The OAuth 2.0 Client Secret, as a secret: confidential clients only, and only with clientId."""
    credentials: NotRequired[pulumi.Input[Mapping[str, str]]]
    """Instead of the key arguments: one secret object with consumer_key, consumer_secret, access_token, access_token_secret and optionally client_id, client_secret."""
    account: NotRequired[str]
    """One of several user accounts the App acts for, as a slug: the secret is then <app's name>/<account>, holding the App's keys and this account's Access Token pair."""
    owner: str
    """The team or person accountable for rotating these keys (a tag on the secret)."""
    issued_at: str
    """The date (YYYY-MM-DD, quoted in YAML) on which the keys were generated in the portal."""
    rotation_interval_days: NotRequired[int]
    """Days from issuedAt until rotation is due: a whole number from 1 to 1000 (default 90)."""
    app_id: NotRequired[str]
    """The numeric App ID shown in the developer portal."""
    access_tier: NotRequired[str]
    """The access tier: free, basic, pro, enterprise, or the older essential, elevated, premium."""
    use_case: NotRequired[str]
    """The use case described to X (at most 500 characters); shown in the secret's description."""
    environment: NotRequired[str]
    """The environment segment of the secret's name (default: the stack name)."""
    name_prefix: NotRequired[str]
    """The first segment(s) of the secret's name (default twitter): <prefix>/<environment>/<project>/<app>."""
    kms_key_id: NotRequired[pulumi.Input[str]]
    """A customer-managed KMS key (ARN, key id or alias) to encrypt the value with (default: AWS's own key)."""
    recovery_window_in_days: NotRequired[int]
    """Days a deleted secret stays recoverable: 7 to 30 (default 30); 0 only with forceDelete."""
    force_delete: NotRequired[bool]
    """Allow deletion without a recovery window (with recoveryWindowInDays 0): the keys are then gone for good."""
    replica_regions: NotRequired[Sequence[str]]
    """AWS regions to replicate the secret to (each with its region's default key)."""
    tags: NotRequired[Mapping[str, str]]
    """Extra tags for the secret; they cannot override the rotation metadata (owner, managed-by, twitter:*, rotation:*)."""
    write_only: NotRequired[bool]
    """Write the value through the provider's write-only field, so it is never kept in the state's outputs."""
    read_policy: NotRequired[bool]
    """Create the IAM policy that reads exactly this secret (default true)."""
    readers: NotRequired[Sequence[pulumi.Input[str]]]
    """IAM role or user ARNs allowed to read by the secret's own resource policy."""
    deny_other_readers: NotRequired[bool]
    """Also deny reading the value to every principal not in readers or adminPrincipals."""
    admin_principals: NotRequired[Sequence[pulumi.Input[str]]]
    """With denyOtherReaders: principals never locked out, such as the deploying role and a break-glass admin."""
    verify: NotRequired[bool]
    """Check the keys with X (user context and app) before storing them; runs only when the keys change."""
    x_api_base_url: NotRequired[str]
    """The X API host for verification and bearer rotation (default https://api.x.com)."""
    bearer_rotation_days: NotRequired[int]
    """Rotate the app-only Bearer Token automatically every this many days (1 to 1000)."""
    bearer_rotation_schedule: NotRequired[str]
    """Instead of bearerRotationDays: a Secrets Manager schedule such as 'rate(30 days)' or 'cron(0 4 1 * ? *)'."""
    access_level: NotRequired[str]
    """The permission the Access Token was issued with: read, read-write or read-write-directmessages (X's x-access-level). Stored with the keys; verify checks it with X."""


class TwitterProjectAccountArgs(TypedDict):
    """One user account of an App with several: its own settings over the App's. Its Access Token pair goes in the project's credentials under app/account."""

    owner: NotRequired[str]
    """Who is accountable for rotating this account's Access Token pair (default: the App's owner)."""
    issued_at: NotRequired[str]
    """The date (YYYY-MM-DD) this account's Access Token pair was generated (default: the App's issuedAt)."""
    rotation_interval_days: NotRequired[int]
    """Days from issuedAt until rotation is due (default: the App's)."""
    access_level: NotRequired[str]
    """The permission this account's Access Token was issued with: read, read-write or read-write-directmessages."""
    tags: NotRequired[Mapping[str, str]]
    """Extra tags for this account's secret, merged over the App's."""
    readers: NotRequired[Sequence[pulumi.Input[str]]]
    """IAM role or user ARNs allowed to read this account's secret (instead of the App's readers)."""


class TwitterProjectAppArgs(TypedDict):
    """One App of a TwitterProject: its settings. Its keys go in the project's credentials."""

    owner: str
    """The team or person accountable for rotating these keys (a tag on the secret)."""
    issued_at: str
    """The date (YYYY-MM-DD, quoted in YAML) on which the keys were generated in the portal."""
    rotation_interval_days: NotRequired[int]
    """Days from issuedAt until rotation is due: a whole number from 1 to 1000 (default 90)."""
    app_id: NotRequired[str]
    """The numeric App ID shown in the developer portal."""
    access_tier: NotRequired[str]
    """The access tier: free, basic, pro, enterprise, or the older essential, elevated, premium."""
    use_case: NotRequired[str]
    """The use case described to X (at most 500 characters); shown in the secret's description."""
    environment: NotRequired[str]
    """The environment segment of the secret's name (default: the stack name)."""
    name_prefix: NotRequired[str]
    """The first segment(s) of the secret's name (default twitter): <prefix>/<environment>/<project>/<app>."""
    kms_key_id: NotRequired[pulumi.Input[str]]
    """A customer-managed KMS key (ARN, key id or alias) to encrypt the value with (default: AWS's own key)."""
    recovery_window_in_days: NotRequired[int]
    """Days a deleted secret stays recoverable: 7 to 30 (default 30); 0 only with forceDelete."""
    force_delete: NotRequired[bool]
    """Allow deletion without a recovery window (with recoveryWindowInDays 0): the keys are then gone for good."""
    replica_regions: NotRequired[Sequence[str]]
    """AWS regions to replicate the secret to (each with its region's default key)."""
    tags: NotRequired[Mapping[str, str]]
    """Extra tags for the secret; they cannot override the rotation metadata (owner, managed-by, twitter:*, rotation:*)."""
    write_only: NotRequired[bool]
    """Write the value through the provider's write-only field, so it is never kept in the state's outputs."""
    read_policy: NotRequired[bool]
    """Create the IAM policy that reads exactly this secret (default true)."""
    readers: NotRequired[Sequence[pulumi.Input[str]]]
    """IAM role or user ARNs allowed to read by the secret's own resource policy."""
    deny_other_readers: NotRequired[bool]
    """Also deny reading the value to every principal not in readers or adminPrincipals."""
    admin_principals: NotRequired[Sequence[pulumi.Input[str]]]
    """With denyOtherReaders: principals never locked out, such as the deploying role and a break-glass admin."""
    verify: NotRequired[bool]
    """Check the keys with X (user context and app) before storing them; runs only when the keys change."""
    x_api_base_url: NotRequired[str]
    """The X API host for verification and bearer rotation (default https://api.x.com)."""
    bearer_rotation_days: NotRequired[int]
    """Rotate the app-only Bearer Token automatically every this many days (1 to 1000)."""
    bearer_rotation_schedule: NotRequired[str]
    """Instead of bearerRotationDays: a Secrets Manager schedule such as 'rate(30 days)' or 'cron(0 4 1 * ? *)'."""
    access_level: NotRequired[str]
    """The permission the Access Token was issued with: read, read-write or read-write-directmessages (X's x-access-level). Stored with the keys; verify checks it with X."""
    accounts: NotRequired[Mapping[str, TwitterProjectAccountArgs]]
    """Several user accounts of this App: account name (a slug) → its settings. Each gets its own secret, <app's name>/<account>, readable without the others."""
    bearer_rotation_account: NotRequired[str]
    """With accounts and bearer rotation: the account whose Access Token is the App owner's (X signs invalidate_token with it)."""


class TwitterProjectArgs(TypedDict):
    """Arguments of TwitterProject: a Project as the portal shows it, with its tier, use case and apps."""

    project: str
    """The Project's name, as a slug (part of each secret's name)."""
    apps: Mapping[str, TwitterProjectAppArgs]
    """App name (a slug) → that App's settings."""
    access_tier: NotRequired[str]
    """The Project's access tier; apps inherit it unless they set their own."""
    use_case: NotRequired[str]
    """The use case described to X when the Project was created; apps inherit it."""
    credentials: NotRequired[pulumi.Input[Mapping[str, Mapping[str, str]]]]
    """App name → its keys (consumer_key, consumer_secret, access_token, access_token_secret; optionally client_id, client_secret), as one secret object. For an app with accounts: the App's keys under the app name, each Access Token pair under app/account."""
