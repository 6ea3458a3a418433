"""Labelled display equations, in each form pandoc-crossref accepts.

Pandoc leaves an equation's id as text after the math: `$$ … $$ {#eq:x}` alone in a
paragraph, at the end of a line of one, glued to the math (`$$ … $${#eq:x}`) or inside
running text; or the math is wrapped in a span, `[$$ … $$]{#eq:x label="E"}`. Each
becomes a span with the id around the math, ready for its number; a paragraph that is
nothing but one equation becomes a display block of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..pandoc import nodes

_LABEL = re.compile(r"^\{#([^\s{}]+)\}(.*)$")  # `{#eq:x}`, maybe with the sentence's punctuation glued on
_SPACES = ("Space", "SoftBreak")


@dataclass
class Equation:
    """A labelled equation found in a paragraph; its number goes at the end of `inlines`."""

    identifier: str
    tex: str
    label: str  # `label="…"` to show instead of its number, or ""
    span: dict[str, Any]  # the span around the math

    @property
    def inlines(self) -> list[Any]:
        return self.span["c"][1]  # type: ignore[no-any-return]


def labelled(node: dict[str, Any]) -> list[Equation]:
    """The labelled display equations of a paragraph (Para or Plain), marked in place, in order."""
    inlines = node["c"]
    if not any(i["t"] == "Math" and i["c"][0]["t"] == "DisplayMath" or i["t"] == "Span" for i in inlines):
        return []
    found: list[Equation] = []
    output: list[Any] = []
    index = 0
    while index < len(inlines):
        index = _take(inlines, index, output, found)
    if not found:
        return []
    node["c"] = output
    if len(found) == 1 and all(i is found[0].span or i["t"] in _SPACES for i in output):
        _alone(node, found[0])
    return found


def _take(inlines: list[Any], index: int, output: list[Any], found: list[Equation]) -> int:
    """Copy the inline at `index` to `output`, or the equation starting there; the next index."""
    inline = inlines[index]
    if inline["t"] == "Span" and inline["c"][0][0] and _only_display_math(inline["c"][1]):
        attributes = inline["c"][0]
        label = dict(attributes[2]).get("label", "")
        attributes[1].append("equation")
        attributes[2] = [pair for pair in attributes[2] if pair[0] != "label"]
        found.append(Equation(attributes[0], inline["c"][1][0]["c"][1].strip(), label, inline))
        output.append(inline)
        return index + 1
    if inline["t"] == "Math" and inline["c"][0]["t"] == "DisplayMath":
        after = index + 1
        while after < len(inlines) and inlines[after]["t"] in _SPACES:
            after += 1
        match = _LABEL.match(inlines[after]["c"]) if after < len(inlines) and inlines[after]["t"] == "Str" else None
        if match:
            span = {"t": "Span", "c": [nodes.attr(match.group(1), ["equation"]), [inline]]}
            found.append(Equation(match.group(1), inline["c"][1].strip(), "", span))
            output.append(span)
            if match.group(2):
                output.append({"t": "Str", "c": match.group(2)})
            return after + 1
    output.append(inline)
    return index + 1


def _only_display_math(inlines: list[Any]) -> bool:
    return len(inlines) == 1 and inlines[0]["t"] == "Math" and inlines[0]["c"][0]["t"] == "DisplayMath"


def _alone(node: dict[str, Any], equation: Equation) -> None:
    """A paragraph holding one equation alone is that equation: a display block, numbered on the right."""
    node["t"] = "Div"
    node["c"] = [nodes.attr(equation.identifier, ["equation"]), [nodes.para(equation.inlines)]]
