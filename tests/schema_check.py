"""Checks a program's properties for our components against provider/schema.json.

Used on the examples in other languages: every property name must exist, every
required one must be there, and every literal must have the schema's type.
Values the program computes (``${config}`` in YAML, a call in TypeScript) are
``COMPUTED``: their type is the language's business.
"""

from __future__ import annotations

from typing import Any

COMPUTED = object()
_PY_TYPES = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,)}


def _type_problems(where: str, value: Any, spec: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    if value is COMPUTED:
        return []
    if "$ref" in spec:
        ref = spec["$ref"].removeprefix("#/types/")
        type_spec = schema["types"][ref]
        if not isinstance(value, dict):
            return [f"{where}: expected an object ({ref})"]
        return object_problems(where, value, type_spec["properties"], type_spec.get("required", []), schema)
    kind = spec.get("type")
    if kind in _PY_TYPES:
        if isinstance(value, bool) and kind != "boolean":
            return [f"{where}: expected {kind}, got a boolean"]
        if kind == "integer" and isinstance(value, float) and value.is_integer():
            return []
        return (
            []
            if isinstance(value, _PY_TYPES[kind])
            else [f"{where}: expected {kind}, got {type(value).__name__}"]
        )
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where}: expected an array"]
        return [
            p
            for i, item in enumerate(value)
            for p in _type_problems(f"{where}[{i}]", item, spec["items"], schema)
        ]
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{where}: expected an object"]
        item = spec.get("additionalProperties")
        return (
            [p for key, v in value.items() for p in _type_problems(f"{where}.{key}", v, item, schema)]
            if item
            else []
        )
    return [f"{where}: the schema has no type for it"]


def object_problems(
    where: str, value: dict[str, Any], properties: dict[str, Any], required: list[str], schema: dict[str, Any]
) -> list[str]:
    problems = [f"{where}.{name}: not a property in the schema" for name in value if name not in properties]
    problems += [f"{where}: required property {name} is missing" for name in required if name not in value]
    for name, item in value.items():
        if name in properties:
            problems += _type_problems(f"{where}.{name}", item, properties[name], schema)
    return problems


def resource_problems(
    where: str, token: str, properties: dict[str, Any], schema: dict[str, Any]
) -> list[str]:
    if token not in schema["resources"]:
        return [f"{where}: {token} is not a resource of the plugin"]
    resource = schema["resources"][token]
    return object_problems(
        where, properties, resource["inputProperties"], resource.get("requiredInputs", []), schema
    )
