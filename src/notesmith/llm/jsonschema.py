"""A small JSON Schema validator for the subset notesmith's answer schemas use.

Supported: type (one or a list) object/array/string/integer/number/boolean/null, properties,
required, additionalProperties (false or a schema), items, enum, const, minItems/maxItems,
minLength/maxLength, anyOf, oneOf. Other keywords are ignored.
"""

from __future__ import annotations

import re
from typing import Any

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TYPE_NAMES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
}


def validate(instance: Any, schema: dict) -> list[str]:
    """Return human-readable errors, each starting with the JSON path ($.a[0].b); [] when valid."""
    errors: list[str] = []
    _check(instance, schema, "$", errors)
    return errors


def _check(value: Any, schema: dict, path: str, errors: list[str]) -> None:
    if not isinstance(schema, dict):
        return
    if "type" in schema and not _type_ok(value, schema["type"]):
        expected = schema["type"] if isinstance(schema["type"], str) else " or ".join(schema["type"])
        errors.append(f"{path}: expected {expected}, got {_type_name(value)}")
        return
    if "const" in schema and not _equal(value, schema["const"]):
        errors.append(f"{path}: expected {_show(schema['const'])}, got {_show(value)}")
    if "enum" in schema and not any(_equal(value, option) for option in schema["enum"]):
        errors.append(f"{path}: {_show(value)} is not one of {_show(schema['enum'], 400)}")
    if isinstance(value, str):
        _check_length(value, schema, path, errors)
    elif isinstance(value, list):
        _check_array(value, schema, path, errors)
    elif isinstance(value, dict):
        _check_object(value, schema, path, errors)
    if "anyOf" in schema:
        _check_alternatives(value, schema["anyOf"], path, errors, exactly_one=False)
    if "oneOf" in schema:
        _check_alternatives(value, schema["oneOf"], path, errors, exactly_one=True)


def _check_length(value: str, schema: dict, path: str, errors: list[str]) -> None:
    if "minLength" in schema and len(value) < schema["minLength"]:
        errors.append(f"{path}: expected at least {_count(schema['minLength'], 'character')}, got {len(value)}")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        errors.append(f"{path}: expected at most {_count(schema['maxLength'], 'character')}, got {len(value)}")


def _check_array(value: list, schema: dict, path: str, errors: list[str]) -> None:
    if "minItems" in schema and len(value) < schema["minItems"]:
        errors.append(f"{path}: expected at least {_count(schema['minItems'], 'item')}, got {len(value)}")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        errors.append(f"{path}: expected at most {_count(schema['maxItems'], 'item')}, got {len(value)}")
    items = schema.get("items")
    if isinstance(items, dict):
        for index, item in enumerate(value):
            _check(item, items, f"{path}[{index}]", errors)


def _check_object(value: dict, schema: dict, path: str, errors: list[str]) -> None:
    properties = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            errors.append(f"{path}: missing required property {name!r}")
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            _check(item, properties[name], _child(path, name), errors)
        elif extra is False:
            errors.append(f"{path}: unexpected property {name!r} (allowed: {', '.join(properties) or 'none'})")
        elif isinstance(extra, dict):
            _check(item, extra, _child(path, name), errors)


def _check_alternatives(value: Any, options: list, path: str, errors: list[str], *, exactly_one: bool) -> None:
    results = []
    for option in options:
        found: list[str] = []
        _check(value, option, path, found)
        results.append(found)
    matches = sum(1 for found in results if not found)
    allowed = _listed_values(options)
    if matches == 0 and allowed is not None:
        errors.append(f"{path}: {_show(value)} is not one of {_show(allowed, 400)}")
    elif matches == 0:
        closest = min(results, key=len)
        errors.append(f"{path}: matches none of the {len(options)} allowed forms (closest: {closest[0]})")
    elif exactly_one and matches > 1:
        errors.append(f"{path}: matches {matches} of the allowed forms, expected exactly one")


def _listed_values(options: list) -> list | None:
    """The values allowed by alternatives that are all enums, consts or null (else None)."""
    values: list = []
    for option in options:
        if not isinstance(option, dict):
            return None
        if "enum" in option:
            values.extend(option["enum"])
        elif "const" in option:
            values.append(option["const"])
        elif option == {"type": "null"}:
            values.append(None)
        else:
            return None
    return values


def _type_ok(value: Any, expected: str | list[str]) -> bool:
    if isinstance(expected, list):
        return any(_type_ok(value, one) for one in expected)
    if expected == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if expected == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return _type_name(value) == expected


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _equal(a: Any, b: Any) -> bool:
    # JSON equality: true is not 1, but 1 equals 1.0.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if _IDENT.match(name) else f"{path}[{name!r}]"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _show(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
