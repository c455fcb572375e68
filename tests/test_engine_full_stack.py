"""Every feature at once, on Pulumi's real engine: this repository's program run by the CLI.

One stack for the whole module, in file order: an App with two accounts and an
OAuth 2.0 client, verified against the fake X, encrypted with a customer-managed
KMS key made in moto, replicated, with readers and bearer rotation; a second App
rotating its bearer with X's real host configured (the stand-in sends it to the
fake X, see ``tests/standin_aws/lambda_runner.py``); reminders with a new topic,
an e-mail subscription and alarms. AWS is moto behind the stand-in AWS plugin
(a test double), which runs the rotation Lambda itself when the rotation is
created, as Secrets Manager would (pulumi-aws rotates immediately by default).

Checked: everything lands in moto with the right values; each bearer was rotated
once (X invalidated the token it had handed out, AWSCURRENT holds the new one,
AWSPREVIOUS the placeholder Pulumi wrote); a second ``up`` changes nothing and
keeps the rotated bearers; replicas added and removed on existing secrets; the
reminder schedule, fired as EventBridge would, publishes to SNS and puts
metrics; ``refresh`` reports a change made by hand in moto and nothing else;
no fragment of any key in the state, the engine's output or the functions'
logs; destroy leaves each secret in its recovery window.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from components.aws_names import reminder_name
from components.monitoring import ROTATION_FAILURE_EVENTS
from tests.aws_server import REGION, client, reset
from tests.canaries import canary_client, canary_credentials, found_fragments
from tests.engine import Engine, Run, require_pulumi, stack_file_of, transcribe
from tests.fake_x import fake_x_server
from tests.standin_aws.lambda_runner import X_URL_ENV, LambdaRunner
from twitter_runtime.keys import ACCOUNT_FIELDS, APP_FIELDS, canonical_payload
from twitter_runtime.xapi import XApiClient, XAuthenticationError

STACK = "full"
ALICE, BOB, SOLO = "support/fleet/alice", "support/fleet/bob", "support/solo"
FLEET = "support/fleet"
KMS_ALIAS = "alias/twitter-secrets-full"
READER = "arn:aws:iam::123456789012:role/fleet-reader"
SOLO_READER = "arn:aws:iam::123456789012:role/solo-reader"
EMAIL = "team@example.com"
TODAY = datetime.now(UTC).date()
#: With the default 90-day interval: the fleet's keys are due in 10 days (within warn_days, 14), Solo's in 90.
FLEET_ISSUED = (TODAY - timedelta(days=80)).isoformat()
SOLO_ISSUED = TODAY.isoformat()
#: Every reminder name derives from the stack (the local backend's organization, the project, the stack)
#: and its region, so two stacks that share an environment never collide.
STACK_ID = f"organization/twitter-secrets/{STACK}"
REMINDERS = reminder_name(f"{STACK_ID}/us-east-1")
PLACEHOLDER = {"bearer_token": ""}

APP_KEYS = {
    **{k: v for k, v in canary_credentials(FLEET).items() if k in APP_FIELDS},
    **canary_client(FLEET),
}
TOKENS = {
    label: {k: v for k, v in canary_credentials(label, user_id=uid).items() if k in ACCOUNT_FIELDS}
    for label, uid in ((ALICE, "5550001"), (BOB, "5550002"))
}
SOLO_KEYS = canary_credentials(SOLO, user_id="5550003")
SECRETS = {FLEET: APP_KEYS, **TOKENS, SOLO: SOLO_KEYS}

#: Every AWS type the program registers with every feature on (and so the stand-in must serve).
AWS_TYPES = {
    "aws:secretsmanager/secret:Secret",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:secretsmanager/secretPolicy:SecretPolicy",
    "aws:secretsmanager/secretRotation:SecretRotation",
    "aws:iam/policy:Policy",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:lambda/function:Function",
    "aws:lambda/permission:Permission",
    "aws:sns/topic:Topic",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
}


def projects(x_url: str, west_key: str) -> dict[str, Any]:
    return {
        "support": {
            "access_tier": "basic",
            "owner": "team-support",
            "apps": {
                "fleet": {
                    "issued_at": FLEET_ISSUED,
                    "access_level": "read-write",
                    "verify": True,
                    "x_api_base_url": x_url,
                    "kms_key_id": KMS_ALIAS,
                    "replica_regions": ["us-west-2"],
                    # A customer-managed key on the primary needs one for each replica too.
                    "replica_kms_key_ids": {"us-west-2": west_key},
                    "bearer_rotation": 30,
                    "bearer_rotation_account": "alice",
                    "accounts": {
                        "alice": {"readers": [READER]},
                        "bob": {"owner": "bob-team", "tags": {"shift": "night"}},
                    },
                },
                # X's real host (the default): the stand-in's runner sends the Lambda to the fake X.
                "solo": {
                    "issued_at": SOLO_ISSUED,
                    "bearer_rotation": 30,
                    "replica_regions": ["us-west-2"],
                    "readers": [SOLO_READER],
                },
            },
        }
    }


def accept_every_key(fake_x: Any) -> None:
    """X knows the stack's App (with each account's tokens) and Solo, so `verify` passes."""
    for label in (ALICE, BOB):
        fake_x.add_credentials({**APP_KEYS, **TOKENS[label]}, username=label.rsplit("/", 1)[1])
    fake_x.add_credentials(SOLO_KEYS, username="solo")


def every_key() -> list[str]:
    """Every key of the stack: the App's (its OAuth 2.0 client included), each account's token pair, solo's."""
    return [*APP_KEYS.values(), *SOLO_KEYS.values(), *(v for t in TOKENS.values() for v in t.values())]


def leaked(text: str, extra: tuple[str, ...] = ()) -> list[str]:
    return found_fragments(text, [*every_key(), *extra])


class World:
    """The module's one stack, the fake X it verifies against, and what the steps saw."""

    def __init__(self, engine: Engine, work: Path, fake_x: Any, moto_url: str) -> None:
        self.engine, self.work, self.fake_x, self.moto_url = engine, work, fake_x, moto_url
        self.runs: dict[str, Run] = {}
        self.handed_out: dict[str, str] = {}  # app label -> the bearer X had handed out before the first up
        self.function_logs: list[str] = []
        self.key_arn = ""  # the customer-managed KMS key's ARN
        self.west_key_arn = ""  # the key of the fleet's replicas in us-west-2

    def run(self, step: str, verb: str, *argv: str) -> Run:
        result = self.engine.run(verb, *argv, cwd=self.work, stack=STACK)
        self.runs[step] = result
        return result

    def outputs(self) -> dict[str, Any]:
        return self.engine.stack_outputs(self.work, STACK)

    def aws(self, service: str, region: str = REGION) -> Any:
        return client(self.moto_url, service, region)


@pytest.fixture(scope="module")
def world(tmp_path_factory, moto_url):
    pulumi = require_pulumi()
    reset(moto_url)
    home = tmp_path_factory.mktemp("engine-full")
    with fake_x_server() as fake_x:
        accept_every_key(fake_x)
        engine = Engine(pulumi=pulumi, home=home, moto_url=moto_url)
        engine.env[X_URL_ENV] = fake_x.url  # the stand-in's Lambda runner: X's real host is the fake
        world = World(engine, engine.repository_project(home / "project"), fake_x, moto_url)
        # A customer-managed key, made the way a user makes one before pointing kms_key_id at it.
        kms = world.aws("kms")
        key = kms.create_key(Description="twitter-secrets full-stack test")["KeyMetadata"]
        kms.create_alias(AliasName=KMS_ALIAS, TargetKeyId=key["KeyId"])
        world.key_arn = key["Arn"]
        world.west_key_arn = world.aws("kms", "us-west-2").create_key(Description="replica key")[
            "KeyMetadata"
        ]["Arn"]
        # X hands each App a bearer before anything is deployed: the first rotation must invalidate it.
        x = XApiClient(fake_x.url)
        for label, keys in ((FLEET, APP_KEYS), (SOLO, SOLO_KEYS)):
            world.handed_out[label] = x.issue_bearer(keys["consumer_key"], keys["consumer_secret"])
        config = {
            "aws:region": "us-east-1",
            "twitter-secrets:projects": projects(fake_x.url, world.west_key_arn),
            "twitter-secrets:reminders": {
                "create": True,
                "emails": [EMAIL],
                "warn_days": 14,
                "alarms": True,
            },
        }
        engine.init_stack(world.work, STACK, config, SECRETS)
        yield world


def secret_arns(world: World) -> dict[str, str]:
    return world.outputs()["secretArns"]


def bearer_arns(world: World) -> dict[str, str]:
    apps = world.outputs()["twitterApps"]
    return {FLEET: apps[ALICE]["bearerSecretArn"], SOLO: apps[SOLO]["bearerSecretArn"]}


def stage_value(world: World, arn: str, stage: str) -> dict[str, Any]:
    return json.loads(
        world.aws("secretsmanager").get_secret_value(SecretId=arn, VersionStage=stage)["SecretString"]
    )


def stages(world: World, arn: str) -> dict[str, list[str]]:
    return {
        v["VersionId"]: sorted(v.get("VersionStages", []))
        for v in world.aws("secretsmanager").list_secret_version_ids(SecretId=arn)["Versions"]
    }


def resource_ops(result: Run) -> dict[str, set[str]]:
    """``Run.ops()`` without the providers, which the summary does not count."""
    return {name: ops for name, ops in result.ops().items() if not name.startswith("pulumi:providers:")}


def refreshed(result: Run) -> dict[str, str]:
    """``type::name`` -> what a refresh found (``same``, ``update``), from the engine's output
    events (its pre-events all say ``refresh``); providers left out."""
    found = {}
    for event in result.events:
        if "resOutputsEvent" in event:
            metadata = event["resOutputsEvent"]["metadata"]
            if not metadata["type"].startswith("pulumi:providers:"):
                found[f"{metadata['type']}::{metadata['urn'].rsplit('::', 1)[-1]}"] = metadata["op"]
    return found


def changed(result: Run) -> dict[str, set[str]]:
    return {name: ops for name, ops in resource_ops(result).items() if ops != {"same"}}


# --- the first up ---------------------------------------------------------------------------------


def test_up_deploys_every_type_the_program_registers(world):
    result = world.run("up", "up")
    ops = resource_ops(result)
    types = {name.split("::", 1)[0] for name in ops}
    assert {t for t in types if t.startswith("aws:")} == AWS_TYPES
    assert set(result.changes) == {"create"}
    assert result.changes["create"] == len(ops)
    assert all(op == {"create"} for op in ops.values())
    assert sorted(secret_arns(world)) == [ALICE, BOB, SOLO]


def test_each_secret_holds_its_keys_with_its_kms_key_replicas_and_readers(world):
    sm = world.aws("secretsmanager")
    arns = secret_arns(world)
    expected = {
        ALICE: {**APP_KEYS, **TOKENS[ALICE], "access_level": "read-write"},
        BOB: {**APP_KEYS, **TOKENS[BOB], "access_level": "read-write"},
        SOLO: SOLO_KEYS,
    }
    for label, keys in expected.items():
        described = sm.describe_secret(SecretId=arns[label])
        assert described["Name"] == f"twitter/{STACK}/{label}"
        assert sm.get_secret_value(SecretId=arns[label], VersionStage="AWSCURRENT")[
            "SecretString"
        ] == canonical_payload(keys)
        assert [r["Region"] for r in described["ReplicationStatus"]] == ["us-west-2"]
        assert described.get("KmsKeyId") == (KMS_ALIAS if label != SOLO else None)
        tags = {t["Key"]: t["Value"] for t in described["Tags"]}
        assert (tags["twitter:environment"], tags["managed-by"]) == (STACK, "pulumi")
    bob_tags = {t["Key"]: t["Value"] for t in sm.describe_secret(SecretId=arns[BOB])["Tags"]}
    assert (bob_tags["owner"], bob_tags["shift"], bob_tags["twitter:account"]) == ("bob-team", "night", "bob")
    west = world.aws("secretsmanager", "us-west-2")
    assert west.get_secret_value(SecretId=f"twitter/{STACK}/{SOLO}")["SecretString"] == canonical_payload(
        SOLO_KEYS
    )
    # Readers: Alice's and Solo's secrets carry a resource policy naming exactly their reader.
    for label, reader in ((ALICE, READER), (SOLO, SOLO_READER)):
        policy = json.loads(sm.get_resource_policy(SecretId=arns[label])["ResourcePolicy"])
        principals = json.dumps(policy)
        assert reader in principals and (READER if reader == SOLO_READER else SOLO_READER) not in principals
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId=arns[BOB])
    # The read policy decrypts with the key's ARN, which the getKey invoke resolved from the alias.
    outputs = world.outputs()
    iam = world.aws("iam")
    read_policy = iam.get_policy(PolicyArn=outputs["readPolicyArns"][ALICE])["Policy"]
    document = iam.get_policy_version(PolicyArn=read_policy["Arn"], VersionId=read_policy["DefaultVersionId"])
    statements = document["PolicyVersion"]["Document"]["Statement"]
    assert any(world.key_arn in json.dumps(s) and "kms:Decrypt" in json.dumps(s) for s in statements)
    # verify: true ran against the fake X for both accounts, which reported who they are.
    apps = outputs["twitterApps"]
    assert (apps[ALICE]["verifiedUsername"], apps[BOB]["verifiedUsername"]) == ("alice", "bob")
    assert {s.path for s in world.fake_x.seen if s.authorized} >= {"/2/users/me"}


def test_rotation_functions_roles_and_rotation_are_configured(world):
    lambda_ = world.aws("lambda")
    sm = world.aws("secretsmanager")
    arns, bearers = secret_arns(world), bearer_arns(world)
    for label, credentials_arn, x_url in (
        (FLEET, arns[ALICE], world.fake_x.url),
        (SOLO, arns[SOLO], "https://api.x.com"),  # as deployed for users; the runner redirects it
    ):
        name = f"twitter-{STACK}-{label.replace('/', '-')}-rotation"
        config = lambda_.get_function(FunctionName=name)["Configuration"]
        assert config["Environment"]["Variables"] == {
            "CREDENTIALS_SECRET_ARN": credentials_arn,
            "X_API_BASE_URL": x_url,
        }
        assert (config["Handler"], config["Timeout"]) == ("handler.lambda_handler", 300)
        policy = json.loads(lambda_.get_policy(FunctionName=name)["Policy"])
        (statement,) = policy["Statement"]
        assert statement["Principal"] == {"Service": "secretsmanager.amazonaws.com"}
        assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == bearers[label]
        described = sm.describe_secret(SecretId=bearers[label])
        assert described["RotationEnabled"] is True
        assert described["RotationLambdaARN"] == config["FunctionArn"]
        assert described["RotationRules"]["AutomaticallyAfterDays"] == 30
        assert [r["Region"] for r in described["ReplicationStatus"]] == ["us-west-2"]


def test_reminders_topic_subscription_schedule_and_alarms_exist(world):
    sns, events, cloudwatch = world.aws("sns"), world.aws("events"), world.aws("cloudwatch")
    topic = world.outputs()["reminderTopicArn"]
    assert topic.endswith(f":{REMINDERS}")
    (subscription,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", EMAIL)
    rule = events.describe_rule(Name=REMINDERS)
    assert (rule["ScheduleExpression"], rule["State"]) == ("rate(1 day)", "ENABLED")
    (target,) = events.list_targets_by_rule(Rule=REMINDERS)["Targets"]
    function = world.aws("lambda").get_function(FunctionName=REMINDERS)["Configuration"]
    assert target["Arn"] == function["FunctionArn"]
    assert function["Environment"]["Variables"] == {
        "TOPIC_ARN": topic,
        "STACK": STACK_ID,
        "WARN_DAYS": "14",
        "METRIC_NAMESPACE": "TwitterSecrets",
    }
    alarms = [
        a
        for a in cloudwatch.describe_alarms(AlarmNamePrefix=REMINDERS)["MetricAlarms"]
        if a["MetricName"] == "DaysUntilRotationDue"
    ]
    assert sorted(a["AlarmName"] for a in alarms) == sorted(
        f"{REMINDERS}-{label.replace('/', '-')}" for label in (ALICE, BOB, SOLO)
    )
    for alarm in alarms:
        assert (alarm["Threshold"], alarm["ComparisonOperator"], alarm["AlarmActions"]) == (
            14.0,
            "LessThanOrEqualToThreshold",
            [topic],
        )
        assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]}["Environment"] == STACK


def test_failures_page_the_topic_and_each_function_logs_only_to_its_own_group(world):
    """Issue 22: Errors alarms, RotationFailed rules, program-made log groups, the bearer's policy."""
    topic = world.outputs()["reminderTopicArn"]
    cloudwatch, events, logs, iam = (
        world.aws("cloudwatch"),
        world.aws("events"),
        world.aws("logs"),
        world.aws("iam"),
    )
    functions = [f"twitter-{STACK}-{label.replace('/', '-')}-rotation" for label in (FLEET, SOLO)] + [
        REMINDERS
    ]
    for function in functions:
        (alarm,) = cloudwatch.describe_alarms(AlarmNames=[f"{function}-errors"])["MetricAlarms"]
        assert (alarm["Namespace"], alarm["MetricName"], alarm["TreatMissingData"]) == (
            "AWS/Lambda",
            "Errors",
            "notBreaching",
        )
        assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": function}]
        assert alarm["AlarmActions"] == [topic]  # the reminders topic, by default
        (group,) = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{function}")["logGroups"]
        assert group["retentionInDays"] == 365
        role = function  # each function's role has the function's name
        assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []  # no logs on "*"
        document = iam.get_role_policy(RoleName=role, PolicyName=f"{function}-logs")["PolicyDocument"]
        (statement,) = document["Statement"]
        assert statement["Resource"] == f"{group['arn'].removesuffix(':*')}:*"
    bearers = bearer_arns(world)
    rules = [r for r in events.list_rules()["Rules"] if r.get("EventPattern")]
    patterns = {
        json.loads(r["EventPattern"])["detail"]["additionalEventData"]["SecretId"][0]: r for r in rules
    }
    assert set(patterns) == set(bearers.values())
    for rule in patterns.values():
        assert json.loads(rule["EventPattern"])["detail"]["eventName"] == list(ROTATION_FAILURE_EVENTS)
        (target,) = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
        assert target["Arn"] == topic
    policy = json.loads(world.aws("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    publishers = next(s for s in policy["Statement"] if s["Sid"] == "AlarmsAndRulesOfThisAccountPublish")
    assert publishers["Principal"] == {"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]}
    # The fleet's bearer secret is guarded like its keys: Alice (the anchor) names the reader.
    sm = world.aws("secretsmanager")
    guarded = json.loads(sm.get_resource_policy(SecretId=bearers[FLEET])["ResourcePolicy"])
    assert READER in json.dumps(guarded)
    read = iam.get_policy(PolicyArn=world.outputs()["readPolicyArns"][ALICE])["Policy"]
    document = iam.get_policy_version(PolicyArn=read["Arn"], VersionId=read["DefaultVersionId"])
    assert bearers[FLEET] in json.dumps(document["PolicyVersion"]["Document"])
    # Each replica's key, as the engine sent it to the provider (moto keeps no replica's key).
    state = json.loads(world.engine.cli("stack", "export", "--stack", STACK, cwd=world.work).stdout)
    replicas = {
        r["urn"].rsplit("::", 1)[-1]: r["inputs"]["replicas"]
        for r in state["deployment"]["resources"]
        if r["type"] == "aws:secretsmanager/secret:Secret" and "fleet" in r["urn"]
    }
    assert replicas == {
        name: [{"kmsKeyId": world.west_key_arn, "region": "us-west-2"}]
        for name in ("support/fleet/alice-secret", "support/fleet/bob-secret", "support/fleet-bearer")
    }


def test_the_immediate_rotation_replaced_each_bearer_once(world):
    bearers = bearer_arns(world)
    keys = {FLEET: APP_KEYS, SOLO: SOLO_KEYS}
    for label, arn in bearers.items():
        new = stage_value(world, arn, "AWSCURRENT")["bearer_token"]
        old = world.handed_out[label]
        # X invalidated the token it had handed out and now knows the new one as the App's.
        assert new and new != old
        assert world.fake_x.current_bearer(keys[label]["consumer_key"]) == new
        assert old in world.fake_x.invalidated_at
        XApiClient(world.fake_x.url).check_bearer(new)
        with pytest.raises(XAuthenticationError):
            XApiClient(world.fake_x.url).check_bearer(old)
        # AWSPREVIOUS is the one version Pulumi wrote: the placeholder, still carrying its own label.
        assert stage_value(world, arn, "AWSPREVIOUS") == PLACEHOLDER
        assert sorted(map(sorted, stages(world, arn).values())) == [
            ["AWSCURRENT"],
            ["AWSPREVIOUS", "TWITTER_SECRETS_INITIAL"],
        ]
    assert len(world.fake_x.calls("POST", "/oauth2/invalidate_token")) == 2  # one per App, once


def test_second_up_changes_nothing_and_keeps_the_rotated_bearers(world):
    before = {
        label: (stages(world, arn), stage_value(world, arn, "AWSCURRENT"))
        for label, arn in bearer_arns(world).items()
    }
    result = world.run("again", "up", "--expect-no-changes")
    assert set(result.changes) == {"same"}
    assert result.changes["same"] == len(resource_ops(world.runs["up"]))
    after = {
        label: (stages(world, arn), stage_value(world, arn, "AWSCURRENT"))
        for label, arn in bearer_arns(world).items()
    }
    assert after == before
    assert len(world.fake_x.calls("POST", "/oauth2/invalidate_token")) == 2  # no second rotation


def test_replicas_move_on_existing_secrets_without_replacing_them(world):
    arns_before, bearers_before = secret_arns(world), bearer_arns(world)
    rotated = stage_value(world, bearers_before[SOLO], "AWSCURRENT")
    path = "twitter-secrets:projects.support.apps.solo.replica_regions[0]"
    world.engine.cli("config", "set", "--path", path, "eu-west-1", "--stack", STACK, cwd=world.work)
    result = world.run("replicas", "up")
    ops = changed(result)
    assert all(op == {"update"} for op in ops.values()), ops
    assert {name.split("::", 1)[0] for name in ops} >= {"aws:secretsmanager/secret:Secret"}
    assert secret_arns(world) == arns_before and bearer_arns(world) == bearers_before
    sm = world.aws("secretsmanager")
    for arn in (arns_before[SOLO], bearers_before[SOLO]):
        assert [r["Region"] for r in sm.describe_secret(SecretId=arn)["ReplicationStatus"]] == ["eu-west-1"]
    name = f"twitter/{STACK}/{SOLO}"
    assert world.aws("secretsmanager", "eu-west-1").describe_secret(SecretId=name)["Name"] == name
    assert name not in [
        s["Name"] for s in world.aws("secretsmanager", "us-west-2").list_secrets()["SecretList"]
    ]
    # The fleet's replicas are untouched, and Solo's bearer is still the rotated one.
    assert [r["Region"] for r in sm.describe_secret(SecretId=arns_before[ALICE])["ReplicationStatus"]] == [
        "us-west-2"
    ]
    assert stage_value(world, bearers_before[SOLO], "AWSCURRENT") == rotated


# --- what runs later, on AWS's own schedule ---------------------------------------------------------


def test_the_scheduled_reminder_publishes_to_sns_and_puts_metrics(world):
    topic = world.outputs()["reminderTopicArn"]
    sqs, sns = world.aws("sqs"), world.aws("sns")
    queue = sqs.create_queue(QueueName="reminder-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "false"}
    )
    runner = LambdaRunner(lambda service: client(world.moto_url, service), world.moto_url)
    (run,) = runner.fire_rule(REMINDERS)  # what EventBridge does once a day
    world.function_logs.append(run.logs)
    assert run.result["checked"] == 3
    assert sorted(run.result["reminded"]) == [ALICE, BOB]  # due in 10 days; Solo's in 90
    messages = []
    while batch := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        messages += [json.loads(m["Body"]) for m in batch]
        sqs.delete_message_batch(
            QueueUrl=queue,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
    assert sorted(m["Subject"] for m in messages) == sorted(
        f"X keys of {label} ({STACK}) due in 10 days" for label in (ALICE, BOB)
    )
    assert all(m["TopicArn"] == topic for m in messages)
    metrics = world.aws("cloudwatch").list_metrics(
        Namespace="TwitterSecrets", MetricName="DaysUntilRotationDue"
    )
    apps = sorted({d["Value"] for m in metrics["Metrics"] for d in m["Dimensions"] if d["Name"] == "App"})
    assert apps == sorted([ALICE, BOB, SOLO])
    now = datetime.now(UTC)
    for label, days in ((ALICE, 10), (SOLO, 90)):
        points = world.aws("cloudwatch").get_metric_statistics(
            Namespace="TwitterSecrets",
            MetricName="DaysUntilRotationDue",
            Dimensions=[{"Name": "Environment", "Value": STACK}, {"Name": "App", "Value": label}],
            StartTime=now - timedelta(hours=1),
            EndTime=now + timedelta(hours=1),
            Period=3600,
            Statistics=["Minimum"],
        )["Datapoints"]
        assert [p["Minimum"] for p in points] == [float(days)]


def test_a_forced_rotation_failure_reaches_the_topic_and_the_retry_heals(world):
    """X fails the invalidation on every attempt: the rotation fails, Secrets Manager's RotationFailed
    event (played by the stand-in's runner, as CloudTrail and EventBridge deliver it) reaches the topic
    through the program's rule, and the reattempt of the same version rotates."""
    topic = world.outputs()["reminderTopicArn"]
    sqs, sns, sm = world.aws("sqs"), world.aws("sns"), world.aws("secretsmanager")
    queue = sqs.create_queue(QueueName="oncall-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    bearer = bearer_arns(world)[SOLO]
    function = sm.describe_secret(SecretId=bearer)["RotationLambdaARN"]
    before = stage_value(world, bearer, "AWSCURRENT")
    runner = LambdaRunner(
        lambda service: client(world.moto_url, service), world.moto_url, x_url=world.fake_x.url
    )
    token = "5f2b8a3e-0d1c-4c55-9a57-0d9e4a1b2c3d"
    sm.put_secret_value(
        SecretId=bearer, ClientRequestToken=token, SecretString="{}", VersionStages=["AWSPENDING"]
    )
    world.fake_x.fail("POST", "/oauth2/invalidate_token", 503, {"title": "Service Unavailable"}, times=3)
    with pytest.raises(Exception, match="stopped at createSecret"):
        runner.rotate(bearer, function, token)
    assert stage_value(world, bearer, "AWSCURRENT") == before  # nothing was invalidated
    delivered = runner.rotation_event(bearer, "RotationFailed")
    assert delivered == [topic]
    (message,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    body = json.loads(json.loads(message["Body"])["Message"])
    assert body["detail"]["eventName"] == "RotationFailed"
    assert body["detail"]["additionalEventData"]["SecretId"] == bearer
    assert leaked(message["Body"], (before["bearer_token"],)) == []
    runner.rotate(bearer, function, token)  # Secrets Manager reattempts the same version
    after = stage_value(world, bearer, "AWSCURRENT")["bearer_token"]
    assert after != before["bearer_token"] and world.fake_x.current_bearer(SOLO_KEYS["consumer_key"]) == after


# --- refresh ----------------------------------------------------------------------------------------


def test_refresh_reports_a_change_made_by_hand_and_nothing_else(world):
    # What AWS itself did since the last up (the rotations moved AWSCURRENT off each bearer's
    # placeholder) is read into the state, and reported as nothing: those stages are ignore_changes.
    settled = world.run("refresh", "refresh")
    assert {n: op for n, op in refreshed(settled).items() if op != "same"} == {}
    assert settled.changes == {"same": len(resource_ops(world.runs["up"]))}
    state = json.loads(world.engine.cli("stack", "export", "--stack", STACK, cwd=world.work).stdout)
    initial = [
        r["outputs"]["versionStages"]
        for r in state["deployment"]["resources"]
        if r["type"] == "aws:secretsmanager/secretVersion:SecretVersion"
        and r["urn"].endswith("-bearer-initial")
    ]
    # The fleet's bearer rotated once (its placeholder is AWSPREVIOUS); Solo's twice (the forced
    # failure's retry), so its placeholder keeps only its own label.
    assert sorted(initial) == [["AWSPREVIOUS", "TWITTER_SECRETS_INITIAL"], ["TWITTER_SECRETS_INITIAL"]]
    # Then a tag and a function's description changed by hand in AWS: refresh reports exactly those two.
    arns = secret_arns(world)
    world.aws("secretsmanager").tag_resource(SecretId=arns[BOB], Tags=[{"Key": "shift", "Value": "day"}])
    world.aws("lambda").update_function_configuration(FunctionName=REMINDERS, Description="edited by hand")
    result = world.run("refresh-drift", "refresh")
    drifted = {name: op for name, op in refreshed(result).items() if op != "same"}
    assert drifted == {
        "aws:secretsmanager/secret:Secret::support/fleet/bob-secret": "update",
        "aws:lambda/function:Function::rotation-reminders-function": "update",
    }
    assert result.changes == {"same": len(resource_ops(world.runs["up"])) - 2, "update": 2}
    # The next up puts back what the program says, and touches nothing else.
    repaired = world.run("repair", "up")
    assert changed(repaired) == {name: {"update"} for name in drifted}
    tags = {
        t["Key"]: t["Value"] for t in world.aws("secretsmanager").describe_secret(SecretId=arns[BOB])["Tags"]
    }
    assert tags["shift"] == "night"
    description = world.aws("lambda").get_function(FunctionName=REMINDERS)["Configuration"]["Description"]
    assert description == f"Reminds owners before the X keys of {STACK_ID} are due for rotation"


# --- secrets stay secret, and destroy ------------------------------------------------------------------


def test_no_key_fragment_in_the_state_the_engine_output_or_the_functions_logs(world):
    exported = world.engine.cli("stack", "export", "--stack", STACK, cwd=world.work).stdout
    bearers = tuple(
        stage_value(world, arn, "AWSCURRENT")["bearer_token"] for arn in bearer_arns(world).values()
    )
    # The bearers are X's secrets too: Pulumi never reads them, so the state cannot hold them.
    assert leaked(exported, bearers + tuple(world.handed_out.values())) == []
    stack_file = stack_file_of(world.work, STACK)
    assert leaked(stack_file.read_text()) == []
    assert leaked("".join(world.engine.outputs), bearers) == []
    # Every run the stand-in made as AWS would (both rotations' four steps), as CloudWatch Logs would
    # keep it; the reminder run the test fired is in world.function_logs.
    logs = world.engine.lambda_logs()
    rotations = {f"twitter-{STACK}-{label.replace('/', '-')}-rotation" for label in bearer_arns(world)}
    assert set(logs) == rotations
    # Four steps each, as the stand-in ran them on deploy (the forced failure ran in the test's own
    # process, whose runner keeps no log file).
    assert all(logs[name].count("\n== ") + logs[name].startswith("== ") == 4 for name in rotations)
    assert world.function_logs and leaked("".join(world.function_logs), bearers) == []
    assert leaked("".join(logs.values()), bearers) == []
    transcribe(
        f"full-stack state scan: pulumi stack export, {len(exported)} characters; "
        f"{len(every_key())} canary keys and {len(bearers)} rotated bearers, every 10-character fragment "
        "searched in the export, the stack file, the engine's output and the functions' logs: none found\n"
    )


def test_destroy_removes_everything_and_leaves_each_secret_recoverable(world):
    arns = [*secret_arns(world).values(), *bearer_arns(world).values()]
    topic = world.outputs()["reminderTopicArn"]
    result = world.run("destroy", "destroy")
    assert set(result.changes) == {"delete"}
    sm = world.aws("secretsmanager")
    for arn in arns:
        scheduled = sm.describe_secret(SecretId=arn)["DeletedDate"]
        days = (scheduled - datetime.now(UTC)).total_seconds() / 86400
        assert 29.9 < days <= 30, arn
    assert world.aws("lambda").list_functions()["Functions"] == []
    assert world.aws("cloudwatch").describe_alarms()["MetricAlarms"] == []
    assert world.aws("events").list_rules()["Rules"] == []
    assert world.aws("logs").describe_log_groups()["logGroups"] == []  # the program's log groups go too
    assert topic not in [t["TopicArn"] for t in world.aws("sns").list_topics()["Topics"]]
    assert [r["RoleName"] for r in world.aws("iam").list_roles()["Roles"]] == []
