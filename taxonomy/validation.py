"""YAML files read into declared pydantic models, with one-line errors naming the file, the entry and the field.

Shared by every file a person edits: the taxonomy, the organisation registry and the settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationError

M = TypeVar("M", bound=BaseModel)

#: Keys that name an entry of a list, tried in this order, so an error can say which entry is wrong.
ENTRY_KEYS = ("id", "level", "role", "authority", "signal", "acronym", "phrase")


class FileModel(BaseModel):
    """A part of a file people edit: unknown keys are errors (a typo must never be ignored)."""

    # Numbers written bare in YAML (a dialling code, a year) are read as the text they show.
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


def _reject_yaml_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        # YAML reads unquoted no, yes, on, off (and NO for Norway) as booleans.
        raise ValueError(f"got {value!r}; put the value in quotes")
    return value


#: Non-empty text, surrounding blanks removed.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), BeforeValidator(_reject_yaml_boolean)]


def read_yaml(text: str, name: str, error: type[Exception]) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise error(f"{name}: invalid YAML: {' '.join(str(exc).split())}") from None


def read_yaml_file(path: Path, error: type[Exception]) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read file: {exc}") from None
    return read_yaml(text, str(path), error)


def validate(model: type[M], document: Any, name: str, error: type[Exception]) -> M:
    """The document as ``model``, or ``error`` with one line naming the file, the entry and the field."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise error(f"{name}: {describe(exc, document)}") from None


def describe(exc: ValidationError, document: Any) -> str:
    """The first problem of a validation error as 'entry: field: message' (the others counted)."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    where = _location(document, first["loc"])
    if first["type"] == "extra_forbidden":
        message = "unknown field (misspelt, or not part of this file's schema)"
    else:
        message = _shorten_choices(first).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    value = first.get("input")
    if first["type"] not in ("missing", "value_error", "extra_forbidden") and isinstance(value, (str, int, float, bool)):
        message += f", got {value!r}"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return " ".join(f"{where}{message}{more}".split())


def _shorten_choices(error: Any, keep: int = 3) -> str:
    """Pydantic lists every allowed value; past a handful, the first and the last ones say enough."""
    expected = (error.get("ctx") or {}).get("expected")
    if error["type"] not in ("enum", "literal_error") or not isinstance(expected, str):
        return error["msg"]
    choices = expected.replace(" or ", ", ").split(", ")
    if len(choices) <= 2 * keep:
        return error["msg"]
    return f"Input should be one of {', '.join(choices[:keep])}, ..., {', '.join(choices[-keep:])}"


def _location(document: Any, loc: tuple[int | str, ...]) -> str:
    """Where in the raw document a problem is, with list entries named by their id where they have one."""
    parts: list[str] = []
    node = document
    for key in loc:
        if isinstance(node, list) and isinstance(key, int):
            item = node[key] if 0 <= key < len(node) else None
            parts.append(f"entry {key + 1}{_entry_name(item)}")
            node = item
        elif isinstance(node, Mapping) and not (isinstance(key, str) and "[" in key and key not in node):
            # Keys with brackets ('[key]', 'function-after[...]') are pydantic's own steps, not the file's.
            parts.append(str(key))
            node = node.get(key)
    return "".join(f"{part}: " for part in parts)


def _entry_name(item: Any) -> str:
    if isinstance(item, Mapping):
        for key in ENTRY_KEYS:
            if isinstance(item.get(key), (str, int)) and not isinstance(item.get(key), bool):
                return f" ({key} {item[key]!r})"
    return ""
