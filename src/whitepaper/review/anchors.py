"""What places a returned PDF's annotations at a Markdown file and line.

A packet as `review start` wrote it has a named destination at every block
(destinations.py). A packet another program rewrote (Ghostscript, macOS Preview, "reduce
file size") has lost them, and its own fonts defeat pdftext.py; it is placed by what
still shows: the margin marker above each annotation (markers.py), in text read by
pdfplumber (plumbtext.py), checked against the marked words in the frozen Markdown. The
words alone place a mark with no marker above it (on the cover, say).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import partial
from typing import Any, NamedTuple, Protocol

from pypdf import PageObject

from .destinations import Destination, nearest
from .frozen import FrozenSources
from .markers import markers_on
from .pdftext import Glyph, page_glyphs, text_in_quads
from .plumbtext import PlumbedPages

Box = tuple[float, float, float, float]

BLOCK_LINES = 80  # a block's Markdown runs to its first blank line, at most this far
MIN_QUOTE = 8  # letters and digits marked words need to place a mark on their own
MATCHED = 0.8  # the share of a mark's letters that must be found in a block's Markdown
# Markdown the reader never sees as written: citations and cross-references, attributes, link targets.
_CITATION = re.compile(r"\[[^\]]*@[^\]]*\]|(?<![\w@])-?@[\w:.-]*\w")
_ATTRIBUTES = re.compile(r"\{[^}]*\}")
_TARGET = re.compile(r"\]\([^)]*\)")


class Placement(NamedTuple):
    file: str | None
    line: int | None
    placed: str | None = None  # how, when not by the packet's destinations: marker, marker+quote or quote


NOWHERE = Placement(None, None)


class Anchors(Protocol):
    """A returned file's text, and where its annotations go."""

    def glyphs(self, page: int) -> list[Glyph]: ...

    def place(self, page: int, top: float, glyphs: list[Glyph], quads: list[Box]) -> Placement: ...

    def close(self) -> None: ...


class DestinationAnchors:
    """A packet as it was written: the nearest source-line destination above each annotation."""

    def __init__(self, pages: list[PageObject], destinations: list[Destination]):
        self.pages = pages
        self.destinations = destinations

    def glyphs(self, page: int) -> list[Glyph]:
        return page_glyphs(self.pages[page])

    def place(self, page: int, top: float, glyphs: list[Glyph], quads: list[Box]) -> Placement:
        found = nearest(self.destinations, page, top)
        return Placement(found.file, found.line) if found else NOWHERE

    def close(self) -> None:
        pass


class MarkerAnchors:
    """A rewritten packet: the nearest margin marker above each annotation, confirmed by the
    marked words; the words alone where no marker is above."""

    def __init__(self, data: bytes, sources: FrozenSources, reviewer: dict[str, Any] | None):
        self.pages = PlumbedPages(data)
        self.sources = sources
        self.reviewer = reviewer
        self._markers: dict[int, list[Destination]] = {}

    def glyphs(self, page: int) -> list[Glyph]:
        return self.pages.glyphs(page)

    def place(self, page: int, top: float, glyphs: list[Glyph], quads: list[Box]) -> Placement:
        marker = self._above(page, top)
        row = _first_row(quads) if quads else []
        # The first marked line is the one that starts in the block of the marker above it.
        first = text_in_quads(glyphs, row) if row else ""
        if first:
            depth = max(q[3] for q in row) - min(q[1] for q in row)
            for candidate in [marker, *self._within(page, top, depth)]:
                if candidate and self._holds(candidate, first):
                    return Placement(candidate.file, candidate.line, "marker+quote")
        if marker:
            # Its words are elsewhere, or nowhere: what a block shows need not be in its Markdown
            # (summary tables, numbers, citations) and may repeat another block's, so where it sits wins.
            return Placement(marker.file, marker.line, "marker")
        found = self._only_holder(page, first) if len(_letters(first)) >= MIN_QUOTE else None
        return Placement(found.file, found.line, "quote") if found else NOWHERE

    def close(self) -> None:
        self.pages.close()

    def markers(self, page: int) -> list[Destination]:
        if page not in self._markers:
            chapter = partial(self.sources.chapter_file, reviewer=self.reviewer)  # its own chapters first
            self._markers[page] = markers_on(self.pages.glyphs(page), page, chapter)
        return self._markers[page]

    def _above(self, page: int, top: float) -> Destination | None:
        """The last marker above the point: on its page, else the last one of an earlier page."""
        found = nearest(self.markers(page), page, top)
        earlier = page - 1
        while found is None and earlier >= 0:
            markers = self.markers(earlier)
            found = markers[-1] if markers else None
            earlier -= 1
        return found

    def _within(self, page: int, top: float, depth: float) -> list[Destination]:
        """Markers of blocks that start inside the marked line, nearest first: a reader that marks
        whole line boxes reaches above the first line's block into the one before."""
        return [m for m in self.markers(page) if top - depth <= m.top < top - 2]

    def _only_holder(self, page: int, marked: str) -> Destination | None:
        """The one block, of the markers on the page and the pages either side, that holds the words."""
        nearby = [m for index in (page - 1, page, page + 1) if 0 <= index < len(self.pages) for m in self.markers(index)]
        holders = {(m.file, m.line): m for m in nearby if self._holds(m, marked)}
        return next(iter(holders.values())) if len(holders) == 1 else None

    def _holds(self, marker: Destination, marked: str) -> bool:
        return holds(block_text(self.sources.lines(marker.file), marker.line, self._next_line(marker)), marked)

    def _next_line(self, marker: Destination) -> int | None:
        """Where the next block of the marker's file starts, by the next marker on its page or the
        next: a list item's block ends at the next item, with no blank line between them."""
        for page in (marker.page, marker.page + 1):
            later = [m.line for m in self.markers(page) if m.file == marker.file and m.line > marker.line]
            if later:
                return min(later)
        return None


def _first_row(quads: list[Box]) -> list[Box]:
    """The boxes on the top line of a mark: their middles within the topmost box's height."""
    top = max(quads, key=lambda q: q[3])
    return [q for q in quads if top[1] <= (q[1] + q[3]) / 2 <= top[3]]


def block_text(lines: list[str], line: int, next_block: int | None = None) -> str:
    """A block's Markdown, from its first line to the next blank line or the next block's line."""
    end = min(next_block or line + BLOCK_LINES, line + BLOCK_LINES)
    out = []
    for text in lines[line - 1 : end - 1]:
        if not text.strip():
            break
        out.append(text)
    return "\n".join(out)


def holds(markdown: str, marked: str) -> bool:
    """Whether the block's Markdown holds the words a reviewer marked, as the reader showed them:
    compared on letters and digits only, so emphasis, line breaks and hyphenation do not count,
    and allowing a fifth of them to differ, for what the reader showed in place of a citation."""
    quote, text = _letters(marked), _letters(_CITATION.sub(" ", _TARGET.sub("]", _ATTRIBUTES.sub(" ", markdown))))
    if not quote or not text:
        return False
    if quote in text:
        return True
    matcher = SequenceMatcher(None, quote, text, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks() if block.size >= 4)
    return same >= MATCHED * len(quote)


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())
