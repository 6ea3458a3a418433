"""Raw HTML from chapters, made harmless for the HTML draft.

Chapters come from many contributors. Raw `<script>` elements, event-handler
attributes (`onclick=`), `javascript:` URLs and embedded frames or objects are
removed from the drafts unless `allow-scripts: true` says they are wanted;
each removal is reported where the author wrote it.
"""

from __future__ import annotations

import re
from typing import Any

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..pandoc import nodes
from ..sources.chapters import Chapter

SCRIPT = re.compile(r"<script\b.*?(</script\s*>|$)", re.I | re.S)
EMBED = re.compile(r"<(iframe|object|embed|frame)\b.*?(</\1\s*>|/?>)", re.I | re.S)
HANDLER = re.compile(r"""\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
# A link's destination as written that spells javascript (in any case) or hides it in a character reference
WRITTEN_SCRIPT_URL = re.compile(r"\]\(\s*<?(?P<url>[^)\s>]*(?:javascript|&#)[^)\s>]*)", re.I)
JAVASCRIPT = re.compile(r"""(href|src|action|formaction|xlink:href)\s*=\s*(["']?)\s*javascript:[^"'>\s]*\2""", re.I)


def clean_html(html: str) -> tuple[str, list[str]]:
    """The HTML without scripts, frames, handlers and javascript: URLs, and what was removed."""
    removed: list[str] = []

    def drop(kind: str) -> Any:
        def replace(match: re.Match[str]) -> str:
            removed.append(kind if kind != "element" else f"<{match.group(1).lower()}>")
            return ""
        return replace

    html = SCRIPT.sub(drop("<script>"), html)
    html = EMBED.sub(drop("element"), html)
    html = HANDLER.sub(drop("an event-handler attribute"), html)
    html = JAVASCRIPT.sub(lambda m: (removed.append("a javascript: URL"), f'{m.group(1)}="#"')[1], html)
    return html, removed


def sanitise(chapter: Chapter, blocks: list[Any], diagnostics: Diagnostics) -> None:
    """Clean the chapter's raw HTML and javascript: links in place, with a warning for each."""
    if not _may_hold_scripts(chapter.text):
        return
    for node in nodes.walk(blocks):
        kind = node["t"]
        if kind in ("RawBlock", "RawInline") and node["c"][0] == "html":
            cleaned, removed = clean_html(node["c"][1])
            if removed:
                for what in dict.fromkeys(removed):
                    needle = {"<script>": "<script", "a javascript: URL": "javascript:", "an event-handler attribute": " on"}.get(what, what[:-1])
                    diagnostics.add(
                        rules.HTML_UNSAFE,
                        chapter.locate(needle),
                        f"removed {what} from the drafts (set `allow-scripts: true` to keep it)"
                    )
                node["c"][1] = cleaned
        elif kind in ("Link", "Image") and node["c"][2][0].strip().lower().startswith("javascript:"):
            diagnostics.add(rules.HTML_UNSAFE, _script_url(chapter), "removed a javascript: URL from the drafts")
            # the link's text stays, as plain text
            node["t"], node["c"] = "Span", [node["c"][0], node["c"][1]]


def _may_hold_scripts(text: str) -> bool:
    """Whether the Markdown could give raw HTML or a javascript: URL: raw HTML needs a `<`, and
    a URL spells "javascript" or hides it in character references (`&#106;avascript:`). Most
    chapters have none of these, and walking every node of a 600-page paper for them cost
    `check` a tenth of its time after pandoc (0.2 s)."""
    return "<" in text or "&" in text or "javascript" in text.lower()


def _script_url(chapter: Chapter) -> Location:
    """Where a javascript: link's destination is written: `JavaScript:` or `&#106;avascript:`
    too, which pandoc reads as the same URL; a reference definition, at its first "javascript:"."""
    for number in range(chapter.body_line, len(chapter.lines) + 1):
        match = WRITTEN_SCRIPT_URL.search(chapter.lines[number - 1])
        if match:
            return Location(chapter.rel, number, match.start("url") + 1)
    return chapter.locate("javascript:")
