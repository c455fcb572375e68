"""The hand-written baseline for bench/engine.py: the minimum pulumi-aws a team would write.

Per app one Secret, with the same name, description, recovery window and tags as the
repository's component writes, and one SecretVersion holding the keys as compact sorted JSON.
No component, no validation, no read policy.

The apps and their keys come from ``apps.json`` beside this file ("keys in code"), not from
stack config: Pulumi's Python host hands the whole config to the program in one environment
variable, capped at 128 KiB, and 1,000 apps' keys do not fit in it.
"""

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

import pulumi
import pulumi_aws as aws

stack = pulumi.get_stack()
stack_id = f"{pulumi.get_organization()}/{pulumi.get_project()}/{stack}"
projects = json.loads((Path(__file__).parent / "apps.json").read_text())["projects"]

for project, spec in sorted(projects.items()):
    for app, app_spec in sorted(spec["apps"].items()):
        label = f"{project}/{app}"
        owner = app_spec.get("owner") or spec["owner"]
        issued = date.fromisoformat(app_spec["issued_at"])
        interval = app_spec.get("rotation_interval_days", 90)
        due = issued + timedelta(days=interval)
        payload = json.dumps(app_spec["keys"], sort_keys=True, separators=(",", ":"))
        secret = aws.secretsmanager.Secret(
            f"{label}-secret",
            name=f"twitter/{stack}/{project}/{app}",
            description=(
                f"X (Twitter) API credentials for app '{app}' in project '{project}'. Owner: {owner}."
                f" Keys issued {issued.isoformat()}, rotate by {due.isoformat()}"
                " (regenerate in the developer portal). Managed by Pulumi (twitter-secrets)."
            ),
            recovery_window_in_days=30,
            tags={
                "twitter:project": project,
                "twitter:app": app,
                "twitter:environment": stack,
                "owner": owner,
                "rotation:issued-at": issued.isoformat(),
                "rotation:interval-days": str(interval),
                "rotation:due-at": due.isoformat(),
                "rotation:strategy": "manual",
                "credentials:fingerprint": hashlib.sha256(payload.encode()).hexdigest()[:16],
                "managed-by": "pulumi",
                "twitter:stack": stack_id,
            },
        )
        aws.secretsmanager.SecretVersion(
            f"{label}-version", secret_id=secret.id, secret_string=pulumi.Output.secret(payload)
        )
