"""The accounts of one App carry one API Key pair and one OAuth 2.0 client.

Each account's secret may hold the whole set under its own label, so nothing made the accounts
agree: two API Key pairs, a stale API Key Secret, or a client on some accounts only were stored as
given. Each is refused naming the accounts, never a value, before anything is registered.
"""

from __future__ import annotations

import copy

from tests.canaries import canary_client, canary_credentials, found_fragments
from tests.harness import run_program
from tests.test_accounts import ALICE, APP_KEYS, BOB, PROJECTS, SOLO, SOLO_KEYS, TOKENS, config
from tests.test_bad_input import failed as failed_run

CAROL = "support/fleet/carol"
OTHER_PAIR = {k: canary_credentials("other/pair")[k] for k in ("consumer_key", "consumer_secret")}
OTHER_CLIENT = canary_client("other/client")
CAROL_TOKENS = {
    k: v for k, v in canary_credentials(CAROL, user_id="121212").items() if k.startswith("access_token")
}
API_PAIR = {k: APP_KEYS[k] for k in ("consumer_key", "consumer_secret")}
CLIENT = {k: APP_KEYS[k] for k in ("client_id", "client_secret")}
EVERY_VALUE = [
    *APP_KEYS.values(),
    *OTHER_PAIR.values(),
    *OTHER_CLIENT.values(),
    *CAROL_TOKENS.values(),
    *SOLO_KEYS.values(),
    *(v for tokens in TOKENS.values() for v in tokens.values()),
]


def with_carol() -> dict:
    projects = copy.deepcopy(PROJECTS)
    projects["support"]["apps"]["fleet"]["accounts"]["carol"] = {}
    return projects


def whole_sets(alice: dict, bob: dict, carol: dict | None = None) -> dict:
    """Each account's whole set under its own label: the App's keys as each account was given them."""
    creds = {ALICE: {**alice, **TOKENS[ALICE]}, BOB: {**bob, **TOKENS[BOB]}, SOLO: dict(SOLO_KEYS)}
    if carol is not None:
        creds[CAROL] = {**carol, **CAROL_TOKENS}
    return creds


def failed(credentials: dict, projects: dict | None = None) -> str:
    text = failed_run(config(projects=projects, credentials=credentials))
    assert found_fragments(text, EVERY_VALUE) == [], "an error quoted a key"
    return text


def test_two_api_key_pairs_in_one_app_are_refused_naming_the_accounts():
    text = failed(whole_sets({**API_PAIR, **CLIENT}, {**OTHER_PAIR, **CLIENT}))
    assert (
        "support/fleet: the accounts hold different API Key pairs (consumer_key): alice has one, bob has "
        "another; one App has one API Key pair, shared by all its accounts" in text
    )
    assert "set consumer_key, consumer_secret once under 'support/fleet'" in text


def test_the_same_api_key_with_another_secret_is_refused_naming_the_accounts():
    stale = {**API_PAIR, "consumer_secret": OTHER_PAIR["consumer_secret"]}
    text = failed(whole_sets({**API_PAIR, **CLIENT}, {**stale, **CLIENT}))
    assert (
        "support/fleet: accounts alice, bob hold the same consumer_key but not the same consumer_secret "
        "(alice has one, bob has another)" in text
    )


def test_accounts_that_share_a_value_are_named_together():
    text = failed(whole_sets(API_PAIR, API_PAIR, OTHER_PAIR), projects=with_carol())
    assert "(consumer_key): alice and bob share one, carol has another;" in text


def test_an_oauth2_client_on_only_some_accounts_is_refused_naming_them():
    text = failed(whole_sets({**API_PAIR, **CLIENT}, API_PAIR, API_PAIR), projects=with_carol())
    assert (
        "support/fleet: an OAuth 2.0 client (client_id) is set for alice but not for bob, carol; one App has "
        "one OAuth 2.0 client, shared by all its accounts (or none)" in text
    )


def test_two_oauth2_clients_or_two_client_secrets_are_refused():
    text = failed(whole_sets({**API_PAIR, **CLIENT}, {**API_PAIR, **OTHER_CLIENT}))
    assert (
        "support/fleet: the accounts hold different OAuth 2.0 clients (client_id): alice has one, bob has"
        in text
    )
    public = {"client_id": CLIENT["client_id"]}  # a public client: the id alone
    text = failed(whole_sets({**API_PAIR, **CLIENT}, {**API_PAIR, **public}))
    assert "accounts alice, bob hold the same client_id but not the same client_secret" in text


def test_one_set_for_every_account_still_registers():
    result = run_program(config(credentials=whole_sets({**API_PAIR, **CLIENT}, {**API_PAIR, **CLIENT})))
    assert result.error is None, result.error
    assert "hold different API Key pairs" in failed(whole_sets(API_PAIR, OTHER_PAIR))  # and the check is live
