"""``twitter-secrets <command>``: the operator CLI around ``pulumi up``.

Also ``python -m twitter_secrets_cli`` and, for existing scripts, ``python -m components``.

Exit codes (every command): 0 success; 1 the check failed (validation errors,
overdue or drifted secrets, keys X rejects); 2 unusable input (missing or
malformed files, bad arguments). Nothing any command prints contains a key.
"""

from __future__ import annotations

import argparse
import sys

from . import audit, authorize, local, plan, verify
from .help_text import plain

COMMANDS = {"plan": plan, "audit": audit, "verify": verify, "authorize": authorize, "local": local}


def main(argv: list[str] | None = None) -> int:
    from twitter_runtime.logs import keep_quiet

    keep_quiet()
    parser = argparse.ArgumentParser(prog="twitter-secrets", description=plain(__doc__).split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    for module in COMMANDS.values():
        module.add_parser(sub)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 2 if exit_.code not in (0, None) else 0
    return int(COMMANDS[args.command].run(args, sys.stdout, sys.stderr))
