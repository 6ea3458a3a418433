"""Validation against a schema, every problem located in the YAML it came from."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from .. import rules
from ..diagnostics import Diagnostics, Rule
from .schema import CrossrefOptions, Model, crossref_unsupported, kebab
from .yamlpos import LocatedYaml


@dataclass(frozen=True)
class FieldRules:
    """The rules a validated YAML document reports its problems under."""

    missing: Rule
    type: Rule
    value: Rule
    unknown_key: Rule


def validate(model: type[Model], located: LocatedYaml, diagnostics: Diagnostics, field_rules: FieldRules) -> Any:
    """Validate `located.data` against `model`, adding located diagnostics."""
    try:
        value = model.model_validate(located.data)
    except ValidationError as exc:
        for error in exc.errors():
            keys = tuple(error["loc"])
            kind = error["type"]
            if kind == "missing":
                message = f"missing required key '{keys[-1]}'"
                location = located.location(keys[:-1])
                rule = field_rules.missing
            else:
                where = ".".join(str(k) for k in keys)
                message = f"{where}: {_message(error)}"
                location = located.location(keys)
                rule = field_rules.type if kind != "value_error" else field_rules.value
            diagnostics.add(rule, location, message)
        return None
    _warn_unknown(value, (), located, diagnostics, field_rules.unknown_key)
    return value


def _message(error: Any) -> str:
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _warn_unknown(value: Any, keys: tuple[str | int, ...], located: LocatedYaml, diagnostics: Diagnostics, unknown_key: Rule) -> None:
    if isinstance(value, Model):
        known = {kebab(name) for name in type(value).model_fields} | set(type(value).model_fields)
        for extra in value.model_extra or {}:
            instead = crossref_unsupported(extra) if isinstance(value, CrossrefOptions) else None
            if instead is not None:
                where = located.location(keys + (extra,), of_key=True)
                diagnostics.add(rules.CROSSREF_UNSUPPORTED, where, f"pandoc-crossref option '{extra}' is not supported: {instead}")
                continue
            close = difflib.get_close_matches(extra, sorted(known), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            diagnostics.add(
                unknown_key,
                located.location(keys + (extra,), of_key=True),
                f"unknown key '{extra}'{hint}",
            )
        for name in type(value).model_fields:
            _warn_unknown(getattr(value, name), keys + (kebab(name),), located, diagnostics, unknown_key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _warn_unknown(item, keys + (index,), located, diagnostics, unknown_key)
