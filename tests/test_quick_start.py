"""The README's quick start, verbatim, on the real CLI: its three lines run by bash in a fresh copy
of this checkout, the keys typed at Pulumi's own prompts.

Each line runs as written, in a pseudo-terminal as a person's shell would: the first makes a
new ``.venv`` and installs ``requirements.txt`` into it (a real pip install), the second's
loop answers each ``value:`` prompt with a canary key, the third is ``pulumi up``; the
CLI starts the program through its Python language host in that ``.venv``. What stands in
for the person: ``PULUMI_SKIP_CONFIRMATIONS`` answers ``up``'s "perform this update?" with
yes, and the stand-in for pulumi-aws (first on PATH) deploys to moto.
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import time
from pathlib import Path

from tests.aws_server import client, reset
from tests.canaries import canary_credentials, found_fragments
from tests.engine import ROOT, Engine, require_pulumi
from twitter_runtime import canonical_payload

FIELDS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
CREDS = canary_credentials("my-project/my-app", user_id="5150")
#: The CLI's secret prompt turns bracketed paste on once it owns the terminal (raw mode, no echo):
#: only then is a key typed, as a person would, so the terminal never echoes it.
PROMPT_READY = b"\x1b[?2004h"


def quick_start() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```bash\n(.*?)```", section, re.S)
    return [line for line in block.splitlines() if line.strip()]


def checkout_copy(target: Path) -> Path:
    """The files a clone of this checkout has (tracked and new, not ignored), without its .venv."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def in_a_terminal(
    line: str, cwd: Path, env: dict[str, str], answers: list[str], timeout: float
) -> tuple[int, str]:
    """``bash -c line`` on a pseudo-terminal; each ``value:`` prompt gets the next answer, as typed."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        ["bash", "-c", line],
        cwd=cwd,
        env=env,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        close_fds=True,
    )
    os.close(secondary)
    seen, pending, deadline = b"", list(answers), time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(primary, 65536)
                except OSError:  # the terminal closed: every process on it ended
                    break
                if not chunk:
                    break
                seen += chunk
                if pending and seen.count(PROMPT_READY) > len(answers) - len(pending):
                    os.write(primary, pending.pop(0).encode() + b"\r")
            elif process.poll() is not None:
                break
        else:
            process.kill()
            raise AssertionError(
                f"`{line[:60]}…` did not finish in {timeout:.0f} s:\n{seen.decode(errors='replace')[-3000:]}"
            )
    finally:
        os.close(primary)
    assert not pending, f"{len(pending)} prompts never came:\n{seen.decode(errors='replace')[-3000:]}"
    return process.wait(timeout=30), seen.decode(errors="replace")


def test_the_quick_start_runs_verbatim(tmp_path, moto_url):
    pulumi = require_pulumi()
    lines = quick_start()
    assert len(lines) == 3 and lines[2] == "pulumi up"
    loop = re.fullmatch(r"for field in (.+?); do (.+); done", lines[1])
    assert loop and re.findall(r'([a-z_]+):"', loop.group(1)) == list(FIELDS)
    reset(moto_url)
    project = checkout_copy(tmp_path / "checkout")
    engine = Engine(pulumi=pulumi, home=tmp_path / "engine", moto_url=moto_url)
    env = {**engine.env, "PULUMI_SKIP_CONFIRMATIONS": "true", "TERM": "xterm"}

    status, shown = in_a_terminal(lines[0], project, env, [], timeout=600)
    assert status == 0, shown[-3000:]
    assert (project / ".venv" / "bin" / "python").exists()

    status, typed = in_a_terminal(lines[1], project, env, [CREDS[f] for f in FIELDS], timeout=120)
    assert status == 0, typed[-3000:]
    # Each prompt is preceded by the name of the key it wants, in the portal's words, in order.
    named = re.findall(r"Paste the ([A-Za-z ]+) of my-app from the portal's Keys and tokens page:", typed)
    assert named == ["API Key", "API Key Secret", "Access Token", "Access Token Secret"]
    stack_file = (project / "stacks" / "Pulumi.mine.yaml").read_text()
    assert stack_file.count("secure:") == 4

    status, deployed = in_a_terminal(lines[2], project, env, [], timeout=600)
    assert status == 0, deployed[-3000:]
    assert "6 created" in deployed  # stack, component, secret, version, read policy, and the project

    outputs = engine.stack_outputs(project, "mine")
    arn = outputs["secretArns"]["my-project/my-app"]
    secret = client(moto_url, "secretsmanager")
    assert secret.describe_secret(SecretId=arn)["Name"] == "twitter/mine/my-project/my-app"
    assert secret.get_secret_value(SecretId=arn)["SecretString"] == canonical_payload(CREDS)
    assert outputs["twitterApps"]["my-project/my-app"]["owner"] == "my-team"
    # Nothing typed or printed holds a key: the prompts do not echo, the engine shows no value.
    text = (
        shown
        + typed
        + deployed
        + stack_file
        + engine.cli("stack", "export", "--stack", "mine", cwd=project).stdout
    )
    assert found_fragments(text, CREDS.values()) == []
