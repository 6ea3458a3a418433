"""`check()`: every stage up to the resolved document, plus the lint rules; nothing is written.

`build()` starts with `analyse()` too, so the two commands can never disagree
about what is wrong with a paper.
"""

from __future__ import annotations

import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from .. import __version__, checks as lint
from ..parse import pandoc
from ..sources.bibliography import Bibliography, load_bibliography
from ..cache import CACHE_DIR, Cache, digest
from ..config import LoadedConfig, load_config
from ..diagnostics import Diagnostic, DiagnosticError, Diagnostics, plural
from ..parse import parse_texts
from ..resolve import Document, resolve
from ..sources.chapters import Chapter, read_chapters
from ..sources.styles import resolve_style
from ..resolve.numbering import Target

WORDS_PER_MINUTE = 230


class Reporter(Protocol):
    """Told of each stage as it starts; the CLI shows it, the library stays silent."""

    def stage(self, name: str, detail: str = "") -> None: ...


class Silent:
    def stage(self, name: str, detail: str = "") -> None:
        pass


class Timed:
    """Forwards stages to a reporter and remembers how long each one took."""

    def __init__(self, reporter: Reporter | None):
        self.reporter = reporter or Silent()
        self.timings: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def stage(self, name: str, detail: str = "") -> None:
        self.finish()
        self._current = (name, time.perf_counter())
        self.reporter.stage(name, detail)

    def finish(self) -> None:
        if self._current:
            name, started = self._current
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started
            self._current = None


@dataclass(frozen=True)
class ChapterStats:
    file: str
    title: str
    status: str
    owners: list[str]
    words: int
    reading_minutes: int
    citations: int
    figures: int
    tables: int
    warnings: int = 0
    errors: int = 0


@dataclass
class Analysis:
    """What the stages up to resolve produced; `document` is None when they could not get that far."""

    project: Path
    loaded: LoadedConfig | None = None
    chapters: list[Chapter] = field(default_factory=list)
    bibliography: Bibliography = field(default_factory=Bibliography)
    csl: Path | None = None
    document: Document | None = None
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    stats: list[ChapterStats] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def analyse(project: Path | str, reporter: Reporter | None = None, *, use_cache: bool = True) -> Analysis:
    """Run config, sources, parse and resolve, then the lint rules; collect every diagnostic."""
    project = Path(project)
    timed = reporter if isinstance(reporter, Timed) else Timed(reporter)
    analysis = Analysis(project)
    diagnostics = analysis.diagnostics
    cache = Cache(project / CACHE_DIR, enabled=use_cache)

    timed.stage("config")
    try:
        analysis.loaded = loaded = load_config(project, diagnostics)
    except DiagnosticError:
        return analysis
    config = loaded.config

    timed.stage("sources")
    analysis.chapters = read_chapters(project, loaded, diagnostics)
    texts = [c.body for c in analysis.chapters] + [config.abstract or ""]
    with ThreadPoolExecutor(max_workers=1) as pool:
        parsing = pool.submit(parse_texts, texts, cache)  # pandoc parses while the bibliography loads
        analysis.bibliography = load_bibliography(project, loaded, diagnostics, cache)
        analysis.csl = resolve_style(config.csl, project, loaded.location("csl"), diagnostics)
        timed.stage("parse", plural(len(analysis.chapters), "chapter"))
        *chapter_blocks, abstract_blocks = parsing.result()

    timed.stage("resolve", plural(len(analysis.bibliography.items), "reference"))
    document = resolve(project, config, analysis.chapters, chapter_blocks, abstract_blocks, analysis.bibliography, diagnostics)
    analysis.document = document
    lint.bibliography_rules(analysis.bibliography, document, diagnostics)
    lint.image_rules(document, config.max_image_size, diagnostics)
    lint.link_rules(document, diagnostics)
    lint.chapter_rules(document, diagnostics)
    lint.span_id_rules(document, diagnostics)
    lint.marker_rules(analysis.chapters, diagnostics)
    lint.font_rules(config.css, diagnostics)
    diagnostics.apply_rules(config.rules)
    analysis.stats = chapter_stats(document, diagnostics)
    timed.finish()
    analysis.timings = timed.timings
    return analysis


def chapter_stats(document: Document, diagnostics: Diagnostics) -> list[ChapterStats]:
    stats = []
    by_chapter: dict[str, list[Target]] = {}
    for target in document.targets.by_id.values():
        by_chapter.setdefault(target.chapter_id, []).append(target)
    by_file: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        by_file.setdefault(diagnostic.location.path, []).append(diagnostic)
    for resolved in document.chapters:
        words, cites = resolved.survey.words, resolved.survey.citations
        targets = by_chapter.get(resolved.id, [])
        mine = by_file.get(resolved.source.rel, [])
        stats.append(
            ChapterStats(
                file=resolved.source.rel,
                title=resolved.title,
                status=resolved.source.meta.status,
                owners=list(resolved.source.meta.owners),
                words=words,
                reading_minutes=math.ceil(words / WORDS_PER_MINUTE) if words else 0,
                citations=cites,
                figures=sum(1 for t in targets if t.kind == "figure"),
                tables=sum(1 for t in targets if t.kind == "table"),
                warnings=sum(1 for d in mine if d.severity.value == "warning"),
                errors=sum(1 for d in mine if d.severity.value == "error"),
            )
        )
    return stats


@dataclass
class CheckResult:
    diagnostics: Diagnostics
    stats: list[ChapterStats]
    seconds: float

    def exit_code(self, strict: bool = False) -> int:
        if self.diagnostics.has_errors() or (strict and self.diagnostics.warnings):
            return 1
        return 0


def check(project: Path | str, reporter: Reporter | None = None, *, use_cache: bool = True) -> CheckResult:
    """Check the whole paper without writing any output; problems are in the result's diagnostics.

    When no file of the project changed since the last check, its result is
    reused: the project is fingerprinted (paths, sizes, modification times),
    which takes milliseconds where a check takes seconds.
    """
    started = time.perf_counter()
    project = Path(project)
    cache = Cache(project / CACHE_DIR, enabled=use_cache)
    key = digest(__version__, pandoc.pandoc_version(), fingerprint(project)) if use_cache else ""
    memo = cache.get("check", key) if key else None
    if memo is not None:
        diagnostics = Diagnostics([Diagnostic.from_dict(d) for d in memo["diagnostics"]])
        stats = [ChapterStats(**s) for s in memo["stats"]]
        return CheckResult(diagnostics, stats, time.perf_counter() - started)
    analysis = analyse(project, reporter, use_cache=use_cache)
    if key and analysis.document is not None:
        cache.put("check", key, {"diagnostics": [d.to_dict() for d in analysis.diagnostics], "stats": [asdict(s) for s in analysis.stats]})
    return CheckResult(analysis.diagnostics, analysis.stats, time.perf_counter() - started)


IGNORED_FOLDERS = {"build", ".git", ".venv", "venv", "node_modules", "__pycache__", ".pytest_cache"}  # not part of the paper


def fingerprint(project: Path, leave_out: frozenset[str] = frozenset()) -> str:
    """Every file of the project (but generated and tool folders, and `leave_out`, relative
    paths) with its size and modification time."""
    entries = []
    for folder, subfolders, files in os.walk(project):
        subfolders[:] = sorted(d for d in subfolders if d not in IGNORED_FOLDERS)
        for name in sorted(files):
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            relative = os.path.relpath(path, project)
            if relative not in leave_out:
                entries.append(f"{relative}\t{info.st_size}\t{info.st_mtime_ns}")
    return "\n".join(entries)
