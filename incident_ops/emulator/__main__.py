"""Run the emulator as a process: `python -m incident_ops.emulator --repo o/n --user a:write`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import datetime

from .control import GitHubEmulator
from .objects import ROLES


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m incident_ops.emulator")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--now", help="ISO 8601 instant for the emulator's clock")
    parser.add_argument("--repo", action="append", default=[], help="owner/name to create")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="LOGIN[:ROLE|:Bot]",
        help="a user, with a role on every --repo, or a bot",
    )
    parser.add_argument(
        "--token", action="append", default=[], metavar="TOKEN:LOGIN", help="a token for a login"
    )
    return parser.parse_args(argv)


def build(args: argparse.Namespace) -> GitHubEmulator:
    """An emulator seeded from the command line."""
    now = datetime.fromisoformat(args.now.replace("Z", "+00:00")) if args.now else None
    emu = GitHubEmulator(now, port=args.port)
    for repo in args.repo:
        emu.create_repo(repo)
    for spec in args.user:
        login, _, kind = spec.rpartition(":") if ":" in spec else (spec, "", "")
        if kind == "Bot":
            emu.add_user(login, "Bot")
            continue
        if kind and kind not in ROLES:
            raise SystemExit(f"--user role must be Bot or one of {', '.join(ROLES)}: {spec!r}")
        emu.add_user(login)
        for repo in args.repo if kind else ():
            emu.set_permission(repo, login, kind)
    for spec in args.token:
        token, sep, login = spec.partition(":")
        if not sep or not token or not login:
            raise SystemExit(f"--token must be TOKEN:LOGIN, got {spec!r}")
        emu.add_token(token, login)
    return emu


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM or SIGINT; the first stdout line is the base URL."""
    emu = build(parse_args(argv))
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with emu:
        print(emu.api_url, flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
