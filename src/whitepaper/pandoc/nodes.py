"""Small helpers over pandoc's JSON AST (plain dicts and lists)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Node = dict[str, Any]


def walk(value: Any) -> Iterator[Node]:
    """Every element node (a dict with a 't' key) under `value`, in document order.

    Iterative rather than recursive: a large paper has millions of nodes, and
    nested generators cost a frame switch per level per node.
    """
    stack = [value]
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        if type(item) is list:
            push([child for child in reversed(item) if type(child) in (list, dict)])
        elif type(item) is dict:
            if "t" in item:
                yield item
                content = item.get("c")
                if type(content) in (list, dict):
                    stack.append(content)
            else:  # a citation: its prefix and suffix hold inlines
                push([child for child in reversed(list(item.values())) if type(child) in (list, dict)])


def walk_blocks(blocks: list[Node]) -> Iterator[Node]:
    """Every block (not inline) element, in document order, including blocks nested in
    divs, quotes, lists and figures; table cells are not entered."""
    stack: list[Any] = [blocks]
    while stack:
        item = stack.pop()
        if type(item) is list:
            stack.extend(reversed(item))
            continue
        if type(item) is not dict or "t" not in item:
            continue
        yield item
        kind, content = item["t"], item.get("c")
        if kind == "Div":
            stack.append(content[1])
        elif kind == "BlockQuote" or kind == "BulletList":
            stack.append(content)
        elif kind == "OrderedList":
            stack.append(content[1])
        elif kind == "DefinitionList":
            stack.append([definitions for _, definitions in content])
        elif kind == "Figure":
            stack.append(content[2])


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


def cites(value: Any) -> Iterator[Node]:
    """The citation clusters (Cite elements) under `value` in reading order, as citeproc meets
    them; a citation inside another's prefix is formatted with it, not on its own."""
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is list:
            stack.extend(reversed(item))
        elif type(item) is dict and "t" in item:
            if item["t"] == "Cite":
                yield item
            elif type(item.get("c")) in (list, dict):
                stack.append(item["c"])


def is_refs(node: Node) -> bool:
    return node["t"] == "Div" and node["c"][0][0] == "refs"
