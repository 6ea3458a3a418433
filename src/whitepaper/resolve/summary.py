"""Summary tables: `::: {.summary-of kind=recommendation}` becomes a table of every block of that kind.

Each row gives the block's number, its title (a link to it), the chapter it is
in, and, in the PDF, the page (filled in by the print stylesheet with
target-counter, so it is right after layout).
"""

from __future__ import annotations

import html
from typing import Any

from ..pandoc import nodes
from ..config import Config
from ..diagnostics import Diagnostics
from ..sources.chapters import Chapter
from .numbering import Targets
from .. import rules


def fill_summary(node: dict[str, Any], chapter: Chapter, targets: Targets, config: Config, diagnostics: Diagnostics) -> None:
    """Replace the content of a `summary-of` div by the table of its kind."""
    pairs = dict(node["c"][0][2])
    kind = pairs.get("kind", "")
    if kind not in config.blocks:
        known = ", ".join(sorted(config.blocks)) or "none declared"
        diagnostics.add(
            rules.SUMMARY_UNKNOWN_KIND,
            chapter.locate("summary-of"),
            f"summary of unknown block kind '{kind}' (declared kinds: {known})",
        )
        return
    node["c"][1] = [nodes.raw_html(summary_table(kind, pairs.get("data-number", ""), targets, config))]


def summary_table(kind: str, number: str, targets: Targets, config: Config) -> str:
    spec = config.blocks[kind]
    chapters = {t.id: t for t in targets.by_id.values() if t.kind in ("chapter", "appendix")}
    rows = []
    for target in targets.of_kind(kind):
        chapter = chapters.get(target.chapter_id)
        chapter_text = f"{chapter.number} {chapter.title}".strip() if chapter else ""
        rows.append(
            "<tr>"
            f'<td class="number"><a href="#{html.escape(target.id)}">{html.escape(target.number)}</a></td>'
            f'<td class="title"><a href="#{html.escape(target.id)}">{html.escape(target.title)}</a></td>'
            f'<td class="chapter">{html.escape(chapter_text)}</td>'
            f'<td class="page"><a href="#{html.escape(target.id)}"></a></td>'
            "</tr>"
        )
    head = (
        f'<thead><tr><th class="number">{html.escape(spec.label)}</th><th class="title">Title</th>'
        '<th class="chapter">Chapter</th><th class="page">Page</th></tr></thead>'
    )
    caption = (
        f'<caption><span class="caption-label">Table {html.escape(number)}.</span> '
        f"Summary of {html.escape(spec.plural_label.lower())}.</caption>"
    )
    return f'<table class="summary summary-{html.escape(kind)}">{caption}{head}<tbody>{"".join(rows)}</tbody></table>'
