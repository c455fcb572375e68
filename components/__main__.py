"""Entry point of the operator CLI: ``python -m components --help``."""

from components.cli import main

raise SystemExit(main())
