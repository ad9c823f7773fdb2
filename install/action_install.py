"""Install the action's locked dependencies into a virtual environment, hash-checked, as fast as is reliable.

Run by action.yml with the runner's Python (standard library only):
    python3 -P install/action_install.py VENV [PYTHON]
Three ways, each taken only when the one before it cannot be:
1. the lock's wheels, fetched at once and unpacked by install/wheel_install.py (CPython on Linux with glibc);
2. uv: the runner's own, else uv's wheel fetched from the package index and checked against the hashes
   pinned in requirements-uv.txt;
3. pip, with --require-hashes.
Each installs the same requirements.txt and only the files whose sha256 it pins. INCIDENT_OPS_INSTALL=uv or
=pip starts further down the list.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # -P leaves the script's folder off sys.path

import wheel_install  # noqa: E402 - found through the line above
from lock_pins import InstallProblem, normalized, pins  # noqa: E402

HERE = Path(__file__).resolve().parent.parent
LOCK = HERE / "requirements.txt"
UV_LOCK = HERE / "requirements-uv.txt"
DEFAULT_INDEX = "https://pypi.org/simple"
# The wheel tag carrying uv's binary for each platform this fast way supports; others use pip.
UV_WHEEL_TAGS = {
    ("linux", "x86_64"): "manylinux_2_17_x86_64",
    ("linux", "aarch64"): "manylinux_2_17_aarch64",
    ("darwin", "arm64"): "macosx_11_0_arm64",
    ("darwin", "x86_64"): "macosx_10_12_x86_64",
}


def pinned(lock_text: str, name: str) -> tuple[str, frozenset[str]]:
    """The pinned version of `name` in a hash-locked requirements text, and its allowed sha256 hashes."""
    found = next((pin for pin in pins(lock_text) if normalized(pin.name) == normalized(name)), None)
    if found is None:
        raise InstallProblem(f"{name} is not pinned in the lock")
    if not found.hashes:
        raise InstallProblem(f"{name} has no sha256 hashes in the lock")
    return found.version, found.hashes


def wheel_tag(system: str, machine: str) -> str:
    """The platform tag of the uv wheel for this runner."""
    tag = UV_WHEEL_TAGS.get((system.lower(), machine.lower()))
    if tag is None:
        raise InstallProblem(f"no uv wheel is pinned for {system}/{machine}")
    return tag


def wheel_url(index: str, version: str, tag: str) -> str:
    """The URL of uv's wheel for `tag`, from the index's JSON simple API (PEP 691); the lock checks it."""
    request = urllib.request.Request(
        f"{index.rstrip('/')}/uv/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - the package index
        files = json.load(answer)["files"]
    prefix = f"uv-{version}-py3-none-"
    for entry in files:
        name = entry["filename"]
        if name.startswith(prefix) and name.endswith(".whl") and tag in name:
            return str(entry["url"])
    raise InstallProblem(f"the index has no uv {version} wheel for {tag}")


def kept_cache(env: dict[str, str]) -> Path:
    """Where fetched uv and wheels are kept for the next runs on this machine (a self-hosted runner's)."""
    base = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
    return Path(base) / "incident-ops"


def fetch_uv(cache: Path, index: str, into: Path) -> Path:
    """uv's binary, written into `into` from its pinned wheel, whose every byte is checked on every use.

    The wheel is kept in `cache` for the next runs; the binary never is, so nothing a later run executes is
    trusted for having been checked before.
    """
    version, hashes = pinned(UV_LOCK.read_text(encoding="utf-8"), "uv")
    tag = wheel_tag(platform.system(), platform.machine())
    kept = cache / f"uv-{version}-py3-none-{tag}.whl"
    wheel = kept.read_bytes() if kept.is_file() else b""
    if hashlib.sha256(wheel).hexdigest() not in hashes:
        url = wheel_url(index, version, tag)
        if not url.startswith(("https://", "http://127.0.0.1:")):
            raise InstallProblem(f"the index gave a URL that is not https: {url}")
        with urllib.request.urlopen(url, timeout=120) as answer:  # noqa: S310 - checked above
            wheel = answer.read()
        if hashlib.sha256(wheel).hexdigest() not in hashes:
            raise InstallProblem(f"uv's wheel from {url} does not match the pinned hashes")
        wheel_install.keep(cache, kept.name, wheel)
    with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
        member = next((n for n in archive.namelist() if n.endswith(".data/scripts/uv")), None)
        if member is None:
            raise InstallProblem("uv's wheel holds no uv binary")
        binary = into / "uv"
        binary.write_bytes(archive.read(member))
    binary.chmod(0o700)
    return binary


def with_uv(uv: str, venv: Path, python: str) -> None:
    """A venv made by uv, filled from the lock with hashes required."""
    quiet = ["--quiet", "--no-progress"]
    subprocess.run([uv, "venv", *quiet, "--python", python, str(venv)], check=True, timeout=300)
    install = [uv, "pip", "install", *quiet, "--python", str(venv / "bin" / "python")]
    subprocess.run([*install, "--require-hashes", "--no-deps", "-r", str(LOCK)], check=True, timeout=600)


def with_pip(venv: Path, python: str) -> None:
    """The fallback: a fresh venv without pip, filled by the interpreter's pip from the lock, hash-checked."""
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([python, "-P", "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    target = str(venv / "bin" / "python")
    install = ["install", "--quiet", "--no-compile", "--require-hashes", "--no-deps", "-r", str(LOCK)]
    try:  # pip 22.3+ fills another environment; otherwise the venv gets a pip of its own
        subprocess.run([python, "-P", "-m", "pip", "--python", target, *install], check=True, timeout=600)
    except subprocess.CalledProcessError:
        subprocess.run([target, "-P", "-m", "ensurepip", "--default-pip"], check=True, timeout=300)
        subprocess.run([target, "-P", "-m", "pip", *install], check=True, timeout=600)


def install(venv: Path, python: str, env: dict[str, str]) -> str:
    """Fill `venv`; returns which way was taken, for the log."""
    index = env.get("UV_INDEX_URL") or env.get("PIP_INDEX_URL") or DEFAULT_INDEX
    start = env.get("INCIDENT_OPS_INSTALL") or "wheels"
    if start not in ("wheels", "uv", "pip"):
        raise SystemExit(f"INCIDENT_OPS_INSTALL is {start!r}: give wheels, uv or pip")
    if start == "wheels":
        try:
            wheel_install.install(venv, python, LOCK, index, kept_cache(env) / "wheels", own_modules())
            return "the lock's wheels (fetched in parallel, hash-checked)"
        except Exception as problem:  # noqa: BLE001 - whatever stops this way, the next installs the same lock
            print(f"::notice::installing with uv instead: {type(problem).__name__}: {problem}", flush=True)
            shutil.rmtree(venv, ignore_errors=True)
    if start == "pip":
        with_pip(venv, python)
        return "pip"
    try:
        uv = shutil.which("uv") if env.get("INCIDENT_OPS_FETCH_UV") != "always" else None
        if uv is not None:
            with_uv(uv, venv, python)
            return "uv (the runner's)"
        if env.get("INCIDENT_OPS_FETCH_UV") == "never":
            raise InstallProblem("fetching uv is turned off")
        with tempfile.TemporaryDirectory(prefix="incident-ops-uv-") as private:
            with_uv(str(fetch_uv(kept_cache(env), index, Path(private))), venv, python)
        return "uv (fetched, hash-checked)"
    except (InstallProblem, OSError, ValueError, KeyError, subprocess.SubprocessError) as problem:
        print(f"::notice::installing with pip instead of uv: {problem}", flush=True)
        with_pip(venv, python)
        return "pip"


def own_modules() -> list[Path]:
    """The action's own modules an event run may import (not the emulator), to compile with the install."""
    return [path for path in sorted((HERE / "incident_ops").rglob("*.py")) if "emulator" not in path.parts]


def main(argv: list[str]) -> int:
    """`action_install.py VENV [PYTHON]`."""
    if len(argv) not in (2, 3):
        print("usage: action_install.py VENV [PYTHON]", file=sys.stderr)
        return 2
    venv = Path(argv[1])
    python = argv[2] if len(argv) == 3 else sys.executable
    way = install(venv, python, dict(os.environ))
    print(f"incident-ops: dependencies installed from requirements.txt with {way}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
