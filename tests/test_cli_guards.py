"""The operator CLI guards its input as carefully as the component does (issue 22, items 13 to 15).

``verify`` and ``authorize`` send the API Key pair to X: never over plain http to another machine.
``authorize --secret-arn`` reads the secret in the ARN's region. Bad input of every kind is one
line on stderr, exit 2 (usage or input errors), and never a traceback or a key.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.aws_server import aws_env, client
from tests.canaries import canary_credentials, found_fragments
from tests.test_cli_verify_authorize import authorize, cli, fake_pulumi  # noqa: F401 - a fixture, used by name
from twitter_runtime import canonical_payload

ROOT = Path(__file__).resolve().parents[1]
CREDS = canary_credentials("guards/listener", user_id="4455667788")
ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:twitter/dev/guards/listener-AbCdEf"
HTTPS_ONLY = "must use https (http only for 127.0.0.1 or localhost): the API Key pair travels in the request"


def assert_one_clean_line(done: subprocess.CompletedProcess[str], line: str) -> None:
    """Exit 2, exactly this one line on stderr, nothing on stdout, no traceback, no key."""
    assert (done.returncode, done.stderr, done.stdout) == (2, line + "\n", "")
    assert found_fragments(done.stdout + done.stderr, CREDS.values()) == []


class Trap:
    """A listener every plain-http request is routed to (as the HTTP proxy): what reaches it would
    have left this machine in clear text."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.received: list[bytes] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    self.received.append(conn.recv(65536))
                    conn.sendall(
                        b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                except OSError:
                    self.received.append(b"")

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.server.close()


@pytest.fixture
def trap() -> Iterator[Trap]:
    listener = Trap()
    yield listener
    listener.close()


def routed_env(moto_url: str, trap: Trap, **extra: str) -> dict[str, str]:
    """moto directly; any other http host through the trap."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
    proxies = {"http_proxy": trap.url, "HTTP_PROXY": trap.url, "no_proxy": "", "NO_PROXY": ""}
    return {**env, **aws_env(moto_url), **proxies, **extra}


@pytest.fixture
def stored(aws, fake_x) -> str:
    fake_x.add_credentials(CREDS, username="guardbot")
    sm = aws("secretsmanager")
    return sm.create_secret(Name="twitter/dev/guards/listener", SecretString=canonical_payload(CREDS))["ARN"]


# --- item 13: https for any host, http only for this machine ----------------------------------


@pytest.mark.parametrize("url", ["http://api.example.com", "http://10.0.0.1:8080"])
@pytest.mark.parametrize("given_by", ["--api-base-url", "X_API_BASE_URL"])
def test_verify_refuses_plain_http_to_another_host_before_connecting(
    stored, moto_url, fake_x, trap, url, given_by
):
    argv = ["verify", stored, *(["--api-base-url", url] if given_by == "--api-base-url" else [])]
    env = routed_env(moto_url, trap, **({"X_API_BASE_URL": url} if given_by == "X_API_BASE_URL" else {}))
    done = cli(*argv, env=env)
    assert_one_clean_line(done, f"verify: {given_by} {HTTPS_ONLY}")
    assert trap.received == [] and fake_x.seen == []  # nothing was sent anywhere


@pytest.mark.parametrize("url", ["http://api.example.com", "http://10.0.0.1:8080"])
def test_authorize_refuses_plain_http_before_the_flow(moto_url, fake_x, trap, fake_pulumi, url):  # noqa: F811
    bin_dir, log = fake_pulumi
    env = routed_env(
        moto_url,
        trap,
        TWITTER_CONSUMER_KEY=CREDS["consumer_key"],
        TWITTER_CONSUMER_SECRET=CREDS["consumer_secret"],
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    )
    done = cli(
        "authorize", "--app", "social/listener", "--stack", "dev", "--api-base-url", url, env=env, stdin=""
    )
    assert_one_clean_line(done, f"authorize: --api-base-url {HTTPS_ONLY}")
    assert trap.received == [] and fake_x.seen == []
    assert not log.exists()  # not even the stack was read


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_verify_over_http_to_this_machine_still_works(stored, moto_url, fake_x, trap, host):
    port = fake_x.url.rsplit(":", 1)[1]
    env = routed_env(moto_url, trap, no_proxy="127.0.0.1,localhost", NO_PROXY="127.0.0.1,localhost")
    done = cli("verify", stored, "--api-base-url", f"http://{host}:{port}", "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    assert [r["result"] for r in json.loads(done.stdout)] == ["ok"]
    assert fake_x.calls("GET", "/2/users/me") != [] and trap.received == []


def test_verify_with_a_host_and_no_scheme_is_one_line(stored, moto_url, fake_x):
    env = {**os.environ, **aws_env(moto_url)}
    done = cli("verify", stored, "--api-base-url", "api.x.com", env=env)
    assert_one_clean_line(
        done, "verify: --api-base-url must be an http(s) URL of the API host, such as https://api.x.com"
    )
    assert fake_x.seen == []


@pytest.mark.parametrize(
    "value",
    [
        "https://api.x.com",
        "https://api.x.com/",
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "http://api.example.com",
        "http://10.0.0.1:8080",
        "http://127.0.0.1.example.com",
        "http://[::1]:8080",
        "api.x.com",
        "https://api.x.com:70000",
        "https://api.x.com/2",
        "",
        5,
        None,
    ],
)
def test_the_cli_and_the_component_accept_the_same_hosts(value):
    """One rule (twitter_runtime.api_host): the CLI and the component say the same of every URL."""
    from components.value_checks import base_url
    from twitter_secrets_cli.api_host import base_url_problem

    problems: list[str] = []
    base_url(problems, "--api-base-url", value, None)
    assert [p for p in [base_url_problem("--api-base-url", value)] if p] == problems


# --- item 14: the ARN's region -----------------------------------------------------------------


def test_authorize_reads_the_secret_in_its_arns_region(aws, moto_url, fake_x, fake_pulumi):  # noqa: F811
    aws("secretsmanager")  # a clean account
    fake_x.add_credentials(CREDS, username="listenerbot")
    west = client(moto_url, "secretsmanager", region="us-west-2")
    arn = west.create_secret(Name="twitter/dev/social/listener", SecretString=canonical_payload(CREDS))["ARN"]
    assert ":us-west-2:" in arn and aws_env(moto_url)["AWS_DEFAULT_REGION"] == "us-east-1"
    code, out, err = authorize(
        moto_url,
        fake_x,
        "--app",
        "social/listener",
        "--secret-arn",
        arn,
        "--stack",
        "dev",
        path_prefix=fake_pulumi[0],
    )
    assert code == 0, err
    assert "Authorized @listenerbot (user id 4455667788)." in out
    # The fake X checks the OAuth 1.0a signature: the flow was signed with the us-west-2 secret's pair.
    assert [c.authorized for c in fake_x.calls("POST", "/oauth/request_token")] == [True]
    assert found_fragments(out + err, CREDS.values()) == []


# --- item 15: one line, exit 2, for each bad input --------------------------------------------


@pytest.mark.parametrize(
    "value", [5, ["arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf"], None]
)
def test_verify_stack_outputs_with_a_non_string_arn_is_one_line(moto_url, tmp_path, value):
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"secretArns": {"guards/listener": value}}))
    done = cli("verify", "--stack-outputs", str(outputs), env={**os.environ, **aws_env(moto_url)})
    assert_one_clean_line(
        done,
        f"verify: {outputs}: secretArns['guards/listener'] is not a Secrets Manager ARN; pass what "
        "`pulumi stack output --json` prints",
    )


def test_verify_stack_outputs_never_echoes_a_key_given_as_an_arn(moto_url, tmp_path):
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"secretArns": {CREDS["consumer_secret"]: CREDS["access_token_secret"]}}))
    done = cli("verify", "--stack-outputs", str(outputs), env={**os.environ, **aws_env(moto_url)})
    assert_one_clean_line(
        done,
        f"verify: {outputs}: secretArns entry #1 is not a Secrets Manager ARN; pass what "
        "`pulumi stack output --json` prints",
    )


STACK_WITH_NUMBERED_APPS = """\
config:
  aws:region: us-east-1
  twitter-secrets:projects:
    social:
      owner: team
      apps:
        1:
          issued_at: "2026-09-01"
        listener:
          issued_at: "2026-09-01"
"""


def test_plan_reads_numeric_app_keys_as_pulumi_does(tmp_path):
    """Pulumi turns a key that YAML reads as a number into its text (``1:`` is the app "1")."""
    path = tmp_path / "Pulumi.num.yaml"
    path.write_text(STACK_WITH_NUMBERED_APPS)
    done = cli("plan", "--config-file", str(path), "--format", "json", env=dict(os.environ))
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["outputs"]["twitterApps"] == ["social/1", "social/listener"]


def test_plan_refuses_a_key_that_is_a_fraction_in_one_line(tmp_path):
    path = tmp_path / "Pulumi.num.yaml"
    path.write_text(STACK_WITH_NUMBERED_APPS.replace("        1:", "        1.5:"))
    done = cli("plan", "--config-file", str(path), env=dict(os.environ))
    assert_one_clean_line(done, f"plan: {path}: the key 1.5 (line 7) is not text; quote it, e.g. '1.5':")


def test_plan_config_file_that_is_a_folder_is_one_line(tmp_path):
    done = cli("plan", "--config-file", str(tmp_path), env=dict(os.environ))
    assert_one_clean_line(
        done, f"plan: {tmp_path}: is a folder; give the stack config file (Pulumi.<stack>.yaml)"
    )


def test_plan_config_file_that_is_not_utf8_is_one_line(tmp_path):
    path = tmp_path / "Pulumi.latin1.yaml"
    path.write_bytes("config:\n  twitter-secrets:defaults:\n    owner: équipe\n".encode("latin-1"))
    done = cli("plan", "--config-file", str(path), env=dict(os.environ))
    assert_one_clean_line(done, f"plan: {path}: is not UTF-8 text; save it as UTF-8")


@pytest.mark.parametrize("value", [5, ["arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf"]])
def test_audit_live_with_a_non_string_bearer_arn_is_one_line(moto_url, value):
    entry = {
        "arn": ARN,
        "issuedAt": "2026-09-01",
        "rotationDueAt": "2027-09-01",
        "fingerprint": "0" * 16,
        "bearerSecretArn": value,
    }
    done = cli(
        "audit",
        "-",
        "--live",
        env={**os.environ, **aws_env(moto_url)},
        stdin=json.dumps({"twitterApps": {"guards/listener": entry}}),
    )
    assert_one_clean_line(done, "audit: guards/listener: bearerSecretArn is not an ARN")
