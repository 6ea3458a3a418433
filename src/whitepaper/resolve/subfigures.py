"""Subfigures, as pandoc-crossref and Quarto write them: a div with a figure id around several
images, its last paragraph the caption of the whole.

    ::: {#fig:cells}
    ![Before](before.png){#fig:before width=40%}
    ![After](after.png){#fig:after}

    ![Detail](detail.png)

    The cells before and after treatment.
    :::

Each paragraph of images is a row (the blank lines say where rows end); an image's `width`
in percent is its column's share of the row, the others share what is left. The div
becomes one figure, numbered as one ("Figure 2"); its images are subfigures lettered a, b, c
("Figure 2b" when referred to), each with its own caption under it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from ..pandoc import nodes

FIGURE_PREFIXES = ("fig:", "fig-")


@dataclass
class Subfigure:
    """One image of a subfigure div, made a figure of its own inside the whole."""

    identifier: str  # "" when the author gave none: lettered and shown, but not referable
    letter: str  # "a", or its `label="…"`
    caption: list[Any]  # the inlines its letter goes before


def is_subfigure_div(node: dict[str, Any]) -> bool:
    """A div with a figure id whose last block is a caption paragraph and whose others hold images."""
    attributes, blocks = node["c"]
    if not attributes[0].startswith(FIGURE_PREFIXES) or len(blocks) < 2 or blocks[-1]["t"] != "Para":
        return False
    if _images(blocks[-1]["c"]):
        return False  # a paragraph of images is a row, not a caption
    return all(_row_images(block) for block in blocks[:-1])


def make_figure(node: dict[str, Any]) -> list[Subfigure]:
    """Turn a subfigure div (see is_subfigure_div) into one figure of rows, in place; its subfigures."""
    attributes, blocks = node["c"]
    caption = [{"t": "Plain", "c": _caption_text(blocks[-1]["c"])}]
    rows = [_row_images(block) for block in blocks[:-1]]
    if sum(map(len, rows)) == 1:  # one image and a caption (Quarto's figure div): a figure like any other
        image = rows[0][0][0]
        alone = {"t": "Image", "c": [["", *image["c"][0][1:]], *image["c"][1:]]}  # the figure has the id
        node["t"], node["c"] = "Figure", [attributes, [None, caption], [{"t": "Plain", "c": [alone]}]]
        return []
    subfigures: list[Subfigure] = []
    content = [_row(row, subfigures) for row in rows]
    attributes[1] = ["subfigures", *attributes[1]]
    node["t"], node["c"] = "Figure", [attributes, [None, caption], content]
    return subfigures


def _caption_text(inlines: list[Any]) -> list[Any]:
    """The caption paragraph without a leading `: ` (pandoc-crossref's demo writes `\\: Caption`,
    as a table caption reads) or trailing spaces and empty spans."""
    if len(inlines) > 2 and inlines[0] == {"t": "Str", "c": ":"} and inlines[1]["t"] == "Space":
        inlines = inlines[2:]
    while inlines and (inlines[-1]["t"] in ("Space", "SoftBreak") or inlines[-1] == {"t": "Span", "c": [["", [], []], []]}):
        inlines = inlines[:-1]
    return inlines


def _row(row: list[tuple[dict[str, Any], str]], subfigures: list[Subfigure]) -> dict[str, Any]:
    """A row of subfigures. Widths in % are shares of the text width: a row whose images all
    have one is as wide as they add up to (centred), and its columns divide it in proportion."""
    widths = [_percent(dict(image["c"][0][2]).get("width", "")) for image, _ in row]
    total = sum(w for w in widths if w is not None)
    whole = None not in widths and 0 < total < 100
    if whole:
        widths = [width * 100 / total for width in widths if width is not None]
    cells = [
        _subfigure(image, identifier, subfigures, width) for (image, identifier), width in zip(row, widths, strict=True)
    ]
    return nodes.div("", ["subfigure-row"], cells, {"style": f"width:{total:g}%"} if whole else None)


def _percent(width: str) -> float | None:
    try:
        return float(width[:-1]) if width.endswith("%") else None
    except ValueError:
        return None


def _subfigure(
    image: dict[str, Any], identifier: str, subfigures: list[Subfigure], width: float | None
) -> dict[str, Any]:
    """One image as a figure of its own: its id moves to the figure, its width to the column."""
    _, classes, pairs = image["c"][0]
    letter = dict(pairs).get("label") or _letter(len(subfigures))
    caption = [] if "nocaption" in classes else list(image["c"][1])
    subfigures.append(Subfigure(identifier, letter, caption))
    style = {"style": f"width:{width:.4g}%"} if width is not None else None
    return {
        "t": "Figure",
        "c": [
            nodes.attr(identifier, ["subfigure"], style),
            [None, [{"t": "Plain", "c": caption}]],
            [{"t": "Plain", "c": [_plain_image(image)]}],
        ],
    }


def _plain_image(image: dict[str, Any]) -> dict[str, Any]:
    """The image without the id, width (in %) and label its figure now carries."""
    _, classes, pairs = image["c"][0]
    kept = [[k, v] for k, v in pairs if k != "label" and not (k == "width" and v.endswith("%"))]
    return {"t": "Image", "c": [["", [c for c in classes if c != "nocaption"], kept], image["c"][1], image["c"][2]]}


def _row_images(block: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """The images of a row with their ids: a figure pandoc made of an image alone (the image's id
    is on the figure), or a paragraph of images (other inlines, the spaces and line breaks
    between them, are dropped, as pandoc-crossref does)."""
    if block["t"] == "Figure":
        found = _images([i for b in block["c"][2] if b["t"] in ("Plain", "Para") for i in b["c"]])
        return [(found[0], found[0]["c"][0][0] or block["c"][0][0])] if len(found) == 1 else []
    if block["t"] in ("Para", "Plain"):
        return [(image, image["c"][0][0]) for image in _images(block["c"])]
    return []


def _images(inlines: list[Any]) -> list[dict[str, Any]]:
    return [i for i in inlines if i["t"] == "Image"]


def _letter(index: int) -> str:
    return string.ascii_lowercase[index % 26] * (index // 26 + 1)
