"""The twitter-secrets plugin: TwitterAppCredentials and TwitterProject for every Pulumi language.

Pulumi's component provider host builds the schema from the components' type
annotations and serves ``construct`` calls from programs in any language. The
components are the repository's own (``components/``), found beside this
folder, so the plugin and the Python program can never drift apart.
"""

import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
for folder in (REPOSITORY / "runtime", REPOSITORY):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from pulumi.provider.experimental import component_provider_host  # noqa: E402

from components import TwitterAppCredentials, TwitterProject  # noqa: E402

NAME = "twitter-secrets"
#: npm scope and similar: without it generated SDKs would claim Pulumi's own ``@pulumi`` scope.
NAMESPACE = "twitter-secrets"
COMPONENTS = [TwitterAppCredentials, TwitterProject]


def version() -> str:
    """The plugin's version is the repository's (VERSION), so SDKs say which release they came from."""
    return (REPOSITORY / "VERSION").read_text().strip()


if __name__ == "__main__":
    component_provider_host(components=COMPONENTS, name=NAME, namespace=NAMESPACE, version=version())
