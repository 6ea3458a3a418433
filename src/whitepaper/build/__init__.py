"""`build()`: the stages in order. Everything is gathered and checked before anything is written."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .. import __version__
from ..parse import pandoc
from . import rebuild
from ..sources.bibliography import write_csl_json
from ..render.body import Body, render_body
from ..cache import CACHE_DIR, Cache, digest
from .analyse import Analysis, Reporter, Timed, analyse, fingerprint
from ..config import LoadedConfig
from ..diagnostics import Diagnostic, DiagnosticError, Diagnostics, Location
from ..write.manifest import write_manifest
from ..pdf import PdfResult, render_pdf
from ..render.pages import TemplateContext, context, render_pages, render_print_part
from ..review.edition import ReviewOptions, mark_sources
from ..review.edition import view as review_view
from ..sources.chapters import Chapter
from ..write import build_lock, write_atomic, write_outputs

if TYPE_CHECKING:
    from ..pdf.parallel import PartsEngine

BUILD_DIR = "build"
EXTERNAL_CSS = re.compile(r"""(?:@import\s+|url\(\s*)["']?((?:https?|ftp|file):[^"')\s;]*|//[^"')\s;]*|/[^"')\s;]*)""", re.I)
HTML_PER_MARKDOWN = 3  # print HTML is about three times the size of its Markdown
MATH_UNSUPPORTED = "math-unsupported"
PARALLEL_FROM = 600_000  # characters of print HTML (about 80 pages) from which chapters are laid out in parallel


@dataclass(frozen=True)
class BuildOptions:
    formats: tuple[Literal["html", "pdf"], ...] | None = None  # None: as whitepaper.yaml says
    paper_size: Literal["a4", "letter"] | None = None  # None: as whitepaper.yaml says
    keep_print_html: bool = False  # also write build/<name>.print.html, the PDF's source
    use_cache: bool = True  # False: parse everything afresh (build/.cache is neither read nor written)
    review: ReviewOptions | None = None  # build the review edition (build/<name>.review.pdf) instead
    jobs: int | None = None  # PDF layout processes; None: one per core; 1: a single WeasyPrint pass


@dataclass
class BuildResult:
    outputs: list[Path] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    up_to_date: bool = False  # nothing had changed since the last build: nothing was done
    parts_laid_out: int = 0  # PDF parts laid out afresh by the parallel engine
    edited_chapters: int = 0  # when only edited chapters were redone (see rebuild.py): how many


@dataclass
class Produced:
    """A build held in memory: the outputs by file name, and what they were made from."""

    analysis: Analysis
    context: TemplateContext
    outputs: dict[str, bytes]
    parts_laid_out: int = 0
    body: Body | None = None  # the rendered parts, for the next rebuild
    signatures: list[str] | None = None  # each chapter's signature, when known (see resolve.signature)
    edited_chapters: int = 0  # chapters redone, when only edited chapters were


def build(project: Path | str, options: BuildOptions = BuildOptions(), reporter: Reporter | None = None) -> BuildResult:
    """Build the paper's HTML and PDF drafts into `build/`.

    Raises DiagnosticError (carrying every diagnostic) when the project has
    errors; the previous outputs are then left untouched.
    """
    started = time.perf_counter()
    project = Path(project)
    key = _build_key(project, options)
    if options.use_cache:
        previous = _previous_build(project, key)
        if previous is not None:
            return BuildResult(previous[0], previous[1], time.perf_counter() - started, up_to_date=True)
    timed = Timed(reporter)
    with build_lock(project):  # two builds of one project at once take turns
        produced = produce(project, options, timed)
        timed.stage("write")
        # The state for the next rebuild is stored while the outputs are written (and synced).
        remembering = threading.Thread(target=rebuild.remember, args=(project, options, produced)) if options.use_cache else None
        if remembering is not None:
            remembering.start()
        try:
            written = write_outputs(project / BUILD_DIR, produced.outputs)
            write_manifest(project, produced.analysis, written)
            if options.use_cache:
                _remember_build(project, key, written, produced.analysis.diagnostics)
        finally:
            if remembering is not None:
                remembering.join()
    timed.finish()
    return BuildResult(
        written, produced.analysis.diagnostics, time.perf_counter() - started, timed.timings,
        parts_laid_out=produced.parts_laid_out, edited_chapters=produced.edited_chapters,
    )  # fmt: skip


# Nothing changed, nothing to do -----------------------------------------------------------


def _build_key(project: Path, options: BuildOptions) -> str:
    """Everything a build's outputs depend on: the project's files (by size and time), the options,
    the tools' versions, and today's date (the default date of a draft)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return digest(__version__, pandoc.pandoc_version(), repr(options), epoch, dt.date.today().isoformat(), fingerprint(project))


def _record_path(project: Path) -> Path:
    return project / CACHE_DIR / "last-build.json"


def _previous_build(project: Path, key: str) -> tuple[list[Path], Diagnostics] | None:
    """The last build's outputs and diagnostics, if it had this key and its outputs are untouched."""
    try:
        record = json.loads(_record_path(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("key") != key:
        return None
    outputs = []
    for name, (size, mtime) in record.get("outputs", {}).items():
        path = project / BUILD_DIR / name
        try:
            info = path.stat()
        except OSError:
            return None
        if (info.st_size, info.st_mtime_ns) != (size, mtime):
            return None
        outputs.append(path)
    try:
        diagnostics = Diagnostics([Diagnostic.from_dict(d) for d in record.get("diagnostics", [])])
    except (KeyError, ValueError, TypeError):
        return None
    return outputs, diagnostics


def _remember_build(project: Path, key: str, written: list[Path], diagnostics: Diagnostics) -> None:
    outputs = {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in written}
    record = {"key": key, "outputs": outputs, "diagnostics": [d.to_dict() for d in diagnostics]}
    write_atomic(_record_path(project), json.dumps(record).encode("utf-8"))


def produce(project: Path, options: BuildOptions, reporter: Timed) -> Produced:
    """Every stage but writing: check, render and lay out, all in memory.

    After an edit inside chapters the last build's paper is reused when it can be (rebuild.py);
    otherwise every stage runs (each from its cache).
    """
    edited = rebuild.edited(project, options, reporter) if options.use_cache and options.review is None else None
    if edited is not None:
        config = edited.analysis.loaded.config  # type: ignore[union-attr]
        formats = options.formats or tuple(config.outputs.formats)
        with _engine(project, edited.analysis, options, formats) as engine:
            reporter.stage("render", "html")
            # Only new math can be new math that cannot be drawn: else an HTML draft needs no print page.
            print_page = "pdf" in formats or options.keep_print_html or edited.math
            if print_page:  # drawn again: its problems are found again
                kept = [d for d in edited.analysis.diagnostics if d.rule != MATH_UNSUPPORTED]
                edited.analysis.diagnostics = Diagnostics(kept)
            outputs, laid_out = _outputs(project, options, edited.analysis, edited.context, formats, engine, reporter, print_page)
        return Produced(edited.analysis, edited.context, outputs, laid_out, edited.body, edited.signatures, edited.chapters)

    analysis = analyse(project, reporter, use_cache=options.use_cache)
    diagnostics = analysis.diagnostics
    _stop_on_errors(diagnostics)
    assert analysis.loaded is not None and analysis.document is not None and analysis.csl is not None
    loaded, document, bibliography = analysis.loaded, analysis.document, analysis.bibliography
    config = loaded.config
    if options.paper_size:
        config = config.model_copy(update={"paper_size": options.paper_size})
    elif options.review and config.review.paper_size:
        config = config.model_copy(update={"paper_size": config.review.paper_size})
    formats = options.formats or tuple(config.outputs.formats)
    if options.review:
        formats = ("pdf",)
        mark_sources(document)
    extra_css = _extra_css(project, loaded, diagnostics)
    _stop_on_errors(diagnostics)

    with _engine(project, analysis, options, formats) as engine:
        reporter.stage("render", "html")
        bibliography_json = write_csl_json(bibliography, project / CACHE_DIR) if bibliography.items else None
        cache = Cache(project / CACHE_DIR, enabled=options.use_cache)
        body = render_body(document, config, analysis.csl, bibliography_json, cache)
        for line in body.warnings.splitlines():
            if line.strip():
                diagnostics.warning(Location("whitepaper.yaml"), f"pandoc: {line.strip()}", "pandoc-warning")
        ctx = context(config, document, body.abstract_html, body.body_html, extra_css)
        if options.review:
            ctx.review = review_view(config.version, ctx.date, options.review)
        outputs, laid_out = _outputs(project, options, analysis, ctx, formats, engine, reporter)
    return Produced(analysis, ctx, outputs, laid_out, body)


def _outputs(
    project: Path, options: BuildOptions, analysis: Analysis, ctx: TemplateContext, formats: tuple[str, ...],
    engine: PartsEngine | None, reporter: Timed, print_page: bool = True,
) -> tuple[dict[str, bytes], int]:  # fmt: skip
    """The output files' contents from the template context, and how many PDF parts were laid out."""
    assert analysis.loaded is not None and analysis.document is not None
    diagnostics, chapters, loaded = analysis.diagnostics, analysis.chapters, analysis.loaded
    pages = render_pages(project, ctx, analysis.document.images, print_page)
    for tex in pages.math_failed:
        where = next((c.locate(tex) for c in chapters if tex in c.text), Location("whitepaper.yaml"))
        diagnostics.warning(where, f"math cannot be drawn for the PDF, shown as TeX: {tex}", MATH_UNSUPPORTED)
    outputs: dict[str, bytes] = {}
    laid_out = 0
    name = loaded.config.outputs.name + (".review" if options.review else "")
    if "html" in formats:
        outputs[f"{name}.html"] = pages.screen.encode("utf-8")
    if "pdf" in formats:
        reporter.stage("pdf", "laying out pages")
        pdf = _layout(project, ctx, pages.print, options, engine)
        for url in pdf.refused:
            diagnostics.error(_where_named(url, chapters, loaded), f"refused to fetch '{url}': only files inside the project are read", "fetch-refused")
        _stop_on_errors(diagnostics)
        outputs[f"{name}.pdf"] = pdf.data
        laid_out = pdf.parts_laid_out
    if options.keep_print_html:
        # Relative URLs in it resolve against the project folder, not build/.
        outputs[f"{name}.print.html"] = pages.print.replace("<head>", '<head>\n<base href="../">', 1).encode("utf-8")
    return outputs, laid_out


@contextmanager
def _engine(project: Path, analysis: Analysis, options: BuildOptions, formats: tuple[str, ...]) -> Iterator[PartsEngine | None]:
    """The parallel engine for a long paper's PDF, its workers started (and warming up) right
    away and stopped at the end, also when the build stops early; None for one pass.

    Starting worker processes and assembling parts costs about a second, so a
    short paper (the sample) is laid out in one pass unless `jobs` asks otherwise.
    """
    markdown = sum(len(c.body) for c in analysis.chapters)
    jobs = options.jobs or (os.cpu_count() or 1 if markdown * HTML_PER_MARKDOWN >= PARALLEL_FROM else 1)
    if "pdf" not in formats or jobs == 1:
        yield None
        return
    from ..pdf.parallel import PartsEngine  # pypdf, imported only when it is needed

    engine = PartsEngine(project, Cache(project / CACHE_DIR, enabled=options.use_cache), jobs)
    engine.start()
    try:
        yield engine
    finally:
        engine.close()


def _layout(project: Path, ctx: TemplateContext, print_html: str, options: BuildOptions, engine: PartsEngine | None) -> PdfResult:
    """One WeasyPrint pass, or chapters laid out in parallel and from the cache."""
    if engine is None:
        return render_pdf(print_html, project)
    data = engine.run(lambda part, body, extra: render_print_part(project, ctx, part, body, extra), ctx.body_html)
    return PdfResult(data=data, refused=engine.refused, parts_laid_out=engine.laid_out)


def _stop_on_errors(diagnostics: Diagnostics) -> None:
    if diagnostics.has_errors():
        raise DiagnosticError(diagnostics)


def _extra_css(project: Path, loaded: LoadedConfig, diagnostics: Diagnostics) -> str:
    name = loaded.config.css
    if not name:
        return ""
    path = project / name
    if not path.resolve().is_relative_to(project.resolve()):
        diagnostics.error(loaded.location("css"), f"CSS file '{name}' is outside the project folder", "css-outside")
    elif not path.is_file():
        diagnostics.error(loaded.location("css"), f"CSS file '{name}' does not exist", "css-missing")
    else:
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.split("\n"), start=1):
            for match in EXTERNAL_CSS.finditer(line):
                diagnostics.error(
                    Location(name, number, match.start(1) + 1),
                    f"the stylesheet refers to '{match.group(1)}': only files inside the project are read",
                    "css-external",
                )
        return text
    return ""


def _where_named(url: str, chapters: list[Chapter], loaded: LoadedConfig) -> Location:
    """The chapter line that names a URL (or a file part of it); else the config's css entry."""
    for needle in (url, url.rsplit("/", 1)[-1]):
        for chapter in chapters:
            if needle and needle in chapter.text:
                return chapter.locate(needle)
    return loaded.location("css") if loaded.config.css else Location("whitepaper.yaml")
