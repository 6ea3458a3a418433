"""Small helpers over the HTML pandoc writes (well-formed, predictable markup)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field


def extract_div(page: str, identifier: str) -> str:
    """The `<div id="identifier">…</div>` element of an HTML page, with its nested divs."""
    start = page.find(f'<div id="{html.escape(identifier)}"')
    if start < 0:
        return ""
    depth, position = 0, start
    for match in re.finditer(r"<div\b|</div>", page[start:]):
        depth += 1 if match.group(0) == "<div" else -1
        if depth == 0:
            position = start + match.end()
            return page[start:position]
    return ""


# Rendered on their own, the parts of a paper each number their footnotes and code blocks from
# 1; joined, they must read as if pandoc had rendered the paper in one piece.
_NOTE_REF = re.compile(r'<a href="#fn(\d+)" class="footnote-ref" id="fnref\1" role="doc-noteref"><sup>\1</sup></a>')
_NOTE_ITEM = re.compile(r'<li id="fn(\d+)">')
_NOTE_BACK = re.compile(r'<a href="#fnref(\d+)" class="footnote-back" role="doc-backlink">')
_NOTE_START = re.compile(r'\n(?=<li id="fn\d+">)')
_CODE_ID = re.compile(r'(id="|href="#)cb(\d+)(-\d+)?"')
NOTES_START = '<section id="footnotes" class="footnotes footnotes-end-of-document" role="doc-endnotes">\n<hr />\n<ol>\n'
NOTES_END = "</ol>\n</section>"


@dataclass
class Joined:
    """Parts of a paper rendered one by one, joined as one rendering would have written them."""

    parts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the footnotes' list items, numbered across parts
    code_blocks: int = 0  # pandoc's count of code blocks without an id (it names them cb1, cb2, ...)

    def add(self, fragment: str, code_blocks: int) -> None:
        """A part's HTML, and how many code blocks without an id it has."""
        fragment, _, notes = fragment.partition(NOTES_START)
        shift, code_shift = len(self.notes), self.code_blocks
        if notes:
            items = _renumber_code(_renumber_notes(notes.removesuffix(NOTES_END).rstrip("\n"), shift), code_shift)
            self.notes += _NOTE_START.split(items)
        self.parts.append(_renumber_code(_renumber_notes(fragment.rstrip("\n"), shift), code_shift))
        self.code_blocks += code_blocks

    def html(self, first: int = 0) -> str:
        """The parts from `first` on, with every footnote at the end (as pandoc places them)."""
        body = "\n".join(self.parts[first:])
        if self.notes:
            body += "\n" + NOTES_START + "\n".join(self.notes) + "\n" + NOTES_END
        return body


def _renumber_notes(fragment: str, shift: int) -> str:
    if not shift:
        return fragment
    fragment = _NOTE_REF.sub(lambda m: _note_ref(int(m.group(1)) + shift), fragment)
    fragment = _NOTE_ITEM.sub(lambda m: f'<li id="fn{int(m.group(1)) + shift}">', fragment)
    return _NOTE_BACK.sub(lambda m: f'<a href="#fnref{int(m.group(1)) + shift}" class="footnote-back" role="doc-backlink">', fragment)


def _note_ref(number: int) -> str:
    return f'<a href="#fn{number}" class="footnote-ref" id="fnref{number}" role="doc-noteref"><sup>{number}</sup></a>'


def _renumber_code(fragment: str, shift: int) -> str:
    if not shift:
        return fragment
    return _CODE_ID.sub(lambda m: f'{m.group(1)}cb{int(m.group(2)) + shift}{m.group(3) or ""}"', fragment)
