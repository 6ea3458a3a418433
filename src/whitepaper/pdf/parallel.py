"""The parallel, incremental PDF engine: chapters laid out on their own, then assembled.

WeasyPrint spends nearly all of a build laying out pages, on one core. Chapters
start on a new page, so each can be laid out on its own: in worker processes,
one per core, and cached by the exact HTML laid out, so after an edit only the
chapters that changed are laid out again: alone, the other chapters of their part
taken from its earlier layout (store.py). The parts are then assembled into one
PDF (assemble.py):

- numbers of pages in other parts (contents, summary tables, "on page N", the
  glossary lists' pages of first use) are written into the parts that show them,
  which are laid out last;
- links to other parts are written as `wpdest:` URIs and become links to the
  named destinations the other parts define;
- "Page X of Y" is laid over every page from one light document of blank pages,
  laid out with the same page styles (untagged, and laid over as an artifact);
- each part is tagged as a single pass would tag it, and their structure trees are
  joined in order (parttree.py).

The engine asks its caller for the HTML of each part (`Parts.render`), and rewrites
only that HTML's stylesheet (partcss.py): the templates know nothing of it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..cache import Cache, digest
from ..render.htmltools import extract_div
from ..version import __version__
from . import partcss
from .assemble import SCHEME, Laid, assemble
from .store import Store, chapter_key
from .tags import REVISION
from .weasy import PLAIN, PdfOptions, lay_out_part, warm_up, weasyprint_version

LINK = re.compile(r'href="#([^"]+)"')
XREF_PAGE = re.compile(r'(<span class="xref-page" data-target="#([^"]+)")')
IDS = re.compile(r'\sid="([^"]+)"')
# Links that show their target's page (the summary's, the glossary lists' "first use"): their part is laid out again.
SHOWS_PAGES = re.compile(r'class="(?:summary|glossary-first)')
# Footnotes (the review edition's comments) are lettered on from chapter to chapter: their part is laid out whole.
FOOTNOTES = re.compile(r'class="critic-comment')
CHAPTER = re.compile(r'<div id="(chapter-[^"]+)" class="chapter[ "]')
PARTS_PER_JOB = 4  # parts per worker process: enough to balance the load, few enough to keep PDFs small
PLACEHOLDER_PAGE = 888  # a page number as wide as most, for the first layout of parts that show others' pages

Kind = Literal["front", "chapter", "stamp"]


@dataclass(frozen=True)
class Parts:
    """What the engine needs of a paper: its body, and the HTML of each part.

    `render(kind, body_html, pages)` gives the print HTML of the front matter ("front":
    title page, abstract, contents), of some chapters ("chapter", `body_html` holding them),
    or of `pages` blank pages ("stamp").
    """

    body_html: str
    render: Callable[[Kind, str, int], str]


class PartsEngine:
    """Lays out the print edition in parts, in parallel, with a cache of laid-out parts."""

    def __init__(self, root: Path, cache: Cache, jobs: int | None = None):
        self.root = root
        self.cache = cache
        self.store = Store(cache)
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.laid_out = 0  # parts laid out (not found in the cache) by the last `run`
        self.refused: list[str] = []  # URLs the confined fetcher refused, in any part
        self.pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the worker processes now, warming them up while the caller does other work."""
        if self.pool is None and self.jobs > 1:
            self.pool = ProcessPoolExecutor(max_workers=self.jobs)
            for _ in range(self.jobs):
                self.pool.submit(warm_up)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def run(self, parts: Parts, options: PdfOptions = PdfOptions()) -> bytes:
        """The assembled PDF of the paper, of the kind `options` ask (one the engine can make: see
        PdfOptions.in_parts): each part is laid out so, and the stamps of page numbers untagged."""
        assert options.in_parts
        chapters = split_chapters(parts.body_html)
        groups = group(len(chapters), self.jobs * PARTS_PER_JOB)
        chapter_html = [partcss.for_part(parts.render("chapter", "".join(chapters[a:b]), 0), skip_first=True) for a, b in groups]
        numbered = [i for i, h in enumerate(chapter_html) if XREF_PAGE.search(h) or SHOWS_PAGES.search(h)]
        front_html = partcss.for_part(parts.render("front", "", 0), skip_first=False)
        self.laid_out = 0
        self.start()
        assert self.pool is not None
        with self.pool as pool:
            # First pass: every part; those that show page numbers of others with placeholders.
            plan = _Plan(self, parts, options, chapters)
            for i, ((a, b), html) in enumerate(zip(groups, chapter_html, strict=True)):
                plan.add_group(_with_links(html, {}, placeholder=i in numbered), a, b, whole=i in numbered)
            plan.add(_with_links(front_html, {}, placeholder=True), [])
            *laid, (front,) = plan.carry_out(pool)
            for _ in range(3):  # page numbers depend on page counts, which (almost) never depend on the numbers
                pages = _page_map(front, [piece for pieces in laid for piece in pieces])
                total = front.pages + sum(piece.pages for pieces in laid for piece in pieces)
                # The parts with real numbers, and the page numbers in one slice of pages per worker.
                stamps = [self._stamp(parts, total, start, count) for start, count in _slices(total, self.jobs)]
                again = [_with_links(chapter_html[i], pages) for i in numbered]
                results = self._lay_out_all(pool, [*again, _with_links(front_html, pages), *stamps], options, stamps=len(stamps))
                redone, front_again, laid_stamps = results[: len(numbered)], results[len(numbered)], results[len(numbered) + 1 :]
                stable = front_again.pages == front.pages and all(r.pages == laid[i][0].pages for i, r in zip(numbered, redone, strict=True))
                front = front_again
                for i, part in zip(numbered, redone, strict=True):
                    laid[i] = [part]
                if stable:
                    break
        return assemble([front, *(piece for pieces in laid for piece in pieces)], laid_stamps)

    def _stamp(self, parts: Parts, total: int, start: int, count: int) -> str:
        """Blank pages numbered `start` to `start + count - 1` (one more, dropped, when they do not start the paper)."""
        skip = 1 if start > 1 else 0
        return partcss.for_stamp(parts.render("stamp", "", count + skip), total, start)

    def key(self, html: str, kind: PdfOptions) -> str:
        return digest("part", __version__, weasyprint_version(), REVISION, repr(kind), html)

    def _lay_out_all(self, pool: ProcessPoolExecutor, htmls: list[str], options: PdfOptions, stamps: int = 0) -> list[Laid]:
        """Lay out (or find in the cache) each page; the last `stamps` are stamps, laid out untagged."""
        kinds = [options] * (len(htmls) - stamps) + [PLAIN] * stamps
        keys = [self.key(html, kind) for kind, html in zip(kinds, htmls, strict=True)]
        results: list[Laid | None] = [self.store.part(key) for key in keys]
        missing = [i for i, r in enumerate(results) if r is None]
        # the longest parts first, so the last one to finish is short
        missing.sort(key=lambda i: -len(htmls[i]))
        futures = {i: pool.submit(lay_out_part, htmls[i], str(self.root), kinds[i]) for i in missing}
        self.laid_out += len(missing)
        for index, future in futures.items():
            output = future.result()
            self.refused += [url for url in output["refused"] if url not in self.refused]
            skip = 1 if partcss.SKIP in htmls[index] else 0
            anchors = {name: page - skip for name, page in output["anchors"].items() if page >= skip}
            results[index] = Laid(output["pdf"], output["pages"] - skip, anchors, skip)
            self.store.keep(keys[index], results[index])  # type: ignore[arg-type]
        return [r for r in results if r is not None]


class _Plan:
    """The first pass: which pages to lay out, and which chapters' pages to take from parts laid
    out before (store.py). A part not in the cache whose chapters were mostly laid out before is
    put together from their pages, its other chapters laid out alone."""

    def __init__(self, engine: PartsEngine, parts: Parts, options: PdfOptions, chapters: list[str]):
        self.engine, self.options, self.chapters = engine, options, chapters
        self.frame = engine.key(partcss.for_part(parts.render("chapter", "", 0), skip_first=True), options)
        self.render = parts.render
        self.htmls: list[str] = []  # what to lay out (or find in the cache)
        self.holds: list[list[int]] = []  # the chapters each of those holds
        self.parts: list[list[Laid | int]] = []  # each part's pieces: kept pages, or an index into htmls

    def add(self, html: str, chapters: list[int]) -> None:
        self.parts.append([self._job(html, chapters)])

    def add_group(self, html: str, start: int, stop: int, whole: bool) -> None:
        """Chapters start..stop as laid out together in `html` (`whole`: only so)."""
        if whole or FOOTNOTES.search(html) or self.engine.store.part(self.engine.key(html, self.options)) is not None:
            return self.add(html, list(range(start, stop)))
        found = [self.engine.store.chapter(self._key(i)) for i in range(start, stop)]
        if not any(found):
            return self.add(html, list(range(start, stop)))
        alone = [partcss.for_part(self.render("chapter", self.chapters[i], 0), skip_first=True) for i in range(start, stop)]
        self.parts.append([piece or self._job(_with_links(page, {}), [i]) for i, piece, page in zip(range(start, stop), found, alone, strict=True)])

    def carry_out(self, pool: ProcessPoolExecutor) -> list[list[Laid]]:
        results = self.engine._lay_out_all(pool, self.htmls, self.options)
        for html, chapters, laid in zip(self.htmls, self.holds, results, strict=True):
            keys = [(self._key(i), _chapter_id(self.chapters[i])) for i in chapters]
            self.engine.store.note_chapters(self.engine.key(html, self.options), laid, keys)
        return [[results[p] if isinstance(p, int) else p for p in pieces] for pieces in self.parts]

    def _job(self, html: str, chapters: list[int]) -> int:
        self.htmls.append(html)
        self.holds.append(chapters)
        return len(self.htmls) - 1

    def _key(self, chapter: int) -> str:
        return chapter_key(self.frame, self.chapters[chapter])


def _chapter_id(html: str) -> str:
    match = CHAPTER.match(html)
    return match.group(1) if match else ""


@contextmanager
def engine(root: Path, cache: Cache, jobs: int) -> Iterator[PartsEngine]:
    """An engine whose workers start (and warm up) now and stop at the end, also when the
    build stops early."""
    parts = PartsEngine(root, cache, jobs)
    parts.start()
    try:
        yield parts
    finally:
        parts.close()


def group(chapters: int, parts: int) -> list[tuple[int, int]]:
    """Runs of consecutive chapters (start, stop), at most `parts` of equal count.

    Each part costs a fixed amount (style sheets, fonts embedded once per part),
    so a long paper is laid out in a few parts per core rather than one per
    chapter; the grouping depends only on the chapter count, so an edit leaves
    the other parts as they were, and cached.
    """
    size = max(1, -(-chapters // max(parts, 1)))
    return [(start, min(start + size, chapters)) for start in range(0, chapters, size)]


def split_chapters(body_html: str) -> list[str]:
    """The body's top-level chapter divs, in order."""
    return [extract_div(body_html, match.group(1)) for match in CHAPTER.finditer(body_html)]


def _with_links(html: str, pages: dict[str, int], placeholder: bool = False) -> str:
    """Links to ids of other parts become `wpdest:` links; links that show a page number get it."""
    own = set(IDS.findall(html))

    def link(match: re.Match[str]) -> str:
        target = match.group(1)
        page = pages.get(target)
        number = f' data-page="{page}"' if page else (f' data-page="{PLACEHOLDER_PAGE}"' if placeholder else "")
        href = f'href="#{target}"' if target in own else f'href="{SCHEME}{target}"'
        return href + number

    html = LINK.sub(link, html)
    return XREF_PAGE.sub(lambda m: m.group(1) + f' data-page="{pages.get(m.group(2), PLACEHOLDER_PAGE)}"', html)


def _page_map(front: Laid, parts: list[Laid]) -> dict[str, int]:
    """Every anchor's page number (from 1) in the assembled document."""
    pages = {name: index + 1 for name, index in front.anchors.items()}
    offset = front.pages
    for part in parts:
        for name, index in part.anchors.items():
            pages.setdefault(name, offset + index + 1)
        offset += part.pages
    return pages


def _slices(total: int, count: int) -> list[tuple[int, int]]:
    """`count` runs of consecutive page numbers covering 1..total: (first number, how many)."""
    size = -(-total // max(count, 1))
    return [(start, min(size, total - start + 1)) for start in range(1, total + 1, size)]
