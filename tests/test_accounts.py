"""Several user accounts per App: one secret per account, exported as project/app/account."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests.canaries import canary_client, canary_credentials, fragments
from tests.harness import run_program, unwrap_secret
from tests.moto_mocks import MotoMocks
from tests.test_bad_input import failed as failed_run
from tests.test_leaks import assert_no_fragment, visible_text
from twitter_runtime import load_credentials
from twitter_runtime.keys import ACCOUNT_FIELDS, APP_FIELDS, canonical_payload, fingerprint

SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
POLICY = "aws:iam/policy:Policy"
READER_A = "arn:aws:iam::123456789012:role/alice-service"
ALICE, BOB, SOLO = "support/fleet/alice", "support/fleet/bob", "support/solo"

APP_KEYS = {
    **{k: v for k, v in canary_credentials("support/fleet").items() if k in APP_FIELDS},
    **canary_client("support/fleet"),
}
TOKENS = {
    label: {k: v for k, v in canary_credentials(label, user_id=uid).items() if k in ACCOUNT_FIELDS}
    for label, uid in ((ALICE, "111222333"), (BOB, "444555666"))
}
SOLO_KEYS = canary_credentials(SOLO, user_id="777888999")

PROJECTS = {
    "support": {
        "access_tier": "basic",
        "owner": "team-support",
        "apps": {
            "fleet": {
                "issued_at": "2026-10-01",
                "access_level": "read-write",
                "tags": {"fleet": "support"},
                "accounts": {
                    "alice": {"access_level": "read-write-directmessages", "readers": [READER_A]},
                    "bob": {"issued_at": "2026-11-01", "owner": "bob-team", "tags": {"shift": "night"}},
                },
            },
            "solo": {"issued_at": "2026-09-01"},
        },
    }
}


def split_credentials() -> dict[str, dict[str, str]]:
    """The App's keys once under project/app, each account's token pair under project/app/account."""
    return {"support/fleet": dict(APP_KEYS), **copy.deepcopy(TOKENS), SOLO: dict(SOLO_KEYS)}


def config(projects=None, credentials=None, **extra):
    out = {
        "aws:region": "us-east-1",
        "twitter-secrets:projects": copy.deepcopy(projects or PROJECTS),
        "twitter-secrets:credentials": split_credentials() if credentials is None else credentials,
    }
    out.update({f"twitter-secrets:{k}": v for k, v in extra.items()})
    return out


def run_project(args: dict):
    """A user's own program building one TwitterProject from these arguments (the plugin's shape)."""
    return run_program(
        {"test:project": args}, secret_keys=(), main=Path(__file__).parent / "programs" / "direct_project.py"
    )


def every_key() -> list[dict[str, str]]:
    return [APP_KEYS, *TOKENS.values(), SOLO_KEYS]


def key_needles() -> list[str]:
    """Every 10-character run of every key (of an Access Token, the part after its public user id)."""
    return sorted(
        {
            piece
            for creds in every_key()
            for field, value in creds.items()
            for piece in fragments(value.split("-", 1)[-1] if field == "access_token" else value)
        }
    )


def by_secret_name(result, type_=SECRET):
    return {r.inputs["name"]: r for r in result.of_type(type_)}


def stored_values(result) -> dict[str, dict[str, str]]:
    """Each SecretVersion's value by the component's name under the project (``fleet/alice``, ``solo``)."""
    return {
        v.name.removesuffix("-version").split("/", 1)[1]: json.loads(unwrap_secret(v.inputs["secretString"]))
        for v in result.of_type(VERSION)
    }


@pytest.fixture(scope="module")
def deployed():
    result = run_program(config())
    assert result.error is None, result.error
    return result


def test_one_secret_per_account_beside_the_single_account_app(deployed):
    assert sorted(by_secret_name(deployed)) == [
        "twitter/dev/support/fleet/alice",
        "twitter/dev/support/fleet/bob",
        "twitter/dev/support/solo",
    ]
    assert sorted(deployed.outputs["secretArns"]) == [ALICE, BOB, SOLO]
    assert (
        deployed.outputs["secretArns"][ALICE]
        .split(":secret:")[1]
        .startswith("twitter/dev/support/fleet/alice-")
    )


def test_each_account_secret_holds_the_app_keys_and_only_its_own_token(deployed):
    values = stored_values(deployed)
    assert values["fleet/alice"] == {**APP_KEYS, **TOKENS[ALICE], "access_level": "read-write-directmessages"}
    assert values["fleet/bob"] == {**APP_KEYS, **TOKENS[BOB], "access_level": "read-write"}
    assert values["solo"] == SOLO_KEYS  # the single-account app: exactly the four keys, as before
    for label in (ALICE, BOB):
        entry = deployed.outputs["twitterApps"][label]
        assert entry["fingerprint"] == fingerprint(canonical_payload(values[label.split("/", 1)[1]]))


def test_account_settings_override_the_app_and_tags_merge(deployed):
    secrets = by_secret_name(deployed)
    alice = secrets["twitter/dev/support/fleet/alice"].inputs["tags"]
    bob = secrets["twitter/dev/support/fleet/bob"].inputs["tags"]
    assert (alice["twitter:app"], alice["twitter:account"], alice["twitter:access-level"]) == (
        "fleet",
        "alice",
        "read-write-directmessages",
    )
    assert (alice["owner"], alice["rotation:issued-at"], alice["fleet"]) == (
        "team-support",
        "2026-10-01",
        "support",
    )
    assert (bob["owner"], bob["rotation:issued-at"], bob["rotation:due-at"]) == (
        "bob-team",
        "2026-11-01",
        "2027-01-30",
    )
    assert (bob["fleet"], bob["shift"], bob["twitter:access-level"]) == ("support", "night", "read-write")
    assert "shift" not in alice
    description = secrets["twitter/dev/support/fleet/bob"].inputs["description"]
    assert "for app 'fleet' in project 'support' (basic tier), user account 'bob'" in description


def test_outputs_name_each_account_by_project_app_account(deployed):
    apps = deployed.outputs["twitterApps"]
    assert apps[ALICE]["app"] == "support/fleet" and apps[ALICE]["account"] == "alice"
    assert apps[ALICE]["accessLevel"] == "read-write-directmessages"
    assert apps[BOB]["owner"] == "bob-team" and apps[BOB]["rotationDueAt"] == "2027-01-30"
    assert not {"app", "account", "accessLevel"} & set(apps[SOLO])
    assert sorted(deployed.outputs["readPolicyArns"]) == [ALICE, BOB, SOLO]
    assert deployed.outputs["readPolicyArns"][ALICE].endswith("/twitter-dev-support-fleet-alice-read")


def test_a_reader_of_one_account_cannot_read_another(deployed):
    policies = {r.inputs["name"]: json.loads(r.inputs["policy"]) for r in deployed.of_type(POLICY)}
    arns = deployed.outputs["secretArns"]
    alice = policies["twitter-dev-support-fleet-alice-read"]
    resources = [s["Resource"] for s in alice["Statement"] if "secretsmanager:GetSecretValue" in s["Action"]]
    assert resources == [arns[ALICE]]
    assert arns[BOB] not in json.dumps(alice)
    # Alice's own resource policy names her reader; Bob's secret has none.
    secret_policies = [r for r in deployed.of_type("aws:secretsmanager/secretPolicy:SecretPolicy")]
    assert [r.name for r in secret_policies] == ["support/fleet/alice-policy"]
    assert READER_A in secret_policies[0].inputs["policy"]


def test_the_whole_set_under_the_account_label_registers_the_same():
    merged = {ALICE: {**APP_KEYS, **TOKENS[ALICE]}, BOB: {**APP_KEYS, **TOKENS[BOB]}, SOLO: dict(SOLO_KEYS)}
    split, whole = run_program(config()), run_program(config(credentials=merged))
    assert split.error is None and whole.error is None, (split.error, whole.error)
    assert split.fingerprint_of_inputs() == whole.fingerprint_of_inputs()


def test_nothing_leaks_from_accounts_or_the_oauth2_client(deployed):
    needles = key_needles()
    # Every window of the client secret is searched: its '-' does not cut the scan short.
    assert len([n for n in needles if n in APP_KEYS["client_secret"]]) == len(APP_KEYS["client_secret"]) - 9
    assert_no_fragment(visible_text(deployed, drop_values=True), needles)


# --- bad input: a clear error naming the secret and field, nothing registered --------------------------


def failed(cfg) -> str:
    """The shared bad-input check (an InvalidInputError, no AWS resource), and no key in its text."""
    text = failed_run(cfg)
    assert not [n for n in key_needles() if n in text], "an error quoted a key"
    return text


def with_credentials(change):
    creds = split_credentials()
    change(creds)
    return config(credentials=creds)


def with_fleet(**settings):
    projects = copy.deepcopy(PROJECTS)
    projects["support"]["apps"]["fleet"].update(settings)
    return config(projects=projects)


def with_account(name, spec):
    projects = copy.deepcopy(PROJECTS)
    projects["support"]["apps"]["fleet"]["accounts"][name] = spec
    return config(projects=projects)


@pytest.mark.parametrize(
    ("cfg", "expected"),
    [
        (
            lambda: with_credentials(lambda c: c["support/fleet"].update(TOKENS[ALICE])),
            "support/fleet: access_token, access_token_secret belong to one account, and this app has several: "
            "set them under 'support/fleet/<account>' instead",
        ),
        (
            lambda: with_credentials(lambda c: c.pop(BOB)),
            "support/fleet/bob: no credentials; set each of access_token, access_token_secret with pulumi config "
            "set --secret --path 'twitter-secrets:credentials[\"support/fleet/bob\"].<field>'",
        ),
        (
            lambda: with_credentials(lambda c: c[BOB].update(access_token=TOKENS[ALICE]["access_token"])),
            "support/fleet/bob: access_token is the same as support/fleet/alice's",
        ),
        (
            lambda: with_credentials(lambda c: c[ALICE].update(consumer_key=APP_KEYS["consumer_key"])),
            "support/fleet/alice: consumer_key set both under 'support/fleet' and under 'support/fleet/alice'",
        ),
        (
            lambda: with_credentials(lambda c: c["support/fleet"].pop("consumer_secret")),
            "support/fleet/alice: consumer_secret is missing",
        ),
        (
            lambda: with_credentials(lambda c: c["support/fleet"].pop("client_id")),
            "support/fleet/alice: client_secret is set without client_id",
        ),
        (
            lambda: with_credentials(lambda c: c.update({"support/fleet/carol": dict(TOKENS[ALICE])})),
            "twitter-secrets:credentials entry #5 (in the order given) matches no app",
        ),
        (lambda: with_account("bearer", {}), "support/fleet/bearer: account may not be named 'bearer'"),
        (
            lambda: with_account("alice", {"access_token": TOKENS[ALICE]["access_token"]}),
            "support/fleet/alice: access_token in the account's settings would be stored in plain text",
        ),
        (
            lambda: with_account("alice", {"kms_key_id": "alias/x"}),
            "support/fleet/alice: unknown account setting(s) kms_key_id; valid are owner, issued_at",
        ),
        (
            lambda: with_account("alice", {"access_level": "dm"}),
            "support/fleet/alice: access_level must be one of",
        ),
        (
            lambda: with_account("alice", {"owner": "x", TOKENS[ALICE]["access_token_secret"]: "x"}),
            "support/fleet/alice: unknown account setting(s) 1 more not shown (each may be a key pasted in the wrong "
            "place)",
        ),
        (
            lambda: with_fleet(bearer_rotation=30, bearer_rotation_account=["alice"]),
            "support/fleet: bearer_rotation_account must be the name of one of the app's accounts",
        ),
        (
            lambda: with_fleet(bearer_rotation_days=0),
            "support/fleet: bearer_rotation_days must be a whole number from 1 to 1000",
        ),
        (
            lambda: with_fleet(bearer_rotation_days=0),
            "support/fleet: bearer rotation with several accounts needs bearer_rotation_account",
        ),
        (
            lambda: with_credentials(lambda c: c[SOLO].update(client_id=APP_KEYS["client_id"])),
            "support/solo: client_id is the same as support/fleet's; each App has its own OAuth 2.0 client",
        ),
        (
            lambda: with_account("alice", ["read"]),
            "support/fleet/alice: must be an object of account settings",
        ),
        (lambda: with_fleet(accounts={}), "support/fleet: accounts must map at least one account name"),
        (
            lambda: with_fleet(bearer_rotation=30),
            "support/fleet: bearer rotation with several accounts needs bearer_rotation_account",
        ),
        (
            lambda: with_fleet(bearer_rotation=30, bearer_rotation_account="carol"),
            "support/fleet: bearer_rotation_account must name one of the app's accounts",
        ),
        (
            lambda: with_fleet(bearer_rotation_account="alice"),
            "support/fleet: bearer_rotation_account only applies with bearer rotation on",
        ),
    ],
)
def test_bad_account_input_is_named_and_nothing_is_written(cfg, expected):
    assert expected in failed(cfg())


def test_a_shared_oauth2_client_is_reported_once_per_app():
    creds = split_credentials()
    creds[SOLO].update(client_id=APP_KEYS["client_id"])  # the fleet's, which both its accounts carry
    text = failed(config(credentials=creds))
    assert text.count("client_id is the same as") == 1
    assert "support/solo: client_id is the same as support/fleet's" in text


def test_an_account_key_pasted_into_a_sibling_tag_is_found():
    projects = copy.deepcopy(PROJECTS)
    projects["support"]["apps"]["fleet"]["accounts"]["bob"]["tags"] = {
        "note": TOKENS[ALICE]["access_token_secret"]
    }
    text = failed(config(projects=projects))
    assert "support/fleet/bob: extra tag #2 (in key order) contains a key of support/fleet/alice" in text


# --- bearer rotation belongs to the App, run by the named account ------------------------------------


def test_bearer_rotation_is_the_apps_once_anchored_on_the_named_account():
    result = run_program(with_fleet(bearer_rotation=30, bearer_rotation_account="bob"))
    assert result.error is None, result.error
    names = sorted(by_secret_name(result))
    assert names == [
        "twitter/dev/support/fleet/alice",
        "twitter/dev/support/fleet/bearer",
        "twitter/dev/support/fleet/bob",
        "twitter/dev/support/solo",
    ]
    (function,) = result.of_type("aws:lambda/function:Function")
    assert function.inputs["name"] == "twitter-dev-support-fleet-rotation"
    bob_arn = result.outputs["secretArns"][BOB]
    assert function.inputs["environment"]["variables"]["CREDENTIALS_SECRET_ARN"] == bob_arn
    apps = result.outputs["twitterApps"]
    assert "bearerSecretArn" in apps[BOB] and "bearerSecretArn" not in apps[ALICE]


# --- TwitterProject from a user's own program (the plugin's shape) --------------------------------------


def test_project_component_outputs_are_keyed_app_slash_account():
    args = {
        "project": "support",
        "apps": copy.deepcopy(PROJECTS["support"]["apps"]),
        "credentials": {
            "fleet": dict(APP_KEYS),
            "fleet/alice": TOKENS[ALICE],
            "fleet/bob": TOKENS[BOB],
            "solo": SOLO_KEYS,
        },
    }
    for app in args["apps"].values():
        app.setdefault("owner", "team-support")
    result = run_project(args)
    assert result.error is None, result.error
    assert sorted(result.outputs["apps"]) == ["fleet/alice", "fleet/bob", "solo"]
    (project,) = result.of_type("twitter-secrets:index:TwitterProject")
    registered = result.component_outputs[project.urn]
    assert sorted(registered["secret_arns"]) == ["fleet/alice", "fleet/bob", "solo"]
    assert registered["secret_names"]["fleet/bob"] == "twitter/dev/support/fleet/bob"


def test_project_component_with_accounts_needs_the_project_credentials():
    apps = copy.deepcopy(PROJECTS["support"]["apps"])
    apps["fleet"]["owner"] = "team"
    apps["fleet"]["credentials"] = {**APP_KEYS, **TOKENS[ALICE]}
    result = run_project({"project": "support", "apps": {"fleet": apps["fleet"]}})
    assert result.error is not None and result.aws_resources == []
    assert "support/fleet: an app with accounts takes its keys from the project's credentials" in str(
        result.error
    )


# --- on moto: what lands in (emulated) AWS, read back by the runtime loader ------------------------------


def test_on_moto_each_account_loads_its_own_set_and_policies_stay_apart(aws):
    mocks = MotoMocks(aws)
    result = run_program(config(), mocks=mocks)
    assert result.error is None, result.error
    sm, iam = aws("secretsmanager"), aws("iam")
    arns = result.outputs["secretArns"]
    alice = load_credentials(arns[ALICE], client=sm, max_age_seconds=0)
    bob = load_credentials(arns[BOB], client=sm, max_age_seconds=0)
    assert alice.consumer_key == bob.consumer_key == APP_KEYS["consumer_key"]
    assert (alice.client_id, alice.client_secret) == (APP_KEYS["client_id"], APP_KEYS["client_secret"])
    assert (
        alice.access_token == TOKENS[ALICE]["access_token"]
        and bob.access_token == TOKENS[BOB]["access_token"]
    )
    assert (alice.access_level, bob.access_level) == ("read-write-directmessages", "read-write")
    assert alice.fingerprint == result.outputs["twitterApps"][ALICE]["fingerprint"]
    tags = {t["Key"]: t["Value"] for t in sm.describe_secret(SecretId=arns[BOB])["Tags"]}
    assert tags["twitter:account"] == "bob" and tags["credentials:fingerprint"] == bob.fingerprint
    solo = load_credentials(arns[SOLO], client=sm, max_age_seconds=0)
    assert solo.as_dict() == SOLO_KEYS and solo.client_id is None and solo.access_level is None
    policy_arn = result.outputs["readPolicyArns"][ALICE]
    version = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=policy_arn, VersionId=version)["PolicyVersion"]["Document"]
    text = document if isinstance(document, str) else json.dumps(document)
    assert arns[ALICE] in text and arns[BOB] not in text and arns[SOLO] not in text
    # A second run with the same config writes no new version of any account's value.
    before = {label: sm.list_secret_version_ids(SecretId=arn)["Versions"] for label, arn in arns.items()}
    again = run_program(config(), mocks=MotoMocks(aws))
    assert again.error is None, again.error
    after = {label: sm.list_secret_version_ids(SecretId=arn)["Versions"] for label, arn in arns.items()}
    assert {k: [v["VersionId"] for v in vs] for k, vs in after.items()} == {
        k: [v["VersionId"] for v in vs] for k, vs in before.items()
    }
    assert all(len(vs) == 1 for vs in after.values())


def test_the_readme_accounts_example_is_real_config():

    import yaml

    from tests.doc_blocks import blocks

    (block,) = [b.text for b in blocks("yaml") if "accounts:" in b.text and not b.illustrative]
    apps = yaml.safe_load(block)["apps"]
    projects = {"support": {"owner": "team-support", "apps": apps}}
    result = run_program(config(projects=projects, credentials={"support/fleet": dict(APP_KEYS), **TOKENS}))
    assert result.error is None, result.error
    assert sorted(result.outputs["secretArns"]) == [ALICE, BOB]
    assert result.outputs["twitterApps"][BOB]["owner"] == "night-shift"
    assert result.outputs["twitterApps"][ALICE]["accessLevel"] == "read-write-directmessages"


# --- the operator CLI with account labels -----------------------------------------------------------------


def test_plan_and_audit_show_each_account(tmp_path):
    import os

    import yaml

    from tests.test_cli_verify_authorize import cli

    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text(
        yaml.safe_dump({"config": {"aws:region": "us-east-1", "twitter-secrets:projects": PROJECTS}})
    )
    plan = cli("plan", "--config-file", str(stack), "--format", "json", env=dict(os.environ))
    assert plan.returncode == 0, plan.stdout + plan.stderr
    planned = json.loads(plan.stdout)
    names = {r["name"] for r in planned["resources"]}
    assert {"support/fleet/alice-secret", "support/fleet/bob-secret", "support/solo-secret"} <= names
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(run_program(config()).outputs))
    audit = cli("audit", str(outputs), "--as-of", "2026-12-01", "--format", "json", env=dict(os.environ))
    rows = {r["app"]: r for r in json.loads(audit.stdout)}
    assert sorted(rows) == [ALICE, BOB, SOLO]
    assert (rows[ALICE]["due_at"], rows[BOB]["due_at"]) == ("2026-12-30", "2027-01-30")
    assert (rows[SOLO]["status"], rows[ALICE]["status"]) == ("overdue", "ok")
    assert rows[BOB]["owner"] == "bob-team"


def test_another_anchor_keeps_every_bearer_resource():
    """Choosing another account to run the App's bearer rotation updates resources, never replaces them:
    their AWS names (the App's) would still be taken by the old ones during a replacement."""

    def bearer_urns(anchor):
        result = run_program(with_fleet(bearer_rotation=30, bearer_rotation_account=anchor))
        assert result.error is None, result.error
        # The bearer's resource policy follows the anchor account's readers: it may come or go, never be replaced.
        found = {
            r.urn
            for r in result.registrations
            if ("bearer" in r.name or "rotation" in r.name) and not r.name.endswith("-bearer-policy")
        }
        function = next(r for r in result.of_type("aws:lambda/function:Function"))
        return found, function.inputs["environment"]["variables"]["CREDENTIALS_SECRET_ARN"]

    (alice_urns, alice_reads), (bob_urns, bob_reads) = bearer_urns("alice"), bearer_urns("bob")
    assert len(alice_urns) >= 8 and alice_urns == bob_urns
    assert alice_reads.split(":secret:")[1].startswith("twitter/dev/support/fleet/alice-")
    assert bob_reads.split(":secret:")[1].startswith("twitter/dev/support/fleet/bob-")


def test_account_is_not_an_app_argument_of_the_project_component():
    apps = {"solo": {"owner": "team", "issued_at": "2026-09-01", "account": "alice"}}
    result = run_project({"project": "support", "apps": apps, "credentials": {"solo": SOLO_KEYS}})
    assert result.error is not None and result.aws_resources == []
    assert "support/solo: account is not an app setting; list the app's accounts under accounts" in str(
        result.error
    )


def test_the_gate_checks_each_accounts_level_with_x(fake_x):
    from tests.test_access_level import VerifyingMocks

    projects = copy.deepcopy(PROJECTS)
    projects["support"]["apps"]["fleet"].update(verify=True, x_api_base_url=fake_x.url)
    for label, level in ((ALICE, "read-write-directmessages"), (BOB, "read")):
        fake_x.add_credentials(
            {**APP_KEYS, **TOKENS[label]}, username=label.rsplit("/", 1)[1], access_level=level
        )
    result = run_program(config(projects=projects), mocks=VerifyingMocks())
    text = str(result.error)
    # Alice's token is what she declares; Bob's is below the app's read-write.
    assert (
        "support/fleet/bob: the Access Token was issued with read access, but access_level is read-write"
        in text
    )
    assert "support/fleet/alice" not in text
    names = [r.inputs["name"] for r in result.of_type(SECRET)]
    assert "twitter/dev/support/fleet/bob" not in names
    assert not [n for n in key_needles() if n in text]


def test_verify_given_plain_arns_names_each_account_from_its_tags(aws, moto_url, fake_x):
    from tests.test_cli_verify_authorize import cli, env_for

    result = run_program(config(), mocks=MotoMocks(aws))
    assert result.error is None, result.error
    for label, level in ((ALICE, "read-write-directmessages"), (BOB, "read-write")):
        fake_x.add_credentials(
            {**APP_KEYS, **TOKENS[label]}, username=label.rsplit("/", 1)[1], access_level=level
        )
    arns = result.outputs["secretArns"]
    done = cli("verify", arns[ALICE], arns[BOB], "--format", "json", env=env_for(moto_url, fake_x))
    assert done.returncode == 0, done.stdout + done.stderr
    rows = json.loads(done.stdout)
    assert [(r["app"], r["username"], r["access_level"], r["result"]) for r in rows] == [
        (ALICE, "alice", "read-write-directmessages", "ok"),
        (BOB, "bob", "read-write", "ok"),
    ]
    assert not [n for n in key_needles() if n in done.stdout + done.stderr]
