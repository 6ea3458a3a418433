"""CriticMarkup suggestions still in a chapter: each is a warning naming its id and what it
proposes, so the chapter's owner can accept or reject it by that id (review/critic.py)."""

from __future__ import annotations

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..resolve import ResolvedChapter
from ..sources.critic import Mark, Scan, scan
from .base import ChapterCheck, Paper

QUOTED = 60  # characters of a suggestion's text quoted in its message


def check(resolved: ResolvedChapter, paper: Paper, diagnostics: Diagnostics) -> None:
    chapter = resolved.source
    found = scan(chapter.body)
    for mark in found.marks:
        where = Location(chapter.rel, mark.line, mark.col)
        diagnostics.add(rules.SUGGESTION_PENDING, where, f"suggestion {mark.id} awaits a decision: {proposal(found, mark)}")


def proposal(found: Scan, mark: Mark) -> str:
    """What the mark proposes, in words: "replace 'a' with 'b'", "delete 'c'"."""
    old, new = quoted(found.part(mark.old)), quoted(found.part(mark.new))
    said = {
        "insertion": f"insert {new}",
        "deletion": f"delete {old}",
        "substitution": f"replace {old} with {new}",
        "highlight": f"highlight {old}",
        "comment": "",
    }[mark.kind]
    if mark.comment is None:
        return said
    comment = f"comment {quoted(found.part(mark.comment))}"
    return f"{said}, {comment}" if said else comment


def quoted(text: str) -> str:
    """The text on one line, cut short if long, in quotes."""
    flat = " ".join(text.split())
    return f"'{flat if len(flat) <= QUOTED else flat[: QUOTED - 1].rstrip() + '…'}'"


CHECK = ChapterCheck((rules.SUGGESTION_PENDING,), check)
