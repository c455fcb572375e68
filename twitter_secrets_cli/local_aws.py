"""moto's standalone server on 127.0.0.1: for the tests and for ``twitter-secrets local``.

A separate process (``python -m moto.server``) on a free loopback port, so
boto3 and the Pulumi AWS provider speak real HTTP to it. moto comes from
requirements-dev.txt.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/moto-api/", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto server did not come up")


@contextmanager
def moto_server() -> Iterator[str]:
    """Start the server on a free loopback port; stop it however the block ends."""
    for _attempt in range(3):  # the port could be taken between choosing and binding it
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # AWS's managed policies (AWSLambdaBasicExecutionRole, ...) exist in every real account.
            env={**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, process)
        except RuntimeError:
            process.kill()
            process.wait()
            continue
        try:
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return
    raise RuntimeError("could not start moto server")
