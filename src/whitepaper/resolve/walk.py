"""The walks that resolve a chapter: its title and id, its numbering, then one walk that resolves
cross-references, citations and images and surveys what the checks need."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from .. import rules
from ..config.schema import Config
from ..diagnostics import Diagnostics, Location
from ..pandoc import nodes
from ..project import Project
from ..sources.chapters import Chapter
from .document import Document, ResolvedChapter, Survey
from .numbering import Numbering, Targets, duplicate_id
from .sanitize import sanitise
from .sourcemap import SourceMap, map_chapter
from .summary import check_summary
from .xrefs import References


def numbered(chapter: Chapter, blocks: list[Any], config: Config, numbering: Numbering, diagnostics: Diagnostics) -> ResolvedChapter:
    if not config.allow_scripts:
        sanitise(chapter, blocks, diagnostics)
    resolved, heading_id = _chapter(chapter, blocks, diagnostics)
    numbering.chapter(chapter, resolved.id, resolved.title, resolved.blocks, heading_id, resolved.sources)
    return resolved


def _chapter(chapter: Chapter, blocks: list[Any], diagnostics: Diagnostics) -> tuple[ResolvedChapter, str]:
    """The chapter's title and id: front matter title, else a leading `#` heading, else the file name;
    and the id of that heading (pandoc's own, if the author wrote none)."""
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
        diagnostics.add(
            rules.CHAPTER_NO_TITLE,
            Location(chapter.rel, 1, 1),
            "chapter has no title: add `title:` to its front matter or start it with a `#` heading",
        )
    heading = nodes.header(1, identifier, inlines or nodes.text_inlines(title))
    if popped:  # its `label="…"` (pandoc-crossref's number override) goes with it
        heading["c"][1][2] = [pair for pair in first["c"][1][2] if pair[0] == "label"]
    sources.lines_of[id(heading)] = _heading_line(chapter, sources, first if popped else None)
    resolved = ResolvedChapter(source=chapter, id=identifier, title=title, blocks=[heading, *blocks], sources=sources)
    return resolved, first["c"][1][0] if popped else ""


def survey(
    resolved: ResolvedChapter,
    project: Project,
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
            if kind == "Span" and "equation" not in content[0][1]:  # a numbered equation's id is numbering's
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
            check_summary(item, resolved.source, config, diagnostics)
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


def _image(node: dict[str, Any], chapter: Chapter, project: Project, document: Document, diagnostics: Diagnostics) -> Path | None:
    """The local file an image names (its target rewritten project-relative), or None with a diagnostic."""
    target = node["c"][2][0]
    parsed = urlparse(target)
    if parsed.scheme in ("http", "https"):
        diagnostics.add(
            rules.IMAGE_REMOTE,
            chapter.locate(target),
            f"remote image '{target}' is not fetched; download it into figures/",
        )
        return None
    if parsed.scheme == "data":
        return None
    if parsed.scheme or target.startswith("/"):
        diagnostics.add(rules.IMAGE_OUTSIDE, chapter.locate(target), f"image '{target}' must be a path inside the project")
        return None
    relative = unquote(parsed.path)
    root = project.root.resolve()
    for base in (project.root, chapter.path.parent):
        candidate = (base / relative).resolve()
        if candidate.is_file():
            try:
                key = candidate.relative_to(root).as_posix()
            except ValueError:
                diagnostics.add(rules.IMAGE_OUTSIDE, chapter.locate(target), f"image '{target}' is outside the project folder")
                return None
            node["c"][2][0] = key
            document.images[key] = candidate
            return candidate
    diagnostics.add(rules.IMAGE_MISSING, chapter.locate(target), f"image file '{target}' does not exist")
    return None


UNREFERENCED = {"figure": (rules.FIGURE_UNREFERENCED, "{#fig-name}"), "table": (rules.TABLE_UNREFERENCED, "{#tbl-name}")}


def unreferenced(targets: Targets, diagnostics: Diagnostics) -> None:
    """Figures and tables the text never mentions are easy to miss in review."""
    for target in targets.by_id.values():
        if target.kind in UNREFERENCED and not target.referenced:
            rule, example = UNREFERENCED[target.kind]
            hint = f" (give it an id, such as {example}, to refer to it)" if target.automatic else ""
            diagnostics.add(rule, target.location, f"{target.label} {target.number} is never referenced in the text{hint}")


def duplicate_span_ids(document: Document, diagnostics: Diagnostics) -> None:
    """Ids on inline spans (`[text]{#id}`) must be unique too; numbering sees only blocks."""
    seen: dict[str, Location] = {t.id: t.location for t in document.targets.by_id.values()}
    for resolved in document.chapters:
        chapter = resolved.source
        count: dict[str, int] = {}
        for identifier in resolved.survey.span_ids:
            nth = count[identifier] = count.get(identifier, -1) + 1
            found = chapter.locate_all(re.compile("#" + re.escape(identifier) + r"(?=[\s}])"))
            where = found[min(nth, len(found) - 1)] if found else Location(chapter.rel)
            if identifier in seen:
                duplicate_id(diagnostics, where, identifier, seen[identifier])
            else:
                seen[identifier] = where
