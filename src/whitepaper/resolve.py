"""Stage 4, resolve: one pass over the assembled document.

Gives every chapter its heading and id, numbers sections, figures, tables,
equations and custom blocks, turns cross-references into links, checks
citation keys against the bibliography and images against the project
folder, and builds the summary tables. Every problem becomes a diagnostic
pointing into the author's file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from . import nodes
from .bibliography import Bibliography
from .config import Config
from .diagnostics import Diagnostics, Location
from .sanitize import sanitise
from .sourcemap import SourceMap, map_chapter
from .sources import Chapter
from .summary import fill_summary
from .targets import Heading, Numbering, Target, Targets
from .xrefs import References, citation_pattern


@dataclass
class Survey:
    """What one walk over a resolved chapter found, for the checks and the statistics."""

    ids: set[str] = field(default_factory=set)
    span_ids: list[str] = field(default_factory=list)  # ids on inline spans, checked for duplicates by lint
    links: list[str] = field(default_factory=list)  # internal link targets written by the author ("#x")
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
        if not config.allow_scripts:
            sanitise(chapter, blocks, diagnostics)
        resolved = _chapter(chapter, blocks, diagnostics)
        numbering.chapter(chapter, resolved.id, resolved.title, resolved.blocks)
        document.chapters.append(resolved)
    document.targets = numbering.targets

    references = References(document.targets, bibliography, list(config.blocks), diagnostics)
    references.run(abstract, None)
    for resolved in document.chapters:
        resolved.survey = _survey(resolved, project, config, document, references, diagnostics)
    document.cited, document.cited_in = references.cited, references.cited_in
    _unreferenced(document.targets, diagnostics)
    return document


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
        elif kind == "Link" and content[2][0].startswith("#") and "xref" not in content[0][1]:
            survey.links.append(content[2][0])
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
