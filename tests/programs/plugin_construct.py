"""A YAML or TypeScript program as the plugin process sees it.

The engine hands the plugin's ``construct`` the schema's names (camelCase),
numbers as floats and secrets as secret Outputs; this program makes exactly
that call on the class the plugin runs (``ComponentProvider``), then exports
the state the plugin would send back. ``test:as_plugin_process`` makes the
process look like the plugin host's (its ``is_hosting`` flag), as it is there.
"""

import pulumi
from pulumi.provider.experimental import host
from pulumi.provider.experimental.component import ComponentProvider

from scripts.plugin_schema import plugin_module

config = pulumi.Config("test")
inputs = config.require_object("inputs")
for name in config.get_object("secret_inputs") or []:
    inputs[name] = pulumi.Output.secret(inputs[name])

plugin = plugin_module()
provider = ComponentProvider(plugin.COMPONENTS, plugin.NAME, plugin.NAMESPACE, plugin.version())
host.is_hosting = bool(config.get_bool("as_plugin_process"))
try:
    result = provider.construct(config.require("name"), config.require("token"), inputs, None)
finally:
    host.is_hosting = False
for key, value in result.state.items():
    pulumi.export(key, value)
