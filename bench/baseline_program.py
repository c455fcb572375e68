"""The baseline: the minimum hand-written pulumi-aws for the same data.

One Secret (same name and tags) and one SecretVersion (same JSON) per app;
no component, no validation, no read policy. What a team would write without
this project.
"""

import hashlib
import json
from datetime import date, timedelta

import pulumi
import pulumi_aws as aws

config = pulumi.Config("twitter-secrets")
projects = config.require_object("projects")
credentials = config.require_secret_object("credentials")
stack = pulumi.get_stack()

for project, spec in sorted(projects.items()):
    for app, app_spec in sorted(spec["apps"].items()):
        label = f"{project}/{app}"
        owner = app_spec.get("owner") or spec.get("owner")
        issued = date.fromisoformat(app_spec["issued_at"])
        interval = app_spec.get("rotation_interval_days", 90)
        payload = credentials.apply(
            lambda c, label=label: json.dumps(c[label], sort_keys=True, separators=(",", ":"))
        )
        fingerprint = pulumi.Output.unsecret(
            payload.apply(lambda p: hashlib.sha256(p.encode()).hexdigest()[:16])
        )
        secret = aws.secretsmanager.Secret(
            f"{label}-secret",
            name=f"twitter/{stack}/{project}/{app}",
            tags=fingerprint.apply(
                lambda fp, project=project, app=app, owner=owner, issued=issued, interval=interval: {
                    "twitter:project": project,
                    "twitter:app": app,
                    "twitter:environment": stack,
                    "owner": owner,
                    "rotation:issued-at": issued.isoformat(),
                    "rotation:interval-days": str(interval),
                    "rotation:due-at": (issued + timedelta(days=interval)).isoformat(),
                    "rotation:strategy": "manual",
                    "credentials:fingerprint": fp,
                    "managed-by": "pulumi",
                }
            ),
        )
        aws.secretsmanager.SecretVersion(f"{label}-version", secret_id=secret.id, secret_string=payload)
