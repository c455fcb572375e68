"""`plan` on typos: it ends (no loop), names the setting, and reads the stack file as Pulumi does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAD = """config:
  aws:region: us-east-1
  twitter-secrets:projects:
    p:
      owner: team
      apps:
        a:
          issued_at: "2026-09-01"
"""


def plan(tmp_path, text, *extra):
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text(text)
    return subprocess.run(
        [sys.executable, "-m", "twitter_secrets_cli", "plan", "--config-file", str(stack), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,  # a loop fails the test here instead of hanging the suite
    )


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            "kms_key_id: 1234",
            "p/a: kms_key_id must be a KMS key ARN, key ID, alias ARN or 'alias/<name>' (text, quoted in YAML), or an Output of one; not a number",
        ),
        ("kms_key_id: true", "p/a: kms_key_id must be a KMS key ARN"),
        (
            "readers: [{a: 1}]",
            "p/a: readers[0] must be an IAM principal ARN (text, such as arn:aws:iam::123456789012:role/my-service), not a mapping",
        ),
        (
            "readers: [123456789012]\n          deny_other_readers: true\n          admin_principals: [arn:aws:iam::123456789012:role/admin]",
            "p/a: readers[0] must be an IAM principal ARN (text, such as arn:aws:iam::123456789012:role/my-service), not a number",
        ),
        (
            "readers: [null]",
            "p/a: readers[0] must be an IAM principal ARN (text, such as arn:aws:iam::123456789012:role/my-service), not nothing (null)",
        ),
    ],
)
def test_mistyped_settings_end_with_the_setting_named(tmp_path, setting, expected):
    done = plan(tmp_path, HEAD + f"          {setting}\n")
    assert done.returncode == 1, done.stdout + done.stderr
    assert expected in done.stdout
    assert "Traceback" not in done.stdout + done.stderr and "TypeError" not in done.stdout


def test_an_unquoted_date_is_the_text_the_user_wrote(tmp_path):
    done = plan(tmp_path, HEAD.replace('"2026-09-01"', "2026-09-01"), "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    secret = next(
        r for r in json.loads(done.stdout)["resources"] if r["type"] == "aws:secretsmanager/secret:Secret"
    )
    assert secret["inputs"]["tags"]["rotation:issued-at"] == "2026-09-01"


def test_a_key_given_twice_is_refused_as_pulumi_refuses_it(tmp_path):
    done = plan(tmp_path, HEAD + '          issued_at: "2026-10-01"\n')
    assert done.returncode == 2
    assert "the key 'issued_at' appears twice (line 9); Pulumi refuses such a file" in done.stderr


def test_the_root_cause_walk_stops_on_a_cycle():
    from twitter_runtime import InvalidInputError
    from twitter_secrets_cli.plan import _root_error

    looping = TypeError("serialization")
    looping.__context__ = looping  # what Pulumi's serializer produced
    assert _root_error(looping) is looping
    wrapped = RuntimeError("outer")
    wrapped.__cause__ = InvalidInputError(["p/a: bad"])
    assert isinstance(_root_error(wrapped), InvalidInputError)


def test_scalars_are_read_by_yaml_1_2_as_pulumi_reads_them():
    from twitter_secrets_cli.stack_file import load_stack_yaml

    assert load_stack_yaml("a: no\nb: on\nc: 010\nd: 1:30\ne: 2026-09-01\nf: true\ng: 30\nh: yes\n") == {
        "a": "no",
        "b": "on",
        "c": 10,
        "d": "1:30",
        "e": "2026-09-01",
        "f": True,
        "g": 30,
        "h": "yes",
    }


def test_an_owner_named_no_stays_text_in_the_plan(tmp_path):
    done = plan(tmp_path, HEAD.replace("owner: team", "owner: no"), "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    secret = next(
        r for r in json.loads(done.stdout)["resources"] if r["type"] == "aws:secretsmanager/secret:Secret"
    )
    assert secret["inputs"]["tags"]["owner"] == "no"


def test_a_list_as_a_key_is_unusable_input_not_a_traceback(tmp_path):
    done = plan(tmp_path, HEAD + "          ? [1, 2]\n          : x\n")
    assert done.returncode == 2 and "not valid YAML" in done.stderr and "Traceback" not in done.stderr
