"""Colours of the project's own CSS (`css:`) against their background, by WCAG 2.1's contrast
ratio: at least 4.5:1 for text, 3:1 for large text (18pt, or 14pt bold) where the rule's
own font size says it is large.

Only what a rule says by itself can be computed: its `color` against its own `background`
or `background-color`, or against the page when it sets none: the page is white, unless a
top-level rule for `html`, `body` or `:root` gives it a colour of its own. A background image
or gradient, `var()`, `inherit` or `currentcolor`, and sizes in `em` or `%` (relative to a
size the stylesheet cannot tell) are taken as unknown: the colour is not judged, or the text
is taken as normal. Colours are parsed by tinycss2's CSS Color 4 parser; those it cannot put
into sRGB (`lab()`, `oklch()`, `color(display-p3 …)`) are left alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .. import rules
from ..diagnostics import Diagnostics, Location
from .base import Paper, PaperCheck

RGBA = tuple[float, float, float, float]  # sRGB channels and alpha, 0 to 1
WHITE: RGBA = (1.0, 1.0, 1.0, 1.0)
TRANSPARENT: RGBA = (0.0, 0.0, 0.0, 0.0)
NORMAL, LARGE = 4.5, 3.0  # WCAG 2.1 AA, success criterion 1.4.3
POINTS = {"pt": 1.0, "px": 0.75, "pc": 12.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "q": 72 / 101.6}
SIZE_KEYWORDS = {"x-large": 18.0, "xx-large": 24.0, "xxx-large": 36.0}  # in points, as browsers size them
# At-rules that hold style rules (the others, @page and its margin boxes, hold declarations too).
GROUPS = frozenset({"media", "supports", "layer", "container", "document", "scope", "starting-style"})
PAGE_SELECTORS = frozenset({"html", "body", ":root"})  # rules whose background is the page's


@dataclass(frozen=True)
class Page:
    """What is behind text whose rule sets no background."""

    colour: RGBA = WHITE
    name: str = "the white page"


class Unknown(Exception):
    """A value the stylesheet alone cannot tell (a variable, an image, an inherited colour)."""


@dataclass(frozen=True)
class Declared:
    """What one rule declares about its text, each as written (the last of each name wins)."""

    color: Any  # the `color` declaration
    background: Any | None  # the last `background` or `background-color` declaration
    background_image: bool  # `background-image` sets an image: the colour behind the text is unknown
    size: list[Any] | None  # the value of `font-size`, else of `font`
    weight: list[Any] | None  # the value of `font-weight`, else of `font`


def check(paper: Paper, diagnostics: Diagnostics) -> None:
    if not paper.stylesheet or not paper.config.css:
        return
    import tinycss2  # here, not at the top: only a project with its own stylesheet needs it

    stylesheet = tinycss2.parse_stylesheet(paper.stylesheet, skip_comments=True, skip_whitespace=True)
    page = _page(stylesheet)
    for declared in _rules(stylesheet):
        _judge(declared, page, paper.config.css, diagnostics)


def _page(items: list[Any]) -> Page:
    """The page's colour: the last opaque background that a top-level rule gives `html`, `body` or
    `:root` (a dark theme); white when none does, or when it cannot be told."""
    import tinycss2

    page = Page()
    for item in items:
        if item.type != "qualified-rule" or item.content is None:
            continue
        selectors = {part.strip().lower() for part in tinycss2.serialize(item.prelude).split(",")}
        if not selectors or not selectors <= PAGE_SELECTORS:
            continue
        contents = tinycss2.parse_blocks_contents(item.content, skip_comments=True, skip_whitespace=True)
        declared = [
            c for c in contents if c.type == "declaration" and c.lower_name in ("background", "background-color")
        ]
        try:
            colour = _background(declared[-1]) if declared else None
        except Unknown:
            continue
        if colour is not None and colour[3] == 1:
            page = Page(colour, "the page's " + tinycss2.serialize(declared[-1].value).strip())
    return page


def _judge(declared: Declared, page: Page, path: str, diagnostics: Diagnostics) -> None:
    import tinycss2

    try:
        background = _over(_background(declared.background), page.colour) if declared.background else page.colour
        foreground = _colour(declared.color.value)
        if declared.background_image:
            raise Unknown
    except Unknown:
        return
    if foreground[3] == 0:
        return  # invisible on purpose
    ratio = contrast(_over(foreground, background), background)
    large = _large(declared.size, declared.weight)
    needed = LARGE if large else NORMAL
    if ratio >= needed:
        return
    colour = tinycss2.serialize(declared.color.value).strip()
    behind = tinycss2.serialize(declared.background.value).strip() if declared.background else page.name
    shown = math.floor(ratio * 100) / 100  # never rounded up to the threshold it misses
    diagnostics.add(
        rules.CONTRAST_LOW,
        Location(path, declared.color.source_line, declared.color.source_column),
        f"text colour {colour} on {behind} has a contrast of {shown:.2f}:1, below the {needed:g}:1 "
        f"WCAG AA asks for {'large' if large else 'normal'} text",
    )


def _rules(items: Iterable[Any]) -> Iterator[Declared]:
    """What each style rule (nested, in @media, in @page and its margin boxes) declares about its text."""
    import tinycss2

    for item in items:
        if item.type == "at-rule" and item.content is not None and item.lower_at_keyword in GROUPS:
            yield from _rules(tinycss2.parse_rule_list(item.content, skip_comments=True, skip_whitespace=True))
        elif item.type in ("qualified-rule", "at-rule") and item.content is not None:
            contents = tinycss2.parse_blocks_contents(item.content, skip_comments=True, skip_whitespace=True)
            declared = _declared([c for c in contents if c.type == "declaration"])
            if declared is not None:
                yield declared
            yield from _rules(c for c in contents if c.type != "declaration")


def _declared(declarations: list[Any]) -> Declared | None:
    """A rule's text colour and what it says of its background and size; None without a `color`."""
    last = {d.lower_name: d for d in declarations}
    if "color" not in last:
        return None
    backgrounds = [d for d in declarations if d.lower_name in ("background", "background-color")]
    image = "background-image" in last and _words(last["background-image"].value) != ["none"]
    font = last["font"].value if "font" in last else None
    return Declared(
        color=last["color"],
        background=backgrounds[-1] if backgrounds else None,
        background_image=image,
        size=last["font-size"].value if "font-size" in last else font,
        weight=last["font-weight"].value if "font-weight" in last else font,
    )


def _colour(value: list[Any]) -> RGBA:
    """The colour a `color` or `background-color` value names, in sRGB."""
    from tinycss2.color4 import parse_color

    tokens = _tokens(value)
    parsed = parse_color(tokens[0]) if len(tokens) == 1 else None
    if parsed is None or isinstance(parsed, str) or parsed.space not in ("srgb", "hsl", "hwb"):
        raise Unknown  # not a colour (`inherit`, `var(--x)`), currentcolor, or a space tinycss2 cannot put into sRGB
    red, green, blue = (min(1.0, max(0.0, channel)) for channel in parsed.to("srgb").coordinates)
    return (red, green, blue, parsed.alpha)


def _background(declaration: Any) -> RGBA:
    """The colour behind a rule's text, from `background-color` or the `background` shorthand."""
    from tinycss2.color4 import parse_color

    if declaration.lower_name == "background-color":
        return _colour(declaration.value)
    tokens = _tokens(declaration.value)
    if any(t.type == "url" or t.type == "function" and not _colour_function(t.lower_name) for t in tokens):
        raise Unknown  # an image, a gradient, a variable
    colours = [token for token in tokens if parse_color(token) is not None]
    if len(colours) == 1:
        return _colour(colours)
    if not colours and not {"inherit", "initial", "unset", "revert", "revert-layer"} & set(_words(tokens)):
        return TRANSPARENT  # `background: none`: the page shows through
    raise Unknown


def _colour_function(name: str) -> bool:
    return name in ("rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color")


def _tokens(value: list[Any]) -> list[Any]:
    return [t for t in value if t.type not in ("whitespace", "comment")]


def _words(value: list[Any]) -> list[str]:
    return [t.lower_value for t in value if t.type == "ident"]


def _large(size: list[Any] | None, weight: list[Any] | None) -> bool:
    """Whether the rule's own font size makes its text large in WCAG's sense."""
    points = _points(size or [])
    return points is not None and (points >= 18 or _bold(weight or []) and points >= 14)


def _bold(value: list[Any]) -> bool:
    """Whether a `font-weight` or `font` value makes the text bold (700 or more)."""
    for token in value:
        if token.type == "ident" and token.lower_value in ("bold", "bolder"):
            return True
        if token.type == "number" and token.is_integer and token.int_value >= 700:
            return True
    return False


def _points(value: list[Any]) -> float | None:
    """The first absolute font size of a `font-size` or `font` value, in points."""
    for token in value:
        if token.type == "dimension" and token.lower_unit in POINTS:
            return float(token.value) * POINTS[token.lower_unit]
        if token.type == "ident" and token.lower_value in SIZE_KEYWORDS:
            return SIZE_KEYWORDS[token.lower_value]
        if token.type == "literal" and token.value == "/":
            return None  # the line height follows: the size was relative
    return None


def _over(colour: RGBA, behind: RGBA) -> RGBA:
    """`colour` painted over the opaque `behind`."""
    alpha = colour[3]
    red, green, blue = (alpha * c + (1 - alpha) * b for c, b in zip(colour[:3], behind[:3], strict=True))
    return (red, green, blue, 1.0)


def contrast(one: RGBA, other: RGBA) -> float:
    """WCAG 2.1's contrast ratio of two opaque colours, 1 to 21."""
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def luminance(colour: RGBA) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in colour[:3]]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


# Setup: it looks at the stylesheet alone, which a rebuild (only ever after an edit inside chapters) finds unchanged.
CHECK = PaperCheck((rules.CONTRAST_LOW,), check, setup=True)
