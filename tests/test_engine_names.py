"""The names the program gives AWS resources pass the stand-in's Check, which applies AWS's rules.

`pulumi preview` on the real engine runs Check for every resource, including the bearer
rotation's role, role policy and Lambda function, whose names once came from pulumi-aws's
auto-naming (`brand-monitoring/listener-rotation-ab12cd3`, refused by IAM and Lambda).
"""

from __future__ import annotations

from tests.canaries import canary_credentials
from tests.engine import Engine, require_pulumi


def test_a_bearer_rotation_stack_previews_with_names_aws_accepts(tmp_path, moto_url):
    engine = Engine(pulumi=require_pulumi(), home=tmp_path / "engine", moto_url=moto_url)
    work = engine.repository_project(tmp_path / "project")
    projects = {
        "brand-monitoring": {
            "owner": "team-social",
            "access_tier": "basic",
            "apps": {"listener": {"issued_at": "2026-09-01", "bearer_rotation": 30}},
        }
    }
    config = {"aws:region": "us-east-1", "twitter-secrets:projects": projects}
    creds = canary_credentials("brand-monitoring/listener", user_id="777")
    engine.init_stack(work, "dev", config, {"brand-monitoring/listener": creds})
    preview = engine.stack(work, "dev").preview()
    # stack, project, app, secret, version, read policy; bearer secret, its version, role, role policy,
    # log group, its write-only role policy, function, permission, rotation, Errors alarm (no topic: no
    # failure rule, and a warning says so)
    assert preview.changes == {"create": 16}
    assert "a failed rotation pages nobody" in preview.stdout
    assert "aws:lambda:Function" in preview.stdout and "does not match AWS's pattern" not in preview.stdout


def test_the_standin_refuses_the_names_pulumi_aws_would_have_made():
    from tests.moto_aws import FUNCTION, ROLE, autoname, input_problems

    old = autoname("brand-monitoring/listener-rotation", b"seed", 64)
    assert input_problems(ROLE, {"name": old}) == [
        ("name", f"name '{old}' does not match AWS's pattern [\\w+=,.@-]+")
    ]
    assert input_problems(FUNCTION, {"name": old})[0][0] == "name"
    assert input_problems(ROLE, {"name": "twitter-dev-brand-monitoring-listener-rotation"}) == []
