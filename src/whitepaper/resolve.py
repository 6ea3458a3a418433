"""Stage 4, resolve: one pass over the assembled document.

Gives every chapter its heading and a unique id, makes heading ids unique
across chapters, checks citation keys against the bibliography and images
against the project folder, and collects the table of contents. Every problem
becomes a diagnostic pointing into the author's file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from . import ast
from .bibliography import Bibliography
from .diagnostics import Diagnostics, Location
from .sources import Chapter

# Characters pandoc allows inside a citation key (after the first one).
_KEY_INNER = r"[\w:.#$%&\-+?<>~/]"


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str
    chapter: str


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
    headings: list[Heading] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)
    images: dict[str, Path] = field(default_factory=dict)  # project-relative target -> file


def resolve(
    project: Path,
    chapters: list[Chapter],
    chapter_blocks: list[list[Any]],
    abstract: list[Any],
    bibliography: Bibliography,
    diagnostics: Diagnostics,
) -> Document:
    document = Document(chapters=[], abstract=abstract)
    ids: dict[str, Location] = {}
    for chapter, blocks in zip(chapters, chapter_blocks, strict=True):
        resolved = _chapter(chapter, blocks, ids, diagnostics)
        document.headings.append(Heading(1, resolved.id, resolved.title, resolved.id))
        for node in ast.walk(resolved.blocks[1:]):
            kind = node["t"]
            if kind == "Header":
                _header(node, chapter, resolved, document, ids, diagnostics)
            elif kind == "Cite":
                _citations(node, chapter, bibliography, document, diagnostics)
            elif kind == "Image":
                _image(node, chapter, project, document, diagnostics)
            elif kind == "Div":
                _block_title(node)
        document.chapters.append(resolved)
    for node in ast.walk(abstract):
        if node["t"] == "Cite":
            for citation in node["c"][0]:
                if citation["citationId"] not in document.cited and citation["citationId"] in bibliography.keys:
                    document.cited.append(citation["citationId"])
    return document


def _chapter(chapter: Chapter, blocks: list[Any], ids: dict[str, Location], diagnostics: Diagnostics) -> ResolvedChapter:
    """The chapter's title and id: front matter title, else a leading `#` heading, else the file name."""
    identifier = chapter.slug
    title = chapter.meta.title
    inlines = ast.text_inlines(title) if title else []
    if blocks and blocks[0]["t"] == "Header" and blocks[0]["c"][0] == 1:
        first = blocks.pop(0)
        explicit_id = first["c"][1][0]
        if explicit_id and _explicit_id(chapter, explicit_id):
            identifier = explicit_id
        if title is None:
            title, inlines = ast.stringify(first["c"][2]), first["c"][2]
    if title is None:
        title = chapter.slug.replace("-", " ").capitalize()
        diagnostics.warning(
            Location(chapter.rel, 1, 1),
            "chapter has no title: add `title:` to its front matter or start it with a `#` heading",
            "chapter-no-title",
        )
    if identifier in ids:
        identifier = f"chapter-{identifier}"
    ids[identifier] = Location(chapter.rel, 1, 1)
    heading = ast.header(1, identifier, inlines or ast.text_inlines(title))
    return ResolvedChapter(source=chapter, id=identifier, title=title, blocks=[heading, *blocks])


def _explicit_id(chapter: Chapter, identifier: str) -> bool:
    return re.search(r"\{[^}\n]*#" + re.escape(identifier) + r"[\s}]", chapter.text) is not None


def _header(
    node: dict[str, Any],
    chapter: Chapter,
    resolved: ResolvedChapter,
    document: Document,
    ids: dict[str, Location],
    diagnostics: Diagnostics,
) -> None:
    level, attributes, inlines = node["c"]
    identifier = attributes[0]
    if identifier in ids:
        if _explicit_id(chapter, identifier):
            here = chapter.locate("#" + identifier)
            diagnostics.error(here, f"duplicate id '{identifier}' (also at {ids[identifier]})", "duplicate-id")
        else:  # pandoc's automatic ids clash across chapters: qualify by chapter
            base, number = f"{resolved.id}-{identifier}", 2
            identifier = base
            while identifier in ids:
                identifier, number = f"{base}-{number}", number + 1
            attributes[0] = identifier
    if identifier not in ids:
        ids[identifier] = chapter.locate("#" + identifier) if _explicit_id(chapter, identifier) else Location(chapter.rel)
    document.headings.append(Heading(level, identifier, ast.stringify(inlines), resolved.id))


def citation_pattern(key: str) -> re.Pattern[str]:
    """Where `@key` is written: not inside a word or an e-mail, and not a prefix of a longer key."""
    return re.compile(r"(?<![\w@])@\{?" + re.escape(key) + r"(?!\w|" + _KEY_INNER + r"\w)")


def _citations(
    node: dict[str, Any], chapter: Chapter, bibliography: Bibliography, document: Document, diagnostics: Diagnostics
) -> None:
    for citation in node["c"][0]:
        key = citation["citationId"]
        if key in bibliography.keys:
            if key not in document.cited:
                document.cited.append(key)
            continue
        locations = chapter.locate_all(citation_pattern(key)) or [Location(chapter.rel)]
        for location in locations:
            diagnostics.error(location, f"unknown citation key '{key}': not in the bibliography", "citation-unknown")


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


def _block_title(node: dict[str, Any]) -> None:
    """A div with a `title` attribute (a recommendation box, say) shows its title as a heading line."""
    attributes, blocks = node["c"]
    pairs = attributes[2]
    titles = [value for key, value in pairs if key == "title"]
    if not titles:
        return
    attributes[2] = [[key, value] for key, value in pairs if key != "title"]
    label = {"recommendation": "Recommendation", "challenge": "Challenge"}
    kind = next((label[c] for c in attributes[1] if c in label), None)
    inlines = ast.text_inlines(titles[0])
    if kind:
        inlines = [{"t": "Span", "c": [ast.attr("", ["block-kind"]), ast.text_inlines(kind)]}, {"t": "Space"}, *inlines]
    blocks.insert(0, ast.div("", ["block-title"], [ast.para(inlines)]))
