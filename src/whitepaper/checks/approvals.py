"""A chapter that says `status: approved` must have an approval of its text as it stands."""

from __future__ import annotations

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..sources.approvals import standing
from .base import Paper, PaperCheck


def check(paper: Paper, diagnostics: Diagnostics) -> None:
    for resolved in paper.document.chapters:
        chapter = resolved.source
        if chapter.meta.status != "approved":
            continue
        lines = range(1, chapter.body_line)
        where = next((Location(chapter.rel, n, 1) for n in lines if chapter.lines[n - 1].startswith("status:")), Location(chapter.rel, 1, 1))
        held = standing(paper.approvals, chapter)
        if held.approved:
            continue
        if held.stale:
            last = held.stale[-1]
            why = f"the text changed since {last.by} approved it ({last.at[:10]}); approve it again with `whitepaper approve`"
        else:
            why = "no one has approved it; its owners approve it with `whitepaper approve`"
        diagnostics.add(rules.STATUS_UNAPPROVED, where, f"status is approved, but {why}")


CHECK = PaperCheck((rules.STATUS_UNAPPROVED,), check)
