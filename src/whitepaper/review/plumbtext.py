"""The glyphs of any writer's PDF, read by pdfplumber (pdfminer.six).

pdftext.py reads the PDFs WeasyPrint writes, quickly. A packet another program rewrote
(Ghostscript, macOS Preview, "reduce file size") has that program's fonts and CMaps,
which pdfminer reads in full; it is two to three times slower, so it is used only for those
files. Its characters come out as pdftext's Glyphs, so the text under an annotation is
cut and joined the same way whichever reader found it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from .pdftext import Glyph

# A ligature's ToUnicode entry maps one glyph to two or three letters. Ghostscript (seen
# with 10.00) writes those letters' UTF-16 bytes swapped, so "fi" comes out as U+6600 U+6900,
# and folds a three-letter one's last two into one byte, their sum: "ffi" as U+6600 U+CF00.
_SWAPPED = re.compile(r"[\u2000-\uff00]{2,3}")
_FOLDED = {ord("f") + ord("i"): "fi", ord("f") + ord("l"): "fl"}


class PlumbedPages:
    """A PDF's pages, each read once and only when asked for."""

    def __init__(self, data: bytes):
        import pdfplumber  # here, not at the top: it costs a fifth of a second to import, and most files never need it
        from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

        self._errors = (PdfminerException, MalformedPDFException, ValueError, KeyError, TypeError)
        self._pdf: Any = None
        self._glyphs: dict[int, list[Glyph]] = {}
        try:
            self._pdf = pdfplumber.open(io.BytesIO(data))
            self._count = len(self._pdf.pages)
        except self._errors:
            self._count = 0  # pypdf read it; what pdfminer cannot read just has no text

    def __len__(self) -> int:
        return self._count

    def glyphs(self, index: int) -> list[Glyph]:
        """The page's glyphs in drawing order, in PDF user space (as annotations are)."""
        if index not in self._glyphs:
            self._glyphs[index] = self._read(index) if 0 <= index < len(self) else []
        return self._glyphs[index]

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()

    def _read(self, index: int) -> list[Glyph]:
        try:
            page = self._pdf.pages[index]
            # The layout's characters, not pdfplumber's `chars`: the same glyphs, without the
            # conversion of each to a dictionary of its colours and state, which takes two thirds of the time.
            chars = list(_characters(page.layout))
        except self._errors:
            return []
        # pdfminer measures from the media box's corner; annotations from the page's origin
        left, bottom = float(page.mediabox[0]), float(page.mediabox[1])
        glyphs = []
        for char in chars:
            text = _repaired(char.get_text())
            if not text or text.startswith("(cid:"):
                continue  # a glyph without Unicode: it cannot be quoted
            # matrix[5] is the baseline, the same y as pdftext's Glyph (y0 would be the descender)
            glyphs.append(Glyph(text, char.x0 + left, char.x1 + left, char.matrix[5] + bottom, char.size))
        return glyphs


def _characters(container: Any) -> Iterator[Any]:
    """The characters of a pdfminer layout, in drawing order (those in forms where the form is drawn)."""
    from pdfminer.layout import LTChar, LTContainer

    for item in container:
        if isinstance(item, LTChar):
            yield item
        elif isinstance(item, LTContainer):
            yield from _characters(item)


def _repaired(text: str) -> str:
    """A ligature's letters as Ghostscript mangled them, put right (one glyph, two or three
    characters, each U+XX00 with XX a small letter, or two folded); anything else as it is."""
    if len(text) < 2 or not _SWAPPED.fullmatch(text) or any(ord(c) & 0xFF for c in text):
        return text
    letters = [chr(ord(c) >> 8) if chr(ord(c) >> 8).isascii() else _FOLDED.get(ord(c) >> 8, "") for c in text]
    return "".join(letters) if all(part.isalpha() and part.islower() for part in letters) else text
