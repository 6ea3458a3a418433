"""The publishing tail: a resolved paper (or a page) to its outputs, and every problem found on the way.

Render (the body through pandoc, the pages through the templates), then lay out the PDF,
then, for Word, pandoc's DOCX writer. Builds, redlines, review packets and comment reports
all end here, so each reports the same problems the same way: math that cannot be
drawn, pandoc's warnings, and files outside the project that the PDF would have read.
Nothing is written: the outputs come back by file name, for the caller to write.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import rules
from ..cache import Cache
from ..config.schema import Config
from ..diagnostics import Diagnostics, Location
from ..pdf import PdfOptions, lay_out
from ..project import CONFIG_NAME, Project
from ..render.body import Body, render_body
from ..render.context import TemplateContext, context
from ..render.contributors import contributors_part
from ..render.glossary import glossary_parts
from ..render.pages import render_pages, render_print_part
from ..render.summaries import SummaryTables
from ..resolve import ResolvedChapter
from ..sources.bibliography import write_csl_json
from ..sources.chapters import Chapter
from .analyse import Analysis
from .edition import Edition
from .timing import Timed

if TYPE_CHECKING:
    from ..pdf.parallel import PartsEngine

HTML, PDF, PRINT_HTML = "html", "pdf", "print.html"  # what `publish` makes; PRINT_HTML: the PDF's source


@dataclass
class Rendered:
    """A paper rendered to HTML: its body, and the template context around it."""

    body: Body
    context: TemplateContext


@dataclass
class Published:
    outputs: dict[str, bytes] = field(default_factory=dict)  # by file name
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    rendered: Rendered | None = None
    parts_laid_out: int = 0  # PDF parts the parallel engine laid out afresh


def render(
    analysis: Analysis, config: Config, *, edition: Edition | None = None, stylesheet: str | None = None, cache: Cache | None = None
) -> tuple[Rendered, Diagnostics]:
    """The paper's body through pandoc (citations by citeproc) and its template context, the edition's included."""
    assert analysis.document is not None and analysis.csl is not None
    diagnostics = Diagnostics()
    document = analysis.document
    if edition is not None:
        edition.transform(document)
    tables = SummaryTables(analysis.project, document.targets, config)
    back = glossary_parts(document, config)  # the list of abbreviations and the glossary, unless a chapter places them
    back += [contributors_part(analysis.project, config, document, analysis.rounds)] if config.contributors else []
    body = render_body(document, config, analysis.csl, bibliography_json(analysis), tables, cache, back)
    for line in body.warnings.splitlines():
        if line.strip():
            diagnostics.add(rules.PANDOC_WARNING, Location(CONFIG_NAME), f"pandoc: {line.strip()}")
    css = analysis.stylesheet if stylesheet is None else stylesheet
    ctx = context(config, document, body.abstract_html, body.body_html, css)
    if edition is not None:
        edition.view(config, ctx)
    return Rendered(body, ctx), diagnostics


def publish(
    analysis: Analysis,
    rendered: Rendered,
    name: str,
    formats: Collection[str],
    *,
    engine: PartsEngine | None = None,
    print_page: bool = True,
    reporter: Timed | None = None,
    pdf_options: PdfOptions = PdfOptions(),
) -> Published:
    """The outputs of a rendered paper: `name`.html, `name`.pdf, `name`.print.html, as `formats` ask.

    `print_page=False` leaves out the print page when no PDF is asked for (drawing its math
    for print is also how math that cannot be drawn is found).
    """
    assert analysis.document is not None
    project, ctx = analysis.project, rendered.context
    published = Published(rendered=rendered)
    pages = render_pages(project, ctx, analysis.document.images, print_page or PDF in formats or PRINT_HTML in formats)
    for tex in pages.math_failed:
        where = next((c.locate(tex) for c in analysis.chapters if tex in c.text), Location(CONFIG_NAME))
        published.diagnostics.add(rules.MATH_UNSUPPORTED, where, f"math cannot be drawn for the PDF, shown as TeX: {tex}")
    if HTML in formats:
        published.outputs[f"{name}.html"] = pages.screen.encode("utf-8")
    if PDF in formats:
        if reporter is not None:
            reporter.stage("pdf", "laying out pages")
        parts = _parts(project, ctx) if engine is not None else None
        pdf = lay_out(project.root, pages.print, engine, parts, pdf_options)
        stylesheet = analysis.loaded.config.css if analysis.loaded else None
        _report_refused(pdf.refused, project, analysis.chapters, published.diagnostics, stylesheet)
        published.outputs[f"{name}.pdf"] = pdf.data
        published.parts_laid_out = pdf.parts_laid_out
    if PRINT_HTML in formats:
        # Relative URLs in it resolve against the project folder, not build/.
        published.outputs[f"{name}.{PRINT_HTML}"] = pages.print.replace("<head>", '<head>\n<base href="../">', 1).encode("utf-8")
    return published


def publish_page(project: Project, html: str, name: str, formats: Collection[str]) -> Published:
    """The outputs of one page made from a template (a packet's cover, a comments report)."""
    published = Published()
    if HTML in formats:
        published.outputs[f"{name}.html"] = html.encode("utf-8")
    if PDF in formats:
        pdf = lay_out(project.root, html)
        _report_refused(pdf.refused, project, [], published.diagnostics)
        published.outputs[f"{name}.pdf"] = pdf.data
    return published


def publish_docx(analysis: Analysis, config: Config, chapters: list[ResolvedChapter], *, styled: bool = True) -> bytes:
    """A Word file of some chapters with their references. `styled=False`: pandoc's own styles and
    plain citations (the redline's tracked changes)."""
    from ..render.docx import write_docx  # only then: its lxml is for Word files alone

    assert analysis.csl is not None
    return write_docx(
        analysis.project, config, analysis.csl, bibliography_json(analysis), chapters, link_citations=styled, project_styles=styled
    )


def bibliography_json(analysis: Analysis) -> Path | None:
    """The paper's bibliography as one CSL JSON file (in the cache), for citeproc."""
    if not analysis.bibliography.items:
        return None
    return write_csl_json(analysis.bibliography, analysis.project.cache_dir)


def _parts(project: Project, ctx: TemplateContext):  # type: ignore[no-untyped-def]
    from ..pdf.parallel import Parts

    return Parts(ctx.body_html, lambda kind, body_html, pages: render_print_part(project, ctx, kind, body_html, pages))


def _report_refused(
    urls: list[str], project: Project, chapters: list[Chapter], diagnostics: Diagnostics, stylesheet: str | None = None
) -> None:
    for url in urls:
        where = locate_url(url, project, chapters, stylesheet)
        diagnostics.add(rules.FETCH_REFUSED, where, f"refused to fetch '{url}': only files inside the project are read")


def locate_url(url: str, project: Project, chapters: list[Chapter], stylesheet: str | None = None) -> Location:
    """Where a URL (or its file name) is written: a chapter line, else a line of the project's
    stylesheet or templates; else the config."""
    needles = [n for n in (url, url.rsplit("/", 1)[-1]) if n]
    for needle in needles:
        for chapter in chapters:
            if needle in chapter.text:
                return chapter.locate(needle)
    folder = project.templates_dir
    files = [project.path(stylesheet)] if stylesheet else []
    files += sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").split("\n")
        except (OSError, UnicodeDecodeError):
            continue
        for needle in needles:
            for number, line in enumerate(lines, start=1):
                if needle in line:
                    return Location(project.rel(path), number, line.index(needle) + 1)
    return Location(CONFIG_NAME)
