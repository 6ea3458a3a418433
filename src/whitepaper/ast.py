"""Small helpers over pandoc's JSON AST (plain dicts and lists)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Node = dict[str, Any]


def walk(value: Any) -> Iterator[Node]:
    """Every element node (a dict with a 't' key) under `value`, depth first, in document order."""
    if isinstance(value, dict):
        if "t" in value:
            yield value
        for child in value.values():
            if isinstance(child, (list, dict)):
                yield from walk(child)
    elif isinstance(value, list):
        for child in value:
            if isinstance(child, (list, dict)):
                yield from walk(child)


_ATTR_FIRST = {"Div", "Span", "Figure", "Table", "CodeBlock", "Code", "Image", "Link"}


def node_id(node: Node) -> str:
    """The id of an element that has attributes, else ""."""
    if node["t"] == "Header":
        return str(node["c"][1][0])
    if node["t"] in _ATTR_FIRST:
        return str(node["c"][0][0])
    return ""


def stringify(value: Any) -> str:
    """The plain text of inlines (like pandoc.utils.stringify)."""
    parts: list[str] = []
    for node in walk(value):
        kind = node["t"]
        if kind == "Str":
            parts.append(node["c"])
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif kind in ("Code", "Math"):
            parts.append(node["c"][1])
    return "".join(parts)


def word_count(value: Any) -> int:
    """Words of prose: citations (`[@key]`) and math do not count."""
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            kind = item.get("t")
            if kind == "Str":
                count += 1
            elif kind not in ("Cite", "Math", "RawInline", "RawBlock"):
                stack.extend(v for v in item.values() if isinstance(v, (list, dict)))
        elif isinstance(item, list):
            stack.extend(item)
    return count


def text_inlines(text: str) -> list[Node]:
    """Plain text as inlines: words and spaces."""
    inlines: list[Node] = []
    for index, word in enumerate(text.split()):
        if index:
            inlines.append({"t": "Space"})
        inlines.append({"t": "Str", "c": word})
    return inlines


def attr(identifier: str = "", classes: list[str] | None = None, pairs: dict[str, str] | None = None) -> list[Any]:
    return [identifier, list(classes or []), [[k, v] for k, v in (pairs or {}).items()]]


def header(level: int, identifier: str, inlines: list[Node], classes: list[str] | None = None) -> Node:
    return {"t": "Header", "c": [level, attr(identifier, classes), inlines]}


def div(identifier: str, classes: list[str], blocks: list[Node], pairs: dict[str, str] | None = None) -> Node:
    return {"t": "Div", "c": [attr(identifier, classes, pairs), blocks]}


def para(inlines: list[Node]) -> Node:
    return {"t": "Para", "c": inlines}


def raw_html(html: str) -> Node:
    return {"t": "RawBlock", "c": ["html", html]}
