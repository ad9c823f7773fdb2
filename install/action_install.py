"""Install the action's locked dependencies into a virtual environment, every file hash-checked.

Run by action.yml with the runner's Python (standard library only):
    python3 -P install/action_install.py VENV [PYTHON]
1. uv: the runner's own when it has one on PATH, else installed by PYTHON's pip, with --require-hashes, from
   requirements-uv.txt into a private folder for this run; then `uv venv` and
   `uv pip install --require-hashes --no-deps --compile-bytecode -r requirements.txt`.
2. If uv cannot be installed or fails: pip, with --require-hashes, into a clean venv.
pip and uv fetch the files and check each one against the sha256 its lock pins. INCIDENT_OPS_INSTALL=pip
starts with pip. Everything runs from the private folder, and Python with -P, so that nothing in the
workspace (the current folder) shadows the standard library or configures uv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
LOCK = HERE / "requirements.txt"
UV_LOCK = HERE / "requirements-uv.txt"
WAYS = ("uv", "pip")


def run(command: list[str], env: dict[str, str], cwd: Path) -> None:
    """Run `command`, failing on a non-zero exit or after 10 minutes."""
    subprocess.run(command, env=env, cwd=cwd, check=True, timeout=600)


def installed_uv(python: str, private: Path, env: dict[str, str]) -> str:
    """uv installed by `python`'s pip into `private`, only from a wheel requirements-uv.txt pins."""
    target = private / "uv"
    pip = [python, "-P", "-m", "pip", "install", "--quiet", "--no-compile", "--target", str(target)]
    run([*pip, "--require-hashes", "--no-deps", "--only-binary", ":all:", "-r", str(UV_LOCK)], env, private)
    return str(target / "bin" / "uv")


def with_uv(uv: str, venv: Path, python: str, env: dict[str, str], private: Path) -> None:
    """A venv made by uv, filled from the lock with hashes required, its modules byte-compiled."""
    quiet = ["--quiet", "--no-progress"]
    run([uv, "venv", *quiet, "--python", python, str(venv)], env, private)
    install = [uv, "pip", "install", *quiet, "--python", str(venv / "bin" / "python")]
    run([*install, "--require-hashes", "--no-deps", "--compile-bytecode", "-r", str(LOCK)], env, private)


def with_pip(venv: Path, python: str, env: dict[str, str], private: Path) -> None:
    """A clean venv without pip, filled by the interpreter's pip from the lock, hash-checked."""
    shutil.rmtree(venv, ignore_errors=True)
    run([python, "-P", "-m", "venv", "--without-pip", str(venv)], env, private)
    target = str(venv / "bin" / "python")
    install = ["install", "--quiet", "--no-compile", "--require-hashes", "--no-deps", "-r", str(LOCK)]
    try:  # pip 22.3+ fills another environment; otherwise the venv gets a pip of its own
        run([python, "-P", "-m", "pip", "--python", target, *install], env, private)
    except subprocess.CalledProcessError:
        run([target, "-P", "-m", "ensurepip", "--default-pip"], env, private)
        run([target, "-P", "-m", "pip", *install], env, private)


def install(venv: Path, python: str, env: dict[str, str]) -> str:
    """Fill `venv`; returns which way was taken, for the log."""
    start = env.get("INCIDENT_OPS_INSTALL") or WAYS[0]
    if start not in WAYS:
        raise SystemExit(f"INCIDENT_OPS_INSTALL is {start!r}: give uv or pip")
    with tempfile.TemporaryDirectory(prefix="incident-ops-install-") as folder:
        private = Path(folder)
        shutil.rmtree(venv, ignore_errors=True)
        if start == "uv":
            runners = shutil.which("uv", path=env.get("PATH"))
            try:
                with_uv(runners or installed_uv(python, private, env), venv, python, env, private)
                return "uv (the runner's)" if runners else "uv (installed from requirements-uv.txt)"
            except (OSError, subprocess.SubprocessError) as problem:
                print(f"::notice::installing with pip instead of uv: {problem}", flush=True)
        with_pip(venv, python, env, private)
        return "pip"


def main(argv: list[str]) -> int:
    """`action_install.py VENV [PYTHON]`."""
    if len(argv) not in (2, 3):
        print("usage: action_install.py VENV [PYTHON]", file=sys.stderr)
        return 2
    venv = Path(argv[1]).absolute()
    python = argv[2] if len(argv) == 3 else sys.executable
    python = shutil.which(python) or python  # the same interpreter when run from the private folder
    way = install(venv, python, dict(os.environ))
    print(f"incident-ops: dependencies installed from requirements.txt with {way}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
