"""CriticMarkup in a chapter's text: the suggestions authors write into chapters they do not own.

    {++added++}   {--deleted--}   {~~old~>new~~}   {==highlighted==}{>>comment<<}   {>>comment<<}

This module only finds them (and the ones left open); parse/critic.py turns them into what
pandoc reads, checks/critic.py reports them, review/critic.py accepts or rejects them. It
belongs to the sources stage because it reads the author's own text, before pandoc, and
an unclosed mark is a problem in that text (`criticmarkup-unclosed`).

A mark's id is where it opens, `LINE:COL` in the chapter file, as diagnostics print it: a
person reads it in `whitepaper check`'s output or in an editor and types it as it is. An
id that went stale (the text moved since) names no mark, or rarely another that now opens
exactly there; one that counted marks in order would silently name the next mark as soon
as an earlier one was decided.

Marks are not read inside code: fenced code blocks, indented code blocks and code spans.
They do not nest: a mark must close before the next one opens and before a code block, so
a mark left open is reported where it opens instead of swallowing the text after it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Literal

from .. import rules
from ..diagnostics import Diagnostics, Location

Kind = Literal["insertion", "deletion", "substitution", "highlight", "comment"]
Range = tuple[int, int]  # start and end offsets in the scanned text

KINDS: dict[str, Kind] = {"{++": "insertion", "{--": "deletion", "{~~": "substitution", "{==": "highlight", "{>>": "comment"}
CLOSERS = {"{++": "++}", "{--": "--}", "{~~": "~~}", "{==": "==}", "{>>": "<<}"}
SEPARATOR = "~>"  # between a substitution's old and new text

_OPENER = re.compile(r"\{(?:\+\+|--|~~|==|>>)")
_TOKEN = re.compile(r"`+|\{(?:\+\+|--|~~|==|>>)")  # what the scan stops at: code spans and openers
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_PARAGRAPH_BREAK = re.compile(r"(?:\r\n|\r|\n)[ \t]*(?:\r\n|\r|\n)")
_BACKTICKS = re.compile(r"`+")
_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")
# Lines that open a container whose indented paragraphs are not code: list items, notes, definitions.
_CONTAINER = re.compile(r" {0,3}(?:[-*+]|\d+[.)]|\[\^[^\]]+\]:|[:~])(?:[ \t]|$)")


@dataclass(frozen=True)
class Mark:
    """One suggestion: its kind, where it opens, and the ranges of its parts in the scanned text."""

    kind: Kind
    line: int
    col: int
    whole: Range  # the mark from `{` to `}`, with the comment attached to it
    old: Range | None = None  # what a deletion, substitution or highlight is about
    new: Range | None = None  # what an insertion or substitution proposes
    comment: Range | None = None  # a lone comment, or one attached to the mark (`{==x==}{>>c<<}`)

    @property
    def id(self) -> str:
        return f"{self.line}:{self.col}"

    def kept(self, accept: bool) -> Range | None:
        """The part of the text that stays when the mark is accepted (or rejected); None: nothing."""
        if self.kind == "highlight":
            return self.old  # a highlight proposes nothing: its text stays, its comment goes
        if self.kind in ("insertion", "substitution") and accept:
            return self.new
        if self.kind in ("deletion", "substitution") and not accept:
            return self.old
        return None


@dataclass(frozen=True)
class Unclosed:
    """A mark opened and never closed (or a substitution without `~>`)."""

    opener: str
    line: int
    col: int
    reason: str


@dataclass
class Scan:
    """The marks of a text in reading order, and those left open."""

    text: str
    marks: list[Mark] = field(default_factory=list)
    unclosed: list[Unclosed] = field(default_factory=list)

    def part(self, found: Range | None) -> str:
        return self.text[found[0] : found[1]] if found else ""


def scan(text: str) -> Scan:
    """Every mark in `text` (a chapter's body: lines as in the file; any line breaks)."""
    found = Scan(text)
    if not _OPENER.search(text):
        return found  # the common case: a chapter without suggestions costs one search
    code = _CodeBlocks(text)
    lines = LineStarts(text)
    position = 0
    while (token := _TOKEN.search(text, position)) is not None:
        start = token.start()
        block_end = code.end_of_block_at(start)
        if block_end is not None:
            position = block_end
        elif _escaped(text, start):
            position = start + 1
        elif token.group().startswith("`"):
            position = _code_span_end(text, token, code)
        else:
            position = _read_mark(text, start, code, lines, found)
    return found


def report_unclosed(body: str, rel: str, diagnostics: Diagnostics) -> None:
    """An error where each mark left open in a chapter's body opens (the mark shows as plain text)."""
    for unclosed in scan(body).unclosed:
        diagnostics.add(rules.CRITICMARKUP_UNCLOSED, Location(rel, unclosed.line, unclosed.col), unclosed.reason)


def _read_mark(text: str, start: int, code: _CodeBlocks, lines: LineStarts, found: Scan) -> int:
    """Read the mark opening at `start` into `found`; where the scan goes on."""
    opener = text[start : start + 3]
    line, col = lines.position(start)
    content_end = _closing(text, start + 3, CLOSERS[opener], code)
    if content_end is None:
        reason = f"'{opener}' is not closed: add '{CLOSERS[opener]}' where the suggestion ends"
        found.unclosed.append(Unclosed(opener, line, col, reason))
        return start + 3
    content = (start + 3, content_end)
    end = content_end + 3
    old = new = comment = None
    if opener == "{~~":
        separator = text.find(SEPARATOR, *content)
        if separator < 0:
            found.unclosed.append(Unclosed(opener, line, col, f"'{{~~' has no '{SEPARATOR}' between the old and the new text"))
            return end
        old, new = (content[0], separator), (separator + len(SEPARATOR), content[1])
    elif opener == "{++":
        new = content
    elif opener == "{>>":
        comment = content
    else:
        old = content
    if opener != "{>>" and text.startswith("{>>", end):  # a comment on the mark is part of it
        comment_end = _closing(text, end + 3, "<<}", code)
        if comment_end is not None:
            comment, end = (end + 3, comment_end), comment_end + 3
    found.marks.append(Mark(KINDS[opener], line, col, (start, end), old, new, comment))
    return end


def _closing(text: str, start: int, closer: str, code: _CodeBlocks) -> int | None:
    """Where `closer` is, if before the next mark opens and the next code block starts."""
    limit = len(text)
    following = _OPENER.search(text, start)
    if following is not None:
        limit = following.start()
    limit = min(limit, code.next_start(start))
    at = text.find(closer, start, limit)
    return at if at >= 0 else None


def _escaped(text: str, at: int) -> bool:
    """Whether an odd number of backslashes comes just before `at` (`\\{++` is the characters)."""
    before = at
    while before > 0 and text[before - 1] == "\\":
        before -= 1
    return (at - before) % 2 == 1


def _code_span_end(text: str, opening: re.Match[str], code: _CodeBlocks) -> int:
    """After the code span that `opening` (a run of backticks) starts; a run never closed is text."""
    ticks = len(opening.group())
    paragraph_end = _PARAGRAPH_BREAK.search(text, opening.end())
    limit = min(paragraph_end.start() if paragraph_end else len(text), code.next_start(opening.end()))
    for run in _BACKTICKS.finditer(text, opening.end(), limit):
        if len(run.group()) == ticks:
            return run.end()
    return opening.end()


class LineStarts:
    """Line and column (from 1) of an offset, and back; `\\r\\n`, `\\r` and `\\n` each end a line."""

    def __init__(self, text: str):
        self.starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def offset(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col - 1


class _CodeBlocks:
    """The fenced and indented code blocks of a text, as ranges of offsets.

    Indented code is told from the indented paragraphs of list items, notes and definitions
    the simple way: it follows a blank line outside such a container."""

    def __init__(self, text: str):
        self.blocks: list[Range] = []
        fence: str | None = None  # the fence of the open fenced block
        indented = False  # in an indented block
        blank_before, in_container = True, False
        start = 0
        for line, line_start, line_end in _lines(text):
            blank = not line.strip()
            if fence is not None:
                if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                    self.blocks.append((start, line_end))
                    fence = None
            elif indented and (blank or _indent(line) >= 4):
                self.blocks.append((start, line_end))
            else:
                indented = False
                if opened := _FENCE.match(line):
                    fence, start = opened.group(1), line_start
                elif not blank and blank_before and not in_container and _indent(line) >= 4:
                    indented, start = True, line_start
                    self.blocks.append((start, line_end))
                elif not blank:
                    in_container = bool(_CONTAINER.match(line)) or (in_container and (not blank_before or _indent(line) > 0))
            blank_before = blank
        if fence is not None:
            self.blocks.append((start, len(text)))  # a fence never closed runs to the end, as pandoc reads it
        self.blocks = _merged(self.blocks)
        self.starts = [block[0] for block in self.blocks]

    def end_of_block_at(self, offset: int) -> int | None:
        index = bisect.bisect_right(self.starts, offset) - 1
        if index >= 0 and offset < self.blocks[index][1]:
            return self.blocks[index][1]
        return None

    def next_start(self, offset: int) -> int:
        index = bisect.bisect_right(self.starts, offset)
        return self.starts[index] if index < len(self.starts) else 1 << 62


def _lines(text: str) -> list[tuple[str, int, int]]:
    """Each line without its break, with the offsets where it starts and where the next one does."""
    found, start = [], 0
    for match in _LINE_BREAK.finditer(text):
        found.append((text[start : match.start()], start, match.end()))
        start = match.end()
    found.append((text[start:], start, len(text)))
    return found


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def _merged(blocks: list[Range]) -> list[Range]:
    merged: list[Range] = []
    for start, end in sorted(blocks):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
