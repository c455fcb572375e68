"""The plugin on Pulumi's real engine: its schema through `pulumi package get-schema`, SDK generation,
and the YAML example deployed through it onto moto by the stand-in AWS plugin."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from tests.aws_server import client, reset
from tests.canaries import canary_credentials, fragments
from tests.engine import ROOT, Engine, require_pulumi, write_plugin_shim
from twitter_runtime import canonical_payload

SNAPSHOT = ROOT / "provider" / "schema.json"
YAML_EXAMPLE = ROOT / "examples" / "yaml" / "Pulumi.yaml"
KEYS = {
    app: canary_credentials(f"brand-monitoring/{app}", user_id=uid)
    for app, uid in (("listener", "51"), ("support-a", "52"), ("support-b", "53"))
}
#: The example's config names: the listener's four keys, the responder App's pair, each account's token pair.
CONFIG_NAMES = {
    "listenerApiKey": ("listener", "consumer_key"),
    "listenerApiKeySecret": ("listener", "consumer_secret"),
    "listenerAccessToken": ("listener", "access_token"),
    "listenerAccessTokenSecret": ("listener", "access_token_secret"),
    "responderApiKey": ("support-a", "consumer_key"),
    "responderApiKeySecret": ("support-a", "consumer_secret"),
    "supportAAccessToken": ("support-a", "access_token"),
    "supportAAccessTokenSecret": ("support-a", "access_token_secret"),
    "supportBAccessToken": ("support-b", "access_token"),
    "supportBAccessTokenSecret": ("support-b", "access_token_secret"),
}
#: What each secret holds: the responder's accounts share its API Key pair and carry their access level.
STORED = {
    "listener": KEYS["listener"],
    "responder/support-a": {**KEYS["support-a"], "access_level": "read-write"},
    "responder/support-b": {
        **KEYS["support-b"],
        **{k: KEYS["support-a"][k] for k in ("consumer_key", "consumer_secret")},
        "access_level": "read-write-directmessages",
    },
}


def as_the_cli_prints_it(schema: dict) -> dict:
    """The committed schema as `pulumi package get-schema` re-serializes it after binding.

    The CLI drops descriptions on array items and map values (not part of a type),
    drops an empty dependency list and adds an empty `config`; nothing else may differ.
    """

    def strip(node, inside_type=False):
        if isinstance(node, dict):
            kept = {k: strip(v, k in ("items", "additionalProperties")) for k, v in node.items()}
            if inside_type:
                kept.pop("description", None)
            return kept
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    shaped = strip(schema)
    if shaped.get("dependencies") == []:
        del shaped["dependencies"]
    shaped.setdefault("config", {})
    return shaped


@pytest.fixture(scope="module")
def engine(tmp_path_factory, moto_url):
    return Engine(pulumi=require_pulumi(), home=tmp_path_factory.mktemp("plugin-engine"), moto_url=moto_url)


@pytest.fixture(scope="module")
def shim(engine):
    return write_plugin_shim(engine.home / "plugin-bin")


def test_get_schema_equals_the_committed_schema(engine, shim):
    done = engine.cli("package", "get-schema", str(shim), cwd=engine.home)
    served = json.loads(done.stdout)
    assert served == as_the_cli_prints_it(json.loads(SNAPSHOT.read_text()))
    assert sorted(served["resources"]) == [
        "twitter-secrets:index:TwitterAppCredentials",
        "twitter-secrets:index:TwitterProject",
    ]


@pytest.mark.parametrize("language", ["nodejs", "python"])
def test_gen_sdk(engine, shim, language, tmp_path):
    done = engine.cli(
        "package",
        "gen-sdk",
        str(shim),
        "--language",
        language,
        "--out",
        str(tmp_path),
        cwd=engine.home,
        check=False,
    )
    host = f"pulumi-language-{language}"
    if done.returncode != 0 and f"no language plugin '{host}'" in done.stderr:
        pytest.skip(
            f"{host} is needed to generate the {language} SDK and the Go module proxy does not serve it"
        )
    assert done.returncode == 0, done.stderr
    assert any(
        tmp_path.rglob("twitterAppCredentials.ts" if language == "nodejs" else "twitter_app_credentials.py")
    )


def test_yaml_example_previews_and_deploys_through_the_plugin(engine, shim, moto_url):
    if (
        not (engine.pulumi.parent / "pulumi-language-yaml").exists()
        and shutil.which("pulumi-language-yaml") is None
    ):
        pytest.skip(
            "no pulumi-language-yaml beside the CLI: scripts/pulumi-cli.sh builds it when the proxy serves it"
        )
    reset(moto_url)
    project = engine.home / "yaml-example"
    project.mkdir()
    program = yaml.safe_load(YAML_EXAMPLE.read_text())
    # The folder form (`packages: ../../provider`) needs Pulumi's Python language host to run the
    # plugin; the same plugin code is reached through its executable instead.
    del program["packages"]
    program["plugins"] = {"providers": [{"name": "twitter-secrets", "path": str(shim.parent)}]}
    (project / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))
    engine.cli("stack", "init", "dev", cwd=project)
    engine.cli("config", "set", "aws:region", "us-east-1", cwd=project)
    for name, (holder, field) in CONFIG_NAMES.items():
        engine.cli("config", "set", "--secret", name, cwd=project, stdin=KEYS[holder][field])
    # 1 stack + the project + 3 secrets (listener, and the responder's two accounts), each a
    # component with a secret, a version and a read policy.
    preview = engine.cli("preview", "--diff", cwd=project)
    assert "twitter-secrets:index:TwitterProject" in preview.stdout and "+ 14 to create" in preview.stdout
    up = engine.cli("up", "--yes", cwd=project)
    assert "14 created" in up.stdout
    outputs = json.loads(engine.cli("stack", "output", "--json", cwd=project).stdout)
    assert outputs["rotationDueAt"] == {
        "listener": "2026-11-30",
        "responder/support-a": "2026-11-14",
        "responder/support-b": "2026-11-14",
    }
    sm = client(moto_url, "secretsmanager")
    for label, stored in STORED.items():
        assert sm.get_secret_value(SecretId=outputs["secretArns"][label])[
            "SecretString"
        ] == canonical_payload(stored)
    exported = engine.cli("stack", "export", cwd=project).stdout
    text = exported + preview.stdout + up.stdout + json.dumps(outputs)
    assert [
        f
        for creds in KEYS.values()
        for v in creds.values()
        for f in fragments(v.split("-", 1)[-1])
        if f in text
    ] == []
    assert "14 unchanged" in engine.cli("up", "--yes", "--expect-no-changes", cwd=project).stdout
    engine.cli("destroy", "--yes", cwd=project)
    assert all("DeletedDate" in sm.describe_secret(SecretId=arn) for arn in outputs["secretArns"].values())
