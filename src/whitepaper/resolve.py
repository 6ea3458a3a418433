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

from . import ast
from .bibliography import Bibliography
from .config import Config
from .diagnostics import Diagnostics, Location
from .sources import Chapter
from .summary import insert_summaries
from .targets import Heading, Numbering, Target, Targets
from .xrefs import References, citation_pattern


@dataclass
class ResolvedChapter:
    source: Chapter
    id: str
    title: str
    blocks: list[Any]


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
        resolved = _chapter(chapter, blocks, diagnostics)
        numbering.chapter(chapter, resolved.id, resolved.title, resolved.blocks)
        document.chapters.append(resolved)
    document.targets = numbering.targets

    references = References(document.targets, bibliography, list(config.blocks), diagnostics)
    references.run(abstract, None)
    for resolved in document.chapters:
        references.run(resolved.blocks, resolved.source)
        for node in ast.walk(resolved.blocks):
            if node["t"] == "Image":
                _image(node, resolved.source, project, document, diagnostics)
        insert_summaries(resolved, document.targets, config, diagnostics)
    document.cited, document.cited_in = references.cited, references.cited_in
    _unreferenced(document.targets, diagnostics)
    return document


def _chapter(chapter: Chapter, blocks: list[Any], diagnostics: Diagnostics) -> ResolvedChapter:
    """The chapter's title and id: front matter title, else a leading `#` heading, else the file name."""
    identifier = chapter.meta.id or f"sec-{chapter.slug}"
    title = chapter.meta.title
    inlines = ast.text_inlines(title) if title else []
    # A leading `#` heading is the chapter's heading; so is any leading heading when nothing
    # else names the chapter (Manubot-style chapters start with `##`).
    if blocks and blocks[0]["t"] == "Header" and (blocks[0]["c"][0] == 1 or title is None):
        first = blocks.pop(0)
        if first["c"][1][0] and f"#{first['c'][1][0]}" in chapter.text:
            identifier = first["c"][1][0]
        if title is None:
            title, inlines = ast.stringify(first["c"][2]), first["c"][2]
        _promote_headings(blocks, first["c"][0] - 1)
    if title is None:
        title = chapter.slug.replace("-", " ").capitalize()
        diagnostics.warning(
            Location(chapter.rel, 1, 1),
            "chapter has no title: add `title:` to its front matter or start it with a `#` heading",
            "chapter-no-title",
        )
    heading = ast.header(1, identifier, inlines or ast.text_inlines(title))
    return ResolvedChapter(source=chapter, id=identifier, title=title, blocks=[heading, *blocks])


def _promote_headings(blocks: list[Any], shift: int) -> None:
    """A chapter titled by its leading `##` has its other headings moved up a level too."""
    if shift <= 0:
        return
    for node in ast.walk(blocks):
        if node["t"] == "Header":
            node["c"][0] = max(2, node["c"][0] - shift)


def _image(node: dict[str, Any], chapter: Chapter, project: Path, document: Document, diagnostics: Diagnostics) -> None:
    target = node["c"][2][0]
    parsed = urlparse(target)
    if parsed.scheme in ("http", "https"):
        diagnostics.warning(
            chapter.locate(target),
            f"remote image '{target}' is not fetched; download it into figures/",
            "image-remote",
        )
        return
    if parsed.scheme == "data":
        return
    if parsed.scheme or target.startswith("/"):
        diagnostics.error(chapter.locate(target), f"image '{target}' must be a path inside the project", "image-outside")
        return
    relative = unquote(parsed.path)
    root = project.resolve()
    for base in (project, chapter.path.parent):
        candidate = (base / relative).resolve()
        if candidate.is_file():
            try:
                key = candidate.relative_to(root).as_posix()
            except ValueError:
                diagnostics.error(chapter.locate(target), f"image '{target}' is outside the project folder", "image-outside")
                return
            node["c"][2][0] = key
            document.images[key] = candidate
            return
    diagnostics.error(chapter.locate(target), f"image file '{target}' does not exist", "image-missing")


def _unreferenced(targets: Targets, diagnostics: Diagnostics) -> None:
    """Figures and tables the text never mentions are easy to miss in review."""
    for target in targets.by_id.values():
        if target.kind in ("figure", "table") and not target.referenced:
            name = f"{target.label} {target.number}"
            hint = " (give it an id, such as {#fig-name}, to refer to it)" if target.automatic else ""
            diagnostics.warning(
                target.location, f"{name} is never referenced in the text{hint}", f"{target.kind}-unreferenced"
            )
