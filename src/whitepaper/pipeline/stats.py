"""Each chapter's numbers, for `status`: words, reading time, citations, figures, tables, problems, sign-off."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Diagnostics
from ..sources.approvals import Approval, standing

if TYPE_CHECKING:  # `check` imports this module before pandoc starts; resolve loads later
    from ..resolve import Document
    from ..resolve.numbering import Target

WORDS_PER_MINUTE = 230


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
    approved_by: list[str] = field(default_factory=list)  # "Name (date)" of each approval of the text as it is
    stale: list[str] = field(default_factory=list)  # "Name (date)" of approvals the text has outgrown


def chapter_stats(document: Document, diagnostics: Diagnostics, approvals: list[Approval]) -> list[ChapterStats]:
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
        held = standing(approvals, resolved.source)
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
                approved_by=[f"{a.by} ({a.at[:10]})" for a in held.valid],
                stale=[f"{a.by} ({a.at[:10]})" for a in held.stale],
            )
        )
    return stats
