"""Per-reviewer packets: a cover page, the reviewer's chapters as they stand in the full
review edition (same chapter and page numbers, same source-line destinations), and the
references those chapters cite, numbered as in the full paper.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from pikepdf import Pdf
from pypdf import PdfReader

from ..config.schema import Config, Reviewer
from ..diagnostics import Diagnostics
from ..pdf.assemble import combine, opened
from ..pdf.packing import packed
from ..pipeline.publish import PDF, Published, publish_page
from ..project import Project
from ..render.context import TemplateContext
from ..render.environment import render_template
from ..render.htmltools import extract_div
from ..resolve import Document, ResolvedChapter


@dataclass(frozen=True)
class PacketChapter:
    number: str
    title: str
    first_page: int  # in the full review edition, counting from 1
    last_page: int


@dataclass(frozen=True)
class Packet:
    reviewer: Reviewer
    chapters: list[PacketChapter]
    pdf: bytes
    diagnostics: Diagnostics = field(default_factory=Diagnostics)  # of its cover and references pages


def chapter_pages(full: PdfReader, document: Document) -> dict[str, tuple[int, int]]:
    """Page ranges (0-based, end exclusive) of each chapter in the full edition, from its named destination."""
    destinations = full.named_destinations
    starts = []
    for chapter in document.chapters:
        name = f"chapter-{chapter.id}"
        if name in destinations:
            starts.append((chapter.id, full.get_destination_page_number(destinations[name])))
    if "chapter-references" in destinations:
        starts.append(("references", full.get_destination_page_number(destinations["chapter-references"])))
    ranges = {}
    for index, (chapter_id, first) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else len(full.pages)
        ranges[chapter_id] = (first, end)
    return ranges


def make_packet(
    project: Project,
    full_pdf: bytes,
    document: Document,
    ctx: TemplateContext,
    config: Config,
    reviewer: Reviewer,
    chapters: list[ResolvedChapter],
    round_name: str,
) -> Packet:
    full = PdfReader(io.BytesIO(full_pdf))
    ranges = chapter_pages(full, document)
    listed = [
        PacketChapter(document.targets.chapter_labels.get(c.id, ""), c.title, ranges[c.id][0] + 1, ranges[c.id][1])
        for c in chapters
        if c.id in ranges
    ]
    diagnostics = Diagnostics()
    cover = _cover(project, ctx, reviewer, listed, round_name)
    diagnostics.extend(cover.diagnostics)
    pieces: list[tuple[Pdf, tuple[int, int] | None]] = [(opened(cover.outputs["cover.pdf"]), None)]
    edition = opened(full_pdf)
    pieces += [(edition, ranges[chapter.id]) for chapter in chapters if chapter.id in ranges]
    keys = [key for key in document.cited if any(c in document.cited_in.get(key, []) for c in (ch.source for ch in chapters))]
    if keys:
        references = _references(project, ctx, keys)
        diagnostics.extend(references.diagnostics)
        pieces.append((opened(references.outputs["references.pdf"]), None))
    pdf = combine(pieces)  # tagged: the pages' structure trees joined
    metadata = {
        "/Title": f"{config.title}: review {round_name}, {reviewer.name}",
        "/Author": ", ".join(a.name for a in config.authors),
        "/Subject": f"Review packet for {reviewer.name}",
        "/WhitepaperRound": round_name,
        "/WhitepaperReviewer": reviewer.name,
    }
    return Packet(reviewer, listed, packed(pdf, metadata, edition.pdf_version), diagnostics)


def _cover(project: Project, ctx: TemplateContext, reviewer: Reviewer, chapters: list[PacketChapter], round_name: str) -> Published:
    ctx.media = "print"
    page = render_template(project, "packet_cover.html", ctx=ctx, reviewer=reviewer, chapters=chapters, round=round_name)
    return publish_page(project, page, "cover", [PDF])


def _references(project: Project, ctx: TemplateContext, keys: list[str]) -> Published:
    entries = [entry for key in keys if (entry := extract_div(ctx.body_html, f"ref-{key}"))]
    page = render_template(project, "packet_references.html", ctx=ctx, entries="\n".join(entries))
    return publish_page(project, page, "references", [PDF])
