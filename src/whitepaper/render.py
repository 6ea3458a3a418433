"""Stage 5, render: the resolved document to HTML, once through pandoc, then jinja2 templates.

Pandoc turns the document into an HTML body, part by part and from a cache
(see `render_body`); the screen template and the print template then wrap
that same body.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import html
import json
import mimetypes
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import markupsafe

from . import __version__, citations, nodes, pandoc
from .bibliography import write_csl_json
from .cache import Cache, digest
from .config import Config
from .htmltools import Joined
from .mathsvg import math_to_svg
from .resolve import Document, ResolvedChapter
from .write import write_atomic

ABSTRACT_END = "<!-- whitepaper:end-of-abstract -->"
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


def body_parts(document: Document) -> list[list[Any]]:
    """The paper as the parts pandoc renders one by one: the abstract, then each chapter as a div,
    then a References chapter when something is cited and no chapter places the bibliography."""
    parts: list[list[Any]] = [document.abstract] + [chapter_part(chapter) for chapter in document.chapters]
    has_refs = any(citations.is_refs(node) for part in parts[1:] for node in nodes.walk_blocks(part))
    if document.cited and not has_refs:
        references = [nodes.header(1, "references", nodes.text_inlines("References")), nodes.div("refs", [], [])]
        parts.append([nodes.div("chapter-references", ["chapter", "references-chapter"], references)])
    return parts


def chapter_part(chapter: ResolvedChapter) -> list[Any]:
    attributes = {"data-file": chapter.source.rel, "data-status": chapter.source.meta.status}
    return [nodes.div(f"chapter-{chapter.id}", ["chapter"], chapter.blocks, attributes)]


def pandoc_meta(config: Config) -> dict[str, Any]:
    return {
        "lang": {"t": "MetaString", "c": config.lang},
        "link-citations": {"t": "MetaBool", "c": True},
        "link-bibliography": {"t": "MetaBool", "c": True},
    }


def pandoc_document(document: Document, config: Config) -> dict[str, Any]:
    """The whole paper as one pandoc AST (what `render_body` renders in parts)."""
    blocks = [*document.abstract, nodes.raw_html(ABSTRACT_END)] + [block for part in body_parts(document)[1:] for block in part]
    return {"pandoc-api-version": pandoc.api_version(), "meta": pandoc_meta(config), "blocks": blocks}


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
        args += ["--bibliography", str(write_csl_json(analysis.bibliography, project / "build" / ".cache"))]
    if (project / "templates" / "reference.docx").is_file():
        args += ["--reference-doc", str(project / "templates" / "reference.docx")]
    document = {"pandoc-api-version": pandoc.api_version(), "meta": meta, "blocks": blocks}
    return pandoc.ast_to_docx(document, args)


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
    document: Document, config: Config, csl: Path, bibliography_json: Path | None, cache: Cache | None = None
) -> Body:
    """The abstract's and the body's HTML, and pandoc's warnings.

    Each part (the abstract, each chapter) is rendered on its own and cached by its content,
    with placeholders for its citations; citations are formatted in one citeproc run over all of
    them (see citations.py). So after an edit only the edited chapter goes through pandoc, and
    the result is what one pandoc call over the whole paper writes.
    """
    cache = cache or Cache(Path(), enabled=False)
    parts = body_parts(document)
    clusters = [list(citations.cites(part)) for part in parts]
    everything = [cluster for part in clusters for cluster in part]
    has_refs = any(citations.is_refs(node) for part in parts for node in nodes.walk_blocks(part))
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
    refs = [(node, node["c"]) for node in nodes.walk_blocks(part) if citations.is_refs(node)]
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
    loaders.append(jinja2.PackageLoader("whitepaper", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        bytecode_cache=_compiled_templates(project),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    return env


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept under build/.cache: compiling them all takes longer than
    rendering after a one-word edit. jinja2 checks that a template's source is unchanged;
    a checksum here checks the compiled code itself, so a damaged file is compiled again."""

    def __init__(self, folder: Path):
        self.folder = folder

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        path = self.folder / f"{bucket.key}.cache"
        try:
            raw = path.read_bytes()
        except OSError:
            return
        checksum, _, data = raw.partition(b"\n")
        if checksum != hashlib.sha256(data).hexdigest().encode():
            path.unlink(missing_ok=True)
            return
        try:
            bucket.bytecode_from_string(data)
        except Exception:  # another Python's code, say: compile again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = bucket.bytecode_to_string()
        try:
            write_atomic(self.folder / f"{bucket.key}.cache", hashlib.sha256(data).hexdigest().encode() + b"\n" + data, sync=False)
        except OSError:
            pass  # a cache that cannot be written only costs time


def _compiled_templates(project: Path) -> jinja2.BytecodeCache:
    return _CompiledTemplates(project / "build" / ".cache" / "templates")


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


def render_pages(project: Path, ctx: TemplateContext, images: dict[str, Path]) -> Pages:
    env = environment(project)
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
