"""``python -m tests.standin_aws ENGINE``: serve the stand-in as the engine's ``aws`` plugin."""

import sys
from importlib import metadata

from pulumi.provider.experimental.server import main

from tests.standin_aws.provider import StandinAwsProvider

# The version of pulumi-aws this project pins: the engine asks for the plugin at that version.
main(sys.argv[1:], metadata.version("pulumi_aws"), StandinAwsProvider())
