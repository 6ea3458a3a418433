"""`build()`: the stages in order. Everything is gathered and checked before anything is written."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .. import rules
from ..cache import Cache
from ..config.schema import Config
from ..diagnostics import Diagnostic, DiagnosticError, Diagnostics
from ..pdf import parts_engine
from ..project import Project
from ..render.pages import can_lay_out_in_parts
from ..write import build_lock, write_atomic, write_outputs
from ..write.manifest import write_manifest
from . import rebuild
from .analyse import Analysis, analyse
from .key import inputs_key
from .options import BuildOptions, BuildResult, Produced
from .publish import PDF, PRINT_HTML, Published, Rendered, publish, render
from .timing import Reporter, Timed

if TYPE_CHECKING:
    from ..pdf.parallel import PartsEngine

HTML_PER_MARKDOWN = 3  # print HTML is about three times the size of its Markdown
PARALLEL_FROM = 600_000  # characters of print HTML (about 80 pages) from which chapters are laid out in parallel


def build(project: Project | Path | str, options: BuildOptions = BuildOptions(), reporter: Reporter | None = None) -> BuildResult:
    """Build the paper's HTML and PDF drafts (or an edition) into `build/`.

    Raises DiagnosticError (carrying every diagnostic) when the project has errors;
    the previous outputs are then left untouched.
    """
    started = time.perf_counter()
    project = Project.at(project)
    key = inputs_key(project, repr(options))
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
            written = write_outputs(project.build_dir, produced.outputs)
            write_manifest(project, _inputs(produced.analysis), written, produced.analysis.diagnostics, produced.analysis.csl)
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


def produce(project: Project, options: BuildOptions, reporter: Timed) -> Produced:
    """Every stage but writing: check, render and lay out, all in memory.

    After an edit inside chapters the last build's paper is reused when it can be (rebuild.py);
    otherwise every stage runs (each from its cache).
    """
    edited = rebuild.edited(project, options, reporter) if options.use_cache and options.edition is None else None
    if edited is not None:
        return _produce_edited(project, options, edited, reporter)

    analysis = analyse(project, reporter, use_cache=options.use_cache)
    _stop_on_errors(analysis.diagnostics)
    assert analysis.loaded is not None
    config = _configured(analysis.loaded.config, options)
    formats = _formats(options, config)
    with _engine(analysis, options, formats) as engine:
        reporter.stage("render", "html")
        cache = Cache(project.cache_dir, enabled=options.use_cache)
        rendered, found = render(analysis, config, edition=options.edition, cache=cache)
        analysis.diagnostics.extend(found)
        name = options.name_for(analysis.loaded.config)
        published = publish(analysis, rendered, name, formats, engine=engine, reporter=reporter, pdf_options=options.pdf)
    return _finished(analysis, rendered, published)


def _produce_edited(project: Project, options: BuildOptions, edited: rebuild.Edited, reporter: Timed) -> Produced:
    """The outputs of a paper rebuilt from the last build's, its edited chapters redone."""
    analysis = edited.analysis
    _stop_on_errors(analysis.diagnostics)  # as a full build stops after its analysis
    assert analysis.loaded is not None
    config = analysis.loaded.config
    formats = _formats(options, config)
    with _engine(analysis, options, formats) as engine:
        reporter.stage("render", "html")
        # Only the edited chapters' math can change what cannot be drawn: else an HTML draft needs no print page.
        print_page = PDF in formats or PRINT_HTML in formats or edited.math
        # The later stages' diagnostics are the last build's, but math's when it is drawn again.
        analysis.diagnostics.extend(Diagnostics([d for d in edited.later if not (print_page and d.rule == rules.MATH_UNSUPPORTED.id)]))
        published = publish(
            analysis, edited.rendered, options.name_for(config), formats, engine=engine, print_page=print_page, reporter=reporter, pdf_options=options.pdf
        )
    produced = _finished(analysis, edited.rendered, published)
    produced.signatures, produced.edited_chapters = edited.signatures, edited.chapters
    return produced


def _finished(analysis: Analysis, rendered: Rendered, published: Published) -> Produced:
    """The build in memory, with every diagnostic of every stage in reading order, as `rules:` says; none an error."""
    analysis.diagnostics.extend(published.diagnostics)
    analysis.diagnostics.apply_rules(analysis.loaded.config.rules if analysis.loaded else {})
    analysis.diagnostics.sort()
    _stop_on_errors(analysis.diagnostics)
    return Produced(analysis, rendered, published.outputs, published.parts_laid_out)


def _configured(config: Config, options: BuildOptions) -> Config:
    """The config as this build uses it: the page size asked for, or the edition's."""
    if options.paper_size:
        return config.model_copy(update={"paper_size": options.paper_size})
    if options.edition is not None:
        return options.edition.configure(config)
    return config


def _formats(options: BuildOptions, config: Config) -> tuple[str, ...]:
    formats = options.formats_for(config)
    return (*formats, PRINT_HTML) if options.keep_print_html else formats


@contextmanager
def _engine(analysis: Analysis, options: BuildOptions, formats: tuple[str, ...]) -> Iterator[PartsEngine | None]:
    """The parallel engine for a long paper's PDF, its workers started (and warming up) right
    away and stopped at the end, also when the build stops early; None for one pass.

    Starting worker processes and assembling parts costs about a second, so a short paper
    (the sample) is laid out in one pass unless `jobs` asks otherwise; so is a paper whose
    own print.html lacks the blocks the engine lays out apart.
    """
    markdown = sum(len(c.body) for c in analysis.chapters)
    jobs = options.jobs or (os.cpu_count() or 1 if markdown * HTML_PER_MARKDOWN >= PARALLEL_FROM else 1)
    if PDF not in formats or jobs == 1 or not options.pdf.in_parts or not can_lay_out_in_parts(analysis.project):
        yield None
        return
    with parts_engine(analysis.project.root, Cache(analysis.project.cache_dir, enabled=options.use_cache), jobs) as engine:
        yield engine


def _stop_on_errors(diagnostics: Diagnostics) -> None:
    if diagnostics.has_errors():
        raise DiagnosticError(diagnostics)


def _inputs(analysis: Analysis) -> list[Path]:
    """Every file the build read, for the manifest."""
    project = analysis.project
    inputs = [project.config_file, *(c.path for c in analysis.chapters)]
    if analysis.loaded is not None:
        inputs += [project.path(b) for b in [*analysis.loaded.config.bibliography, *analysis.bibliography.files]]
        if analysis.loaded.config.css:
            inputs.append(project.path(analysis.loaded.config.css))
    if analysis.document is not None:
        inputs += list(analysis.document.images.values())
        if analysis.document.glossary.file:
            inputs.append(project.path(analysis.document.glossary.file))
    if analysis.csl is not None and project.contains(analysis.csl):
        inputs.append(analysis.csl)
    return list(dict.fromkeys(inputs))


# Nothing changed, nothing to do -----------------------------------------------------------


def _record_path(project: Project) -> Path:
    return project.cache_dir / "last-build.json"


def _previous_build(project: Project, key: str) -> tuple[list[Path], Diagnostics] | None:
    """The last build's outputs and diagnostics, if it had this key and its outputs are untouched."""
    try:
        record = json.loads(_record_path(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("key") != key:
        return None
    outputs = []
    for name, (size, mtime) in record.get("outputs", {}).items():
        path = project.build_dir / name
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


def _remember_build(project: Project, key: str, written: list[Path], diagnostics: Diagnostics) -> None:
    outputs = {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in written}
    record = {"key": key, "outputs": outputs, "diagnostics": [d.to_dict() for d in diagnostics]}
    write_atomic(_record_path(project), json.dumps(record).encode("utf-8"))
