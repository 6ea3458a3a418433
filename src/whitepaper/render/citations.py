"""Citations formatted once for the whole paper, apart from the prose around them.

Citeproc needs every citation in reading order (numbers, "et al." on later
mentions, disambiguation), but not the text between them. So every citation
cluster goes, in reading order, into one small document that pandoc's
citeproc formats together with the bibliography; the result is cached by the
clusters, the style and the bibliography, so an edit that changes no citation
formats none. Chapters are then rendered without citeproc, each citation
carrying a placeholder that `fill` replaces with its formatted text.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import pandoc
from ..cache import Cache, digest
from ..pandoc import nodes
from ..version import __version__

SEPARATOR = "<!--wp-citation-separator-->"
REFS_PLACEHOLDER = "<!--wp-bibliography-->"
# A citation's placeholder is text (private-use characters around its number), not raw HTML,
# so that where pandoc writes a caption's plain text (an image's alt) it is kept too.
_PLACED = re.compile("\ue000(\\d+)\ue001")
_ALT = re.compile(r'(alt=")([^"]*\ue000[^"]*)(")')
_TAG = re.compile(r"<[^>]*>")
_INNER = re.compile(r'^<p><span class="citation" data-cites="[^"]*">(.*)</span></p>$', re.S)


@dataclass(frozen=True)
class Formatted:
    """The inner HTML of each citation cluster in reading order, and the bibliography's HTML."""

    clusters: list[str]
    bibliography: str
    warnings: str


def placeholder(number: int) -> nodes.Node:
    return {"t": "Str", "c": f"\ue000{number}\ue001"}


def format_clusters(
    clusters: list[nodes.Node], meta: dict[str, Any], csl: Path, bibliography_json: Path | None, cache: Cache
) -> Formatted:
    """Format every cluster and the bibliography in one citeproc run, or take them from the cache."""
    blocks: list[Any] = []
    for cluster in clusters:
        blocks += [nodes.para([{"t": "Cite", "c": [cluster["c"][0], []]}]), nodes.raw_html(SEPARATOR)]
    blocks.append(nodes.div("refs", [], []))
    document = {"pandoc-api-version": pandoc.api_version(), "meta": meta, "blocks": blocks}
    payload = json.dumps(document, ensure_ascii=False, sort_keys=True)
    bibliography = bibliography_json.read_bytes() if bibliography_json else b""
    key = digest(__version__, pandoc.pandoc_version(), csl.read_bytes(), bibliography, payload)
    cached = cache.get("citations", key)
    if cached is not None:
        return Formatted(cached["clusters"], cached["bibliography"], cached["warnings"])
    output, warnings = pandoc.ast_to_html(document, pandoc.citeproc_args(csl, bibliography_json))
    *paragraphs, refs = output.strip().split(f"\n{SEPARATOR}\n")
    inner = []
    for paragraph in paragraphs:
        match = _INNER.match(paragraph)
        if match is None:
            raise pandoc.PandocFailed(f"unexpected citation from citeproc: {paragraph[:200]}")
        inner.append(match.group(1))
    formatted = Formatted(inner, refs.strip(), warnings)
    cache.put("citations", key, {"clusters": formatted.clusters, "bibliography": formatted.bibliography, "warnings": warnings})
    return formatted


def fill(page: str, formatted: Formatted, first: int) -> str:
    """Put formatted citations (this part's first one is cluster `first`) and the bibliography
    in place of the placeholders of a part's HTML."""
    def text(match: re.Match[str]) -> str:
        plain = html.unescape(_TAG.sub("", formatted.clusters[first + int(match.group(1))]))
        return html.escape(plain, quote=True).replace("&#x27;", "'")

    page = _ALT.sub(lambda m: m.group(1) + _PLACED.sub(text, m.group(2)) + m.group(3), page)
    page = _PLACED.sub(lambda m: formatted.clusters[first + int(m.group(1))], page)
    return page.replace(REFS_PLACEHOLDER, formatted.bibliography)
