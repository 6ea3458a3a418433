"""Images need alternative text: a screen reader says it instead of the picture, and the tagged
PDF carries it as the figure's /Alt. A purely decorative image says so instead, and is skipped:
`![](rule.svg){alt=""}` or `![](rule.svg){.decorative}`."""

from __future__ import annotations

import re
from typing import Any

from .. import rules
from ..diagnostics import Diagnostics
from ..pandoc import nodes
from .places import Site, attribute

IMAGE = re.compile(r"!\[")  # how an image opens, inline or by reference


def check(image: dict[str, Any], site: Site, diagnostics: Diagnostics) -> None:
    where = site.places.find(site.line, IMAGE)  # every image takes its place, so the next one finds its own
    if described(image) or decorative(image):
        return
    target = image["c"][2][0]
    diagnostics.add(
        rules.IMAGE_ALT_MISSING,
        where,
        f"image '{target}' has no alternative text: describe it in ![…], or mark it decorative with {{alt=\"\"}} or {{.decorative}}",
    )


def described(image: dict[str, Any]) -> bool:
    """Whether the image has a description: its `![…]` text (a figure's caption), or an `alt` attribute."""
    return bool(nodes.stringify(image["c"][1]).strip() or (attribute(image, "alt") or "").strip())


def decorative(image: dict[str, Any]) -> bool:
    """Whether the author marked the image as decoration: an explicit empty `alt`, or `.decorative`."""
    return attribute(image, "alt") == "" or "decorative" in image["c"][0][1]
