"""bearer_rotation under mocks, and the rotation Lambda's deterministic archive."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from components import lambda_package
from components.policies import assume_role_document
from tests.canaries import canary_credentials
from tests.conftest import PROJECTS, make_config
from tests.harness import fake_key_arn, is_wrapped_secret, run_program, unwrap_secret
from twitter_runtime import InvalidInputError

PROGRAM = Path(__file__).parent / "programs" / "direct_component.py"
CREDS = canary_credentials("support/bot")


def run(**overrides):
    args = {
        "project": "support",
        "app": "bot",
        "owner": "team",
        "issued_at": "2026-01-01",
        **CREDS,
        **overrides,
    }
    return run_program({"test:args": args}, secret_keys=(), main=PROGRAM)


def by_type(result, type_):
    return {r.name: r for r in result.of_type(type_)}


@pytest.fixture(scope="module")
def rotated():
    result = run(bearer_rotation_days=30)
    assert result.error is None, result.error
    return result


def test_bearer_secrets_own_version_never_asks_for_awscurrent(rotated):
    (secret,) = [r for r in rotated.of_type("aws:secretsmanager/secret:Secret") if r.name == "my-app-bearer"]
    assert secret.inputs["name"] == "twitter/dev/support/bot/bearer"
    assert secret.inputs["recoveryWindowInDays"] == 30
    assert secret.inputs["tags"]["rotation:strategy"] == "automatic"
    assert secret.inputs["tags"]["rotation:schedule"] == "30"
    initial = by_type(rotated, "aws:secretsmanager/secretVersion:SecretVersion")["my-app-bearer-initial"]
    assert is_wrapped_secret(initial.inputs["secretString"])
    assert json.loads(unwrap_secret(initial.inputs["secretString"])) == {"bearer_token": ""}
    assert initial.inputs["versionStages"] == [
        "TWITTER_SECRETS_INITIAL"
    ]  # never AWSCURRENT when written again
    # rotation owns the value after the first write, and AWS the stages it adds (AWSCURRENT, AWSPREVIOUS)
    assert initial.ignore_changes == ["secretString", "versionStages"]


def test_every_named_rotation_resource_has_an_explicit_name_aws_accepts(rotated):
    role = by_type(rotated, "aws:iam/role:Role")["my-app-rotation-role"]
    policy = by_type(rotated, "aws:iam/rolePolicy:RolePolicy")["my-app-rotation-access"]
    function = by_type(rotated, "aws:lambda/function:Function")["my-app-rotation"]
    assert role.inputs["name"] == "twitter-dev-support-bot-rotation"
    assert policy.inputs["name"] == "twitter-dev-support-bot-rotation"
    assert function.inputs["name"] == "twitter-dev-support-bot-rotation"
    assert len(function.inputs["description"]) <= 256


def test_rotation_role_has_exactly_the_protocols_actions(rotated):
    role = by_type(rotated, "aws:iam/role:Role")["my-app-rotation-role"]
    assert json.loads(role.inputs["assumeRolePolicy"]) == assume_role_document("lambda.amazonaws.com")
    policy = by_type(rotated, "aws:iam/rolePolicy:RolePolicy")["my-app-rotation-access"]
    document = json.loads(policy.inputs["policy"])
    assert document["Statement"][0]["Resource"].startswith(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:twitter/dev/support/bot/bearer-"
    )
    bearer_arn = document["Statement"][0]["Resource"]
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "RotateTheBearerToken",
                "Effect": "Allow",
                "Action": [
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage",
                ],
                "Resource": bearer_arn,
            },
            {
                "Sid": "ReadTheAppCredentials",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": rotated.outputs["arn"],
            },
        ],
    }


def test_lambda_function_and_permission(rotated):
    function = by_type(rotated, "aws:lambda/function:Function")["my-app-rotation"]
    assert function.inputs["runtime"] == "python3.12"
    assert function.inputs["handler"] == "handler.lambda_handler"
    assert function.inputs["timeout"] == 300
    assert function.inputs["environment"] == {
        "variables": {"CREDENTIALS_SECRET_ARN": rotated.outputs["arn"], "X_API_BASE_URL": "https://api.x.com"}
    }
    archive = Path(function.inputs["code"].path)
    assert archive.name.startswith("rotation-") and archive.exists()
    permission = by_type(rotated, "aws:lambda/permission:Permission")["my-app-rotation-invoke"]
    assert permission.inputs["principal"] == "secretsmanager.amazonaws.com"
    assert permission.inputs["action"] == "lambda:InvokeFunction"
    assert permission.inputs["sourceArn"].startswith(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:twitter/dev/support/bot/bearer-"
    )


def test_rotation_schedule_waits_for_the_first_versions_and_the_permission(rotated):
    rotation = by_type(rotated, "aws:secretsmanager/secretRotation:SecretRotation")["my-app-bearer-rotation"]
    assert rotation.inputs["rotationRules"] == {"automaticallyAfterDays": 30}
    urns = {r.name: r.urn for r in rotated.registrations}
    for needed in (
        "my-app-bearer-initial",
        "my-app-version",
        "my-app-rotation-invoke",
        "my-app-rotation-access",
    ):
        assert urns[needed] in rotation.dependencies


def test_schedule_expression_and_kms():
    result = run(bearer_rotation_schedule="rate(7 days)", kms_key_id="alias/twitter")
    assert result.error is None, result.error
    (rotation,) = result.of_type("aws:secretsmanager/secretRotation:SecretRotation")
    assert rotation.inputs["rotationRules"] == {"scheduleExpression": "rate(7 days)"}
    (policy,) = [
        p for p in result.of_type("aws:iam/rolePolicy:RolePolicy") if p.name.endswith("-rotation-access")
    ]
    statement = json.loads(policy.inputs["policy"])["Statement"][2]
    assert statement == {
        "Sid": "UseTheKeyOnlyThroughSecretsManager",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": fake_key_arn("alias/twitter"),
        "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}},
    }
    assert len([c for c in result.calls if c[0] == "aws:kms/getKey:getKey"]) == 1  # resolved once, used twice


@pytest.mark.parametrize("days", [0, 1001, True, 30.5, "30"])
def test_bad_rotation_days(days):
    result = run(bearer_rotation_days=days)
    assert isinstance(result.error, InvalidInputError)
    assert "bearer_rotation_days must be a whole number from 1 to 1000" in str(result.error)
    assert result.aws_resources == []


@pytest.mark.parametrize("schedule", ["every month", "rate(0 days)", "rate(1 hour)", "rate(1001 days)", 30])
def test_bad_schedule(schedule):
    result = run(bearer_rotation_schedule=schedule)
    assert isinstance(result.error, InvalidInputError)
    assert "bearer_rotation_schedule must be a schedule such as 'rate(30 days)'" in str(result.error)
    assert result.aws_resources == []


def test_days_and_schedule_together_are_refused():
    result = run(bearer_rotation_days=30, bearer_rotation_schedule="rate(30 days)")
    assert "give bearer_rotation_days or bearer_rotation_schedule, not both" in str(result.error)
    assert result.aws_resources == []


def test_no_rotation_by_default():
    result = run()
    assert result.of_type("aws:lambda/function:Function") == []
    assert result.of_type("aws:secretsmanager/secretRotation:SecretRotation") == []


# --- the archive -------------------------------------------------------------------------------


def test_archive_is_byte_identical_across_builds(tmp_path):
    first = lambda_package.archive_bytes(lambda_package.archive_files())
    second = lambda_package.archive_bytes(lambda_package.archive_files())
    assert first == second
    built = lambda_package.build_rotation_archive.__wrapped__(tmp_path)
    assert built.read_bytes() == first


def test_archive_changes_when_the_code_does():
    files = lambda_package.archive_files()
    before = lambda_package.archive_bytes(files)
    files["handler.py"] += b"\n# a change\n"
    assert lambda_package.archive_bytes(files) != before


def test_archive_contents(tmp_path):
    path = lambda_package.build_rotation_archive.__wrapped__(tmp_path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        infos = archive.infolist()
    assert names == sorted(names)
    assert "handler.py" in names and "twitter_runtime/xapi.py" in names
    assert "requests_oauthlib/oauth1_auth.py" in names and "oauthlib/__init__.py" in names
    assert not [n for n in names if n.endswith((".pyc", ".so")) or "__pycache__" in n]
    assert not [
        n for n in names if n.split("/")[0] in ("pulumi", "pulumi_aws", "boto3", "botocore", "components")
    ]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert lambda_package.missing_dependencies() == []


def test_handler_imports_from_the_archive_without_pulumi(tmp_path):
    path = lambda_package.build_rotation_archive.__wrapped__(tmp_path / "build")
    task = tmp_path / "task"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(task)
    code = (
        f"import sys; sys.path.insert(0, {str(task)!r}); import handler, requests, requests_oauthlib, charset_normalizer;"
        f"assert all(m.__file__.startswith({str(task)!r}) for m in (handler, requests, requests_oauthlib, charset_normalizer));"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'pulumi'], 'pulumi imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)


@pytest.mark.parametrize("schedule", ["rate(4 hours)", "rate(1000 days)", "cron(0 4 1 * ? *)"])
def test_good_schedules(schedule):
    assert run(bearer_rotation_schedule=schedule).error is None


@pytest.mark.parametrize("days", [1, 1000, 30.0])
def test_good_rotation_days(days):
    assert run(bearer_rotation_days=days).error is None


def test_free_tier_cannot_rotate():
    result = run(bearer_rotation_days=30, access_tier="free")
    assert "bearer rotation needs an access tier with GET /2/tweets" in str(result.error)
    assert result.aws_resources == []


def test_bad_keys_register_no_rotation_resources_either():
    result = run(bearer_rotation_days=30, consumer_secret="not valid!")
    assert result.error is not None
    assert result.aws_resources == []


def test_deny_other_readers_never_locks_out_the_rotation_function():
    reader, admin = "arn:aws:iam::123456789012:role/reader", "arn:aws:iam::123456789012:role/admin"
    result = run(bearer_rotation_days=30, readers=[reader], deny_other_readers=True, admin_principals=[admin])
    assert result.error is None, result.error
    policies = {p.name: p for p in result.of_type("aws:secretsmanager/secretPolicy:SecretPolicy")}
    rotation_role = "arn:aws:iam::123456789012:role/twitter-dev-support-bot-rotation"
    for name in ("my-app-policy", "my-app-bearer-policy"):  # the keys' secret and the bearer's
        exempt = json.loads(policies[name].inputs["policy"])["Statement"][1]["Condition"]["ArnNotEquals"][
            "aws:PrincipalArn"
        ]
        assert exempt == sorted([reader, admin, rotation_role])


def test_stack_file_shorthand_bearer_rotation_and_its_layers():
    # The stack file keeps `bearer_rotation` (days or a schedule); an app's own setting replaces the default's.
    projects = copy.deepcopy(PROJECTS)
    projects["brand-monitoring"]["apps"]["responder"]["bearer_rotation"] = "rate(7 days)"
    projects["research"]["apps"]["archive"]["bearer_rotation"] = False
    result = run_program(make_config(projects, defaults={"bearer_rotation": 30}))
    assert result.error is None, result.error
    rules = {
        r.name: r.inputs["rotationRules"]
        for r in result.of_type("aws:secretsmanager/secretRotation:SecretRotation")
    }
    assert rules == {
        "brand-monitoring/listener-bearer-rotation": {"automaticallyAfterDays": 30},
        "brand-monitoring/responder-bearer-rotation": {"scheduleExpression": "rate(7 days)"},
    }


def test_the_bearer_secret_is_replicated_where_the_keys_are():
    result = run(bearer_rotation_days=30, replica_regions=["eu-west-1", "ap-southeast-2"])
    assert result.error is None, result.error
    secrets = {r.name: r for r in result.of_type("aws:secretsmanager/secret:Secret")}
    assert (
        secrets["my-app-bearer"].inputs["replicas"]
        == secrets["my-app-secret"].inputs["replicas"]
        == [
            {"region": "eu-west-1"},
            {"region": "ap-southeast-2"},
        ]
    )


@pytest.mark.parametrize(
    ("app", "expected"),
    [
        (
            {"bearer_rotation": 30, "bearer_rotation_days": 60},
            "brand-monitoring/listener: give bearer_rotation or",
        ),
        ({"bearer_rotation": True}, "brand-monitoring/listener: bearer_rotation must be a number of days"),
        ({"bearer_rotation": [30]}, "brand-monitoring/listener: bearer_rotation must be a number of days"),
    ],
)
def test_the_shorthand_beside_the_long_names_or_mistyped_is_refused(app, expected):
    projects = copy.deepcopy(PROJECTS)
    projects["brand-monitoring"]["apps"]["listener"].update(app)
    result = run_program(make_config(projects))
    assert expected in str(result.error)
    assert "bearer_rotation_days must" not in str(result.error)  # named as the user wrote it
    assert result.aws_resources == []
