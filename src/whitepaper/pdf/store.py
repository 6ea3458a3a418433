"""What the parallel engine keeps in the build cache: laid-out parts, and where each chapter's
pages are in them, so an edit lays out only the chapters it changed.

The engine lays chapters out a few to a part (parallel.group). Each chapter starts a page,
and nothing on its pages depends on the chapters around it: page numbers are laid over
after assembly, other parts' pages are written into the parts that show them (which are
never put together from pieces), and so are parts with footnotes, whose letters run on from
chapter to chapter. So a chapter's pages in one part are the pages it has in any other, and
a part whose chapters were laid out before is put together from those pages, its edited
chapters laid out alone. A chapter is known by its HTML and the page around it (styles,
options, versions): an entry is stale only by being absent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..cache import Cache, digest
from .assemble import Laid

PARTS = "pdf-parts"
CHAPTERS = "pdf-chapters"


@dataclass(frozen=True)
class Store:
    cache: Cache

    def part(self, key: str) -> Laid | None:
        """The part laid out under this key, if its PDF is kept and whole."""
        entry = self.cache.get(PARTS, key)
        if not entry:
            return None
        path = self.cache.folder / PARTS / key[:2] / f"{key}.pdf"
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            path.unlink(missing_ok=True)
            return None
        anchors = {str(k): int(v) for k, v in entry["anchors"].items()}
        return Laid(data, int(entry["pages"]), anchors, int(entry.get("skip", 0)))

    def keep(self, key: str, laid: Laid) -> None:
        if not self.cache.enabled:
            return
        path = self.cache.folder / PARTS / key[:2] / f"{key}.pdf"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(laid.pdf)
        except OSError:
            return  # a cache that cannot be written only costs time
        entry = {"pages": laid.pages, "anchors": laid.anchors, "skip": laid.skip, "sha256": hashlib.sha256(laid.pdf).hexdigest()}
        self.cache.put(PARTS, key, entry)

    def note_chapters(self, key: str, laid: Laid, chapters: list[tuple[str, str]]) -> None:
        """Where the chapters of the part kept under `key` are: `chapters` holds, in order, each
        one's key and the id of its first page's anchor."""
        if not self.cache.enabled:
            return
        starts = [laid.anchors.get(anchor) for _, anchor in chapters] + [laid.pages]
        for index, (chapter, _) in enumerate(chapters):
            first, end = starts[index], starts[index + 1]
            if first is None or end is None:
                continue  # a chapter without its anchor, or before one: its pages are not known
            self.cache.put(CHAPTERS, chapter, {"part": key, "first": first, "pages": end - first})

    def chapter(self, key: str) -> Laid | None:
        """A chapter's pages in a part laid out before, as a piece of that part."""
        entry: Any = self.cache.get(CHAPTERS, key)
        part = self.part(str(entry["part"])) if entry else None
        if part is None:
            return None
        return piece(part, int(entry["first"]), int(entry["pages"]))


def piece(part: Laid, first: int, pages: int) -> Laid:
    """These pages of a part (counted among its kept pages), with their anchors."""
    anchors = {name: page - first for name, page in part.anchors.items() if first <= page < first + pages}
    return Laid(part.pdf, pages, anchors, part.skip + first)


def chapter_key(frame: str, chapter: str) -> str:
    """A chapter's key: its HTML, and the key of the part page it is laid out in (`frame`: that
    page without chapters, its styles, the options and versions)."""
    return digest("chapter", frame, chapter)
