"""The README's quick start, as written, on the real CLI: its config commands, then the deployment.

The first line's `pulumi` commands and the second line's four `config set --secret` run as
the `pulumi` command itself, in a copy of this project. `pulumi up` (the third line) needs
Pulumi's Python language host to start the program, which the Go module proxy does not serve:
the same update runs through the Automation API on the same CLI and engine instead.
"""

from __future__ import annotations

import re
import runpy
import shlex
import shutil

from pulumi import automation as auto

from tests.aws_server import client, reset
from tests.canaries import canary_credentials
from tests.engine import ROOT, Engine, require_pulumi
from twitter_runtime import canonical_payload

FIELDS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
CREDS = canary_credentials("my-project/my-app", user_id="5150")


def quick_start() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```bash\n(.*?)```", section, re.S)
    return [line for line in block.splitlines() if line.strip()]


def test_the_quick_start_has_three_commands_and_follows_them(tmp_path, moto_url):
    pulumi = require_pulumi()
    first, second, third = quick_start()
    assert third == "pulumi up"
    reset(moto_url)
    project = tmp_path / "project"
    project.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy2(ROOT / name, project / name)
    (project / "stacks").mkdir()
    engine = Engine(pulumi=pulumi, home=tmp_path / "engine", moto_url=moto_url)

    # Line 1: the venv is this one; every `pulumi …` step runs as written.
    steps = [shlex.split(step) for step in first.split(" && ")]
    assert steps[0][:3] == ["python3", "-m", "venv"]
    for argv in steps:
        if argv[0] == "pulumi":
            engine.cli(*argv[1:], cwd=project)
    # Line 2: the loop, one prompt (here: stdin) per field, in the order it names them.
    loop = re.fullmatch(r"for field in ([a-z_ ]+); do (.+); done", second)
    assert loop and tuple(loop.group(1).split()) == FIELDS
    for field in FIELDS:
        argv = shlex.split(loop.group(2).replace("$field", field))
        engine.cli(*argv[1:], cwd=project, stdin=CREDS[field])
    stack_file = (project / "stacks" / "Pulumi.mine.yaml").read_text()
    assert "secure:" in stack_file and CREDS["consumer_secret"] not in stack_file

    # Line 3: the update on the same CLI and engine.
    options = auto.LocalWorkspaceOptions(
        work_dir=str(project),
        env_vars=engine.env,
        pulumi_command=auto.PulumiCommand(root=str(pulumi.parent.parent), skip_version_check=True),
    )
    stack = auto.select_stack(
        stack_name="mine",
        project_name="twitter-secrets",
        program=lambda: runpy.run_path(str(project / "__main__.py"), run_name="__main__"),
        opts=options,
    )
    result = stack.up(on_output=engine.collect)
    assert result.summary.result == "succeeded"
    arn = result.outputs["secretArns"].value["my-project/my-app"]
    secret = client(moto_url, "secretsmanager")
    assert secret.describe_secret(SecretId=arn)["Name"] == "twitter/mine/my-project/my-app"
    assert secret.get_secret_value(SecretId=arn)["SecretString"] == canonical_payload(CREDS)
    assert result.outputs["twitterApps"].value["my-project/my-app"]["owner"] == "my-team"
