"""The rotation reminder Lambda against moto's server: Secrets Manager, SNS (read through an SQS
subscription) and CloudWatch. It reminds for what is overdue or due soon, in this environment and
for secrets this project manages only, and never reads a secret's value."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest

from reminders import handler

TODAY = date(2026, 11, 29)
STACK = "organization/twitter-secrets/prod"
TAGS = {"managed-by": "pulumi", "twitter:environment": "prod", "twitter:stack": STACK, "owner": "team-social"}


def tags(**extra):
    return [{"Key": k, "Value": v} for k, v in {**TAGS, **extra}.items()]


@pytest.fixture
def world(aws):
    sm, sns, sqs, cw = aws("secretsmanager"), aws("sns"), aws("sqs"), aws("cloudwatch")
    topic = sns.create_topic(Name="reminders")["TopicArn"]
    queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "false"}
    )

    def secret(name, **extra):
        return sm.create_secret(Name=name, SecretString="{}", Tags=tags(**extra))["ARN"]

    arns = {
        "late": secret(
            "twitter/prod/p/late",
            **{"twitter:project": "p", "twitter:app": "late", "rotation:due-at": "2026-11-20"},
        ),
        "soon": secret(
            "twitter/prod/p/soon",
            **{"twitter:project": "p", "twitter:app": "soon", "rotation:due-at": "2026-12-04"},
        ),
        "later": secret(
            "twitter/prod/p/later",
            **{"twitter:project": "p", "twitter:app": "later", "rotation:due-at": "2027-03-01"},
        ),
    }
    # Not ours to remind about: another stack (in the same environment), a secret another tool manages,
    # a bearer secret.
    sm.create_secret(
        Name="twitter/dev/p/late",
        SecretString="{}",
        Tags=tags(
            **{
                "twitter:stack": "organization/other-stack/prod",
                "twitter:project": "p",
                "twitter:app": "late",
                "rotation:due-at": "2026-11-01",
            }
        ),
    )
    sm.create_secret(
        Name="other/thing", SecretString="{}", Tags=[{"Key": "rotation:due-at", "Value": "2026-11-01"}]
    )
    sm.create_secret(
        Name="twitter/prod/p/late/bearer",
        SecretString="{}",
        Tags=tags(**{"twitter:project": "p", "twitter:app": "late"}),
    )
    return {"sm": sm, "sns": sns, "sqs": sqs, "cw": cw, "topic": topic, "queue": queue, "arns": arns}


def run(world, **overrides):
    calls = []
    world["sm"].meta.events.register(
        "before-call.secretsmanager.*", lambda model, **_: calls.append(model.name)
    )
    result = handler.run(
        world["sm"],
        world["sns"],
        world["cw"],
        topic_arn=world["topic"],
        warn_days=14,
        namespace="TwitterSecrets",
        **{"today": TODAY, "stack": STACK, **overrides},
    )
    return result, calls


def received(world):
    messages = []
    while True:
        batch = (
            world["sqs"].receive_message(QueueUrl=world["queue"], MaxNumberOfMessages=10).get("Messages", [])
        )
        if not batch:
            return messages
        for m in batch:
            messages.append(json.loads(m["Body"]))
            world["sqs"].delete_message(QueueUrl=world["queue"], ReceiptHandle=m["ReceiptHandle"])


def test_one_message_per_app_overdue_or_due_soon_and_nothing_else(world):
    result, calls = run(world)
    assert result == {"stack": STACK, "checked": 3, "reminded": ["p/late", "p/soon"], "datapoints": 3}
    messages = {m["Subject"]: m["Message"] for m in received(world)}
    assert sorted(messages) == [
        "X keys of p/late (prod) overdue by 9 days",
        "X keys of p/soon (prod) due in 5 days",
    ]
    body = messages["X keys of p/soon (prod) due in 5 days"]
    for line in (
        "App:         p/soon",
        "Owner:       team-social",
        "Due:         2026-12-04",
        f"Secret:      {world['arns']['soon']}",
        "Developer portal > Projects & Apps > p > soon > Keys and tokens",
        "pulumi config set --secret --path 'twitter-secrets:credentials[\"p/soon\"].<field>'",
        "then run: pulumi up",
    ):
        assert line in body
    assert set(calls) == {"ListSecrets"}  # never GetSecretValue, not even DescribeSecret


def test_a_datapoint_per_app_for_charts_and_alarms(world):
    run(world)
    metrics = world["cw"].list_metrics(Namespace="TwitterSecrets", MetricName="DaysUntilRotationDue")[
        "Metrics"
    ]
    apps = sorted(next(d["Value"] for d in m["Dimensions"] if d["Name"] == "App") for m in metrics)
    assert apps == ["p/late", "p/later", "p/soon"]
    assert all({"Name": "Environment", "Value": "prod"} in m["Dimensions"] for m in metrics)
    stats = world["cw"].get_metric_statistics(
        Namespace="TwitterSecrets",
        MetricName="DaysUntilRotationDue",
        Dimensions=[{"Name": "Environment", "Value": "prod"}, {"Name": "App", "Value": "p/late"}],
        StartTime=time.time() - 3600,
        EndTime=time.time() + 3600,
        Period=3600,
        Statistics=["Minimum"],
    )
    assert [p["Minimum"] for p in stats["Datapoints"]] == [-9.0]


def test_a_second_run_the_same_day_sends_again_and_changes_nothing_else(world):
    before = {a: world["sm"].describe_secret(SecretId=arn) for a, arn in world["arns"].items()}
    run(world)
    run(world)
    assert len(received(world)) == 4  # the same two reminders, twice
    after = {a: world["sm"].describe_secret(SecretId=arn) for a, arn in world["arns"].items()}
    for app in before:
        assert after[app]["VersionIdsToStages"] == before[app]["VersionIdsToStages"]
        assert after[app]["Tags"] == before[app]["Tags"]


def test_a_thousand_apps_in_one_run(aws):
    sm, cw, sns = aws("secretsmanager"), aws("cloudwatch"), aws("sns")
    topic = sns.create_topic(Name="big")["TopicArn"]
    for i in range(1000):
        sm.create_secret(
            Name=f"twitter/prod/p/app{i}",
            Tags=tags(
                **{
                    "twitter:project": "p",
                    "twitter:app": f"app{i}",
                    "rotation:due-at": "2027-06-01" if i % 100 else "2026-12-01",
                }
            ),
        )
    calls = []
    cw.meta.events.register("before-call.cloudwatch.PutMetricData", lambda **_: calls.append(1))
    started = time.monotonic()
    result = handler.run(
        sm,
        sns,
        cw,
        topic_arn=topic,
        stack=STACK,
        warn_days=14,
        namespace="TwitterSecrets",
        today=TODAY,
    )
    elapsed = time.monotonic() - started
    assert result["checked"] == 1000 and len(result["reminded"]) == 10
    assert len(calls) == 50  # batched: 20 datapoints a call
    assert elapsed < 120, (
        elapsed
    )  # well inside the function's 300 s (moto on loopback; AWS is slower per call)


def test_each_account_of_an_app_gets_its_own_metric_alarm_and_steps(world):
    """The tags the program writes for an App with accounts, read by the Lambda: the labels it
    publishes are exactly the alarm dimensions the program registered."""
    from tests.harness import run_program
    from tests.test_accounts import config as accounts_config

    program = run_program(
        accounts_config(
            defaults={"environment": "prod"}, reminders={"topic_arn": world["topic"], "alarms": True}
        )
    )
    assert program.error is None, program.error
    alarms = [
        a for a in program.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if a.name.endswith("-alarm")
    ]
    alarmed = sorted(next(d for k, d in a.inputs["dimensions"].items() if k == "App") for a in alarms)
    assert alarmed == ["support/fleet/alice", "support/fleet/bob", "support/solo"]
    for secret in program.of_type("aws:secretsmanager/secret:Secret"):
        tags = [{"Key": k, "Value": v} for k, v in secret.inputs["tags"].items()]
        world["sm"].create_secret(Name=secret.inputs["name"], SecretString="{}", Tags=tags)
    result, _ = run(
        world, today=date(2026, 12, 25), stack="organization/twitter-secrets/dev"
    )  # the program's stack
    metrics = world["cw"].list_metrics(Namespace="TwitterSecrets", MetricName="DaysUntilRotationDue")[
        "Metrics"
    ]
    published = {next(d["Value"] for d in m["Dimensions"] if d["Name"] == "App") for m in metrics}
    assert set(alarmed) <= published
    assert "support/fleet/alice" in result["reminded"] and "support/fleet/bob" not in result["reminded"]
    body = next(
        m["Message"]
        for m in received(world)
        if m["Subject"].startswith("X keys of support/fleet/alice (prod)")
    )
    assert "twitter-secrets authorize --app support/fleet/alice --stack <stack>" in body
    assert (
        "pulumi config set --secret --path 'twitter-secrets:credentials[\"support/fleet\"].<field>'" in body
    )
    assert "accounts.alice.issued_at under support/fleet" in body
