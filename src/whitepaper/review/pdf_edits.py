"""Suggested edits in a returned PDF, by the marks PDF readers offer (README, "Review rounds"):

- struck-out words are to be deleted; the note on them, if any, says why. A note that
  begins "replace with:" replaces them instead, by the rest of the note;
- highlighted, underlined or squiggled words with such a note: the same replacement;
- an insertion mark (a caret) with text: insert it there;
- Acrobat's "replace text" (a strike-out grouped with a caret): the caret's text replaces
  the struck-out words.

Each edit is placed in the Markdown as a Word file's tracked changes are (suggestions.py),
told apart from the same words elsewhere in its block by the words beside it on its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .pdftext import Glyph, glyphs_in_quads, join_glyphs

Box = tuple[float, float, float, float]
REPLACE = re.compile(r"\s*replace\s+(?:it\s+)?(?:with|by)\s*:\s*(?P<new>.+)", re.I | re.S)
MARKED = ("highlight", "underline", "squiggly")
CLOSING = tuple(".,;:!?)]’”")  # what follows a word with no space between


@dataclass(frozen=True)
class Edit:
    old: str  # the words marked, as the reviewer saw them ("" for an insertion)
    new: str
    note: str  # what the reviewer said besides the edit


def edit_of(kind: str, quote: str, contents: str) -> Edit | None:
    """The edit an annotation proposes, if it proposes one."""
    replace = REPLACE.fullmatch(contents or "")
    if kind == "strike-out" and quote:
        return Edit(quote, " ".join(replace["new"].split()), "") if replace else Edit(quote, "", contents)
    if kind in MARKED and quote and replace:
        return Edit(quote, " ".join(replace["new"].split()), "")
    if kind == "insertion" and contents.strip():
        return Edit("", " ".join(contents.split()), "")
    return None


def around(glyphs: list[Glyph], quads: list[Box]) -> tuple[str, str]:
    """The words on the marked text's first line before it, and on its last line after it."""
    chosen = glyphs_in_quads(glyphs, quads)
    if not chosen:
        return "", ""
    first, last = chosen[0], chosen[-1]
    before = [g for g in glyphs if _same_line(g, first) and g.x1 <= first.x0 + 0.5 and g not in chosen]
    after = [g for g in glyphs if _same_line(g, last) and g.x0 >= last.x1 - 0.5 and g not in chosen]
    return join_glyphs(sorted(before, key=lambda g: g.x0)), join_glyphs(sorted(after, key=lambda g: g.x0))


def at_caret(glyphs: list[Glyph], rect: Box, new: str) -> tuple[str, str, str]:
    """The words before and after an insertion mark on its line, and the inserted text with the
    space it needs: a caret between two words inserts a word, one inside a word letters."""
    x0, y0, x1, y1 = min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3])
    near = [g for g in glyphs if y0 - 4 <= g.y <= y1]
    if not near:
        return "", "", new
    baseline = min(near, key=lambda g: abs(g.y - y0)).y  # a caret sits on the line it marks
    line = sorted((g for g in near if abs(g.y - baseline) < 1.5), key=lambda g: g.x0)
    point = (x0 + x1) / 2
    left = [g for g in line if (g.x0 + g.x1) / 2 < point]
    right = [g for g in line if (g.x0 + g.x1) / 2 >= point]
    before, after = join_glyphs(left), join_glyphs(right)
    left, right = [g for g in left if g.char.strip()], [g for g in right if g.char.strip()]  # a space may be a glyph
    if left and (not right or right[0].x0 - left[-1].x1 > left[-1].size * 0.15 or right[0].char in CLOSING):
        new = " " + new.strip()  # between words: joined to the word before, with its space
    elif right and not left:
        new = new.strip() + " "  # at the start of a line: joined to the word after
    return before, after, new


def _same_line(glyph: Glyph, reference: Glyph) -> bool:
    """On the reference glyph's line, in its face (a margin marker's small type is not)."""
    return abs(glyph.y - reference.y) < reference.size * 0.5 and abs(glyph.size - reference.size) < 1.5
