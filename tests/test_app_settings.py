"""Validation of the non-secret arguments, one rule per test."""

from datetime import date

import pytest

from components.app_settings import ALL_ARGS, parse_app_settings
from components.metadata import secret_description, secret_tags
from twitter_runtime import InvalidInputError

LABEL = "brand-monitoring/listener"


def args(**overrides):
    base = {
        "project": "brand-monitoring",
        "app": "listener",
        "consumer_key": "k",
        "consumer_secret": "s",
        "access_token": "t",
        "access_token_secret": "ts",
        "owner": "team-social",
        "issued_at": "2026-09-01",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None or k not in overrides}


def problems(**overrides) -> list[str]:
    with pytest.raises(InvalidInputError) as caught:
        parse_app_settings(args(**overrides), default_environment="dev")
    return list(caught.value.problems)


def test_defaults():
    s = parse_app_settings(args(), default_environment="dev")
    assert (s.environment, s.name_prefix, s.rotation_interval_days) == ("dev", "twitter", 90)
    assert (s.recovery_window_in_days, s.force_delete, s.write_only) == (30, False, False)
    assert s.secret_name == "twitter/dev/brand-monitoring/listener"
    assert s.rotation_due_at == date(2026, 11, 30)
    assert s.label == LABEL


def test_unknown_argument_lists_the_valid_ones():
    (problem,) = problems(rotation_days=30)
    assert problem == f"{LABEL}: unknown argument(s) rotation_days; valid arguments are {', '.join(ALL_ARGS)}"


def test_missing_credential_argument():
    a = args()
    del a["access_token_secret"]
    with pytest.raises(InvalidInputError, match=f"^{LABEL}: access_token_secret is required$"):
        parse_app_settings(a, default_environment="dev")


@pytest.mark.parametrize("value", ["2026-9-1", "01/09/2026", "2026-02-30", "", None, 20260901])
def test_issued_at_must_be_a_real_iso_date(value):
    (problem,) = problems(issued_at=value)
    assert problem.startswith(f"{LABEL}: issued_at ")
    assert "YYYY-MM-DD" in problem


@pytest.mark.parametrize("value", [0, 1001, -5, "90", 90.5, True])
def test_rotation_interval_is_a_whole_number_of_days_in_range(value):
    assert problems(rotation_interval_days=value) == [
        f"{LABEL}: rotation_interval_days must be a whole number from 1 to 1000"
    ]


def test_interval_bounds_are_inclusive():
    assert (
        parse_app_settings(args(rotation_interval_days=1), default_environment="d").rotation_interval_days
        == 1
    )
    assert parse_app_settings(
        args(rotation_interval_days=1000), default_environment="d"
    ).rotation_due_at == date(2029, 5, 28)


def test_access_tier_is_normalised_and_checked():
    assert parse_app_settings(args(access_tier="Elevated"), default_environment="d").access_tier == "elevated"
    assert problems(access_tier="gold") == [
        f"{LABEL}: access_tier must be one of free, basic, essential, elevated, pro, premium, enterprise"
    ]


@pytest.mark.parametrize("field", ["project", "app", "environment"])
def test_name_segments_must_be_secrets_manager_safe_slugs(field):
    (problem,) = problems(**{field: "Brand Monitoring"})
    assert f": {field} may only contain letters, digits and _+=.@-" in problem


def test_slash_in_app_is_rejected_so_labels_stay_unambiguous():
    (problem,) = problems(app="a/b")
    assert "app may only contain" in problem


def test_secret_name_may_not_end_with_hyphen_and_six_characters():
    (problem,) = problems(app="listener-abc123")
    assert "ends in '-' plus six characters" in problem


def test_secret_name_is_at_most_256_characters():
    (problem,) = problems(app="a" * 240)
    assert "Secrets Manager allows 256" in problem


def test_name_prefix_allows_inner_slashes_only():
    assert parse_app_settings(args(name_prefix="org/x"), default_environment="d").secret_name.startswith(
        "org/x/d/"
    )
    assert "name_prefix" in problems(name_prefix="/lead")[0]
    assert "name_prefix" in problems(name_prefix="a//b")[0]


def test_owner_is_required_and_tag_safe():
    assert "owner is required" in problems(owner="  ")[0]
    assert "owner has characters AWS tags do not allow" in problems(owner="Jane <jane@example.com>")[0]


def test_app_id_is_numeric():
    assert parse_app_settings(args(app_id=28471234), default_environment="d").app_id == "28471234"
    assert problems(app_id="abc") == [
        f"{LABEL}: app_id must be the numeric App ID shown in the developer portal"
    ]


def test_recovery_window_range_and_force_delete():
    assert "from 7 to 30" in problems(recovery_window_in_days=5)[0]
    assert "set force_delete: true" in problems(recovery_window_in_days=0)[0]
    assert "only takes effect with recovery_window_in_days: 0" in problems(force_delete=True)[0]
    explicit = parse_app_settings(args(force_delete=True, recovery_window_in_days=0), default_environment="d")
    assert explicit.recovery_window_in_days == 0
    assert "contradicts" in problems(force_delete=True, recovery_window_in_days=7)[0]


@pytest.mark.parametrize(
    "key",
    [
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "alias/twitter-secrets",
        "mrk-1234abcd12ab34cd56ef1234567890ab",
    ],
)
def test_kms_key_formats_accepted(key):
    assert parse_app_settings(args(kms_key_id=key), default_environment="d").kms_key_id == key


def test_bad_kms_key_rejected():
    assert "kms_key_id must be" in problems(kms_key_id="my-key")[0]


def test_replica_regions():
    assert parse_app_settings(
        args(replica_regions=["eu-west-1"]), default_environment="d"
    ).replica_regions == ("eu-west-1",)
    assert "not an AWS region name" in problems(replica_regions=["Europe"])[0]
    assert "twice" in problems(replica_regions=["eu-west-1", "eu-west-1"])[0]


@pytest.mark.parametrize(
    "key", ["owner", "managed-by", "rotation:due-at", "twitter:app", "credentials:x", "aws:foo"]
)
def test_user_tags_cannot_override_reserved_keys(key):
    (problem,) = problems(tags={key: "x"})
    assert (
        "the key of extra tag #1 (in key order) is reserved for the component's rotation metadata" in problem
    )
    assert f"'{key}'" not in problem  # named by position, never repeated


def test_user_tags_obey_aws_tag_rules():
    assert problems(tags={"cost-center": "x" * 257}) == [
        f"{LABEL}: the value of extra tag #1 (in key order) is longer than AWS's 256-character tag limit"
    ]
    assert "characters AWS tags do not allow" in problems(tags={"team": "a,b"})[0]
    assert "the key of extra tag #2 (in key order)" in problems(tags={"a": "1", "b,c": "2"})[0]


def test_at_most_38_extra_tags():
    assert parse_app_settings(args(tags={f"t{i}": "x" for i in range(38)}), default_environment="d").tags
    assert problems(tags={f"t{i}": "x" for i in range(39)}) == [
        f"{LABEL}: tags has 39 entries; at most 38 fit beside the component's own"
    ]


def test_reserved_prefixes_are_matched_case_insensitively():
    assert "is reserved" in problems(tags={"Rotation:Due-At": "x"})[0]


def test_all_problems_reported_together():
    found = problems(project="Bad Name", issued_at="soon", access_tier="gold", tags={"owner": "x"})
    assert len(found) == 4


def test_tags_and_description_carry_the_rotation_metadata():
    s = parse_app_settings(
        args(app_id="28471234", access_tier="basic", use_case="Brand listening", tags={"cost-center": "42"}),
        default_environment="prod",
    )
    assert secret_tags(s, "0123456789abcdef") == {
        "cost-center": "42",
        "twitter:project": "brand-monitoring",
        "twitter:app": "listener",
        "twitter:environment": "prod",
        "twitter:app-id": "28471234",
        "twitter:access-tier": "basic",
        "owner": "team-social",
        "rotation:issued-at": "2026-09-01",
        "rotation:interval-days": "90",
        "rotation:due-at": "2026-11-30",
        "rotation:strategy": "manual",
        "credentials:fingerprint": "0123456789abcdef",
        "managed-by": "pulumi",
    }
    assert secret_description(s) == (
        "X (Twitter) API credentials for app 'listener' in project 'brand-monitoring' (basic tier). "
        "Use case: Brand listening. Owner: team-social. Keys issued 2026-09-01, rotate by 2026-11-30 "
        "(regenerate in the developer portal). Managed by Pulumi (twitter-secrets)."
    )


def test_optional_tags_absent_when_not_given():
    tags = secret_tags(parse_app_settings(args(), default_environment="d"), "f" * 16)
    assert "twitter:app-id" not in tags and "twitter:access-tier" not in tags
    assert len(tags) == 10


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"x_api_base_url": "http://api.x.com"},
            "x_api_base_url must use https (http only for 127.0.0.1 or localhost)",
        ),
        ({"x_api_base_url": "https://api.x.com:99999"}, "x_api_base_url has a port outside 1 to 65535"),
        (
            {"bearer_rotation_schedule": "cron(" + "0 " * 200 + ")"},
            "bearer_rotation_schedule is longer than AWS's 256 characters",
        ),
        ({"issued_at": "9999-12-01"}, "issued_at is in the future"),
        ({"replica_regions": ["eu-west-1", "not a region"]}, "replica_regions[1] is not an AWS region name"),
        ({"readers": ["arn:aws:iam::123456789012:role/lecteur-é"]}, "readers[0] is not an IAM principal ARN"),
    ],
)
def test_what_aws_would_refuse_is_refused_first(overrides, expected):
    found = problems(**overrides)
    assert any(expected in p for p in found), found
    assert "not a region" not in " ".join(found)  # a bad entry is named by index, not repeated


def test_loopback_http_stays_allowed_for_tests_and_local_fakes():
    for url in ("http://127.0.0.1:8080", "http://localhost:8080"):
        assert parse_app_settings(args(x_api_base_url=url), default_environment="dev").x_api_base_url == url


def test_a_replica_in_the_stacks_own_region_is_refused():
    from components.app_settings import parse_app_settings
    from twitter_runtime import InvalidInputError

    with pytest.raises(InvalidInputError, match=r"replica_regions\[0\] is the stack's own region"):
        parse_app_settings(
            args(replica_regions=["us-east-1"]), default_environment="dev", primary_region="us-east-1"
        )
    assert parse_app_settings(
        args(replica_regions=["eu-west-1"]), default_environment="dev", primary_region="us-east-1"
    )


def test_days_and_a_schedule_together_are_refused_even_when_one_is_bad():
    found = problems(bearer_rotation_days=0, bearer_rotation_schedule="rate(30 days)")
    assert f"{LABEL}: give bearer_rotation_days or bearer_rotation_schedule, not both" in found
    assert f"{LABEL}: bearer_rotation_days must be a whole number from 1 to 1000" in found


def test_issued_at_may_be_tomorrow_but_not_later():
    """One day of slack: the portal's day may already be tomorrow for this machine."""
    from datetime import date

    today = date(2026, 12, 4)
    ok = parse_app_settings(args(issued_at="2026-12-05"), default_environment="dev", today=today)
    assert ok.issued_at == date(2026, 12, 5)
    with pytest.raises(InvalidInputError) as caught:
        parse_app_settings(args(issued_at="2026-12-06"), default_environment="dev", today=today)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{LABEL}: issued_at is in the future (today is 2026-12-04)")
    assert "2026-12-06" not in problem  # the value is never quoted


def test_a_refused_name_part_is_named_not_shown():
    pasted = "CnryCK" + "x7" * 12
    found = problems(app=pasted + "/not-a-slug")
    assert found and all(p.startswith("brand-monitoring/<invalid app>: ") for p in found)
    assert not [p for p in found if "Cnry" in p]


def test_apps_do_not_share_a_default_tags_map():
    first = parse_app_settings(args(), default_environment="dev")
    second = parse_app_settings(args(app="other"), default_environment="dev")
    assert first.tags == second.tags == {} and first.tags is not second.tags


def test_a_stack_file_problem_sorts_with_its_app_then_by_field():
    from components.problems import sorted_problems

    given = [
        "b/x: owner is required",
        "twitter-secrets:projects.a.apps.y: unknown key(s) rotation_intervall_days",
        "a/y: recovery_window_in_days must be a whole number from 7 to 30",
        "a/y: access_tier must be one of free",
    ]
    assert sorted_problems(given) == [given[3], given[2], given[1], given[0]]
