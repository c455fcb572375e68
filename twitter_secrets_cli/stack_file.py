"""Reads a stack file the way the Pulumi CLI does.

PyYAML reads YAML 1.1; Pulumi reads YAML 1.2 (its core schema). So with
PyYAML's defaults an unquoted ``issued_at: 2026-09-01`` would become a
``date``, ``no`` and ``on`` booleans, ``010`` the number 8 and ``1:30`` the
number 90, where Pulumi keeps the text (or reads 10); and a key given twice
would silently keep the last value, where Pulumi refuses the file. This
loader reads scalars by YAML 1.2's core schema and refuses duplicate keys.
A key YAML reads as a number or a boolean (``1:``) is the text Pulumi makes
of it ("1"), as Pulumi's config reader does; one whose text Go and Python
would write differently (a fraction, an empty key) is refused.
"""

from __future__ import annotations

import re
from typing import Any

import yaml


class DuplicateKeyError(yaml.YAMLError):
    """A mapping names the same key twice."""

    def __init__(self, key: Any, line: int) -> None:
        super().__init__(f"the key '{key}' appears twice (line {line}); Pulumi refuses such a file")
        self.line = line


class KeyNotTextError(yaml.YAMLError):
    """A mapping key Pulumi would not read as the text it looks like (a fraction, an empty key)."""

    def __init__(self, text: str, line: int) -> None:
        super().__init__(f"the key {text} (line {line}) is not text; quote it, e.g. '{text}':")


def _key_text(key: Any, node: yaml.Node) -> Any:
    """A key as Pulumi reads it: YAML may read ``1:`` or ``true:`` as a number or a boolean, and
    Pulumi then keys the map by its text ("1", "true"); a list or map key stays as it is (refused below).

    Fractions and empty keys are refused rather than guessed: Go writes 1e3 as "1000" where
    Python writes "1000.0", and an empty key as "<nil>".
    """
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if key is None or isinstance(key, float):
        raise KeyNotTextError(str(node.value) or "~", node.start_mark.line + 1)
    return key


class _StackLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = _key_text(self.construct_object(key_node, deep=deep), key_node)
            try:
                repeated = key in seen
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key is a list or a map; keys must be text", key_node.start_mark
                ) from None
            if repeated:
                raise DuplicateKeyError(key, key_node.start_mark.line + 1)
            seen.add(key)
        mapping = super().construct_mapping(node, deep=deep)
        return {_key_text(key, node): value for key, value in mapping.items()}


_BOOL, _INT, _FLOAT = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_YAML_1_1_ONLY = {_BOOL, _INT, _FLOAT, "tag:yaml.org,2002:timestamp"}
_StackLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in _YAML_1_1_ONLY]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# YAML 1.2 core schema: the only booleans, integers and floats Pulumi's parser knows.
_StackLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_StackLoader.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_StackLoader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)


def _core_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    return loader.construct_scalar(node).lower() == "true"


def _core_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)  # 010 is ten, as in YAML 1.2


_StackLoader.add_constructor(_BOOL, _core_bool)
_StackLoader.add_constructor(_INT, _core_int)


def load_stack_yaml(text: str) -> Any:
    """The document; raises ``yaml.YAMLError`` (``DuplicateKeyError`` for a repeated key)."""
    return yaml.load(text, Loader=_StackLoader)
