"""Every Python snippet in the README runs: Pulumi programs under the mock engine, service code
against moto's server (X's API answered by `responses`), so no snippet can rot unnoticed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses

from tests.aws_server import aws_env, client, reset
from tests.canaries import canary_credentials, fragments
from tests.doc_blocks import blocks
from tests.harness import STACK_REFERENCES, run_program
from twitter_runtime import canonical_payload

ROOT = Path(__file__).resolve().parents[1]
#: Every Python block of the README and docs/ (tests/doc_blocks.py).
SNIPPETS = [b.text for b in blocks("python")]
CREDS = canary_credentials("brand-monitoring/listener", user_id="4040")
ARNS = {
    "secretArns": {
        "brand-monitoring/listener": "arn:aws:secretsmanager:us-east-1:123456789012:secret:l-AbCdEf"
    },
    "readPolicyArns": {
        "brand-monitoring/listener": "arn:aws:iam::123456789012:policy/twitter-secrets/l-read"
    },
}
#: What each Pulumi snippet must register (by a line only it has), beside the stack.
PROGRAMS = {
    'pulumi.export("listenerSecretArn", listener_arn)': set(),
    'aws.iam.RolePolicyAttachment("read-twitter"': {
        "aws:iam/role:Role",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    },
    "aws.lambda_.Function(": {
        "aws:iam/role:Role",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:lambda/function:Function",
    },
    "listener.kubernetes_external_secret(": {
        "twitter-secrets:index:TwitterAppCredentials",
        "kubernetes:external-secrets.io/v1:ExternalSecret",
    },
    '"support-bot",': {"twitter-secrets:index:TwitterAppCredentials"},
}
#: Snippets run whole on the real engine elsewhere: the Python program of another team's project,
#: through the SDK `pulumi package add` generates (tests/test_engine_plugin.py runs it as is).
ON_THE_ENGINE = {"import twitter_secrets_twitter_secrets": "tests/test_engine_plugin.py"}
SERVICES = (
    "tweepy.Client(",
    "call_with_refresh(arn",
    "load_bearer_token(bearer_arn)",
    "ecs_secrets(secret_arn)",
)


def kind(snippet: str) -> str:
    found = [m for m in (*PROGRAMS, *SERVICES, *ON_THE_ENGINE) if m in snippet]
    assert len(found) == 1, f"a README snippet this test does not know (add it here):\n{snippet[:300]}"
    return found[0]


def test_every_snippet_is_known_and_each_known_one_is_in_the_readme():
    assert sorted(kind(s) for s in SNIPPETS) == sorted((*PROGRAMS, *SERVICES, *ON_THE_ENGINE))
    for marker, module in ON_THE_ENGINE.items():
        assert marker in (ROOT / module).read_text()  # the module picks the snippet by this line


@pytest.mark.parametrize("marker", list(PROGRAMS))
def test_pulumi_snippets_run_under_the_mock_engine(marker, tmp_path, monkeypatch):
    (snippet,) = [s for s in SNIPPETS if marker in s]
    program = tmp_path / "__main__.py"
    program.write_text(snippet)
    monkeypatch.setitem(STACK_REFERENCES, "organization/twitter-secrets/dev", ARNS)
    config = {
        **{
            f"twitter-secrets:{name}": CREDS[field]
            for name, field in (
                ("apiKey", "consumer_key"),
                ("apiKeySecret", "consumer_secret"),
                ("accessToken", "access_token"),
                ("accessTokenSecret", "access_token_secret"),
            )
        },
        "twitter-secrets:listener": CREDS,
    }
    result = run_program(config, main=program, secret_keys=tuple(config))
    assert result.error is None, result.error
    assert PROGRAMS[marker] <= {r.type for r in result.registrations}
    if marker == "listener.kubernetes_external_secret(":
        (external,) = result.of_type("kubernetes:external-secrets.io/v1:ExternalSecret")
        assert external.inputs["metadata"] == {
            "name": "twitter-brand-monitoring-listener",
            "namespace": "social",
        }
        assert external.inputs["spec"]["secretStoreRef"] == {
            "name": "aws-secrets-manager",
            "kind": "SecretStore",
        }
    if marker == "aws.lambda_.Function(":
        (function,) = result.of_type("aws:lambda/function:Function")
        assert (
            function.inputs["environment"]["variables"]["TWITTER_SECRET_ARN"]
            == ARNS["secretArns"]["brand-monitoring/listener"]
        )


@pytest.mark.parametrize("marker", SERVICES)
def test_service_snippets_run_against_moto(marker, moto_url, monkeypatch, capsys):
    (snippet,) = [s for s in SNIPPETS if marker in s]
    reset(moto_url)
    sm = client(moto_url, "secretsmanager")
    arn = sm.create_secret(
        Name="twitter/dev/brand-monitoring/listener", SecretString=canonical_payload(CREDS)
    )["ARN"]
    bearer = sm.create_secret(
        Name="twitter/dev/brand-monitoring/listener/bearer",
        SecretString=json.dumps({"bearer_token": "AAAA" + "b" * 40}),
    )["ARN"]
    for key, value in {
        **aws_env(moto_url),
        "TWITTER_SECRET_ARN": arn,
        "TWITTER_BEARER_SECRET_ARN": bearer,
    }.items():
        monkeypatch.setenv(key, value)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as x:
        x.add(responses.GET, "https://api.x.com/2/users/me", json={"data": {"id": "4040", "username": "bot"}})
        x.add(responses.GET, "https://api.x.com/2/tweets/20", json={"data": {"id": "20", "text": "hi"}})
        x.add_passthru(moto_url)
        namespace: dict = {}
        exec(compile(snippet, f"README snippet ({marker})", "exec"), namespace)
    printed = capsys.readouterr().out
    assert [f for v in CREDS.values() for f in fragments(v.split("-", 1)[-1]) if f in printed] == []
    if marker == "tweepy.Client(":
        assert namespace["client"].consumer_key == CREDS["consumer_key"]
    if marker == "call_with_refresh(arn":
        assert namespace["response"].status_code == 200 and "TwitterCredentials(fingerprint=" in printed
    if marker == "load_bearer_token(bearer_arn)":
        assert namespace["response"].status_code == 200
    if marker == "ecs_secrets(secret_arn)":
        assert "'name': 'TWITTER_CONSUMER_KEY'" in printed
