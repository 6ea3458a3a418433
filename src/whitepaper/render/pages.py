"""Stage 5b, render the pages: jinja2 templates around the body (body.py).

The screen template and the print template wrap the same body; the screen page
stands alone (CSS inline, images embedded), the print page is WeasyPrint's.
"""

from __future__ import annotations

import base64
import copy
import html
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import markupsafe

from .. import __version__
from ..parse import nodes, pandoc
from ..sources.bibliography import write_csl_json
from ..cache import CACHE_DIR, Cache
from ..config import Config
from .mathsvg import math_to_svg
from ..resolve import Document

PAGE_SIZES = {"a4": "A4", "letter": "letter"}


@dataclass(frozen=True)
class AuthorView:
    name: str
    orcid: str | None
    email: str | None
    marks: list[int]
    corresponding: bool


@dataclass(frozen=True)
class AffiliationView:
    number: int
    name: str
    place: str
    ror: str | None


@dataclass(frozen=True)
class TocEntry:
    level: int
    id: str
    number: str
    text: str


@dataclass(frozen=True)
class ListEntry:
    """A line of the list of figures or tables."""

    id: str
    number: str
    text: str


@dataclass(frozen=True)
class ChapterView:
    id: str
    title: str
    file: str
    status: str
    owners: list[str]


@dataclass
class TemplateContext:
    """Everything a template may use; project templates rely on these names."""

    title: str
    subtitle: str | None
    running_title: str
    version: str
    date: str
    date_iso: str
    lang: str
    keywords: list[str]
    license: str | None
    authors: list[AuthorView]
    affiliations: list[AffiliationView]
    abstract_html: str
    body_html: str
    toc: list[TocEntry]
    lists: dict[str, list[ListEntry]]  # "figures"/"tables" -> entries, only those asked for in the config
    chapters: list[ChapterView]
    paper_size: str
    extra_css: str
    generator: str = f"whitepaper {__version__}"
    media: str = "screen"
    part: str = "whole"  # print edition: "whole", or "front" / "chapter" for the parallel engine
    review: Any = None  # review.edition.ReviewView in the review edition
    extra: dict[str, Any] = field(default_factory=dict)


def docx_document(project: Path, analysis: Any, chapters: list[Any]) -> bytes:
    """A Word file of some chapters, citations resolved and figures included; styles from the
    project's `templates/reference.docx` when there is one."""
    config = analysis.loaded.config
    references = [nodes.header(1, "references", nodes.text_inlines("References")), nodes.div("refs", [], [])]
    blocks = [block for chapter in chapters for block in chapter.blocks] + references
    meta = {
        "title": {"t": "MetaInlines", "c": nodes.text_inlines(config.title)},
        "lang": {"t": "MetaString", "c": config.lang},
        "link-citations": {"t": "MetaBool", "c": True},
    }
    args = ["--citeproc", "--csl", str(analysis.csl), "--resource-path", str(project)]
    if analysis.bibliography.items:
        args += ["--bibliography", str(write_csl_json(analysis.bibliography, project / CACHE_DIR))]
    if (project / "templates" / "reference.docx").is_file():
        args += ["--reference-doc", str(project / "templates" / "reference.docx")]
    document = {"pandoc-api-version": pandoc.api_version(), "meta": meta, "blocks": blocks}
    return pandoc.ast_to_docx(document, args)


def context(config: Config, document: Document, abstract_html: str, body_html: str, extra_css: str) -> TemplateContext:
    numbers: dict[str, int] = {}
    for author in config.authors:
        for affiliation in author.affiliations:
            numbers.setdefault(affiliation, len(numbers) + 1)
    by_id = {a.id: a for a in config.affiliations}
    affiliations = [
        AffiliationView(number, by_id[i].name, ", ".join(p for p in (by_id[i].city, by_id[i].country) if p), by_id[i].ror)
        for i, number in numbers.items()
    ]
    authors = [
        AuthorView(a.name, a.orcid, a.email, [numbers[i] for i in a.affiliations], a.corresponding) for a in config.authors
    ]
    date = config.resolved_date()
    return TemplateContext(
        title=config.title,
        subtitle=config.subtitle,
        running_title=config.running_title,
        version=config.version,
        date=f"{date.day} {date:%B %Y}",
        date_iso=date.isoformat(),
        lang=config.lang,
        keywords=config.keywords,
        license=config.license,
        authors=authors,
        affiliations=affiliations,
        abstract_html=abstract_html,
        body_html=body_html,
        toc=[TocEntry(h.level, h.id, h.number, h.text) for h in document.headings if h.level <= config.toc_depth]
        + ([TocEntry(1, "references", "", "References")] if document.cited and 'id="references"' in body_html else []),
        lists={
            name: [ListEntry(t.id, t.number, first_sentence(t.title)) for t in document.listed(name.rstrip("s"))]
            for name in config.lists_of
        },
        chapters=[
            ChapterView(c.id, c.title, c.source.rel, c.source.meta.status, c.source.meta.owners) for c in document.chapters
        ],
        paper_size=PAGE_SIZES[config.paper_size],
        extra_css=extra_css,
    )


def first_sentence(text: str) -> str:
    """Lists of figures and tables show the caption's first sentence, as books do."""
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return (match.group(1) if match else text).rstrip(".")


def environment(project: Path) -> jinja2.Environment:
    """Templates from the project's `templates/` folder first, then the package's own."""
    loaders: list[jinja2.BaseLoader] = []
    if (project / "templates").is_dir():
        loaders.append(jinja2.FileSystemLoader(str(project / "templates")))
    loaders.append(jinja2.PackageLoader("whitepaper.render", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        bytecode_cache=_CompiledTemplates(project),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    return env


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in the project's cache: compiling them all takes longer than
    rendering after a one-word edit. jinja2 checks that a template's source is unchanged; the
    cache's checksum checks the compiled code itself, so a damaged entry is compiled again."""

    def __init__(self, project: Path):
        self.cache = Cache(project / CACHE_DIR)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.cache.get_bytes("templates", bucket.key)
        if data is None:
            return
        try:
            bucket.bytecode_from_string(data)
        except Exception:  # another Python's code, say: compile again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.cache.put_bytes("templates", bucket.key, bucket.bytecode_to_string())


def css_string(value: str) -> str:
    """Text safe inside a double-quoted CSS string (and inside an HTML <style>)."""
    escaped = []
    for char in str(value):
        if char in '"\\<>&' or ord(char) < 0x20:
            escaped.append(f"\\{ord(char):x} ")
        else:
            escaped.append(char)
    # Inside <style> the HTML parser decodes no entities, so this must not be autoescaped.
    return markupsafe.Markup("".join(escaped))


@dataclass(frozen=True)
class Pages:
    screen: str  # self-contained: CSS inline, images embedded, math as MathML
    print: str  # for WeasyPrint: images by path, math as SVG
    math_failed: list[str]  # TeX that could not be drawn for print


def render_pages(project: Path, ctx: TemplateContext, images: dict[str, Path], print_page: bool = True) -> Pages:
    """The screen page, and the print page unless `print_page` is False (drawing math for print
    is also how math that cannot be drawn is found)."""
    env = environment(project)
    print_html, failed = "", []
    if print_page:
        ctx.media = "print"
        print_html, failed = math_to_svg(env.get_template("print.html").render(ctx=ctx))
    ctx.media = "screen"
    screen_html = env.get_template("screen.html").render(ctx=ctx)
    return Pages(embed_images(screen_html, images), print_html, failed)


def render_print_part(project: Path, ctx: TemplateContext, part: str, body_html: str, extra: dict[str, Any]) -> str:
    """The print HTML of one part, for the parallel PDF engine (see print.html)."""
    view = copy.copy(ctx)
    view.media, view.part, view.body_html, view.extra = "print", part, body_html, extra
    page, _ = math_to_svg(environment(project).get_template("print.html").render(ctx=view))
    return page


def embed_images(page: str, images: dict[str, Path]) -> str:
    """Replace the `src` of each local image by a data URI, so the page stands alone."""
    for target, path in images.items():
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        page = page.replace(f'src="{html.escape(target)}"', f'src="data:{mime};base64,{data}"')
    return page
