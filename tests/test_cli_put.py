"""``twitter-secrets put`` against moto's server: the secrets come from the program itself
(``key_source: put``, applied to moto by the mocks), the keys from stdin.

What is shown: the value lands whole and is what the runtime loader reads; a re-run writes
nothing; earlier keys put back become AWSCURRENT again; a bad key, an unknown label, a
config-managed app or a secret pulumi up has not created writes nothing; no output carries a key.
"""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.canaries import canary_credentials, fragments
from tests.conftest import LABELS, PROJECTS, make_config
from tests.harness import run_program
from tests.moto_mocks import MotoMocks
from twitter_runtime.keys import canonical_payload, fingerprint
from twitter_runtime.loader import load_credentials
from twitter_secrets_cli import put as put_command
from twitter_secrets_cli.__init__ import main
from twitter_secrets_cli.put import version_id

LISTENER, ARCHIVE = "brand-monitoring/listener", "research/archive"


class TTYless(io.StringIO):
    def isatty(self) -> bool:
        return False


def put_config(projects: dict[str, Any] | None = None) -> dict[str, Any]:
    config = make_config(projects, defaults={"key_source": "put"})
    del config["twitter-secrets:credentials"]
    return config


@pytest.fixture
def project(tmp_path: Path, aws) -> Path:
    """A project folder whose dev stack puts every app's keys; pulumi up (the mocks on moto) has run."""
    config = put_config()
    run = run_program(config, mocks=MotoMocks(aws))
    assert run.error is None, run.error
    (tmp_path / "Pulumi.yaml").write_text("name: twitter-secrets\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))
    return tmp_path


def keys_for(*labels: str, user: int = 1000) -> dict[str, dict[str, str]]:
    return {label: canary_credentials(label, user_id=str(user + i)) for i, label in enumerate(labels)}


def put(project: Path, aws, given: Any, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = ["put", "--stack", "dev", "--project-dir", str(project), *argv]
    import argparse

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    put_command.add_parser(sub)
    status = put_command.run(
        parser.parse_args(args),
        out,
        err,
        stdin=TTYless(given if isinstance(given, str) else json.dumps(given)),
        client=aws("secretsmanager"),
    )
    return status, out.getvalue(), err.getvalue()


def current(aws, label: str) -> tuple[str, str]:
    # By stage: moto 5.2.5 answers a bare GetSecretValue with the version it last wrote, not the one
    # UpdateSecretVersionStage made AWSCURRENT (AWS answers with AWSCURRENT).
    answer = aws("secretsmanager").get_secret_value(
        SecretId=f"twitter/dev/{label}", VersionStage="AWSCURRENT"
    )
    return answer["VersionId"], answer["SecretString"]


def assert_no_key(text: str, given: dict[str, dict[str, str]]) -> None:
    for fields in given.values():
        for value in fields.values():
            for piece in fragments(value.split("-", 1)[-1]):
                assert piece not in text


def test_put_writes_every_app_and_the_loader_reads_it(project, aws):
    given = keys_for(*LABELS)
    status, out, err = put(project, aws, given)
    assert status == 0, err
    for label in LABELS:
        version, value = current(aws, label)
        assert value == canonical_payload(given[label])
        assert version == version_id(fingerprint(value))
        assert f"{label}: written (fingerprint {fingerprint(value)})" in out
    assert "put: 3 written of 3" in out
    loaded = load_credentials(f"twitter/dev/{ARCHIVE}", client=aws("secretsmanager"), max_age_seconds=0)
    assert loaded.access_token == given[ARCHIVE]["access_token"]
    assert_no_key(out + err, given)


def test_a_rerun_writes_nothing(project, aws):
    given = keys_for(*LABELS)
    assert put(project, aws, given)[0] == 0
    before = {label: current(aws, label) for label in LABELS}
    status, out, _ = put(project, aws, given)
    assert status == 0 and "put: 3 unchanged of 3" in out
    assert {label: current(aws, label) for label in LABELS} == before
    versions = aws("secretsmanager").list_secret_version_ids(SecretId=f"twitter/dev/{LISTENER}")["Versions"]
    assert len(versions) == 1


def test_earlier_keys_put_back_become_current_again(project, aws):
    first, second = keys_for(LISTENER), keys_for(LISTENER, user=5000)
    status, _, err = put(project, aws, first[LISTENER], "--app", LISTENER)
    assert status == 0, err
    old_version, _ = current(aws, LISTENER)
    assert put(project, aws, second[LISTENER], "--app", LISTENER)[0] == 0
    assert current(aws, LISTENER)[1] == canonical_payload(second[LISTENER])
    status, out, _ = put(project, aws, first[LISTENER], "--app", LISTENER)
    assert status == 0 and f"{LISTENER}: restored" in out
    assert current(aws, LISTENER) == (old_version, canonical_payload(first[LISTENER]))


def test_one_app_with_app_flag_takes_its_fields(project, aws):
    given = keys_for(ARCHIVE)
    status, out, _ = put(project, aws, given[ARCHIVE], "--app", ARCHIVE)
    assert status == 0 and "put: 1 written of 1" in out
    assert current(aws, ARCHIVE)[1] == canonical_payload(given[ARCHIVE])
    with pytest.raises(aws("secretsmanager").exceptions.ResourceNotFoundException):
        current(aws, LISTENER)  # the others are untouched: still no value


def test_a_bad_key_in_one_app_writes_none(project, aws):
    given = keys_for(*LABELS)
    given[ARCHIVE]["access_token"] = "CnryNoUserIdPrefixAtAllHere0123"
    status, _, err = put(project, aws, given)
    assert status == 1
    assert f"{ARCHIVE}: access_token is not in the form" in err and "nothing was written" in err
    for label in LABELS:
        with pytest.raises(aws("secretsmanager").exceptions.ResourceNotFoundException):
            current(aws, label)
    assert_no_key(err, given)


def test_an_unknown_label_is_named_by_position_and_nothing_is_written(project, aws):
    given = keys_for(LISTENER)
    given["CnryPastedKey0123456789abcdefghij"] = given[LISTENER]
    status, _, err = put(project, aws, given)
    assert status == 1
    assert "entry #2 (in the order given) names no app of this stack" in err
    assert "CnryPastedKey" not in err
    with pytest.raises(aws("secretsmanager").exceptions.ResourceNotFoundException):
        current(aws, LISTENER)


def stack_folder(tmp_path: Path, config: dict[str, Any]) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: twitter-secrets\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))
    return tmp_path


def test_a_config_managed_app_is_refused(tmp_path, aws):
    projects = copy.deepcopy(PROJECTS)
    projects["research"]["apps"]["archive"]["key_source"] = "put"  # the others take theirs from config
    folder = stack_folder(tmp_path, {**put_config(projects), "twitter-secrets:defaults": {}})
    status, _, err = put(folder, aws, keys_for(LISTENER))
    assert status == 1
    assert f"{LISTENER}: its key_source is config" in err
    status, _, err = put(folder, aws, keys_for(LISTENER)[LISTENER], "--app", LISTENER)
    assert status == 1 and f"put: {LISTENER}: its key_source is config" in err


def test_a_secret_pulumi_up_has_not_created_writes_nothing(tmp_path, aws):
    status, _, err = put(stack_folder(tmp_path, put_config()), aws, keys_for(LISTENER))
    assert status == 1
    assert f"no secret written by put for {LISTENER} (run pulumi up first" in err


def test_a_stack_config_problem_is_reported_and_nothing_is_written(tmp_path, aws):
    projects = copy.deepcopy(PROJECTS)
    projects["research"]["apps"]["archive"]["rotation_interval_days"] = 0
    status, _, err = put(stack_folder(tmp_path, put_config(projects)), aws, keys_for(LISTENER))
    assert status == 1
    assert f"{ARCHIVE}: rotation_interval_days must be a whole number from 1 to 1000" in err


def test_stdin_that_is_not_json_is_refused_without_echo(project, aws):
    secret = canary_credentials(LISTENER)["consumer_secret"]
    status, _, err = put(project, aws, f"consumer_secret={secret}")
    assert status == 2 and "stdin is not one JSON object (line 1, column 1)" in err
    assert secret[:10] not in err


def test_the_command_is_on_the_cli(capsys):
    assert main(["put", "--help"]) == 0
    assert "sops -d keys.json | twitter-secrets put" in " ".join(capsys.readouterr().out.split())


def test_live_audit_names_apps_without_keys_and_reports_put_fingerprints(aws, moto_url):
    from tests.test_cli_plan_audit import live

    run = run_program(put_config(), mocks=MotoMocks(aws))
    assert run.error is None, run.error
    given = keys_for(LISTENER)
    sm = aws("secretsmanager")
    payload = canonical_payload(given[LISTENER])
    sm.put_secret_value(
        SecretId=f"twitter/dev/{LISTENER}",
        SecretString=payload,
        ClientRequestToken=version_id(fingerprint(payload)),
    )
    sm.put_secret_value(SecretId=f"twitter/dev/{ARCHIVE}", SecretString=payload)  # not through put
    done = live(moto_url, run.outputs)
    assert done.returncode == 1
    rows = {r["app"]: r for r in json.loads(done.stdout)}
    assert rows[LISTENER]["drift"] == [] and rows[LISTENER]["fingerprint"] == fingerprint(payload)
    assert rows["brand-monitoring/responder"]["drift"] == [
        "no keys yet: write them with twitter-secrets put --stack <stack> --app brand-monitoring/responder"
    ]
    assert rows[ARCHIVE]["drift"] == [
        "AWSCURRENT was not written by twitter-secrets put (changed outside it?)"
    ]
    assert_no_key(done.stdout + done.stderr, given)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("", "stdin is empty"),
        ("  \n", "stdin is empty"),
        ("[1, 2]", "stdin must hold one JSON object"),
        ("1" * 5000, "stdin is not one JSON object of text fields"),
    ],
)
def test_unusable_stdin_is_exit_2_and_named(project, aws, given, expected):
    status, _, err = put(project, aws, given)
    assert status == 2 and expected in err


def test_an_entry_that_is_not_an_object_or_has_non_text_fields_writes_nothing(project, aws):
    status, _, err = put(
        project, aws, {LISTENER: None, ARCHIVE: {**keys_for(ARCHIVE)[ARCHIVE], "consumer_key": 7}}
    )
    assert status == 1
    assert f"{LISTENER}: give an object of its fields" in err
    with pytest.raises(aws("secretsmanager").exceptions.ResourceNotFoundException):
        current(aws, ARCHIVE)


def test_an_unknown_app_label_is_named_before_any_key_is_asked_for(project, aws):
    status, _, err = put(project, aws, "never read", "--app", "research/archiv")
    assert status == 1 and "put: research/archiv is not an app of this stack" in err


ACCOUNTS_PROJECTS = {
    "support": {
        "owner": "team",
        "apps": {"fleet": {"issued_at": "2026-09-01", "accounts": {"alice": {}, "bob": {}}}},
    }
}


def accounts_keys() -> dict[str, dict[str, str]]:
    app = canary_credentials("support/fleet", user_id="41")
    alice, bob = (
        canary_credentials(f"support/fleet/{a}", user_id=u) for a, u in (("alice", "42"), ("bob", "43"))
    )
    return {
        "support/fleet": {k: app[k] for k in ("consumer_key", "consumer_secret")},
        **{
            f"support/fleet/{name}": {k: keys[k] for k in ("access_token", "access_token_secret")}
            for name, keys in (("alice", alice), ("bob", bob))
        },
    }


@pytest.fixture
def accounts_project(tmp_path: Path, aws) -> Path:
    config = put_config(ACCOUNTS_PROJECTS)
    run = run_program(config, mocks=MotoMocks(aws))
    assert run.error is None, run.error
    return stack_folder(tmp_path, config)


def test_an_app_with_accounts_is_put_with_the_apps_keys_shared(accounts_project, aws):
    given = accounts_keys()
    status, out, err = put(accounts_project, aws, given)
    assert status == 0, err
    assert "put: 2 written of 2" in out
    for account in ("alice", "bob"):
        value = json.loads(current(aws, f"support/fleet/{account}")[1])
        assert value["consumer_key"] == given["support/fleet"]["consumer_key"]
        assert value["access_token"] == given[f"support/fleet/{account}"]["access_token"]


def test_an_app_with_accounts_needs_them_all_and_not_its_own_label(accounts_project, aws):
    given = accounts_keys()
    del given["support/fleet/bob"]
    status, _, err = put(accounts_project, aws, given)
    assert status == 1
    assert (
        "support/fleet: give every account of this App together" in err and "missing support/fleet/bob" in err
    )
    status, _, err = put(accounts_project, aws, "never read", "--app", "support/fleet")
    assert (
        status == 1 and "support/fleet has several accounts (support/fleet/alice, support/fleet/bob)" in err
    )


def test_plan_shows_a_put_stack_without_placeholder_keys(tmp_path):
    from tests.test_cli_plan_audit import cli

    path = tmp_path / "Pulumi.big.yaml"
    path.write_text(yaml.safe_dump({"config": put_config()}))
    done = cli("plan", "--stack", "big", "--config-file", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "+ aws:secretsmanager/secret:Secret  research/archive-secret" in done.stdout
    assert "aws:secretsmanager/secretVersion:SecretVersion" not in done.stdout
