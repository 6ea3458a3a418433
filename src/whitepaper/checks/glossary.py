"""The glossary against the text: abbreviations used but not defined, defined but not used (or
only ever spelled out), spelled out by hand otherwise than defined, and terms marked that the
glossary lacks. What each chapter uses was found when resolving (resolve/glossary.py)."""

from __future__ import annotations

import difflib
import re

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..project import GLOSSARY_NAME
from ..resolve import ResolvedChapter
from ..resolve.glossary import CHECKED, plain
from ..sources.chapters import Chapter
from .base import ChapterCheck, Paper, PaperCheck


def check_chapter(resolved: ResolvedChapter, paper: Paper, diagnostics: Diagnostics) -> None:
    found = resolved.survey.glossary
    name = paper.document.glossary.file or GLOSSARY_NAME
    for mismatch in found.mismatches:
        diagnostics.add(
            rules.ABBREVIATION_MISMATCH,
            mismatch.location,
            f"{mismatch.short} is spelled out here as '{mismatch.written}', but {name} defines it as '{mismatch.defined}'",
        )
    terms = [term.name for term in paper.document.glossary.terms.values()]
    for location, written in found.unknown_terms:
        close = difflib.get_close_matches(written, terms, n=1)
        hint = (
            f"; did you mean '{close[0]}'?"
            if close
            else f': define it under `terms:` in {name}, or say which with `term="…"`'
        )
        diagnostics.add(
            rules.TERM_UNKNOWN, location, f"'{written}' is marked as a term, but {name} has no such term{hint}"
        )


def check_paper(paper: Paper, diagnostics: Diagnostics) -> None:
    _undefined(paper, diagnostics)
    _unused(paper, diagnostics)


def _undefined(paper: Paper, diagnostics: Diagnostics) -> None:
    """An all-capitals word in two or more chapters wants a definition: readers of one chapter
    may not have met it in another."""
    name = paper.document.glossary.file or paper.config.glossary.file
    users: dict[str, list[tuple[int, Location]]] = {}
    for resolved in paper.document.chapters:
        for word, candidate in resolved.survey.glossary.candidates.items():
            if CHECKED.fullmatch(word):
                users.setdefault(word, []).append((candidate.count, candidate.location))
    for word, uses in users.items():
        if len(uses) < 2:
            continue
        times = sum(count for count, _ in uses)
        diagnostics.add(
            rules.ABBREVIATION_UNDEFINED,
            uses[0][1],
            f"'{word}' is used in {len(uses)} chapters ({times} times) but {name} does not define it; define it "
            f"(`whitepaper glossary suggest` drafts entries) or, if it needs no definition, add it to `glossary: ignore:`",
        )


def _unused(paper: Paper, diagnostics: Diagnostics) -> None:
    """A definition no chapter uses is dead weight, or a sign that the text spells it out instead."""
    glossary = paper.document.glossary
    used = {key for resolved in paper.document.chapters for key in resolved.survey.glossary.uses}
    chapters = [resolved.source for resolved in paper.document.chapters]
    for entry in glossary.abbreviations.values():
        if entry.id in used:
            continue
        spelled = _written(chapters, entry.long) or _written(chapters, entry.long_form(True))
        if spelled is not None:
            diagnostics.add(
                rules.ABBREVIATION_SPELLED_OUT,
                spelled,
                f"'{entry.long}' is written out, but its abbreviation {entry.short} ({entry.location}) is never used: write "
                f"{entry.short} (it is spelled out where a reader first meets it), or remove it from {glossary.file}",
            )
        else:
            diagnostics.add(
                rules.GLOSSARY_UNUSED,
                entry.location,
                f"abbreviation {entry.short} is never used in the text; remove it",
            )
    for term in glossary.terms.values():
        if term.id not in used:
            diagnostics.add(
                rules.GLOSSARY_UNUSED,
                term.location,
                f"term '{term.name}' is never marked in the text (`[{term.name}]{{.term}}`); mark a use or remove it",
            )


def _written(chapters: list[Chapter], long: str) -> Location | None:
    """Where a long form is first written in the chapters, in any case, across line breaks."""
    words = plain(long)
    if not words:
        return None
    pattern = re.compile(r"(?<![^\W_])" + r"[\W_]+".join(re.escape(w) for w in words) + r"(?![^\W_])", re.IGNORECASE)
    for chapter in chapters:
        body = "\n".join(chapter.lines[chapter.body_line - 1 :])
        match = pattern.search(body)
        if match is not None:
            line = chapter.body_line + body.count("\n", 0, match.start())
            return Location(chapter.rel, line, match.start() - (body.rfind("\n", 0, match.start()) + 1) + 1)
    return None


CHAPTER_CHECK = ChapterCheck((rules.ABBREVIATION_MISMATCH, rules.TERM_UNKNOWN), check_chapter)
PAPER_CHECK = PaperCheck(
    (rules.ABBREVIATION_UNDEFINED, rules.ABBREVIATION_SPELLED_OUT, rules.GLOSSARY_UNUSED), check_paper
)
