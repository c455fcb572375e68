"""Issue 23 (part): the stack config's size against the one environment string Pulumi's Python host
passes it in. Warned well before the 128 KiB limit, with the apps that fit and what to do; plan
refuses a stack past it instead of a bare 'argument list too long' from pulumi up."""

from __future__ import annotations

import json

from components.config_size import (
    ENV_STRING_MAX,
    PUT_BYTES_PER_APP,
    apps_that_fit,
    capacity_problem,
    config_env_bytes,
)
from tests.canaries import canary_credentials
from tests.harness import run_program
from tests.test_cli_plan_audit import assert_no_canary, cli


def stack(apps: int, *, name: str = "app") -> dict:
    """One project of ``apps`` apps with their canary keys, as the stack file and secrets hold them."""
    names = [f"{name}{i:04d}" for i in range(apps)]
    projects = {"social": {"owner": "team", "apps": {n: {"issued_at": "2026-09-01"} for n in names}}}
    credentials = {
        f"social/{n}": canary_credentials(f"social/{n}", user_id=str(10_000 + i)) for i, n in enumerate(names)
    }
    return {
        "aws:region": "us-east-1",
        "twitter-secrets:projects": projects,
        "twitter-secrets:credentials": credentials,
    }


def test_the_size_is_that_of_the_environment_string():
    config = {"aws:region": "us-east-1", "twitter-secrets:projects": json.dumps({"p": {"apps": {"a": {}}}})}
    by_hand = 'PULUMI_CONFIG={"aws:region":"us-east-1","twitter-secrets:projects":"{\\"p\\":{\\"apps\\":{\\"a\\":{}}}}"}'
    assert config_env_bytes(config) == len(by_hand) + 1  # and its NUL
    assert (
        config_env_bytes({"x": "é"}) == len('PULUMI_CONFIG={"x":"é"}'.encode()) + 1
    )  # UTF-8 bytes, not characters, as Go writes them
    # Go escapes HTML characters: each of < & > takes six bytes.
    assert config_env_bytes({"x": "<&>"}) == len('PULUMI_CONFIG={"x":"\\u003c\\u0026\\u003e"}') + 1


def test_about_three_hundred_and_eighty_short_named_apps_fit():
    used = config_env_bytes(stack(100))
    assert 300 < used / 100 < 400  # bytes per app with short names, keys included
    assert 330 <= apps_that_fit(used, 100) <= 420


def test_no_warning_while_there_is_room():
    assert capacity_problem(config_env_bytes(stack(50)), 50) is None


def test_a_warning_from_sixty_percent_names_the_apps_that_fit_and_what_to_do():
    used = config_env_bytes(stack(260))
    assert 0.6 * ENV_STRING_MAX <= used < ENV_STRING_MAX
    message = capacity_problem(used, 260)
    assert message is not None
    assert f"about {apps_that_fit(used, 260)} apps fit in one stack and this one has 260" in message
    assert "one per X Project" in message and "PULUMI_CONFIG" in message


def test_the_program_warns_and_still_deploys():
    config = stack(260)
    result = run_program(config, secret_keys=("twitter-secrets:credentials",))
    assert result.error is None, result.error
    (warning,) = [w for w in result.warnings() if "PULUMI_CONFIG" in w]
    assert "this one has 260" in warning
    assert_no_canary(warning, config["twitter-secrets:credentials"])


def test_plan_refuses_a_stack_past_the_limit_in_one_clear_message(tmp_path):
    config = stack(420)
    creds = config.pop("twitter-secrets:credentials")
    path = tmp_path / "Pulumi.big.yaml"
    path.write_text(json.dumps({"config": config}))
    done = cli(
        "plan",
        "--stack",
        "big",
        "--config-file",
        str(path),
        env={"TWITTER_SECRETS_CREDENTIALS": json.dumps(creds)},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "pulumi up would fail before the program starts" in done.stdout
    assert "this one has 420" in done.stdout and "argument list too long" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert_no_canary(done.stdout + done.stderr, creds)


def put_stack(apps: int) -> dict:
    """The same apps with key_source put: no keys in config at all."""
    config = stack(apps)
    del config["twitter-secrets:credentials"]
    config["twitter-secrets:defaults"] = {"key_source": "put"}
    return config


def test_with_key_source_put_a_short_named_app_takes_what_the_warning_says():
    used = config_env_bytes(put_stack(1000))
    assert PUT_BYTES_PER_APP - 5 <= used / 1000 <= PUT_BYTES_PER_APP
    assert apps_that_fit(used, 1000) >= 2800  # 1,000 apps take a third of the limit
    assert capacity_problem(used, 1000, keys_in_config=False) is None


def test_the_warning_points_a_config_stack_at_put_and_a_put_stack_at_splitting():
    used = config_env_bytes(stack(260))
    assert "set key_source: put in twitter-secrets:defaults" in (capacity_problem(used, 260) or "")
    put_warning = capacity_problem(used, 260, keys_in_config=False) or ""
    assert "key_source" not in put_warning and "one per X Project" in put_warning


def test_a_thousand_put_apps_run_without_a_warning():
    result = run_program(put_stack(1000))
    assert result.error is None, result.error
    assert not [w for w in result.warnings() if "PULUMI_CONFIG" in w]
    assert len(result.of_type("aws:secretsmanager/secret:Secret")) == 1000
