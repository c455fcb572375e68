"""Reads a stack file the way the Pulumi CLI does.

PyYAML's defaults differ from Pulumi's in two ways that matter here: an
unquoted ``issued_at: 2026-09-01`` would become a ``date`` (Pulumi keeps the
text the user wrote), and a key given twice would silently keep the last
value (Pulumi refuses the file). This loader does what Pulumi does.
"""

from __future__ import annotations

from typing import Any

import yaml


class DuplicateKeyError(yaml.YAMLError):
    """A mapping names the same key twice."""

    def __init__(self, key: Any, line: int) -> None:
        super().__init__(f"the key '{key}' appears twice (line {line}); Pulumi refuses such a file")
        self.line = line


class _StackLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise DuplicateKeyError(key, key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Dates and times stay the strings the user wrote.
_StackLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_stack_yaml(text: str) -> Any:
    """The document; raises ``yaml.YAMLError`` (``DuplicateKeyError`` for a repeated key)."""
    return yaml.load(text, Loader=_StackLoader)
