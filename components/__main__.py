"""``python -m components``: kept as an alias of the ``twitter-secrets`` command for existing scripts."""

from twitter_secrets_cli import main

raise SystemExit(main())
