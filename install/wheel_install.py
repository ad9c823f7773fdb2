"""The fastest way: the lock's wheels fetched at once, hash-checked, unpacked and byte-compiled as they come.

Standard library only, run by install/action_install.py with the Python the venv is made from. It takes no
decision a resolver would: the lock already names one version of each package and the sha256 of each of its
files, so all that is left is to pick the file for this interpreter and platform (CPython on Linux with glibc;
anything else raises InstallProblem and the slower ways take over), check its bytes, and unpack it. The
modules a run imports are byte-compiled on the machine's cores while the other wheels are still downloading,
so the first run does not compile them one by one.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import itertools
import marshal
import os
import queue
import re
import shutil
import subprocess
import sys
import sysconfig
import threading
import urllib.parse
import venv
import warnings
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path, PurePosixPath

from index_client import IndexClient
from lock_pins import (
    InstallProblem,
    Pin,
    choose,
    marker_holds,
    names_pin,
    normalized,
    pins,
    rank_of,
    tag_ranks,
)

# Modules a run imports only when configured so, or rarely, or never: a run that needs one compiles it.
NOT_PRECOMPILED = (
    "holidays/",  # only with a configured country
    "dateutil/",  # only for an instant the standard library cannot read
    "idna/uts46data.py",  # only for a host name that is not ASCII
    "cffi/",  # only to build extensions
    "pycparser/",
)
DONE = "done"  # a worker's line after each task
COMPILED_AT_ONCE = 8  # modules in one compile task: few enough to share out, enough to save round trips
FETCHED_FIRST = ("pygithub", "holidays", "cryptography")
WORKING_AT_MOST = 300  # seconds the workers may take before the install gives up on this way
FETCHING = 8  # wheels fetched and unpacked at once: enough to keep the network busy, few enough for the GIL


def cached_wheel(cache: Path, pin: Pin, ranks: dict[str, int]) -> tuple[Path, str] | None:
    """The best suited kept wheel of `pin` and its sha256, if its bytes still match the lock and its tags."""
    kept = [path for path in cache.glob("*.whl") if names_pin(path.name, pin)] if cache.is_dir() else []
    suited = sorted((rank_of(path.name, ranks), path) for path in kept)
    for _, path in (entry for entry in suited if entry[0] < len(ranks)):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest in pin.hashes and runs_here(data, ranks):
            return path, digest
    return None


def runs_here(wheel: bytes, ranks: dict[str, int]) -> bool:
    """Whether the tags a wheel declares in its WHEEL file, not only in its name, suit this interpreter."""
    with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
        inside = [name for name in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/WHEEL", name)]
        declared = archive.read(inside[0]).decode("utf-8", "replace").splitlines() if len(inside) == 1 else []
    return any(line.removeprefix("Tag:").strip() in ranks for line in declared if line.startswith("Tag:"))


def fetch(pin: Pin, client: IndexClient, index: str, cache: Path, ranks: dict[str, int]) -> tuple[Path, str]:
    """The pinned wheel for this interpreter, kept in `cache`, and the sha256 the lock pins for it."""
    kept = cached_wheel(cache, pin, ranks)
    if kept is not None:
        return kept
    page, files = client.files(index, normalized(pin.name))
    filename, url = choose(files, pin, ranks)
    wheel = client.get(urllib.parse.urljoin(page, url))
    digest = hashlib.sha256(wheel).hexdigest()
    if digest not in pin.hashes:
        raise InstallProblem(f"{filename} from the index does not match the lock's hashes")
    if not runs_here(wheel, ranks):
        raise InstallProblem(f"{filename} declares no tag this Python runs, whatever its name says")
    return keep(cache, filename, wheel), digest


def keep(cache: Path, filename: str, data: bytes) -> Path:
    """`data` kept as `cache`/`filename` for the next runs, never half-written under that name."""
    cache.mkdir(parents=True, exist_ok=True)
    partial = cache / f"{filename}.{os.getpid()}.partial"
    partial.write_bytes(data)
    return partial.replace(cache / filename)


def unpack(wheel: Path, digest: str, site: Path) -> list[Path]:
    """Write a wheel's files into `site` (its purelib and platlib data too); returns the modules written.

    The bytes are checked against `digest` once more here, as read: the kept file may have changed since.
    """
    data = wheel.read_bytes()
    if hashlib.sha256(data).hexdigest() != digest:
        raise InstallProblem(f"{wheel} changed after its hash was checked")
    modules, folders = [], set()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            if member.is_dir():
                continue
            parts = PurePosixPath(member.filename).parts
            if member.filename.startswith("/") or ".." in parts or set("\\\t\n\r") & set(member.filename):
                raise InstallProblem(f"{wheel.name} holds a path outside its folder: {member.filename}")
            if parts[0].endswith(".data"):
                if len(parts) < 3 or parts[1] not in ("purelib", "platlib"):
                    raise InstallProblem(
                        f"{wheel.name} installs {parts[1]} files, which this way leaves to pip"
                    )
                parts = parts[2:]
            target = site.joinpath(*parts)
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            mode = 0o755 if member.external_attr >> 16 & 0o111 else 0o644
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
            try:
                left = memoryview(archive.read(member))
                while left:  # a write may take less than it was given
                    left = left[os.write(descriptor, left) :]
            finally:
                os.close(descriptor)
            if target.suffix == ".py":
                modules.append(target)
    return modules


def precompiled(module: Path, site: Path) -> bool:
    """Whether an install compiles `module` ahead of the first run."""
    return not module.relative_to(site).as_posix().startswith(NOT_PRECOMPILED)


def compile_quietly(module: Path, folders: set[Path]) -> None:
    """Write `module`'s bytecode where imports look for it; one this Python cannot compile no run imports."""
    cached = Path(importlib.util.cache_from_source(str(module)))
    with contextlib.suppress(SyntaxError, ValueError, OSError), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a package's invalid escape is its own business, not the log's
        stamp = module.stat()
        source = module.read_bytes()
        code = compile(source, str(module), "exec", dont_inherit=True)
        if cached.parent not in folders:
            cached.parent.mkdir(exist_ok=True)
            folders.add(cached.parent)
        # The timestamp-checked layout of PEP 552: magic, flags 0, the source's mtime and size, the code.
        header = importlib.util.MAGIC_NUMBER + bytes(4)
        header += (int(stamp.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
        header += (stamp.st_size & 0xFFFFFFFF).to_bytes(4, "little")
        cached.write_bytes(header + marshal.dumps(code))


def work(site: Path) -> None:
    """A worker process: for each task on stdin, unpack a wheel (naming its modules) or compile modules."""
    folders: set[Path] = set()
    for line in sys.stdin:
        task, _, argument = line.rstrip("\n").partition(" ")
        if task == "unpack":
            digest, _, wheel = argument.partition(" ")
            for module in unpack(Path(wheel), digest, site):
                if precompiled(module, site):
                    print(module)
        elif task == "compile":
            for module in argument.split("\t"):
                compile_quietly(Path(module), folders)
        else:
            raise InstallProblem(f"a worker was given {task!r}, which is no task")
        print(DONE, flush=True)


class Workers:
    """One worker process per core, each taking the next task as soon as it is free: wheels, then modules."""

    def __init__(self, python: str, site: Path) -> None:
        # -E -S -s, not -I: the script's own folder (install/) stays on sys.path for its imports.
        command = [python, "-E", "-S", "-s", str(Path(__file__).resolve()), "--work-in", str(site)]
        self.tasks: queue.PriorityQueue[tuple[int, int, str | None]] = queue.PriorityQueue()
        self.order = itertools.count()
        self.failure = ""
        self.processes = [
            subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            for _ in range(cores())
        ]
        self.feeders = [
            threading.Thread(target=self.feed, args=(process,), daemon=True) for process in self.processes
        ]
        for feeder in self.feeders:
            feeder.start()

    def unpack(self, wheel: Path, digest: str) -> None:
        """Unpack `wheel` (before any compiling still waiting), then compile the modules it names."""
        self.tasks.put((0, next(self.order), f"unpack {digest} {wheel}"))

    def compile(self, modules: list[Path]) -> None:
        """Byte-compile `modules`, a few at a time on whichever worker is free."""
        for start in range(0, len(modules), COMPILED_AT_ONCE):
            batch = "\t".join(str(module) for module in modules[start : start + COMPILED_AT_ONCE])
            self.tasks.put((1, next(self.order), f"compile {batch}"))

    def feed(self, process: subprocess.Popen[str]) -> None:
        """Hand `process` one task at a time until told to stop; any failure fails the install."""
        assert process.stdin is not None
        while True:
            _, _, task = self.tasks.get()
            try:
                if task is None:
                    return
                if not self.failure:
                    process.stdin.write(f"{task}\n")
                    process.stdin.flush()
                    self.compile(self.answer(process, task))
            except Exception as problem:  # noqa: BLE001 - whatever it is, the install falls back
                self.fail(f"{type(problem).__name__}: {problem}")
            finally:
                self.tasks.task_done()

    @staticmethod
    def answer(process: subprocess.Popen[str], task: str) -> list[Path]:
        """The modules a worker names for `task`, up to its line saying it is done."""
        assert process.stdout is not None
        named = []
        for line in process.stdout:
            if line == f"{DONE}\n":
                return named
            named.append(Path(line.rstrip("\n")))
        raise InstallProblem(f"a worker stopped on: {task[:120]}")

    def fail(self, reason: str) -> None:
        """Mark the install failed and stop every worker: a blocked read ends, nothing more is unpacked."""
        self.failure = self.failure or reason
        for process in self.processes:
            process.kill()

    def finish(self) -> None:
        """Wait for every task handed out (for a while) and stop the workers; InstallProblem if one failed."""
        with self.tasks.all_tasks_done:
            done = self.tasks.all_tasks_done.wait_for(
                lambda: not self.tasks.unfinished_tasks, WORKING_AT_MOST
            )
        if not done:
            self.fail(f"the workers were still busy after {WORKING_AT_MOST} s")
        self.close()
        if self.failure:
            raise InstallProblem(f"unpacking the wheels failed: {self.failure}")

    def close(self) -> None:
        """Stop the feeders and the workers, whatever state they are in; never raises."""
        self.tasks.join()  # a killed worker answers at once, so its feeder drains the rest
        for _ in self.feeders:
            self.tasks.put((2, next(self.order), None))
        for process in self.processes:
            with contextlib.suppress(OSError):
                assert process.stdin is not None
                process.stdin.close()
        for process in self.processes:
            try:
                code = process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                code = process.wait()
            if code and not self.failure:
                self.failure = f"a worker ended with {code}"


def cores() -> int:
    """How many processors this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def install(target_venv: Path, python: str, lock: Path, index: str, cache: Path, own: list[Path]) -> None:
    """A new venv at `target_venv` for `python`, filled from `lock`; `own` (the action's modules) compiled."""
    if os.path.realpath(shutil.which(python) or python) != os.path.realpath(sys.executable):
        raise InstallProblem("this way installs only for the Python it runs on")
    # The wheels with the most to unpack or compile first, so that the workers get them early.
    wanted = sorted(
        (pin for pin in pins(lock.read_text(encoding="utf-8")) if marker_holds(pin.marker)),
        key=lambda pin: pin.name not in FETCHED_FIRST,
    )
    ranks = tag_ranks()
    client = IndexClient(index)
    try:
        with ThreadPoolExecutor(max_workers=FETCHING) as pool:
            fetching = [pool.submit(fetch, pin, client, index, cache, ranks) for pin in wanted]
            try:
                place(target_venv, python, fetching, own)  # while the first wheels download
            except BaseException:
                for future in fetching:
                    future.cancel()
                raise
    finally:
        client.close()


def place(target_venv: Path, python: str, fetching: list[Future[tuple[Path, str]]], own: list[Path]) -> None:
    """Make the venv, then unpack each wheel as its download ends; compile `own` meanwhile."""
    venv.EnvBuilder(clear=True, symlinks=True, with_pip=False).create(target_venv)
    site = Path(sysconfig.get_path("purelib", scheme="venv", vars={"base": str(target_venv)}))
    if not site.is_dir():
        raise InstallProblem(f"the new venv has no {site}")
    workers = Workers(python, site)
    try:
        workers.compile(own)
        for fetched in as_completed(fetching):
            workers.unpack(*fetched.result())
    except BaseException:
        workers.fail("another step failed")
        workers.close()
        raise
    workers.finish()


if __name__ == "__main__" and sys.argv[1:2] == ["--work-in"]:
    try:
        work(Path(sys.argv[2]))
    except (InstallProblem, OSError, zipfile.BadZipFile) as problem:
        sys.exit(f"::notice::{problem}")
