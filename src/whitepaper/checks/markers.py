"""TODO, FIXME, XXX and [citation needed] left in the text (not in code blocks)."""

from __future__ import annotations

import re

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..resolve import ResolvedChapter
from .base import ChapterCheck, Paper

MARKERS = re.compile(r"\b(TODO|FIXME|XXX)\b|\[citation needed\]", re.I)


def check(resolved: ResolvedChapter, paper: Paper, diagnostics: Diagnostics) -> None:
    chapter = resolved.source
    fenced = False
    for number in range(chapter.body_line, len(chapter.lines) + 1):
        line = chapter.lines[number - 1]
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced:
            continue
        for match in MARKERS.finditer(line):
            diagnostics.add(
                rules.TODO_MARKER,
                Location(chapter.rel, number, match.start() + 1),
                f"'{match.group(0)}' marker left in the text",
            )


CHECK = ChapterCheck((rules.TODO_MARKER,), check)
