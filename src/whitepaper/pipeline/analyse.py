"""`analyse()`: the stages up to the resolved paper (config, sources, parse, resolve), then
every check. `check` is this alone; `build` starts with it, so the two commands never
disagree about what is wrong with a paper.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..cache import Cache
from ..config import LoadedConfig, load_config
from ..diagnostics import DiagnosticError, Diagnostics, plural
from ..parse import Parsing
from ..project import Project
from ..sources.approvals import Approval, read_approvals
from ..sources.bibliography import Bibliography, add_tags, load_files
from ..sources.chapters import Chapter, read_chapters
from ..sources.glossary import load_glossary
from ..sources.rounds import ReviewRound, read_rounds
from ..sources.styles import resolve_style
from ..sources.stylesheet import load_stylesheet
from .stats import ChapterStats, chapter_stats
from .timing import Reporter, Timed

if TYPE_CHECKING:  # imported when analyse() gets to them: pandoc starts before these load
    from .. import checks
    from ..resolve import Document


@dataclass
class Analysis:
    """What the stages up to resolve produced; `document` is None when they could not get that far."""

    project: Project
    loaded: LoadedConfig | None = None
    chapters: list[Chapter] = field(default_factory=list)
    bibliography: Bibliography = field(default_factory=Bibliography)
    csl: Path | None = None
    stylesheet: str = ""  # the project's own CSS (`css:`), checked
    approvals: list[Approval] = field(default_factory=list)  # chapters' sign-off (review/approvals.yaml)
    rounds: list[ReviewRound] = field(default_factory=list)  # review rounds and their reviewers, for the back matter
    document: Document | None = None
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    stats: list[ChapterStats] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def checked(self) -> checks.Paper:
        """The paper as the checks see it (once resolved)."""
        from .. import checks

        assert self.loaded is not None and self.document is not None
        return checks.Paper(self.loaded.config, self.document, self.bibliography, self.approvals, self.stylesheet)


def analyse(project: Project | Path | str, reporter: Reporter | None = None, *, use_cache: bool = True) -> Analysis:
    """Run config, sources, parse and resolve, then the checks; collect every diagnostic, in reading order."""
    project = Project.at(project)
    timed = Timed.of(reporter)
    analysis = Analysis(project)
    diagnostics = analysis.diagnostics
    cache = Cache(project.cache_dir, enabled=use_cache)

    timed.stage("config")
    try:
        analysis.loaded = loaded = load_config(project, diagnostics)
    except DiagnosticError:
        return analysis
    config = loaded.config

    with ThreadPoolExecutor(max_workers=1) as pool:
        # pandoc reads the bibliography while the chapters are read; its problems are kept apart
        # and added in their turn, so diagnostics come in the same order as one after the other
        # (and its own Cache: a Cache counts hits and misses, unguarded for two threads)
        bibliography_diagnostics = Diagnostics()
        files = pool.submit(load_files, project, loaded, bibliography_diagnostics, Cache(project.cache_dir, enabled=use_cache))
        timed.stage("sources")
        analysis.chapters = read_chapters(project, loaded, diagnostics)
        texts = [c.body for c in analysis.chapters] + [config.abstract or ""]
        with Parsing(texts, cache) as parsing:  # pandoc parses while the rest loads
            from ..resolve import Resolver  # imported while pandoc starts, not before it

            analysis.bibliography = files.result()
            diagnostics.extend(bibliography_diagnostics)
            add_tags(analysis.bibliography, project, analysis.chapters, diagnostics)
            analysis.csl = resolve_style(config.csl, project, loaded.location("csl"), diagnostics)
            analysis.stylesheet = load_stylesheet(project, loaded, diagnostics)
            analysis.approvals = read_approvals(project, diagnostics)
            analysis.rounds = read_rounds(project)
            glossary = load_glossary(project, loaded, diagnostics)
            timed.stage("parse", plural(len(analysis.chapters), "chapter"))
            resolver = Resolver(config, diagnostics, glossary)
            parsed = iter(parsing)
            for chapter, blocks in zip(analysis.chapters, parsed):  # each numbered while pandoc reads the next
                resolver.chapter(chapter, blocks)
            abstract_blocks = next(parsed)

    timed.stage("resolve", plural(len(analysis.bibliography.items), "reference"))
    analysis.document = resolver.finish(project, abstract_blocks, analysis.bibliography)
    from .. import checks  # imported late for the same reason as resolve

    checks.run_all(analysis.checked(), diagnostics)
    diagnostics.apply_rules(config.rules)
    diagnostics.sort()
    analysis.stats = chapter_stats(analysis.document, diagnostics, analysis.approvals)
    timed.finish()
    analysis.timings = timed.timings
    return analysis
