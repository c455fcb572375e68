"""The mock-monitor runner the tests share with ``python -m components plan``."""

from twitter_secrets_cli.mock_engine import (  # noqa: F401 - re-exported for the tests
    ACCOUNT,
    MAIN,
    REGION,
    SECRET_SIG,
    SIG_KEY,
    STACK_REFERENCES,
    ProgramRun,
    Registration,
    _fake_state,
    fake_key_arn,
    is_wrapped_secret,
    run_program,
    unwrap_secret,
)
