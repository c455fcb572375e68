"""``twitter-secrets <command>``: the operator CLI around ``pulumi up``.

Also ``python -m twitter_secrets_cli`` and, for existing scripts, ``python -m components``.

Exit codes (every command): 0 success; 1 the check failed (validation errors,
overdue or drifted secrets, keys X rejects); 2 unusable input (missing or
malformed files, bad arguments, no AWS credentials); 130 interrupted; 141 the
reader of the output went away (``| head``), quietly, as other Unix tools do.
Every error is one line on stderr; ``--debug`` adds the Python traceback.
Nothing any command prints contains a key.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from . import audit, authorize, local, plan, put, verify
from .help_text import plain

#: X's keys: runs of letters and digits, OAuth 2.0 client secrets with '-' and '_' too.
_KEY_SHAPED = re.compile(r"[A-Za-z0-9_%-]{20,}")
COMMANDS = {
    "plan": plan,
    "put": put,
    "audit": audit,
    "verify": verify,
    "authorize": authorize,
    "local": local,
}


def main(argv: list[str] | None = None) -> int:
    from twitter_runtime.logs import keep_quiet

    keep_quiet()
    parser = argparse.ArgumentParser(prog="twitter-secrets", description=plain(__doc__).split("\n\n")[0])
    parser.add_argument(
        "--debug", action="store_true", help="on an unexpected error, show the Python traceback"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    for module in COMMANDS.values():
        module.add_parser(sub)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 2 if exit_.code not in (0, None) else 0
    try:
        status = int(COMMANDS[args.command].run(args, sys.stdout, sys.stderr))
        sys.stdout.flush()  # a closed pipe shows here, not at exit where Python would print a traceback
        return status
    except BrokenPipeError as error:
        if not _stdout_is_closed():
            if args.debug:
                raise
            print(one_line(args.command, error), file=sys.stderr)
            return 2
        _drop_stdout()
        return 141
    except KeyboardInterrupt:
        print(f"{args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if args.debug:
            raise
        print(one_line(args.command, error), file=sys.stderr)
        return 2


def one_line(command: str, error: BaseException) -> str:
    """An unexpected error as one line: its kind and its words, with any run that could be a key hidden.

    X's keys are runs of 25 or more letters, digits, '-' and '_'; a long name may be hidden too,
    which is the safe side. ``--debug`` shows the traceback unfiltered.
    """
    text = _KEY_SHAPED.sub("[redacted]", " ".join(str(error).split()))
    return f"{command}: {type(error).__name__}: {text[:300]} (run with --debug for the traceback)"


def _stdout_is_closed() -> bool:
    """Whether the pipe that broke is our standard output (its reader left), not some other one."""
    import select

    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return False


def _drop_stdout() -> None:
    """The reader went away (``| head -1``): send what is left to /dev/null so exit stays quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
