"""Code listings with captions, in each form pandoc-crossref (and Quarto) accepts:

    Listing: Loading the cohort {#lst:load}      ```{#lst:load .python caption="Loading the cohort"}
                                                 ...
    ```python                                    ```
    ...
    ```                                          ::: {#lst:load .listing}
                                                 Loading the cohort
    (or `: caption` after the code block, or     ```python
    `Listing: caption` before a block with       ...
    the id, or Quarto's `lst-cap="…"`)           ```
                                                 :::

Each becomes one shape, a div with the listing's id and class `listing` holding its caption
(a `listing-caption` div) and then the code, which numbering then labels "Listing 1".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..pandoc import nodes

LISTING_PREFIXES = ("lst:", "lst-")
_LABEL = re.compile(r"^\{#((?:lst:|lst-)[^\s{}]+)\}$")
_CAPTION_ATTRIBUTES = ("caption", "lst-cap")


def gather(blocks: list[Any]) -> None:
    """Turn every captioned code listing under `blocks` into a listing div, in place."""
    for siblings in list(_block_lists(blocks)):
        _gather_siblings(siblings)


def is_listing(node: dict[str, Any]) -> bool:
    """A listing div as `gather` makes it."""
    blocks = node["c"][1]
    return "listing" in node["c"][0][1] and len(blocks) == 2 and "listing-caption" in blocks[0]["c"][0][1]


def caption_of(node: dict[str, Any]) -> list[Any]:
    """The inlines of a listing div's caption (numbering puts its label first)."""
    return node["c"][1][0]["c"][1][0]["c"]  # type: ignore[no-any-return]


def _gather_siblings(blocks: list[Any]) -> None:
    # From the last block back, as pandoc-crossref does: in `caption, code, caption, code`
    # each caption goes with the code after it, not the one before.
    index = len(blocks) - 1
    while index >= 0:
        block = blocks[index]
        if block["t"] == "CodeBlock" and _attribute_caption(block):
            _from_attribute(block)
        elif block["t"] == "Div" and _wrapping_div(block):
            block["c"][1][0] = nodes.div("", ["listing-caption"], [block["c"][1][0]])
        elif index + 1 < len(blocks) and _pair(blocks, index):
            del blocks[index + 1]
        index -= 1


def _attribute_caption(block: dict[str, Any]) -> str:
    identifier, _, pairs = block["c"][0]
    if not identifier.startswith(LISTING_PREFIXES):
        return ""
    return next((value for key, value in pairs if key in _CAPTION_ATTRIBUTES), "")


def _from_attribute(block: dict[str, Any]) -> None:
    """```{#lst:x caption="…"}: the code block becomes the listing, its caption the attribute's text."""
    (identifier, classes, pairs), code = block["c"]
    label = [[k, v] for k, v in pairs if k == "label"]
    inner = {
        "t": "CodeBlock",
        "c": [["", classes, [[k, v] for k, v in pairs if k not in (*_CAPTION_ATTRIBUTES, "label")]], code],
    }
    _make(block, identifier, label, nodes.text_inlines(_attribute_caption(block)), inner)


def _wrapping_div(block: dict[str, Any]) -> bool:
    (identifier, classes, _), content = block["c"]
    return (
        identifier.startswith(LISTING_PREFIXES) and bool(classes) and classes[0].startswith("listing")
        and len(content) == 2 and content[0]["t"] == "Para" and content[1]["t"] == "CodeBlock"
    )  # fmt: skip


def _pair(blocks: list[Any], index: int) -> bool:
    """A caption paragraph and the code block after it (or before it): made one listing at
    `index`, and True (the caller drops the block after it)."""
    first, second = blocks[index], blocks[index + 1]
    if first["t"] == "Para" and second["t"] == "CodeBlock":
        caption_block, code = first, second
    elif first["t"] == "CodeBlock" and second["t"] == "Para":
        code, caption_block = first, second
    else:
        return False
    caption = _caption(caption_block["c"])
    if caption is None:
        return False
    identifier, classes, pairs = code["c"][0]
    last = caption[-1] if caption else None
    match = _LABEL.match(last["c"]) if last and last["t"] == "Str" else None
    if match:
        identifier, caption = match.group(1), _trimmed(caption[:-1])
    elif not identifier.startswith(LISTING_PREFIXES):
        return False
    label = [[k, v] for k, v in pairs if k == "label"]
    inner = {"t": "CodeBlock", "c": [["", classes, [[k, v] for k, v in pairs if k != "label"]], code["c"][1]]}
    _make(first, identifier, label, caption, inner)
    return True


def _caption(inlines: list[Any]) -> list[Any] | None:
    """A caption paragraph's text: what follows `Listing:` or `:`; None if it is no caption."""
    if (
        len(inlines) > 2
        and inlines[0]["t"] == "Str"
        and inlines[0]["c"] in ("Listing:", ":")
        and inlines[1]["t"] == "Space"
    ):
        return inlines[2:]
    return None


def _trimmed(inlines: list[Any]) -> list[Any]:
    while inlines and inlines[-1]["t"] in ("Space", "SoftBreak"):
        inlines = inlines[:-1]
    return inlines


def _make(node: dict[str, Any], identifier: str, label: list[Any], caption: list[Any], code: dict[str, Any]) -> None:
    """`node` (whose source line the listing keeps) becomes the listing div."""
    caption_div = nodes.div("", ["listing-caption"], [nodes.para(caption)])
    node["t"], node["c"] = "Div", [[identifier, ["listing"], label], [caption_div, code]]


def _block_lists(blocks: list[Any]) -> Iterator[list[Any]]:
    """Every list of sibling blocks: the chapter's, and those in divs, quotes, lists and figures."""
    stack = [blocks]
    while stack:
        siblings = stack.pop()
        yield siblings
        for block in siblings:
            kind, content = block["t"], block.get("c")
            if kind == "Div":
                stack.append(content[1])
            elif kind == "BlockQuote":
                stack.append(content)
            elif kind == "BulletList":
                stack.extend(content)
            elif kind == "OrderedList":
                stack.extend(content[1])
            elif kind == "DefinitionList":
                stack.extend(definition for _, definitions in content for definition in definitions)
