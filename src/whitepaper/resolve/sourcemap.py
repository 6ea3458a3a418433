"""Source lines: the Markdown line where each block of a chapter starts.

Pandoc's Markdown reader keeps no positions, so we walk the parsed blocks and
the chapter's lines side by side, the way the Markdown block grammar lays them
out: blocks are separated by blank lines; a div opens with a `:::` fence; a
block quote's lines start with `>`; a list item starts at its marker; a table
may carry a caption line after it. Each block's first word must then appear
on the line found, which catches any drift (and falls back to searching for
that word a few lines ahead).
"""

from __future__ import annotations

import re
from typing import Any

from ..pandoc import nodes
from ..sources.chapters import Chapter

_FENCE_DIV = re.compile(r"^\s*:::+")
_FENCE_CODE = re.compile(r"^\s*(```+|~~~+)")
_LIST_MARKER = re.compile(r"^\s*([-*+]|\(?\d+[.)]|\(?[a-zA-Z][.)]|#\.)\s+")
_WORD = re.compile(r"[^\W_]+")
LOOKAHEAD = 12  # lines searched past the expected start for a block's first word


class SourceMap:
    """Maps block nodes (by identity) of one chapter to their first line in the chapter file."""

    def __init__(self, chapter: Chapter):
        self.chapter = chapter
        # Lines as the block grammar sees them: quote markers are handled by `_strip`.
        self.lines = chapter.lines
        self.lines_of: dict[int, int] = {}

    def line_of(self, node: dict[str, Any]) -> int | None:
        return self.lines_of.get(id(node))

    # The walk ------------------------------------------------------------------

    def map(self, blocks: list[Any]) -> SourceMap:
        self._blocks(blocks, self.chapter.body_line, quote=0)
        return self

    def _blocks(self, blocks: list[Any], cursor: int, quote: int) -> int:
        for block in blocks:
            cursor = self._block(block, cursor, quote)
        return cursor

    def _block(self, block: dict[str, Any], cursor: int, quote: int) -> int:
        kind = block["t"]
        start = self._next_content(cursor, quote, skip_closing_fences=True)
        if start is None:
            return cursor
        start = self._confirm(block, start, quote)
        self.lines_of[id(block)] = start
        content = block.get("c")
        if kind == "Div":
            if _FENCE_DIV.match(self._strip(start, quote)):
                end = self._blocks(content[1], start + 1, quote)
                return self._after_closing_fence(end, quote)
            return self._blocks(content[1], start, quote)  # a div without a fence (raw HTML): no own line
        if kind == "BlockQuote":
            return self._blocks(content, start, quote + 1)
        if kind in ("BulletList", "OrderedList"):
            items = content if kind == "BulletList" else content[1]
            return self._list(items, start, quote)
        if kind == "Figure":
            for child in content[2]:
                self.lines_of[id(child)] = start
            return self._leaf_end(start, quote, kind)
        return self._leaf_end(start, quote, kind)

    def _list(self, items: list[list[Any]], start: int, quote: int) -> int:
        indent = _indent(self._strip(start, quote))
        cursor = start
        for item in items:
            marker = self._next_marker(cursor, quote, indent)
            if marker is None:
                break
            cursor = self._blocks(item, marker, quote)
            cursor = max(cursor, marker + 1)
        return cursor

    # Line helpers ----------------------------------------------------------------

    def _strip(self, number: int, quote: int) -> str:
        """The line without `quote` levels of block-quote markers."""
        line = self.lines[number - 1] if 0 < number <= len(self.lines) else ""
        for _ in range(quote):
            line = re.sub(r"^\s{0,3}>\s?", "", line, count=1)
        return line

    def _blank(self, number: int, quote: int) -> bool:
        return not self._strip(number, quote).strip()

    def _next_content(self, cursor: int, quote: int, skip_closing_fences: bool = False) -> int | None:
        number = cursor
        while number <= len(self.lines):
            text = self._strip(number, quote).strip()
            if text and not (skip_closing_fences and re.fullmatch(r":::+", text)):
                return number
            number += 1
        return None

    def _next_marker(self, cursor: int, quote: int, indent: int) -> int | None:
        number = cursor
        while number <= len(self.lines):
            text = self._strip(number, quote)
            if _LIST_MARKER.match(text) and _indent(text) <= indent + 1 and _indent(text) >= indent - 1:
                return number
            number += 1
        return None

    def _after_closing_fence(self, cursor: int, quote: int) -> int:
        number = self._next_content(cursor, quote)
        if number is not None and re.fullmatch(r":::+", self._strip(number, quote).strip()):
            return number + 1
        return cursor

    def _leaf_end(self, start: int, quote: int, kind: str) -> int:
        """The line after a leaf block: a blank line, a new list item, a fence or a heading ends it."""
        first = self._strip(start, quote)
        if kind == "CodeBlock" and _FENCE_CODE.match(first):
            fence = _FENCE_CODE.match(first).group(1)  # type: ignore[union-attr]
            number = start + 1
            while number <= len(self.lines) and not self._strip(number, quote).strip().startswith(fence):
                number += 1
            return number + 1
        if kind == "Header" and first.lstrip().startswith("#"):
            return start + 1
        number = start + 1
        while number <= len(self.lines):
            text = self._strip(number, quote)
            if not text.strip() or _LIST_MARKER.match(text) and kind in ("Plain", "Para") or _FENCE_DIV.match(text):
                break
            if text.lstrip().startswith("#") and kind != "CodeBlock":
                break
            number += 1
        if kind == "Table":  # a caption may follow, after a blank line: `: Caption {#tbl-x}`
            after = self._next_content(number, quote)
            if after is not None and re.match(r"^\s*(:|Table:)\s", self._strip(after, quote)):
                return self._leaf_end(after, quote, "Para")
        return number

    def _confirm(self, block: dict[str, Any], start: int, quote: int) -> int:
        """Check the block's first word is on the line found; else look a few lines ahead for it."""
        word = _first_word(block)
        if not word:
            return start
        for number in range(start, min(start + LOOKAHEAD, len(self.lines)) + 1):
            if word in "".join(_WORD.findall(self._strip(number, quote))):
                return number
        return start


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _first_word(block: dict[str, Any]) -> str:
    """A word that must appear on the block's first line (letters and digits only)."""
    kind, content = block["t"], block.get("c")
    if kind in ("Para", "Plain"):
        for inline in content:
            if inline["t"] == "Str":
                words = _WORD.findall(inline["c"])
                if words:
                    return words[0]
            elif inline["t"] in ("Space", "SoftBreak"):
                continue
            elif inline["t"] == "Image":
                return "".join(_WORD.findall(inline["c"][2][0]))[:12]
            elif inline["t"] == "Cite":
                return "".join(_WORD.findall(inline["c"][0][0]["citationId"]))[:12]
            else:
                words = _WORD.findall(nodes.stringify(inline))
                return words[0] if words else ""
        return ""
    if kind == "Header":
        words = _WORD.findall(nodes.stringify(content[2]))
        return words[0] if words else ""
    if kind == "Div":
        identifier, classes = content[0][0], content[0][1]
        return "".join(_WORD.findall(identifier or (classes[0] if classes else "")))
    return ""


def map_chapter(chapter: Chapter, blocks: list[Any]) -> SourceMap:
    return SourceMap(chapter).map(blocks)
