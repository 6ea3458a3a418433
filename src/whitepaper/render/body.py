"""Stage 5a, render the body: the resolved paper to HTML through pandoc, part by part.

Each part (the abstract, each chapter) is rendered on its own and cached by its
content, with placeholders for its citations; citations are formatted in one
citeproc run over all of them (citations.py). So after an edit only the edited
chapter goes through pandoc, and the result is what one pandoc call over the
whole paper writes (footnotes and code blocks numbered across parts, see
htmltools.Joined).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import pandoc
from ..cache import Cache, digest
from ..config import Config
from ..pandoc import nodes
from ..resolve import Document, ResolvedChapter
from ..version import __version__
from . import citations
from .htmltools import Joined
from .summaries import SummaryTables

ABSTRACT_END = "<!-- whitepaper:end-of-abstract -->"


def body_parts(document: Document, tables: SummaryTables, back_matter: list[list[Any]] | None = None) -> list[list[Any]]:
    """The paper as the parts pandoc renders one by one: the abstract, then each chapter as a div,
    then a References chapter when something is cited and no chapter places the bibliography,
    then the back matter (the Contributors). Summary tables are filled in."""
    parts: list[list[Any]] = [document.abstract] + [chapter_part(chapter) for chapter in document.chapters]
    for part in parts:
        tables.fill(part)
    has_refs = any(nodes.is_refs(node) for part in parts[1:] for node in nodes.walk_blocks(part))
    if document.cited and not has_refs:
        references = [nodes.header(1, "references", nodes.text_inlines("References")), nodes.div("refs", [], [])]
        parts.append([nodes.div("chapter-references", ["chapter", "references-chapter"], references)])
    return parts + list(back_matter or [])


def chapter_part(chapter: ResolvedChapter) -> list[Any]:
    attributes = {"data-file": chapter.source.rel, "data-status": chapter.source.meta.status}
    if chapter.source.meta.lang:  # pandoc writes it as the div's `lang`: HTML and the tagged PDF say the chapter's language
        attributes["lang"] = chapter.source.meta.lang
    return [nodes.div(f"chapter-{chapter.id}", ["chapter"], chapter.blocks, attributes)]


def pandoc_meta(config: Config) -> dict[str, Any]:
    return {
        "lang": {"t": "MetaString", "c": config.lang},
        "link-citations": {"t": "MetaBool", "c": True},
        "link-bibliography": {"t": "MetaBool", "c": True},
    }


def pandoc_document(document: Document, config: Config, tables: SummaryTables, back_matter: list[list[Any]] | None = None) -> dict[str, Any]:
    """The whole paper as one pandoc AST (what `render_body` renders in parts)."""
    parts = body_parts(document, tables, back_matter)
    blocks = [*document.abstract, nodes.raw_html(ABSTRACT_END)] + [block for part in parts[1:] for block in part]
    return {"pandoc-api-version": pandoc.api_version(), "meta": pandoc_meta(config), "blocks": blocks}


@dataclass
class Body:
    """The paper's HTML body, and the parts it was joined from (what a rebuild can reuse)."""

    fragments: list[str]  # each part as pandoc wrote it, citations still placeholders
    code_blocks: list[int]  # code blocks without an id in each part
    clusters: list[int]  # citation clusters in each part
    formatted: citations.Formatted | None
    abstract_html: str = ""
    body_html: str = ""

    def join(self) -> None:
        joined = Joined()
        first = 0
        for fragment, code_blocks, clusters in zip(self.fragments, self.code_blocks, self.clusters, strict=True):
            if self.formatted is not None:
                fragment = citations.fill(fragment, self.formatted, first)
            first += clusters
            joined.add(fragment, code_blocks)
        self.abstract_html, self.body_html = joined.parts[0].strip(), joined.html(first=1).strip()

    @property
    def warnings(self) -> str:
        return self.formatted.warnings if self.formatted else ""

    def __getstate__(self) -> dict[str, Any]:
        """Stored (in the rebuild state) without the joined HTML, which `join` makes again."""
        return {k: v for k, v in self.__dict__.items() if k not in ("abstract_html", "body_html")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, abstract_html="", body_html="")


def render_body(
    document: Document,
    config: Config,
    csl: Path,
    bibliography_json: Path | None,
    tables: SummaryTables,
    cache: Cache | None = None,
    back_matter: list[list[Any]] | None = None,
) -> Body:
    """The abstract's and the body's HTML, the parts they were joined from, and pandoc's warnings."""
    cache = cache or Cache(Path(), enabled=False)
    parts = body_parts(document, tables, back_matter)
    clusters = [list(nodes.cites(part)) for part in parts]
    everything = [cluster for part in clusters for cluster in part]
    has_refs = any(nodes.is_refs(node) for part in parts for node in nodes.walk_blocks(part))
    payloads = [part_payload(part, mine, config) for part, mine in zip(parts, clusters, strict=True)]
    with ThreadPoolExecutor(max_workers=1) as pool:  # citeproc runs while the parts render
        formatting = (
            pool.submit(citations.format_clusters, everything, pandoc_meta(config), csl, bibliography_json, cache)
            if everything or has_refs
            else None
        )
        fragments = render_parts(payloads, cache)
        formatted = formatting.result() if formatting else None
    body = Body(fragments, [p.count(UNNAMED_CODE) for p in payloads], [len(mine) for mine in clusters], formatted)
    body.join()
    return body


UNNAMED_CODE = '{"t":"CodeBlock","c":[["",'  # how a code block without an id starts in a payload


def part_payload(part: list[Any], clusters: list[nodes.Node], config: Config) -> str:
    """A part as pandoc JSON, each citation's text (and the bibliography) a placeholder."""
    saved = [(cluster, cluster["c"][1]) for cluster in clusters]
    for number, cluster in enumerate(clusters):
        cluster["c"][1] = [citations.placeholder(number)]
    refs = [(node, node["c"]) for node in nodes.walk_blocks(part) if nodes.is_refs(node)]
    for node, _ in refs:
        node["t"], node["c"] = "RawBlock", ["html", citations.REFS_PLACEHOLDER]
    try:
        document = {"pandoc-api-version": pandoc.api_version(), "meta": {"lang": pandoc_meta(config)["lang"]}, "blocks": part}
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    finally:
        for cluster, content in saved:
            cluster["c"][1] = content
        for node, content in refs:
            node["t"], node["c"] = "Div", content


def render_parts(payloads: list[str], cache: Cache) -> list[str]:
    """Each part's HTML, from the cache where possible; the rest in one pandoc process per core."""
    keys = [digest(__version__, pandoc.pandoc_version(), pandoc.HTML_WRITER, payload) for payload in payloads]
    fragments: list[str | None] = [cache.get("html", key) for key in keys]
    missing = [index for index, fragment in enumerate(fragments) if not isinstance(fragment, str)]
    for index, fragment in zip(missing, pandoc.in_processes([payloads[i] for i in missing], pandoc.asts_to_html), strict=True):
        fragments[index] = fragment
        cache.put("html", keys[index], fragment)
    return [fragment or "" for fragment in fragments]
