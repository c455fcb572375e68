"""The rotation Lambda's deployment archive, built deterministically.

The archive holds ``rotation/handler.py`` at its root, the pulumi-free
``twitter_runtime`` package (the same sources as the runtime distribution in ``runtime/``), and the pure-Python files of the dependencies
listed in ``rotation/requirements.txt`` as installed in the deploying
environment (boto3 comes with the Lambda runtime). Entries are sorted, with
fixed timestamps and permissions and no bytecode or compiled extensions, so
the same code gives the same bytes: the archive's hash, and so Pulumi's diff,
changes only when the code (or a dependency's version) does. Nothing is
downloaded at deploy time.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
ROTATION_DIR = ROOT / "rotation"
RUNTIME_DIR = ROOT / "runtime" / "twitter_runtime"
BUILD_DIR = ROOT / ".build"
#: Provided by AWS Lambda's Python 3.12 runtime.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six"})
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_SKIP = re.compile(
    r"(^|/)__pycache__/|\.(pyc|pyo|so|pyd|dylib)$|\.dist-info/(RECORD|INSTALLER|REQUESTED|direct_url\.json)$"
)
# What Lambda's python3.12 (Amazon Linux 2023, x86_64) evaluates markers against.
_LAMBDA_MARKERS = {
    **default_environment(),
    "python_version": "3.12",
    "python_full_version": "3.12.0",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "implementation_name": "cpython",
    "extra": "",
}


def dependency_names() -> list[str]:
    lines = (ROTATION_DIR / "requirements.txt").read_text().splitlines()
    return [canonicalize_name(line.strip()) for line in lines if line.strip() and not line.startswith("#")]


def missing_dependencies() -> list[str]:
    """Requirements of the listed packages that neither the list nor Lambda provides."""
    listed = set(dependency_names())
    missing = set()
    for name in listed:
        for text in metadata.requires(name) or []:
            requirement = Requirement(text)
            if requirement.marker and not requirement.marker.evaluate(_LAMBDA_MARKERS):
                continue
            dep = canonicalize_name(requirement.name)
            if dep not in listed and dep not in RUNTIME_PROVIDED:
                missing.add(dep)
    return sorted(missing)


def _dependency_files(name: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for entry in metadata.distribution(name).files or []:
        path = entry.as_posix()
        if path.startswith("..") or _SKIP.search(path):
            continue  # scripts outside site-packages, bytecode, compiled code
        files[path] = entry.locate().read_bytes()
    return files


def archive_files() -> dict[str, bytes]:
    files = {"handler.py": (ROTATION_DIR / "handler.py").read_bytes()}
    for source in sorted(RUNTIME_DIR.glob("*.py")):
        files[f"twitter_runtime/{source.name}"] = source.read_bytes()
    for name in dependency_names():
        files.update(_dependency_files(name))
    return files


def archive_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def build_rotation_archive(build_dir: Path = BUILD_DIR) -> Path:
    """Write the archive (named by its content hash) once per process; return its path."""
    missing = missing_dependencies()
    if missing:
        raise RuntimeError(f"rotation/requirements.txt lacks {', '.join(missing)}, which its packages need")
    data = archive_bytes(archive_files())
    path = build_dir / f"rotation-{hashlib.sha256(data).hexdigest()[:16]}.zip"
    if not path.exists():
        build_dir.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
    return path
