"""Empty chapters, and headings that skip a level (## then ####)."""

from __future__ import annotations

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..resolve import ResolvedChapter
from .base import ChapterCheck, Paper


def check(resolved: ResolvedChapter, paper: Paper, diagnostics: Diagnostics) -> None:
    chapter = resolved.source
    if len(resolved.blocks) <= 1:
        diagnostics.add(rules.CHAPTER_EMPTY, Location(chapter.rel, chapter.body_line, 1), "chapter is empty")
    previous = 1
    for level, text in resolved.survey.headings:
        if level > previous + 1:
            where = chapter.locate(text) if text else Location(chapter.rel)
            diagnostics.add(
                rules.HEADING_SKIP,
                Location(where.path, where.line, 1),
                f"heading level {level} follows level {previous}: a level is skipped",
            )
        previous = level


CHECK = ChapterCheck((rules.CHAPTER_EMPTY, rules.HEADING_SKIP), check)
