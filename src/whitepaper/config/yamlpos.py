"""YAML with positions: values plus the line and column where each one starts.

Config and front matter errors must point at the offending key, so we compose
the YAML node tree (which keeps marks) and convert it ourselves, remembering a
position for every path of keys and indices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from ..diagnostics import Diagnostics, Location, Rule

Path_ = tuple[str | int, ...]


@dataclass
class LocatedYaml:
    """A parsed YAML document and the position of every value in it."""

    data: Any
    path: str
    line_offset: int = 0
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def location(self, keys: Path_, *, of_key: bool = False) -> Location:
        """Where the value at `keys` starts (or its key, with of_key); falls back to parents."""
        table = self.key_positions if of_key else self.positions
        probe = tuple(keys)
        while probe:
            if probe in table:
                line, col = table[probe]
                return Location(self.path, line, col)
            if probe in self.positions:
                line, col = self.positions[probe]
                return Location(self.path, line, col)
            probe = probe[:-1]
        line, col = self.positions.get((), (1, 1))
        return Location(self.path, line, col)


class _Loader(yaml.SafeLoader):
    """SafeLoader; only its constructors for scalars are used."""


def _mark(node: yaml.Node, line_offset: int) -> tuple[int, int]:
    return node.start_mark.line + 1 + line_offset, node.start_mark.column + 1


def load_located(
    text: str, path: str, diagnostics: Diagnostics, *, line_offset: int = 0, rule: Rule
) -> LocatedYaml | None:
    """Parse `text`; on a syntax error add a diagnostic and return None.

    `line_offset` shifts reported lines, for YAML embedded in a larger file
    (front matter). Duplicate keys are errors: YAML says so, PyYAML forgets it.
    """
    result = LocatedYaml(data=None, path=path, line_offset=line_offset)
    try:
        loader = _Loader(text)  # reading the stream already rejects control characters
    except yaml.YAMLError as exc:
        mark = getattr(exc, "position", 0) or 0
        line = text.count("\n", 0, mark) + 1 + line_offset
        col = mark - (text.rfind("\n", 0, mark) + 1) + 1
        diagnostics.add(rule, Location(path, line, col), f"invalid YAML: {getattr(exc, 'reason', exc)}")
        return None
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else line_offset + 1
        col = (mark.column + 1) if mark else 1
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}: {problem}" if "while" not in exc.context else problem
        diagnostics.add(rule, Location(path, line, col), f"invalid YAML: {problem}")
        return None
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", None)
        if position is not None:
            line, col = text.count("\n", 0, position) + 1 + line_offset, position - (text.rfind("\n", 0, position) + 1) + 1
        else:
            line, col = line_offset + 1, 1
        diagnostics.add(rule, Location(path, line, col), f"invalid YAML: {getattr(exc, 'reason', None) or exc}")
        return None
    finally:
        loader.dispose()
    if node is None:
        result.positions[()] = (line_offset + 1, 1)
        return result
    result.data = _convert(node, (), result, loader, diagnostics, rule)
    return result


def _convert(
    node: yaml.Node,
    keys: Path_,
    result: LocatedYaml,
    loader: _Loader,
    diagnostics: Diagnostics,
    rule: Rule,
) -> Any:
    result.positions[keys] = _mark(node, result.line_offset)
    if isinstance(node, yaml.MappingNode):
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, keys + ("<key>",), result, loader, diagnostics, rule)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                line, col = _mark(key_node, result.line_offset)
                diagnostics.add(rule, Location(result.path, line, col), "a key must be a plain value")
                continue
            key = str(key)
            child = keys + (key,)
            if key in mapping:
                line, col = _mark(key_node, result.line_offset)
                first = result.key_positions[child]
                diagnostics.add(
                    rule,
                    Location(result.path, line, col),
                    f"duplicate key '{key}' (first given at line {first[0]})",
                )
                continue
            result.key_positions[child] = _mark(key_node, result.line_offset)
            mapping[key] = _convert(value_node, child, result, loader, diagnostics, rule)
        result.positions.pop(keys + ("<key>",), None)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, keys + (index,), result, loader, diagnostics, rule)
            for index, item in enumerate(node.value)
        ]
    try:
        return loader.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        line, col = _mark(node, result.line_offset)
        diagnostics.add(rule, Location(result.path, line, col), f"invalid YAML value: {exc.problem}")
        return None
