"""Per-reviewer packets: a cover page, the reviewer's chapters as they stand in the full
review edition (same chapter and page numbers, same source-line destinations), and the
references those chapters cite, numbered as in the full paper.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import jinja2
from pypdf import PdfReader, PdfWriter

from ..config import Config, Reviewer
from ..pdf import render_pdf
from ..render.pages import TemplateContext, environment
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
    project: Path,
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
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_cover(project, ctx, config, reviewer, listed, round_name))))
    for chapter in chapters:
        if chapter.id in ranges:
            writer.append(full, pages=ranges[chapter.id])
    keys = [key for key in document.cited if any(c in document.cited_in.get(key, []) for c in (ch.source for ch in chapters))]
    if keys:
        writer.append(PdfReader(io.BytesIO(_references(project, ctx, keys))))
    writer.add_metadata(
        {
            "/Title": f"{config.title}: review {round_name}, {reviewer.name}",
            "/Author": ", ".join(a.name for a in config.authors),
            "/Subject": f"Review packet for {reviewer.name}",
            "/WhitepaperRound": round_name,
            "/WhitepaperReviewer": reviewer.name,
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return Packet(reviewer, listed, out.getvalue())


COVER = """\
{% extends "base.html" %}
{% block style %}{% include "css/print.css" %}
@page { size: {{ ctx.paper_size }}; @top-left { content: none; } @top-right { content: none; } @bottom-center { content: none; } }
.cover { padding-top: 30mm; }
.cover h1 { font-size: 24pt; bookmark-level: none; }
.cover .for { font: 600 14pt var(--sans); margin: 14mm 0 2mm; }
.cover table { width: auto; font-size: 10pt; }
.cover td { padding: 2pt 12pt 2pt 0; }
.cover .how { margin-top: 12mm; font-size: 9.5pt; }
.cover .how li { margin-bottom: 3pt; }
{% endblock %}
{% block body %}
<section class="cover">
  <p class="subtitle">Review round {{ round }}</p>
  <h1>{{ ctx.title }}</h1>
  <p>Version {{ ctx.version }} · {{ ctx.date }}</p>
  <p class="for">Review packet for {{ reviewer.name }}{% if reviewer.organisation %}, {{ reviewer.organisation }}{% endif %}</p>
  {% if reviewer.due %}<p><strong>Please return your comments by {{ reviewer.due.day }} {{ reviewer.due.strftime('%B %Y') }}.</strong></p>{% endif %}
  <table>
    <thead><tr><th>Chapter</th><th>Title</th><th>Pages</th></tr></thead>
    <tbody>
    {% for c in chapters %}<tr><td>{{ c.number }}</td><td>{{ c.title }}</td><td>{{ c.first_page }}–{{ c.last_page }}</td></tr>{% endfor %}
    </tbody>
  </table>
  <div class="how">
    <p><strong>How to review this file</strong></p>
    <ol>
      <li>Open it in any PDF reader (Acrobat Reader, Preview, Edge, Okular, Foxit, …).</li>
      <li>Highlight, underline or strike out text, and add sticky notes with your comments. Each comment is traced back to the exact paragraph in the source, using the small grey markers in the left margin.</li>
      <li>Keep the page numbers and chapter numbers in mind when you refer to other parts: they are those of the full paper.</li>
      <li>Save the file (keep its name) and send it back{% if reviewer.email %}; this packet was sent to {{ reviewer.email }}{% endif %}.</li>
    </ol>
  </div>
</section>
{% endblock %}
"""

REFERENCES = """\
{% extends "base.html" %}
{% block style %}{% include "css/print.css" %}
@page { size: {{ ctx.paper_size }}; @top-right { content: "References"; } @bottom-center { content: "References cited in this packet"; } }
{% endblock %}
{% block body %}
<section class="packet-references">
  <h1>References</h1>
  <p>The works cited in the chapters of this packet, numbered as in the full paper.</p>
  <div class="references csl-bib-body">{{ entries | safe }}</div>
</section>
{% endblock %}
"""


def _render(project: Path, source: str, **values: object) -> bytes:
    env: jinja2.Environment = environment(project)
    page = env.from_string(source).render(**values)
    return render_pdf(page, project).data


def _cover(project: Path, ctx: TemplateContext, config: Config, reviewer: Reviewer, chapters: list[PacketChapter], round_name: str) -> bytes:
    ctx.media = "print"
    return _render(project, COVER, ctx=ctx, reviewer=reviewer, chapters=chapters, round=round_name)


def _references(project: Path, ctx: TemplateContext, keys: list[str]) -> bytes:
    entries = [entry for key in keys if (entry := extract_div(ctx.body_html, f"ref-{key}"))]
    return _render(project, REFERENCES, ctx=ctx, entries="\n".join(entries))
