"""Small helpers over the HTML pandoc writes (well-formed, predictable markup)."""

from __future__ import annotations

import html
import re


def extract_div(page: str, identifier: str) -> str:
    """The `<div id="identifier">…</div>` element of an HTML page, with its nested divs."""
    start = page.find(f'<div id="{html.escape(identifier)}"')
    if start < 0:
        return ""
    depth, position = 0, start
    for match in re.finditer(r"<div\b|</div>", page[start:]):
        depth += 1 if match.group(0) == "<div" else -1
        if depth == 0:
            position = start + match.end()
            return page[start:position]
    return ""
