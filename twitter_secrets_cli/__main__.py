"""``python -m twitter_secrets_cli``: the same as the ``twitter-secrets`` command."""

from twitter_secrets_cli import main

raise SystemExit(main())
