"""The review edition's margin markers read back from a page's text: where each block starts,
for a PDF that lost its source-line destinations.

Each block has a small label in the left margin naming its source, `03-challenges.md:42`;
a long one is broken into lines, after a `-` or `_` or before a `.` (edition.py
marker_label), right-aligned in one column (review.css). The labels are found among the
page's runs of glyphs and their lines joined back.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .destinations import Destination
from .pdftext import Glyph

LABEL = re.compile(r"(?P<name>[^\s:]+\.md):(?P<line>\d+)")
LAST_LINE = re.compile(r".*\.md:\d+")  # a label's last line (or the whole label): never cut inside `.md:42`
MAX_LINES = 4  # a label of a file name up to about 70 characters
# From a block's top edge down to its marker's first baseline, in ems of the marker's font:
# the marker's 0.2em top margin, half its leading and its ascent (review.css). Measured against
# the destinations of the sample paper's packets: within half a point of every one but a summary
# table's, well inside the 2pt destinations.nearest allows.
MARKER_DROP = 1.12


@dataclass(frozen=True)
class _Run:
    """Glyphs drawn one after the other on one baseline, with no gap: a word, or a label's line."""

    text: str
    x1: float
    y: float
    size: float


def markers_on(glyphs: list[Glyph], page: int, chapter_file: Callable[[str], str | None]) -> list[Destination]:
    """The page's margin markers as destinations (top to bottom; blocks that start at one height
    in the order of their lines), for those that name one of the round's chapters."""
    runs = _runs(glyphs)
    column = _label_column(runs)
    if column is None:
        return []
    # Only runs ending at the labels' right edge: the same label quoted in body text is not a marker.
    pieces = [run for run in runs if abs(run.x1 - column) <= 1.5]
    found = []
    for run in pieces:
        if not LAST_LINE.fullmatch(run.text):
            continue
        lines = _label_lines(run, pieces)
        match = LABEL.fullmatch("".join(piece.text for piece in lines))
        file = chapter_file(match["name"]) if match else None
        if match and file:
            found.append(Destination(page, lines[0].y + MARKER_DROP * lines[0].size, file, int(match["line"])))
    found.sort(key=lambda d: (-round(d.top, 1), d.line))
    return found


def _runs(glyphs: list[Glyph]) -> list[_Run]:
    """The page's glyphs in runs, in drawing order: the order, not the position, keeps apart two
    labels drawn over each other (blocks that start at the same height)."""
    runs: list[_Run] = []
    current: list[Glyph] = []

    def flush() -> None:
        if current:
            runs.append(_Run("".join(g.char for g in current), current[-1].x1, current[0].y, current[0].size))
            current.clear()

    for glyph in glyphs:
        if current and not _follows(current[-1], glyph):
            flush()
        if glyph.char.isspace():
            flush()
        else:
            current.append(glyph)
    flush()
    return runs


def _follows(previous: Glyph, glyph: Glyph) -> bool:
    size = previous.size or 1.0
    return (
        abs(glyph.size - previous.size) < 0.05 * size
        and abs(glyph.y - previous.y) < 0.1 * size
        and -0.1 * size <= glyph.x0 - previous.x1 <= 0.3 * size
    )


def _label_column(runs: list[_Run]) -> float | None:
    """The right edge the page's labels are aligned on: the most common one among runs that look
    like a label's last line."""
    edges = Counter(round(run.x1) for run in runs if LAST_LINE.fullmatch(run.text))
    if not edges:
        return None
    edge = edges.most_common(1)[0][0]
    return max((run.x1 for run in runs if round(run.x1) == edge), default=float(edge))


def _label_lines(last: _Run, pieces: list[_Run]) -> list[_Run]:
    """A label's lines, ending with `last`: the lines right above it, one leading apart. Its last
    line may be a label in itself (`summary.md:8` under `01-executive-`); a line that ends with a
    line number is another label's."""
    lines = [last]
    while len(lines) < MAX_LINES:
        top = lines[0]
        above = next(
            (
                piece
                for piece in pieces
                if 0.9 * top.size <= piece.y - top.y <= 1.5 * top.size
                and abs(piece.size - top.size) < 0.05 * top.size
                and not LAST_LINE.fullmatch(piece.text)
            ),
            None,
        )
        if above is None:
            break
        lines.insert(0, above)
    return lines
