"""Suggested wording, placed in the Markdown its reviewer read.

Reviewers edit what they see: rendered text, without `**` or `[@key]`, with soft line
breaks as spaces. An edit becomes a suggestion only where its text is found, exactly,
in the Markdown of the block it was made on. Every suggestion replaces non-empty source
text: an insertion takes the word before it (or, at the start of a block, the word after
it) as its `old`, so applying any suggestion is "this exact text, here, becomes that".
"""

from __future__ import annotations

import re

from .frozen import FrozenSources
from .register import Suggestion

BLOCK_LINES = 80  # a block's Markdown is searched to its first blank line, at most this far
CONTEXT = 24  # characters of the text around an edit that tell repeated words apart


def place(sources: FrozenSources, file: str, line: int, old: str, new: str, before: str = "", after: str = "") -> Suggestion | None:
    """The suggestion `old` → `new` in the block that starts at `file:line`, or None when its
    text is not in the block's Markdown. `before` and `after` are the text just around the
    edit as the reviewer saw it (the rest of the paragraph, say)."""
    block = _block(sources.lines(file), line)
    if old.strip():
        found = _find(block, before, old, after)
        if found is None:
            return None
        start, end = found
        if not new.strip():  # a deletion takes a space beside it, so no double space is left
            start, end = _with_a_space(block.text, start, end)
        source_old, insert_at = block.text[start:end], None
    else:
        insert_at = _insertion_point(block, before, after)
        if insert_at is None:
            return None
        start, end = _neighbour_word(block.text, insert_at)
        source_old = block.text[start:end]
    if insert_at is None:
        source_new = new
    elif insert_at >= end:  # the word before, then what is inserted
        source_new = source_old + new
    else:  # at the start of a block: what is inserted, then the word after
        source_new = new + source_old
    at_line, col = block.position(start)
    return Suggestion(old=source_old, new=source_new, file=file, line=at_line, col=col)


def split_change(old: str, new: str) -> tuple[str, str, str, str]:
    """`old` → `new` as one change between the words they share at either end:
    (the words before, what goes, what comes, the words after), white space kept.
    ("the quick fox" → "the slow fox" gives ("the ", "quick", "slow", " fox").)"""
    before, after = re.findall(r"\s+|\S+", old), re.findall(r"\s+|\S+", new)
    head = 0
    while head < min(len(before), len(after)) and before[head] == after[head]:
        head += 1
    tail = 0
    while tail < min(len(before), len(after)) - head and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    return (
        "".join(before[:head]),
        "".join(before[head : len(before) - tail]),
        "".join(after[head : len(after) - tail]),
        "".join(before[len(before) - tail :]),
    )


def describe(old: str, new: str) -> str:
    """A suggested edit in words, for a register entry whose reviewer wrote none."""
    old, new = " ".join(old.split()), " ".join(new.split())
    if old and new:
        return f'replace "{old}" with "{new}"'
    return f'insert "{new}"' if new else f'delete "{old}"'


class _Block:
    """A block's Markdown as one text, and the way back to its lines."""

    def __init__(self, lines: list[str], first: int):
        self.first = first
        self.lines = lines
        self.text = "\n".join(lines)

    def position(self, offset: int) -> tuple[int, int]:
        """Line and column (from 1) of a character of the block's text."""
        before = self.text[:offset]
        return self.first + before.count("\n"), offset - (before.rfind("\n") + 1) + 1


def _block(lines: list[str], line: int) -> _Block:
    taken = []
    for text in lines[line - 1 : line - 1 + BLOCK_LINES]:
        if taken and not text.strip():
            break
        taken.append(text)
    return _Block(taken, line)


def _pattern(text: str) -> str:
    """The rendered text as a pattern over Markdown: any run of white space matches any other."""
    return r"\s+".join(re.escape(word) for word in text.split())


def _find(block: _Block, before: str, old: str, after: str) -> tuple[int, int] | None:
    """Where `old` is in the block, told apart from its other places by the text around it."""
    core = _pattern(old)
    lead = " " if old[:1].isspace() else ""
    tail = " " if old[-1:].isspace() else ""
    left, right = _pattern(before[-CONTEXT:].lstrip()), _pattern(after[:CONTEXT].rstrip())
    for with_left, with_right in ((True, True), (True, False), (False, True), (False, False)):
        pattern = "(" + (left + r"\s*?" if with_left and left else "") + ")"
        pattern += "(" + (r"\s*" if lead else "") + core + (r"\s*" if tail else "") + ")"
        pattern += (r"\s*" + right if with_right and right else "")
        matches = list(re.finditer(pattern, block.text))
        if len(matches) == 1 or (matches and not (with_left or with_right)):
            match = matches[0]
            return match.start(2), match.end(2)
    return None


def _with_a_space(text: str, start: int, end: int) -> tuple[int, int]:
    """A deleted stretch with one space beside it along, so that one space is left between
    the words either side: `budget explicitly for` loses ` explicitly`, never both spaces."""
    if text[start].isspace() and text[end - 1].isspace() and end - start > 1:
        return start, end - 1
    if text[start].isspace() or text[end - 1].isspace():
        return start, end
    if start > 0 and text[start - 1] in " \t":
        return start - 1, end
    if end < len(text) and text[end] in " \t":
        return start, end + 1
    return start, end


def _insertion_point(block: _Block, before: str, after: str) -> int | None:
    """Where text goes that a reviewer typed between `before` and `after`."""
    left, right = _pattern(before[-CONTEXT:].strip()), _pattern(after[:CONTEXT].strip())
    gap = r"(\s*)"
    for pattern, point in (
        (f"({left}){gap}({right})" if left and right else "", "left"),
        (f"({left})" if left else "", "left"),
        (f"({right})" if right else "", "right"),
    ):
        if not pattern:
            continue
        matches = list(re.finditer(pattern, block.text))
        if len(matches) == 1:
            match = matches[0]
            if point == "left":
                return match.end(1)
            start = match.start(1)  # what was typed before `after` joins the word before it
            while start > 0 and block.text[start - 1].isspace():
                start -= 1
            return start
    return None


def _neighbour_word(text: str, point: int) -> tuple[int, int]:
    """The word just before `point` (with what lies between), else the word just after it."""
    start = point
    while start > 0 and text[start - 1].isspace() and text[start - 1] != "\n":
        start -= 1
    word_start = start
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    if word_start < point and text[word_start:point].strip():
        return word_start, point
    end = point
    while end < len(text) and text[end].isspace() and text[end] != "\n":
        end += 1
    word_end = end
    while word_end < len(text) and not text[word_end].isspace():
        word_end += 1
    return point, word_end
