"""CriticMarkup as pandoc reads it: each mark becomes HTML spans with a class for its role.

    {++new++}       <span class="critic-ins" data-critic="ID"><span class="critic-text">new</span></span>
    {--old--}       the same with critic-del
    {~~old~>new~~}  the two, both also of class critic-sub
    {==text==}      critic-mark
    {>>note<<}      critic-comment

Pandoc's Markdown has no CriticMarkup, but reads these native spans into Span nodes whose
content is Markdown, like bracketed spans, without their need for balanced brackets (an
interval `$[0,1)$` or a stray `]` in a suggestion stays as it is). The inner span carries
the text, so a stylesheet can underline or strike it without its label (WeasyPrint draws
a decoration across everything inside the element, generated labels included).

Only the marks change, and never a line break: every line keeps its number, so diagnostics
and the review edition's source lines still point at the author's lines. A mark whose text
runs over a blank line (a new paragraph) gets a span per paragraph; a line in it that
starts a block (`- item`, `## Heading`, `> quote`) keeps its marker outside the span, so
it still does.
"""

from __future__ import annotations

import re

from ..sources.critic import Mark, Range, Scan, scan

_BLOCK_START = re.compile(r"[ \t]*(?:>[ \t]?|(?:[-*+]|\d+[.)]|#{1,6})[ \t]+)+")

_DELIMITERS = re.compile(r"\{(?:\+\+|--|~~|==|>>)|~>")


def to_pandoc(text: str) -> str:
    """`text` with its marks as spans (marks left open stay as they are: they are reported)."""
    found = scan(text)
    if not found.marks:
        return text
    pieces, position = [], 0
    for mark in found.marks:
        pieces.append(text[position : mark.whole[0]])
        pieces.append(_spans_of(found, mark))
        position = mark.whole[1]
    pieces.append(text[position:])
    return "".join(pieces)


def _spans_of(found: Scan, mark: Mark) -> str:
    """The mark's parts, each in the spans of its role, in the order they are written."""
    sub = " critic-sub" if mark.kind == "substitution" else ""
    old = "critic-mark" if mark.kind == "highlight" else "critic-del" + sub
    parts: list[tuple[Range | None, str]] = [(mark.old, old), (mark.new, "critic-ins" + sub), (mark.comment, "critic-comment")]
    return "".join(_wrapped(found.part(part), classes, mark.id, _at_line_start(found.text, part[0])) for part, classes in parts if part)


def _at_line_start(text: str, offset: int) -> bool:
    """Whether only white space and the marks' own delimiters come before `offset` on its line."""
    before = text[text.rfind("\n", 0, offset) + 1 : offset]
    return not _DELIMITERS.sub("", before).strip()


def _wrapped(content: str, classes: str, ident: str, at_line_start: bool) -> str:
    """`content` in spans: one per run of lines not broken by a blank line or a new block.
    As in pandoc's Markdown, a block starts on a line of its own after a blank line, or as
    the next item of a list; inside a paragraph, `2020. The year` is text."""
    lines = content.split("\n")
    runs: list[tuple[int, int, int]] = []  # first line, last line, length of the block marker kept outside
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        follows = bool(runs) and runs[-1][1] == number - 1  # the line before is in the run
        may_start = (at_line_start if number == 0 else not follows) or (follows and runs[-1][2] > 0)
        block = _BLOCK_START.match(line) if may_start else None
        if follows and block is None:
            runs[-1] = (runs[-1][0], number, runs[-1][2])
        else:
            runs.append((number, number, block.end() if block else 0))
    opening = f'<span class="{classes}" data-critic="{ident}" title="suggestion {ident}"><span class="critic-text">'
    for first, last, marker in runs:
        head, rest = lines[first][:marker], lines[first][marker:]
        if not rest.strip():
            continue  # a block marker alone: nothing to show as suggested
        lines[first] = head + rest[: len(rest) - len(rest.lstrip())] + opening + rest.lstrip()
        kept = lines[last].rstrip()
        lines[last] = kept + "</span></span>" + lines[last][len(kept) :]
    return "\n".join(lines)
