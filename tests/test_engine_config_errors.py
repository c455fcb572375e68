"""A bad stack config on the real engine: the problem list, a suggestion, no traceback, nothing created.

The program raises ``pulumi.RunError`` (``components/problems.py``), which Pulumi's
Python language host prints as an error without a stack trace; any other exception
would arrive inside "Program failed with an unhandled exception" and a Python traceback.
"""

from __future__ import annotations

from tests.canaries import canary_credentials, found_fragments
from tests.engine import Engine, require_pulumi

LABEL = "typo-check/listener"


def test_a_typo_and_a_bad_number_end_preview_and_up_with_both_problems_and_no_traceback(tmp_path, moto_url):
    engine = Engine(pulumi=require_pulumi(), home=tmp_path / "engine", moto_url=moto_url)
    work = engine.repository_project(tmp_path / "project")
    projects = {
        "typo-check": {
            "owner": "team-social",
            "apps": {
                "listener": {
                    "issued_at": "2026-09-01",
                    "rotation_intervall_days": 60,  # the typo
                    "recovery_window_in_days": 3,  # the bad number
                }
            },
        }
    }
    config = {"aws:region": "us-east-1", "twitter-secrets:projects": projects}
    creds = canary_credentials(LABEL, user_id="777")
    engine.init_stack(work, "dev", config, {LABEL: creds})
    stack = engine.stack(work, "dev")

    for verb in ("preview", "up"):
        run = engine.run(verb, cwd=work, stack="dev", check=False)
        output = run.done.stdout + run.done.stderr
        assert run.done.returncode != 0
        assert "unknown key(s) rotation_intervall_days (did you mean rotation_interval_days?)" in output, (
            output
        )
        assert f"{LABEL}: recovery_window_in_days must be a whole number from 7 to 30" in output, output
        assert "Traceback" not in output and "unhandled exception" not in output, output
        assert not found_fragments(output, creds.values())
        # Sorted by app, then field: both are typo-check/listener's; recovery_… before rotation_….
        assert output.index("recovery_window_in_days must") < output.index("rotation_intervall_days")

    # Nothing was created: no secret in moto, and the stack holds no resource.
    from tests.aws_server import client

    names = [s["Name"] for s in client(moto_url, "secretsmanager").list_secrets()["SecretList"]]
    assert not [n for n in names if "typo-check" in n]
    assert "aws:" not in stack.export()
