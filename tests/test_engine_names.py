"""The names the program gives AWS resources pass the stand-in's Check, which applies AWS's rules.

`pulumi preview` on the real engine runs Check for every resource, including the bearer
rotation's role, role policy and Lambda function, whose names once came from pulumi-aws's
auto-naming (`brand-monitoring/listener-rotation-ab12cd3`, refused by IAM and Lambda).
"""

from __future__ import annotations

import yaml

from tests.canaries import canary_credentials
from tests.engine import ROOT, Engine, require_pulumi


def test_a_bearer_rotation_stack_previews_with_names_aws_accepts(tmp_path, moto_url):
    engine = Engine(pulumi=require_pulumi(), home=tmp_path / "engine", moto_url=moto_url)
    work = tmp_path / "project"
    select = engine.project(work, "twitter-secrets", ROOT / "__main__.py")
    engine.cli("stack", "init", "dev", cwd=work)
    projects = {
        "brand-monitoring": {
            "owner": "team-social",
            "access_tier": "basic",
            "apps": {"listener": {"issued_at": "2026-09-01", "bearer_rotation": 30}},
        }
    }
    stack_file = work / "Pulumi.dev.yaml"
    document = yaml.safe_load(stack_file.read_text()) or {}
    document["config"] = {"aws:region": "us-east-1", "twitter-secrets:projects": projects}
    stack_file.write_text(yaml.safe_dump(document, sort_keys=False))  # keeps the passphrase salt
    creds = canary_credentials("brand-monitoring/listener", user_id="777")
    for field, value in creds.items():
        path = f'twitter-secrets:credentials["brand-monitoring/listener"].{field}'
        engine.cli("config", "set", "--secret", "--path", path, cwd=work, stdin=value)
    preview = select("dev").preview(on_output=engine.collect)
    # stack, project, app, secret, version, read policy; bearer secret, its version, role, role policy,
    # logs attachment, function, permission, rotation
    assert preview.change_summary == {"create": 14}
    assert "aws:lambda:Function" in preview.stdout and "does not match AWS's pattern" not in preview.stdout


def test_the_standin_refuses_the_names_pulumi_aws_would_have_made():
    from tests.moto_aws import FUNCTION, ROLE, autoname, input_problems

    old = autoname("brand-monitoring/listener-rotation", b"seed", 64)
    assert input_problems(ROLE, {"name": old}) == [
        ("name", f"name '{old}' does not match AWS's pattern [\\w+=,.@-]+")
    ]
    assert input_problems(FUNCTION, {"name": old})[0][0] == "name"
    assert input_problems(ROLE, {"name": "twitter-dev-brand-monitoring-listener-rotation"}) == []
