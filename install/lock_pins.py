"""Which files of the lock this interpreter installs: the pins, their markers, and the wheel tags it runs.

Standard library only, for install/wheel_install.py. The lock (`uv pip compile --generate-hashes`) names one
version of each package and the sha256 of each of its files; this reads it, and picks for each package the
wheel the best suited to this Python among the files whose hash it pins (CPython on Linux with glibc;
anything else raises InstallProblem and the slower ways take over).
"""

from __future__ import annotations

import os
import platform
import re
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass


class InstallProblem(Exception):
    """This way cannot be taken here; a slower one takes over."""


@dataclass(frozen=True)
class Pin:
    """One locked requirement: a name, its version, its environment marker and its files' sha256 hashes."""

    name: str
    version: str
    marker: str
    hashes: frozenset[str]


PIN_LINE = r"([A-Za-z0-9._-]+)==(\S+)\s*(?:;(?P<marker>.*?))?\s*(?P<hashes>(?:--hash=\S+\s*)+)"
WHEEL_NAME = re.compile(r"[A-Za-z0-9_.+!]+(-[A-Za-z0-9_.+!]+){4,5}\.whl")
LEGACY_MANYLINUX = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


def pins(lock_text: str) -> list[Pin]:
    """Every requirement of a hash-locked requirements text (as `uv pip compile --generate-hashes` writes)."""
    found = []
    # Whole-line comments go first: joined to the next line by a trailing backslash, one would hide a pin.
    uncommented = "\n".join(line for line in lock_text.splitlines() if not line.lstrip().startswith("#"))
    for line in uncommented.replace("\\\n", " ").splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line:
            continue
        entry = re.fullmatch(PIN_LINE, line)
        if entry is None:
            raise InstallProblem(f"the lock has a line this way does not read: {line[:80]}")
        hashes = frozenset(re.findall(r"--hash=sha256:([0-9a-f]{64})", entry["hashes"]))
        found.append(Pin(entry[1], entry[2], (entry["marker"] or "").strip(), hashes))
    return found


def marker_holds(marker: str) -> bool:
    """Whether an environment marker made of `name == 'value'` or `!=` clauses joined by `and` holds here."""
    if not marker:
        return True
    known = {
        "platform_python_implementation": platform.python_implementation(),
        "implementation_name": sys.implementation.name,
        "sys_platform": sys.platform,
        "python_version": f"{sys.version_info[0]}.{sys.version_info[1]}",
    }
    for clause in marker.split(" and "):
        term = re.fullmatch(r"\s*(\w+)\s*(==|!=)\s*'([^']*)'\s*", clause)
        if term is None or term[1] not in known:
            raise InstallProblem(f"the lock has a marker this way does not read: {marker}")
        if (known[term[1]] == term[3]) != (term[2] == "=="):
            return False
    return True


def supported_tags() -> list[str]:
    """The wheel tags this interpreter runs, the most specific first (as pip orders them)."""
    if sys.implementation.name != "cpython" or sysconfig.get_config_var("Py_GIL_DISABLED"):
        raise InstallProblem("this way handles only the standard CPython build")
    if platform.system() != "Linux" or sys.maxsize <= 2**32:
        raise InstallProblem("this way handles only 64-bit Linux")
    machine = platform.machine()
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError):  # not glibc
        libc = ""
    found = re.fullmatch(r"glibc (\d+)\.(\d+)", libc)
    if machine not in ("x86_64", "aarch64") or found is None or found[1] != "2":
        raise InstallProblem(f"this way handles only glibc on x86_64 or aarch64, not {libc or 'no glibc'}")
    oldest = 5 if machine == "x86_64" else 17  # manylinux2014 was aarch64's first
    platforms = []
    for glibc in range(int(found[2]), oldest - 1, -1):
        platforms.append(f"manylinux_2_{glibc}_{machine}")
        if glibc in LEGACY_MANYLINUX:
            platforms.append(f"{LEGACY_MANYLINUX[glibc]}_{machine}")
    minor = sys.version_info[1]
    this = f"cp3{minor}"
    # packaging.tags' order: this ABI, abi3, no ABI, then older Pythons' abi3, then pure Python.
    tags = [f"{this}-{abi}-{plat}" for abi in (this, "abi3", "none") for plat in platforms]
    tags += [f"cp3{older}-abi3-{plat}" for older in range(minor - 1, 1, -1) for plat in platforms]
    pure = [f"py3{minor}", "py3", *(f"py3{older}" for older in range(minor - 1, -1, -1))]
    tags += [f"{python}-none-{plat}" for python in pure for plat in platforms]
    return tags + [f"{this}-none-any"] + [f"{python}-none-any" for python in pure]


def tag_ranks() -> dict[str, int]:
    """Each wheel tag this interpreter runs, with its place in the order of preference (0 is the best)."""
    return {tag: rank for rank, tag in enumerate(supported_tags())}


def rank_of(filename: str, ranks: dict[str, int]) -> int:
    """How well a wheel's file name suits this interpreter: lower is better, len(ranks) is not at all."""
    return min((ranks[tag] for tag in wheel_tags(filename) if tag in ranks), default=len(ranks))


def wheel_tags(filename: str) -> Iterator[str]:
    """Every tag a wheel's file name declares (`py2.py3-none-any` declares two)."""
    parts = filename.removesuffix(".whl").split("-")
    if len(parts) not in (5, 6):
        return
    pythons, abis, plats = (part.split(".") for part in parts[-3:])
    yield from (f"{p}-{a}-{s}" for p in pythons for a in abis for s in plats)


def choose(files: list[dict], pin: Pin, ranks: dict[str, int]) -> tuple[str, str]:
    """(file name, URL) of the pinned wheel the best suited to this interpreter, from the index's files."""
    best: tuple[int, str, str] | None = None
    for entry in files:
        name, digest = str(entry.get("filename", "")), str(entry.get("hashes", {}).get("sha256", ""))
        if not names_pin(name, pin) or digest not in pin.hashes:
            continue
        rank = rank_of(name, ranks)
        if rank < len(ranks) and (best is None or rank < best[0]):
            best = (rank, name, str(entry["url"]))
    if best is None:
        raise InstallProblem(f"{pin.name}=={pin.version} has no pinned wheel for this Python and platform")
    return best[1], best[2]


def names_pin(filename: str, pin: Pin) -> bool:
    """Whether `filename` is a plain wheel file name of `pin`'s project and version (it becomes a path)."""
    if not WHEEL_NAME.fullmatch(filename):
        return False
    project, version = filename.split("-")[:2]
    return normalized(project) == normalized(pin.name) and version == pin.version


def normalized(name: str) -> str:
    """A project name as the index spells it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()
