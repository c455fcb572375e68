"""Bench-only probe: on exit, append this process's own CPU time to the file $TWITTER_SECRETS_BENCH_RUSAGE.

``bench/engine.py`` puts this folder on PYTHONPATH for the ``pulumi`` commands it times, so the
Python program that the CLI's language host starts reports its user+sys CPU (the engine's
wall time alone mixes the program with the engine and the provider). Every Python process
that inherits the variable writes one JSON line with its ``__main__`` file and argv, so the bench can pick the
program's own (its ``__main__`` is ``pulumi-language-python-exec``) and show what else ran. Not shipped: only the
bench sets the variable; without it this module does nothing.
"""

from __future__ import annotations

import atexit
import json
import os
import resource
import sys
import time

_FILE = os.environ.get("TWITTER_SECRETS_BENCH_RUSAGE")
_STARTED = time.monotonic()


def _record() -> None:
    """One line per process; O_APPEND writes of one short line do not interleave."""
    if not _FILE:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    main = sys.modules.get("__main__")
    line = json.dumps(
        {
            # The language host's runner is __main__ at exit (runpy restores it after the program);
            # argv[0] is what the runner made it: the program's folder.
            "main": os.path.basename(getattr(main, "__file__", None) or ""),
            "argv": [str(a)[:200] for a in sys.argv[:4]],
            "pid": os.getpid(),
            "ppid": os.getppid(),
            "user_s": usage.ru_utime,
            "sys_s": usage.ru_stime,
            "max_rss_kib": usage.ru_maxrss,
            "alive_s": round(time.monotonic() - _STARTED, 4),
        }
    )
    fd = os.open(_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


if _FILE:
    atexit.register(_record)
