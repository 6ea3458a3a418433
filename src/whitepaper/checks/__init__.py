"""Stage 4b, checks: what an editor wants fixed before a draft goes out, beyond what resolving needs.

Every check is registered here with the rules it may raise (base.py says what each kind
looks at). A build and `check` run them all; a rebuild after an edit runs the chapter
checks on each edited chapter and every paper check again, so a new check is never
skipped by a rebuild, whatever it looks at.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..diagnostics import Diagnostics
from ..resolve import ResolvedChapter
from . import accessible, approvals, bibliography, chapters, citetags, contrast, critic, fonts, glossary, images, links, markers
from .base import ChapterCheck, Paper, PaperCheck

CHAPTER_CHECKS: tuple[ChapterCheck, ...] = (chapters.CHECK, markers.CHECK, critic.CHECK, accessible.CHECK, glossary.CHAPTER_CHECK)
PAPER_CHECKS: tuple[PaperCheck, ...] = (
    bibliography.CHECK, citetags.CHECK, images.CHECK, links.CHECK, approvals.CHECK, fonts.CHECK, contrast.CHECK, glossary.PAPER_CHECK
)  # fmt: skip

__all__ = ["CHAPTER_CHECKS", "PAPER_CHECKS", "Paper", "check_chapters", "check_paper", "run_all"]


def run_all(paper: Paper, diagnostics: Diagnostics) -> None:
    """Every check over the whole paper."""
    check_chapters(paper, paper.document.chapters, diagnostics)
    check_paper(paper, diagnostics)


def check_chapters(paper: Paper, resolved: Iterable[ResolvedChapter], diagnostics: Diagnostics) -> None:
    for chapter in resolved:
        for check in CHAPTER_CHECKS:
            check.run(chapter, paper, diagnostics)


def check_paper(paper: Paper, diagnostics: Diagnostics, *, setup: bool = True) -> None:
    """The paper checks; `setup=False` leaves out those that look only at the machine and the config."""
    for check in PAPER_CHECKS:
        if setup or not check.setup:
            check.run(paper, diagnostics)
