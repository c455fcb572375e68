"""The plugin on Pulumi's real engine, as other teams get it: the CLI runs ``provider/`` with its
Python language host, in the virtualenv that host makes from ``provider/requirements.txt``, and
the stand-in AWS plugin applies what it registers to moto.

In order: its schema through ``pulumi package get-schema``; the virtualenv it runs in whatever
python the caller has; SDK generation; the YAML example; the TypeScript example and a team's own
Python project, each through the SDK ``pulumi package add`` generates (``sdks/twitter-secrets-
twitter-secrets``): up, the values in AWS, no key in outputs or state, a no-change up, destroy.

Every CLI command that starts the plugin also runs ``python3 -m venv provider/venv`` and
``pip install -r requirements.txt`` (the Python host does, each time), so two processes must not
start it at once: these tests live in this one module, which runs in one worker under
pytest-xdist (``--dist loadfile``), and its first act, under a lock, makes the virtualenv.
The tests of one project share it and run in file order.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from tests.aws_server import client, reset
from tests.canaries import canary_credentials, found_fragments
from tests.doc_blocks import blocks
from tests.engine import ROOT, CliStack, Engine, require_pulumi
from tests.fake_x import fake_x_server
from tests.standin_aws.lambda_runner import X_URL_ENV
from twitter_runtime import canonical_payload

PROVIDER = ROOT / "provider"
PLUGIN_VENV = PROVIDER / "venv"
SNAPSHOT = PROVIDER / "schema.json"
YAML_EXAMPLE = ROOT / "examples" / "yaml"
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
#: 1 stack + the project + 3 secrets (listener, and the responder's two accounts), each a
#: component with a secret, a version and a read policy.
YAML_RESOURCES = 1 + 1 + 3 * 4


def leaked(text: str, keys: list[dict[str, str]]) -> list[str]:
    """Every 10-character fragment of any key found in ``text``."""
    return found_fragments(text, [value for creds in keys for value in creds.values()])


_PREPARED: dict[str, float | bool] = {}


def prepare_plugin(engine: Engine) -> dict[str, float | bool]:
    """``provider/venv`` as users get it: the Python language host makes it from ``requirements.txt``
    (pip from PyPI) the first time the plugin runs. Done once per session, first, under a lock that
    every process of this checkout takes (two pytest runs at once), so none races to create it. A
    failed first install is removed, or the host would take the half-filled folder for a ready
    virtualenv next time. Returns what it did and how long it took."""
    if _PREPARED:
        return _PREPARED
    digest = hashlib.sha256(str(PROVIDER).encode()).hexdigest()[:12]
    lock = Path(tempfile.gettempdir()) / f"twitter-secrets-plugin-venv-{digest}.lock"
    start = time.monotonic()
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        created = not (PLUGIN_VENV / "bin" / "python").exists()
        # Which aws plugin the plugin's pulumi-aws asks for is known only once its virtualenv exists;
        # until then the CLI is told the aws plugin is attached (it is not started: a schema needs none).
        attached = {"PULUMI_DEBUG_PROVIDERS": "aws:1"} if created else {}
        if not created:
            standin_as_installed(engine)
        done = engine.cli("package", "get-schema", str(PROVIDER), cwd=engine.home, check=False, env=attached)
        if done.returncode != 0:
            if created:
                shutil.rmtree(PLUGIN_VENV, ignore_errors=True)
            raise AssertionError(
                f"the plugin did not start (virtualenv {'created' if created else 'reused'}):\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
    _PREPARED.update(created=created, seconds=round(time.monotonic() - start, 1))
    print(
        f"\nplugin virtualenv {PLUGIN_VENV}: {'created' if created else 'reused'} in {_PREPARED['seconds']}s"
    )
    return _PREPARED


def standin_as_installed(engine: Engine) -> None:
    """The stand-in answers for ``aws`` from PATH (Engine puts it there), but before the CLI starts a
    plugin folder it installs the plugins that folder's SDKs ask for (pulumi-aws: its provider, at its
    version), and it checks for those in the plugin cache, not on PATH. An empty cache folder for that
    version says "installed"; the stand-in on PATH is still what runs (the CLI prefers PATH)."""
    (meta,) = PLUGIN_VENV.glob("lib/python*/site-packages/pulumi_aws/pulumi-plugin.json")
    version = json.loads(meta.read_text())["version"]
    (Path(engine.env["PULUMI_HOME"]) / "plugins" / f"resource-aws-v{version}").mkdir(
        parents=True, exist_ok=True
    )


def plugin_engine(tmp_path_factory, moto_url, name: str) -> Engine:
    """A throwaway Pulumi world whose first act is making sure the plugin's virtualenv is ready."""
    engine = Engine(pulumi=require_pulumi(), home=tmp_path_factory.mktemp(name), moto_url=moto_url)
    prepare_plugin(engine)
    standin_as_installed(engine)
    return engine


def beside_provider(work: Path, example: Path) -> Path:
    """``<work>/examples/<example>`` (a copy) with ``<work>/provider`` linking to the checkout's plugin,
    so the README's ``../../provider`` means the real plugin folder and its one virtualenv."""
    target = work / "examples" / example.name
    shutil.copytree(
        example, target, ignore=shutil.ignore_patterns("README.md", "node_modules", "sdks", "bin")
    )
    (work / "provider").symlink_to(PROVIDER, target_is_directory=True)
    return target


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
    return plugin_engine(tmp_path_factory, moto_url, "plugin-engine")


def test_the_plugin_names_its_own_virtualenv():
    """Without a named virtualenv a Python plugin could run in whatever python the caller has."""
    runtime = yaml.safe_load((PROVIDER / "PulumiPlugin.yaml").read_text())["runtime"]
    assert runtime == {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}
    assert "provider/venv/" in (ROOT / ".gitignore").read_text().splitlines()


def test_get_schema_equals_the_committed_schema(engine):
    done = engine.cli("package", "get-schema", str(PROVIDER), cwd=engine.home)
    served = json.loads(done.stdout)
    assert served == as_the_cli_prints_it(json.loads(SNAPSHOT.read_text()))
    assert sorted(served["resources"]) == [
        "twitter-secrets:index:TwitterAppCredentials",
        "twitter-secrets:index:TwitterProject",
    ]


def test_the_plugin_starts_with_no_package_index_once_its_virtualenv_exists(engine, tmp_path):
    """A locked-down pipeline: every index and proxy refuses, and the plugin still starts and serves.

    Pulumi's Python host runs `pip install -r requirements.txt` at every start; with each
    requirement already satisfied in provider/venv, pip does not ask an index.
    """
    assert (PLUGIN_VENV / "bin" / "python").exists()  # made by the engine fixture's first start
    nowhere = "http://127.0.0.1:9/simple"
    env = {
        "PIP_INDEX_URL": nowhere,
        "PIP_EXTRA_INDEX_URL": nowhere,
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "",
        "PIP_RETRIES": "0",
        "PIP_TIMEOUT": "2",
    }
    start = time.monotonic()
    done = engine.cli("package", "get-schema", str(PROVIDER), cwd=tmp_path, check=False, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout) == as_the_cli_prints_it(json.loads(SNAPSHOT.read_text()))
    print(f"\nplugin start with no package index: {time.monotonic() - start:.1f}s")


def test_the_plugin_runs_in_its_own_virtualenv_whatever_python_the_caller_has(engine, tmp_path):
    """Another virtualenv first on PATH and in VIRTUAL_ENV (an activated venv, without Pulumi): the
    plugin still starts, in provider/venv, and that venv's python never runs the plugin."""
    other = tmp_path / "other-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(other)], check=True)
    calls = tmp_path / "calls"
    real = other / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    for name in ("python", "python3"):
        (other / "bin" / name).unlink()
        (other / "bin" / name).write_text(f'#!/bin/sh\necho "$0 $*" >> {calls}\nexec {real} "$@"\n')
        (other / "bin" / name).chmod(0o755)
    assert (
        subprocess.run([other / "bin" / "python3", "-c", "import pulumi"], capture_output=True).returncode
        != 0
    )
    calls.unlink()

    env = {"PATH": f"{other / 'bin'}{os.pathsep}{engine.env['PATH']}", "VIRTUAL_ENV": str(other)}
    done = engine.cli("package", "get-schema", str(PROVIDER), cwd=tmp_path, check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["name"] == "twitter-secrets"
    # The host runs the first python3 on PATH for one thing only: `python3 -m venv provider/venv`
    # before each pip install; the plugin itself never runs on the caller's python.
    called = calls.read_text().splitlines() if calls.exists() else []
    assert called and all(line.endswith(f" -m venv {PLUGIN_VENV}") for line in called), called
    # …and the one it ran in is the plugin's: Pulumi and the AWS SDK installed from requirements.txt.
    check = "import pulumi, pulumi_aws, boto3, requests_oauthlib, aws_secretsmanager_caching"
    assert subprocess.run([PLUGIN_VENV / "bin" / "python", "-c", check]).returncode == 0


@pytest.mark.parametrize(
    ("language", "files"),
    [
        ("nodejs", ["package.json", "twitterAppCredentials.ts", "twitterProject.ts", "types/input.ts"]),
        (
            "python",
            [
                "setup.py",
                "twitter_secrets_twitter_secrets/twitter_app_credentials.py",
                "twitter_secrets_twitter_secrets/twitter_project.py",
            ],
        ),
    ],
)
def test_gen_sdk(engine, language, files, tmp_path):
    engine.cli(
        "package", "gen-sdk", str(PROVIDER), "--language", language, "--out", str(tmp_path), cwd=engine.home
    )
    sdk = tmp_path / language
    assert [f for f in files if not (sdk / f).is_file()] == []
    if language == "nodejs":
        manifest = json.loads((sdk / "package.json").read_text())
        assert (manifest["name"], manifest["version"]) == ("@twitter-secrets/twitter-secrets", "0.3.0")
        source = (sdk / "twitterAppCredentials.ts").read_text()
        assert "__pulumiType = 'twitter-secrets:index:TwitterAppCredentials'" in source
        assert "true /*remote*/" in source  # a component the plugin constructs
        assert "readonly secretArn: pulumi.Output<string>" in source
    else:
        setup = (sdk / "setup.py").read_text()
        assert "name='twitter_secrets_twitter_secrets'" in setup and 'VERSION = "0.3.0"' in setup
        plugin = json.loads((sdk / "twitter_secrets_twitter_secrets" / "pulumi-plugin.json").read_text())
        assert plugin == {"resource": True, "name": "twitter-secrets", "version": "0.3.0"}
        source = (sdk / "twitter_secrets_twitter_secrets" / "twitter_app_credentials.py").read_text()
        assert "class TwitterAppCredentials(pulumi.ComponentResource)" in source
        assert "def secret_arn(self) -> pulumi.Output[_builtins.str]" in source


def yaml_project(engine: Engine, name: str) -> tuple[Path, CliStack]:
    """A copy of examples/yaml beside a link to the plugin, its stack ``name`` made and every key set on stdin."""
    project = beside_provider(engine.home / name, YAML_EXAMPLE)
    engine.cli("stack", "init", name, cwd=project)
    engine.cli("config", "set", "aws:region", "us-east-1", cwd=project)
    for config_name, (holder, field) in CONFIG_NAMES.items():
        engine.cli("config", "set", "--secret", config_name, cwd=project, stdin=KEYS[holder][field])
    return project, engine.stack(project, name)


def test_yaml_example_deploys_through_the_plugin_folder(engine, moto_url):
    """examples/yaml as it is: its ``packages:`` entry names the plugin folder (``../../provider``)."""
    reset(moto_url)
    project, stack = yaml_project(engine, "yaml-folder")
    assert yaml.safe_load((project / "Pulumi.yaml").read_text())["packages"] == {
        "twitter-secrets": "../../provider"
    }
    # Then up, the values in AWS, no key in outputs or state, a no-change up, destroy leaving every
    # secret recoverable.
    preview = stack.preview("--diff")
    assert preview.changes == {"create": YAML_RESOURCES}
    assert preview.ops()["twitter-secrets:index:TwitterProject::brandMonitoring"] == {"create"}
    up = stack.up()
    assert up.changes == {"create": YAML_RESOURCES}
    outputs = stack.outputs()
    assert outputs["rotationDueAt"] == {
        "listener": "2026-11-30",
        "responder/support-a": "2026-11-14",
        "responder/support-b": "2026-11-14",
    }
    assert sorted(outputs["readPolicyArns"]) == sorted(STORED)
    sm = client(moto_url, "secretsmanager")
    for label, stored in STORED.items():
        described = sm.describe_secret(SecretId=outputs["secretArns"][label])
        assert described["Name"] == f"twitter/{stack.name}/brand-monitoring/{label}"
        assert sm.get_secret_value(SecretId=described["ARN"])["SecretString"] == canonical_payload(stored)
    assert leaked(stack.export() + json.dumps(outputs) + "".join(engine.outputs), list(KEYS.values())) == []

    assert stack.up(expect_no_changes=True).changes == {"same": YAML_RESOURCES}
    assert stack.destroy().changes == {"delete": YAML_RESOURCES}
    assert all("DeletedDate" in sm.describe_secret(SecretId=arn) for arn in outputs["secretArns"].values())


# ---------------------------------------------------------------------------------------------------
# Other teams' projects: the SDK `pulumi package add` generates, in TypeScript and in Python.

SDK = "sdks/twitter-secrets-twitter-secrets"
TS_EXAMPLE = ROOT / "examples" / "typescript"
TS_KEYS = {
    "listener": canary_credentials("ts/brand-monitoring/listener", user_id="61"),
    "responder": canary_credentials("ts/support/responder", user_id="62"),
}
#: The example's config: the listener's four keys one by one, the support project's as one object.
TS_CONFIG = {
    "listenerApiKey": ("listener", "consumer_key"),
    "listenerApiKeySecret": ("listener", "consumer_secret"),
    "listenerAccessToken": ("listener", "access_token"),
    "listenerAccessTokenSecret": ("listener", "access_token_secret"),
    **{f"supportCredentials.responder.{f}": ("responder", f) for f in TS_KEYS["responder"]},
}
PY_KEYS = canary_credentials("py/brand-monitoring/listener", user_id="71")
#: The README's Python example for another project (the one snippet importing the generated SDK),
#: run here as that project's whole program.
PY_PROGRAM = next(
    textwrap.dedent(snippet)
    for snippet in [b.text for b in blocks("python")]
    if "import twitter_secrets_twitter_secrets" in snippet
)
#: The component, its secret, version and read policy.
APP_RESOURCES = 4

#: What the TypeScript example creates (``type::name``): the stack; the listener's component with
#: its secret, version and read policy; the support project; its responder with the same four and
#: its bearer rotation (the bearer secret and first version, the rotation function, its role, two
#: policies, the invoke permission and the rotation schedule).
TS_CREATED = {
    "pulumi:pulumi:Stack::twitter-secrets-typescript-example-ts",
    "twitter-secrets:index:TwitterAppCredentials::listener",
    "aws:secretsmanager/secret:Secret::listener-secret",
    "aws:secretsmanager/secretVersion:SecretVersion::listener-version",
    "aws:iam/policy:Policy::listener-read",
    "twitter-secrets:index:TwitterProject::support",
    "twitter-secrets:index:TwitterAppCredentials::support/responder",
    "aws:secretsmanager/secret:Secret::support/responder-secret",
    "aws:secretsmanager/secretVersion:SecretVersion::support/responder-version",
    "aws:iam/policy:Policy::support/responder-read",
    "aws:secretsmanager/secret:Secret::support/responder-bearer",
    "aws:secretsmanager/secretVersion:SecretVersion::support/responder-bearer-initial",
    "aws:lambda/function:Function::support/responder-rotation",
    "aws:iam/role:Role::support/responder-rotation-role",
    "aws:iam/rolePolicy:RolePolicy::support/responder-rotation-access",
    "aws:cloudwatch/logGroup:LogGroup::support/responder-rotation-logs",
    "aws:iam/rolePolicy:RolePolicy::support/responder-rotation-logs",
    "aws:cloudwatch/metricAlarm:MetricAlarm::support/responder-rotation-errors",
    "aws:lambda/permission:Permission::support/responder-rotation-invoke",
    "aws:secretsmanager/secretRotation:SecretRotation::support/responder-bearer-rotation",
}
TS_RESOURCES = len(TS_CREATED)


class Consumer:
    """One consumer project, its stack, and everything its commands printed or exported."""

    def __init__(self, engine: Engine, work: Path, stack: str) -> None:
        self.engine, self.work = engine, work
        self.stack = CliStack(engine, work, stack)
        self.seen: list[str] = []
        self.timings: dict[str, float] = {}

    def timed(self, step: str, action, *args, **kwargs):
        start = time.monotonic()
        result = action(*args, **kwargs)
        self.timings[step] = round(time.monotonic() - start, 1)
        return result

    def package_add(self) -> subprocess.CompletedProcess:
        """What the README says: ``pulumi package add ../../provider`` in the project folder."""
        done = self.timed("package add", self.engine.cli, "package", "add", "../../provider", cwd=self.work)
        self.engine.collect(done.stdout + done.stderr)
        return done

    def configure(self, values: dict[str, str]) -> None:
        self.engine.cli("stack", "init", self.stack.name, cwd=self.work)
        self.engine.cli("config", "set", "aws:region", "us-east-1", cwd=self.work)
        for name, value in values.items():
            path = ("--path",) if "." in name else ()
            self.engine.cli("config", "set", "--secret", *path, name, cwd=self.work, stdin=value)

    def leaks(self, keys: list[dict[str, str]]) -> list[str]:
        """Fragments of ``keys`` in the engine's output, what the test saw, and every Lambda run's output."""
        logs = "".join(self.engine.lambda_logs().values())
        return leaked("".join(self.engine.outputs) + "".join(self.seen) + logs, keys)


def stored(moto_url: str, arn: str) -> str:
    return client(moto_url, "secretsmanager").get_secret_value(SecretId=arn)["SecretString"]


def recoverable(moto_url: str, arn: str) -> bool:
    """Scheduled for deletion (DeletedDate set), so restore-secret can still bring it back."""
    return "DeletedDate" in client(moto_url, "secretsmanager").describe_secret(SecretId=arn)


# ---------------------------------------------------------------------------------------------------
# TypeScript: examples/typescript as a team uses it.


@pytest.fixture(scope="module")
def typescript(tmp_path_factory, moto_url):
    engine = plugin_engine(tmp_path_factory, moto_url, "plugin-typescript")
    reset(moto_url)
    project = Consumer(engine, beside_provider(engine.home / "repo", TS_EXAMPLE), "ts")
    project.add = project.package_add()
    # The responder's bearer rotation runs its Lambda on deploy (the stand-in runs it): against the fake X.
    with fake_x_server() as fake:
        fake.add_credentials(TS_KEYS["responder"], username="supportbot")  # the App owner's Access Token
        engine.env[X_URL_ENV] = fake.url
        project.fake_x = fake
        project.keys = list(TS_KEYS.values())  # and the bearer token, once X issued it
        yield project


def test_typescript_package_add_generates_links_and_installs_the_sdk(typescript):
    work = typescript.work
    assert f"Successfully generated an SDK for the twitter-secrets package at {work / 'sdks'}" in (
        typescript.add.stdout
    )
    assert json.loads((work / SDK / "package.json").read_text())["name"] == "@twitter-secrets/twitter-secrets"
    manifest = json.loads((work / "package.json").read_text())
    assert manifest["dependencies"]["@twitter-secrets/twitter-secrets"] == f"file:{SDK}"
    assert yaml.safe_load((work / "Pulumi.yaml").read_text())["packages"] == {
        "twitter-secrets": "../../provider"
    }
    # Installed by `package add` itself (npm install), the SDK compiled by its postinstall script.
    installed = work / "node_modules" / "@twitter-secrets" / "twitter-secrets"
    assert (installed / "bin" / "index.js").is_file() and (installed / "bin" / "index.d.ts").is_file()
    assert (work / "node_modules" / "@pulumi" / "pulumi" / "package.json").is_file()


def test_typescript_program_type_checks_against_the_sdk(typescript):
    done = typescript.timed(
        "tsc",
        subprocess.run,
        [typescript.work / "node_modules" / ".bin" / "tsc", "--noEmit", "-p", "."],
        cwd=typescript.work,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_typescript_preview_and_up(typescript, moto_url):
    typescript.configure({name: TS_KEYS[app][field] for name, (app, field) in TS_CONFIG.items()})
    preview = typescript.timed("preview", typescript.stack.preview)
    assert preview.ops()["twitter-secrets:index:TwitterAppCredentials::listener"] == {"create"}
    up = typescript.timed("up", typescript.stack.up)
    assert up.changes == preview.changes == {"create": TS_RESOURCES}
    created = {name for name, ops in up.ops().items() if not name.startswith("pulumi:providers:")}
    assert created == TS_CREATED and all(up.ops()[name] == {"create"} for name in created)
    outputs = typescript.stack.outputs()
    assert sorted(outputs) == ["listenerRotationDueAt", "listenerSecretArn", "supportSecretArns"]
    assert outputs["listenerRotationDueAt"] == "2026-11-30"
    assert sorted(outputs["supportSecretArns"]) == ["responder"]
    assert stored(moto_url, outputs["listenerSecretArn"]) == canonical_payload(TS_KEYS["listener"])
    assert stored(moto_url, outputs["supportSecretArns"]["responder"]) == canonical_payload(
        TS_KEYS["responder"]
    )
    sm = client(moto_url, "secretsmanager")
    assert (
        sm.describe_secret(SecretId=outputs["listenerSecretArn"])["Name"]
        == "twitter/ts/brand-monitoring/listener"
    )
    # bearerRotationDays: the bearer secret, rotated once on deploy, holds the token X issued.
    bearer = typescript.fake_x.current_bearer(TS_KEYS["responder"]["consumer_key"])
    assert bearer and json.loads(stored(moto_url, "twitter/ts/support/responder/bearer")) == {
        "bearer_token": bearer
    }
    typescript.keys.append({"bearer_token": bearer})
    rotation = typescript.engine.lambda_logs()["twitter-ts-support-responder-rotation"]
    assert rotation.count("== ") == 4 and "AWSCURRENT moved" in rotation  # the four steps ran, logged
    typescript.outputs = outputs
    typescript.seen += [json.dumps(outputs), typescript.stack.export()]
    assert typescript.leaks(typescript.keys) == []


def test_typescript_second_up_changes_nothing(typescript):
    up = typescript.timed("up (no change)", typescript.stack.up, expect_no_changes=True)
    assert up.changes == {"same": TS_RESOURCES}


def test_typescript_destroy_leaves_the_secrets_recoverable(typescript, moto_url):
    down = typescript.timed("destroy", typescript.stack.destroy)
    assert down.changes == {"delete": TS_RESOURCES}
    arns = [typescript.outputs["listenerSecretArn"], *typescript.outputs["supportSecretArns"].values()]
    assert [arn for arn in arns if not recoverable(moto_url, arn)] == []
    assert typescript.leaks(typescript.keys) == []
    print(f"\ntypescript timings (s): {typescript.timings}")


# ---------------------------------------------------------------------------------------------------
# Python: a team's own Python project (pip, its own virtualenv) using the generated Python SDK.


@pytest.fixture(scope="module")
def python_project(tmp_path_factory, moto_url):
    engine = plugin_engine(tmp_path_factory, moto_url, "plugin-python")
    reset(moto_url)
    work = engine.home / "repo" / "examples" / "python"
    work.mkdir(parents=True)
    (engine.home / "repo" / "provider").symlink_to(ROOT / "provider", target_is_directory=True)
    (work / "Pulumi.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "twitter-secrets-python-consumer",
                "runtime": {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}},
            }
        )
    )
    (work / "requirements.txt").write_text("pulumi>=3.272,<4\n")
    (work / "__main__.py").write_text(PY_PROGRAM)
    project = Consumer(engine, work, "py")
    project.add = project.package_add()
    return project


def test_python_package_add_generates_links_and_installs_the_sdk(python_project):
    work = python_project.work
    assert (work / SDK / "twitter_secrets_twitter_secrets" / "twitter_app_credentials.py").is_file()
    assert (work / "requirements.txt").read_text().splitlines() == ["pulumi>=3.272,<4", SDK]
    assert yaml.safe_load((work / "Pulumi.yaml").read_text())["packages"] == {
        "twitter-secrets": "../../provider"
    }
    # Installed into the project's own virtualenv by `package add` (pip install -r requirements.txt).
    where = subprocess.run(
        [
            work / "venv" / "bin" / "python",
            "-c",
            "import twitter_secrets_twitter_secrets as t; print(t.__file__)",
        ],
        capture_output=True,
        text=True,
    )
    assert where.returncode == 0, where.stderr
    assert str(work / "venv") in where.stdout


def test_python_up_no_change_and_destroy(python_project, moto_url):
    fields = {"consumer_key": "apiKey", "consumer_secret": "apiKeySecret"}
    fields |= {"access_token": "accessToken", "access_token_secret": "accessTokenSecret"}
    python_project.configure({name: PY_KEYS[field] for field, name in fields.items()})
    preview = python_project.timed("preview", python_project.stack.preview)
    assert preview.changes == {"create": 1 + APP_RESOURCES}
    assert preview.ops()["twitter-secrets:index:TwitterAppCredentials::listener"] == {"create"}
    up = python_project.timed("up", python_project.stack.up)
    assert up.changes == {"create": 1 + APP_RESOURCES}
    outputs = python_project.stack.outputs()
    described = client(moto_url, "secretsmanager").describe_secret(SecretId=outputs["secretArn"])
    assert described["Name"] == "twitter/py/brand-monitoring/listener"
    tags = {t["Key"]: t["Value"] for t in described["Tags"]}
    assert tags["rotation:due-at"] == "2026-11-30"  # issued 2026-09-01, every 90 days (the default)
    assert stored(moto_url, outputs["secretArn"]) == canonical_payload(PY_KEYS)
    python_project.seen += [json.dumps(outputs), python_project.stack.export()]

    again = python_project.timed("up (no change)", python_project.stack.up, expect_no_changes=True)
    assert again.changes == {"same": 1 + APP_RESOURCES}
    down = python_project.timed("destroy", python_project.stack.destroy)
    assert down.changes == {"delete": 1 + APP_RESOURCES}
    assert recoverable(moto_url, outputs["secretArn"])
    assert python_project.leaks([PY_KEYS]) == []
    print(f"\npython timings (s): {python_project.timings}")


# ---------------------------------------------------------------------------------------------------
# Go: examples/go as a team uses it (package add wires the generated Go SDK in with a replace line).

GO_EXAMPLE = ROOT / "examples" / "go"
GO_KEYS = {app: canary_credentials(f"go/{app}", user_id="73") for app in ("listener", "responder")}
GO_CONFIG = {
    f"{app}{name}": GO_KEYS[app][field]
    for app in GO_KEYS
    for name, field in (
        ("ApiKey", "consumer_key"),
        ("ApiKeySecret", "consumer_secret"),
        ("AccessToken", "access_token"),
        ("AccessTokenSecret", "access_token_secret"),
    )
}
#: The stack; the listener component, its secret, version and read policy; the support project
#: and its responder with the same four.
GO_RESOURCES = 1 + APP_RESOURCES + 1 + APP_RESOURCES


def go_env(pulumi: Path) -> dict[str, str]:
    """Go's caches: those the CLI build filled when there is one (nothing to download again)."""
    env = {"GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "GOWORK": "off"}
    cache = Path(pulumi).resolve().parent.parent.parent  # <cache>/v<version>/bin/pulumi
    if (cache / "gopath").is_dir():
        env.update(GOPATH=str(cache / "gopath"), GOMODCACHE=str(cache / "gopath" / "pkg" / "mod"))
        env.update(GOCACHE=str(cache / "gocache"))
    return env


@pytest.fixture(scope="module")
def go_project(tmp_path_factory, moto_url):
    if shutil.which("go") is None:
        pytest.fail("no go on PATH: the Go example needs the Go toolchain (README: Go 1.26.6+)")
    engine = plugin_engine(tmp_path_factory, moto_url, "plugin-go")
    engine.env.update(go_env(engine.pulumi))
    reset(moto_url)
    project = Consumer(engine, beside_provider(engine.home / "repo", GO_EXAMPLE), "go")
    project.add = project.package_add()
    return project


def test_go_package_add_generates_the_sdk_and_a_replace_line(go_project):
    work = go_project.work
    assert (work / SDK / "twittersecrets" / "twitterAppCredentials.go").is_file()
    gomod = (work / "go.mod").read_text()
    assert (
        "replace github.com/twitter-secrets/pulumi-twitter-secrets/sdk/go => ./sdks/twitter-secrets-twitter-secrets"
        in gomod
    )
    assert yaml.safe_load((work / "Pulumi.yaml").read_text())["packages"] == {
        "twitter-secrets": "../../provider"
    }


def test_go_program_builds_and_vets_against_the_sdk(go_project):
    for step in (["go", "build", "-o", str(go_project.engine.home / "go-program"), "."], ["go", "vet", "."]):
        done = go_project.timed(
            step[1],
            subprocess.run,
            step,
            cwd=go_project.work,
            env=go_project.engine.env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_go_preview_up_no_change_and_destroy(go_project, moto_url):
    go_project.configure(GO_CONFIG)
    preview = go_project.timed("preview", go_project.stack.preview)
    assert preview.changes == {"create": GO_RESOURCES}
    assert preview.ops()["twitter-secrets:index:TwitterProject::support"] == {"create"}
    up = go_project.timed("up", go_project.stack.up)
    assert up.changes == {"create": GO_RESOURCES}
    outputs = go_project.stack.outputs()
    assert outputs["listenerRotationDueAt"] == "2026-11-30"
    assert stored(moto_url, outputs["listenerSecretArn"]) == canonical_payload(GO_KEYS["listener"])
    responder = outputs["supportSecretArns"]["responder"]
    assert stored(moto_url, responder) == canonical_payload(GO_KEYS["responder"])
    sm = client(moto_url, "secretsmanager")
    assert sm.describe_secret(SecretId=responder)["Name"] == "twitter/go/support/responder"
    go_project.seen += [json.dumps(outputs), go_project.stack.export()]

    again = go_project.timed("up (no change)", go_project.stack.up, expect_no_changes=True)
    assert again.changes == {"same": GO_RESOURCES}
    down = go_project.timed("destroy", go_project.stack.destroy)
    assert down.changes == {"delete": GO_RESOURCES}
    assert recoverable(moto_url, outputs["listenerSecretArn"]) and recoverable(moto_url, responder)
    assert go_project.leaks(list(GO_KEYS.values())) == []
    print(f"\ngo timings (s): {go_project.timings}")
