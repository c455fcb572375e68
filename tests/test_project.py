"""TwitterProject used directly, and config layering the program relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.project import TYPE_TOKEN
from tests.canaries import canary_credentials
from tests.conftest import make_config
from tests.harness import run_program
from twitter_runtime import InvalidInputError

PROGRAM = Path(__file__).parent / "programs" / "direct_project.py"


def project_args(**overrides):
    apps = {
        name: {
            "owner": "team",
            "issued_at": "2026-03-01",
            **canary_credentials(f"p/{name}", user_id=str(7 + i)),
        }
        for i, name in enumerate(("a1", "a2", "a3"))
    }
    return {"project": "p", "access_tier": "Pro", "use_case": "tests", "apps": apps, **overrides}


def run(args):
    return run_program({"test:project": args}, secret_keys=(), main=PROGRAM)


def test_project_creates_its_apps_and_registers_outputs():
    result = run(project_args())
    assert result.error is None, result.error
    assert sorted(result.outputs["apps"]) == ["a1", "a2", "a3"]
    (project,) = result.of_type(TYPE_TOKEN)
    registered = result.component_outputs[project.urn]
    arns = result.outputs["apps"]
    assert registered == {
        "access_tier": "pro",
        "use_case": "tests",
        "secret_arns": arns,
        "secret_names": {name: f"twitter/dev/p/{name}" for name in ("a1", "a2", "a3")},
        "fingerprints": {name: registered["fingerprints"][name] for name in ("a1", "a2", "a3")},
        "rotation_due_at": dict.fromkeys(("a1", "a2", "a3"), "2026-05-30"),
        "read_policy_arns": {
            name: f"arn:aws:iam::123456789012:policy/twitter-secrets/twitter-dev-p-{name}-read"
            for name in ("a1", "a2", "a3")
        },
        "bearer_secret_arns": {},
    }
    # Plain values, one per app: a map other languages read, with no component references.
    assert sorted(arns) == ["a1", "a2", "a3"] and len(set(registered["fingerprints"].values())) == 3
    assert all(len(f) == 16 and int(f, 16) >= 0 for f in registered["fingerprints"].values())
    tags = [r.inputs["tags"] for r in result.of_type("aws:secretsmanager/secret:Secret")]
    assert {t["twitter:access-tier"] for t in tags} == {"pro"}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"colour": "red"},
            "p: unknown argument(s) colour; valid arguments are project, credentials, access_tier, use_case, apps",
        ),
        ({"access_tier": "gold"}, "p: access_tier must be one of"),
        ({"project": ""}, ": project is required"),
        ({"apps": {}}, "p: apps must map at least one app"),
    ],
)
def test_bad_project_args(overrides, expected):
    result = run(project_args(**overrides))
    assert isinstance(result.error, InvalidInputError)
    assert expected in str(result.error)
    assert result.registrations == [] or all(not r.type.startswith("aws:") for r in result.registrations)
    assert not result.of_type(TYPE_TOKEN)


def test_bad_settings_in_a_later_app_stop_every_app():
    args = project_args()
    args["apps"]["a3"]["issued_at"] = "someday"
    result = run(args)
    assert "p/a3: issued_at must be a date" in str(result.error)
    assert result.aws_resources == []


@pytest.mark.parametrize("attempt", range(5))
def test_bad_key_in_a_later_app_stops_every_app(attempt):
    args = project_args()
    args["apps"]["a3"]["consumer_secret"] = "has spaces in it"
    result = run(args)
    assert "p/a3: consumer_secret contains characters other than" in str(result.error)
    assert result.aws_resources == []


# --- config layering (reviewed gaps) ---------------------------------------------------------


def test_project_tags_merge_under_app_tags():
    config = make_config()
    config["twitter-secrets:projects"]["research"]["tags"] = {"team": "research", "cost-center": "1"}
    result = run_program(config)
    tags = {r.name: r.inputs["tags"] for r in result.of_type("aws:secretsmanager/secret:Secret")}
    assert tags["research/archive-secret"]["team"] == "research"
    assert tags["research/archive-secret"]["cost-center"] == "4711"


def test_unknown_key_in_defaults_is_refused():
    result = run_program(make_config(defaults={"colour": "red"}))
    assert str(result.error).startswith(
        "twitter-secrets:defaults: unknown key(s) colour; valid keys are owner,"
    )
    assert result.aws_resources == []


@pytest.mark.parametrize("where", ["owner", "use_case", "kms_key_id"])
def test_a_key_pasted_into_owner_use_case_or_kms_key_is_refused(where):
    config = make_config()
    creds = config["twitter-secrets:credentials"]["research/archive"]
    key = creds["consumer_key"]
    project = config["twitter-secrets:projects"]["research"]
    if where == "owner":
        project["apps"]["archive"]["owner"] = f"team{key}"
        expected = "research/archive: owner contains one of the app's keys"
    elif where == "use_case":
        project["use_case"] = f"uses {key}"
        expected = "research/archive: description contains one of the app's keys"
    else:
        project["apps"]["archive"]["kms_key_id"] = f"alias/{key}"
        expected = "research/archive: kms_key_id contains one of the app's keys"
    result = run_program(config)
    assert expected in str(result.error)
    assert key[:10] not in str(result.error)
    assert result.aws_resources == []


def test_apps_as_an_output_is_refused_by_name(tmp_path):
    """The schema lets SDKs pass apps as an Input (Go needs it); the map itself must be known."""
    program = tmp_path / "__main__.py"
    program.write_text(
        "import pulumi\n"
        "from components import TwitterProject\n"
        "apps = pulumi.Output.from_input({'a': {'owner': 'o', 'issued_at': '2026-09-01'}})\n"
        "TwitterProject('p', {'project': 'p', 'apps': apps})\n"
    )
    result = run_program({}, main=program)
    assert isinstance(result.error, InvalidInputError)
    assert str(result.error).startswith("p: apps must be a map written in the program, not an Output")
    assert [r.type for r in result.registrations] == ["pulumi:pulumi:Stack"]  # nothing else registered
