"""`check()`: every problem of the paper, without writing anything.

When no file of the project changed since the last check, its result is reused.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..cache import Cache
from ..diagnostics import Diagnostic, Diagnostics
from ..project import Project
from .analyse import analyse
from .key import inputs_key
from .stats import ChapterStats
from .timing import Reporter


@dataclass
class CheckResult:
    diagnostics: Diagnostics
    stats: list[ChapterStats]
    seconds: float

    def exit_code(self, strict: bool = False) -> int:
        if self.diagnostics.has_errors() or (strict and self.diagnostics.warnings):
            return 1
        return 0


def check(project: Project | Path | str, reporter: Reporter | None = None, *, use_cache: bool = True) -> CheckResult:
    """Check the whole paper without writing any output; problems are in the result's diagnostics.

    When no file of the project changed since the last check, its result is reused
    (see key.py: milliseconds, where a check takes seconds).
    """
    started = time.perf_counter()
    project = Project.at(project)
    cache = Cache(project.cache_dir, enabled=use_cache)
    key = inputs_key(project, "check") if use_cache else ""
    memo = cache.get("check", key) if key else None
    if memo is not None:
        diagnostics = Diagnostics([Diagnostic.from_dict(d) for d in memo["diagnostics"]])
        stats = [ChapterStats(**s) for s in memo["stats"]]
        return CheckResult(diagnostics, stats, time.perf_counter() - started)
    analysis = analyse(project, reporter, use_cache=use_cache)
    if key and analysis.document is not None:
        cache.put("check", key, {"diagnostics": [d.to_dict() for d in analysis.diagnostics], "stats": [asdict(s) for s in analysis.stats]})
    return CheckResult(analysis.diagnostics, analysis.stats, time.perf_counter() - started)
