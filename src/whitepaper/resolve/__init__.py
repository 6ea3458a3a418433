"""Stage 4, resolve: one pass over the assembled document.

Gives every chapter its heading and id, numbers sections, figures, tables,
equations and custom blocks, turns cross-references into links, checks
citation keys against the bibliography and images against the project
folder, and builds the summary tables. Every problem becomes a diagnostic
pointing into the author's file.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, astuple, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ..parse import nodes
from ..sources.bibliography import Bibliography
from ..cache import digest
from ..render.citations import cites
from ..config import Config
from ..diagnostics import Diagnostics, Location
from .sanitize import sanitise
from .sourcemap import SourceMap, map_chapter
from ..sources.chapters import Chapter
from .summary import fill_summary
from .numbering import Counters, Heading, Numbering, Target, Targets
from .xrefs import References, citation_pattern


@dataclass
class Survey:
    """What one walk over a resolved chapter found, for the checks and the statistics."""

    ids: set[str] = field(default_factory=set)
    span_ids: list[str] = field(default_factory=list)  # ids on inline spans, checked for duplicates by lint
    links: list[str] = field(default_factory=list)  # internal link targets written by the author ("#x")
    xrefs: list[str] = field(default_factory=list)  # targets of the chapter's cross-references ("#fig-x")
    images: list[tuple[str, Path]] = field(default_factory=list)  # target as written, file
    headings: list[tuple[int, str]] = field(default_factory=list)  # level, text (without its number)
    citations: int = 0
    words: int = 0


@dataclass
class ResolvedChapter:
    source: Chapter
    id: str
    title: str
    blocks: list[Any]
    survey: Survey = field(default_factory=Survey)
    sources: SourceMap | None = None  # the Markdown line where each block starts


@dataclass
class Document:
    """The whole paper, resolved and ready to render."""

    chapters: list[ResolvedChapter]
    abstract: list[Any]
    targets: Targets = field(default_factory=Targets)
    cited: list[str] = field(default_factory=list)
    cited_in: dict[str, list[Chapter]] = field(default_factory=dict)
    images: dict[str, Path] = field(default_factory=dict)  # project-relative target -> file
    counters: list[Counters] = field(default_factory=list)  # numbering before each chapter, and after the last
    seen_ids: dict[str, Location] = field(default_factory=dict)  # every id numbering registered, and where

    @property
    def headings(self) -> list[Heading]:
        return self.targets.headings

    def listed(self, kind: str) -> list[Target]:
        return self.targets.of_kind(kind)

    def citation_sites(self, key: str) -> list[Location]:
        """Where the text cites `key`, in reading order."""
        return [loc for chapter in self.cited_in.get(key, []) for loc in chapter.locate_all(citation_pattern(key))]


def resolve(
    project: Path,
    config: Config,
    chapters: list[Chapter],
    chapter_blocks: list[list[Any]],
    abstract: list[Any],
    bibliography: Bibliography,
    diagnostics: Diagnostics,
) -> Document:
    document = Document(chapters=[], abstract=abstract)
    numbering = Numbering(config, diagnostics)
    for chapter, blocks in zip(chapters, chapter_blocks, strict=True):
        document.counters.append(copy.deepcopy(numbering.counters))
        document.chapters.append(_numbered(chapter, blocks, config, numbering, diagnostics))
    document.counters.append(copy.deepcopy(numbering.counters))
    document.targets, document.seen_ids = numbering.targets, numbering.seen_ids

    references = References(document.targets, bibliography, list(config.blocks), diagnostics)
    references.run(abstract, None)
    for resolved in document.chapters:
        resolved.survey = _survey(resolved, project, config, document, references, diagnostics)
    document.cited, document.cited_in = references.cited, references.cited_in
    _unreferenced(document.targets, diagnostics)
    return document


def _numbered(chapter: Chapter, blocks: list[Any], config: Config, numbering: Numbering, diagnostics: Diagnostics) -> ResolvedChapter:
    if not config.allow_scripts:
        sanitise(chapter, blocks, diagnostics)
    resolved = _chapter(chapter, blocks, diagnostics)
    numbering.chapter(chapter, resolved.id, resolved.title, resolved.blocks)
    return resolved


@dataclass
class Again:
    """A chapter resolved again (see resolve_again)."""

    resolved: ResolvedChapter
    targets: Targets  # the paper's, this chapter's replaced
    own: Targets  # this chapter's alone
    after: Counters  # numbering after this chapter
    seen_ids: dict[str, Location]  # the paper's, this chapter's replaced


def resolve_again(
    project: Path,
    config: Config,
    previous: Document,
    index: int,
    chapter: Chapter,
    blocks: list[Any],
    bibliography: Bibliography,
    diagnostics: Diagnostics,
) -> Again:
    """Chapter `index` resolved afresh within a paper otherwise as `previous` resolved it.

    Numbering starts where it stood before this chapter (with the ids of the chapters before
    it); references resolve against the paper's targets with this chapter's own replaced.
    The caller compares the chapter's `signature` with the previous one to know whether the
    rest of the paper is unchanged.
    """
    numbering = Numbering(config, diagnostics)
    numbering.counters = copy.deepcopy(previous.counters[index])
    later = {c.source.rel for c in previous.chapters[index:]} | {chapter.rel}
    numbering.seen_ids = {key: where for key, where in previous.seen_ids.items() if where.path not in later}
    resolved = _numbered(chapter, blocks, config, numbering, diagnostics)
    own = numbering.targets
    old_id = previous.chapters[index].id
    by_id = _spliced(list(previous.targets.by_id.values()), old_id, list(own.by_id.values()), lambda t: t.chapter_id)
    targets = Targets(
        by_id={t.id: t for t in by_id},
        chapter_labels=previous.targets.chapter_labels | own.chapter_labels,
        headings=_spliced(previous.targets.headings, old_id, own.headings, lambda h: h.chapter),
    )
    view = Document(chapters=[], abstract=[], targets=targets)
    references = References(targets, bibliography, list(config.blocks), diagnostics)
    resolved.survey = _survey(resolved, project, config, view, references, diagnostics)
    seen_ids = {key: where for key, where in previous.seen_ids.items() if where.path != chapter.rel}
    seen_ids |= {key: where for key, where in numbering.seen_ids.items() if where.path == chapter.rel}
    return Again(resolved, targets, own, numbering.counters, seen_ids)


def _spliced(items: list[Any], chapter_id: str, new: list[Any], chapter_of: Any) -> list[Any]:
    """`items` with those of one chapter replaced by `new`, in their place."""
    positions = [i for i, item in enumerate(items) if chapter_of(item) == chapter_id]
    start = positions[0] if positions else len(items)
    return [item for item in items[:start] if chapter_of(item) != chapter_id] + new + [
        item for item in items[start:] if chapter_of(item) != chapter_id
    ]


def signature(resolved: ResolvedChapter, targets: Targets, after: Counters) -> str:
    """Everything of a chapter that other parts of the paper see: its targets, headings and
    numbering, its ids, links, cross-references, images and citations, its front matter.
    While it stays the same, an edit changes nothing outside the chapter's own pages."""
    mine = [[t.id, t.kind, t.label, t.plural, t.number, t.title, t.automatic] for t in targets.by_id.values() if t.chapter_id == resolved.id]
    survey = resolved.survey
    seen = [
        resolved.id, resolved.title, vars(resolved.source.meta), targets.chapter_labels.get(resolved.id), mine,
        [astuple(h) for h in targets.headings if h.chapter == resolved.id], asdict(after),
        sorted(survey.ids), survey.span_ids, survey.links, survey.xrefs, survey.headings,
        [[written, str(path)] for written, path in survey.images],
        [cluster["c"][0] for cluster in cites(resolved.blocks)],
    ]  # fmt: skip
    return digest(json.dumps(seen, ensure_ascii=False, default=str))


def _chapter(chapter: Chapter, blocks: list[Any], diagnostics: Diagnostics) -> ResolvedChapter:
    """The chapter's title and id: front matter title, else a leading `#` heading, else the file name."""
    sources = map_chapter(chapter, blocks)  # before numbering adds anything to the blocks
    identifier = chapter.meta.id or f"sec-{chapter.slug}"
    title = chapter.meta.title
    inlines = nodes.text_inlines(title) if title else []
    # A leading `#` heading is the chapter's heading; so is any leading heading when nothing
    # else names the chapter (Manubot-style chapters start with `##`).
    popped = bool(blocks and blocks[0]["t"] == "Header" and (blocks[0]["c"][0] == 1 or title is None))
    if popped:
        first = blocks.pop(0)
        if first["c"][1][0] and f"#{first['c'][1][0]}" in chapter.text:
            identifier = first["c"][1][0]
        if title is None:
            title, inlines = nodes.stringify(first["c"][2]), first["c"][2]
        _promote_headings(blocks, first["c"][0] - 1)
    if title is None:
        title = chapter.slug.replace("-", " ").capitalize()
        diagnostics.warning(
            Location(chapter.rel, 1, 1),
            "chapter has no title: add `title:` to its front matter or start it with a `#` heading",
            "chapter-no-title",
        )
    heading = nodes.header(1, identifier, inlines or nodes.text_inlines(title))
    sources.lines_of[id(heading)] = _heading_line(chapter, sources, first if popped else None)
    return ResolvedChapter(source=chapter, id=identifier, title=title, blocks=[heading, *blocks], sources=sources)


def _survey(
    resolved: ResolvedChapter,
    project: Path,
    config: Config,
    document: Document,
    references: References,
    diagnostics: Diagnostics,
) -> Survey:
    """One walk over the chapter: resolve cross-references, citations and images, fill summary
    tables, and note what the checks and statistics need (a large paper has millions of nodes,
    so this is the only walk after numbering).

    Citations, math and raw markup are not counted as words of prose.
    """
    survey = Survey()
    chapter = resolved.source
    stack: list[Any] = [resolved.blocks[1:]]
    while stack:
        item = stack.pop()
        if type(item) is list:
            references.inlines(item, chapter)
            stack.extend(reversed(item))
            continue
        if type(item) is not dict or "t" not in item:
            continue
        kind, content = item["t"], item.get("c")
        if kind == "Str":
            survey.words += 1
            continue
        if kind == "Cite":
            survey.citations += len(content[0])
            for citation in content[0]:  # a citation's prefix and suffix may hold citations too
                references.run([citation["citationPrefix"], citation["citationSuffix"]], chapter)
            continue
        if kind in ("Math", "RawInline", "RawBlock", "Code", "CodeBlock"):
            continue
        identifier = nodes.node_id(item)
        if identifier:
            survey.ids.add(identifier)
            if kind == "Span":
                survey.span_ids.append(identifier)
        if kind == "Image":
            written = content[2][0]
            path = _image(item, resolved.source, project, document, diagnostics)
            if path is not None:
                survey.images.append((written, path))
        elif kind == "Link" and content[2][0].startswith("#"):
            (survey.xrefs if "xref" in content[0][1] else survey.links).append(content[2][0])
        elif kind == "Header":
            survey.headings.append((content[0], nodes.stringify([i for i in content[2] if not _is_number(i)])))
        elif kind == "Div" and "summary-of" in content[0][1]:
            fill_summary(item, resolved.source, document.targets, config, diagnostics)
            continue
        if type(content) in (list, dict):
            stack.append(content)
    return survey


def _is_number(inline: dict[str, Any]) -> bool:
    return inline.get("t") == "Span" and "section-number" in inline["c"][0][1]


def _heading_line(chapter: Chapter, sources: SourceMap, popped: dict[str, Any] | None) -> int:
    """Where the chapter's title is written: its `#` heading, or the `title:` of its front matter."""
    if popped is not None and sources.line_of(popped):
        return sources.line_of(popped) or 1
    for number in range(1, chapter.body_line):
        if chapter.lines[number - 1].startswith("title:"):
            return number
    return chapter.body_line


def _promote_headings(blocks: list[Any], shift: int) -> None:
    """A chapter titled by its leading `##` has its other headings moved up a level too."""
    if shift <= 0:
        return
    for node in nodes.walk(blocks):
        if node["t"] == "Header":
            node["c"][0] = max(2, node["c"][0] - shift)


def _image(node: dict[str, Any], chapter: Chapter, project: Path, document: Document, diagnostics: Diagnostics) -> Path | None:
    """The local file an image names (its target rewritten project-relative), or None with a diagnostic."""
    target = node["c"][2][0]
    parsed = urlparse(target)
    if parsed.scheme in ("http", "https"):
        diagnostics.warning(
            chapter.locate(target),
            f"remote image '{target}' is not fetched; download it into figures/",
            "image-remote",
        )
        return None
    if parsed.scheme == "data":
        return None
    if parsed.scheme or target.startswith("/"):
        diagnostics.error(chapter.locate(target), f"image '{target}' must be a path inside the project", "image-outside")
        return None
    relative = unquote(parsed.path)
    root = project.resolve()
    for base in (project, chapter.path.parent):
        candidate = (base / relative).resolve()
        if candidate.is_file():
            try:
                key = candidate.relative_to(root).as_posix()
            except ValueError:
                diagnostics.error(chapter.locate(target), f"image '{target}' is outside the project folder", "image-outside")
                return None
            node["c"][2][0] = key
            document.images[key] = candidate
            return candidate
    diagnostics.error(chapter.locate(target), f"image file '{target}' does not exist", "image-missing")
    return None


def _unreferenced(targets: Targets, diagnostics: Diagnostics) -> None:
    """Figures and tables the text never mentions are easy to miss in review."""
    for target in targets.by_id.values():
        if target.kind in ("figure", "table") and not target.referenced:
            name = f"{target.label} {target.number}"
            hint = " (give it an id, such as {#fig-name}, to refer to it)" if target.automatic else ""
            diagnostics.warning(
                target.location, f"{name} is never referenced in the text{hint}", f"{target.kind}-unreferenced"
            )
