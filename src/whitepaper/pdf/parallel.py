"""The parallel, incremental PDF engine: chapters laid out on their own, then assembled.

WeasyPrint spends nearly all of a build laying out pages, on one core. Chapters
start on a new page, so each can be laid out on its own: in worker processes,
one per core, and cached by the exact HTML laid out, so after an edit only the
chapters that changed are laid out again. The parts are then assembled into
one PDF with pypdf:

- numbers of pages in other parts (contents, summary tables, "on page N") are
  written into the parts that show them, which are laid out last;
- links to other parts are written as `wpdest:` URIs and become links to the
  named destinations the other parts define;
- "Page X of Y" is laid over every page from one light document of footers,
  laid out with the same page styles.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    TextStringObject,
)

from .. import __version__
from ..cache import Cache, digest
from ..render.htmltools import extract_div
from . import PACKAGE_DATA

LINK = re.compile(r'href="#([^"]+)"')
XREF_PAGE = re.compile(r'(<span class="xref-page" data-target="#([^"]+)")')
IDS = re.compile(r'\sid="([^"]+)"')
CHAPTER = re.compile(r'<div id="(chapter-[^"]+)" class="chapter[ "]')
SCHEME = "wpdest:"
PARTS_PER_JOB = 4  # parts per worker process: enough to balance the load, few enough to keep PDFs small


@dataclass
class Laid:
    """One part after layout."""

    pdf: bytes
    pages: int
    anchors: dict[str, int]  # id -> page index within the part


_FONTS: Any = None  # one font configuration per worker process, reused by every part it lays out


def warm_up() -> None:
    """Import WeasyPrint and load the fonts in a worker while the parent is still rendering HTML."""
    global _FONTS
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    _FONTS = _FONTS or FontConfiguration()
    HTML(string="<p style='font-family: Noto Serif'>warm</p>").render(font_config=_FONTS)


def layout(html: str, base_url: str, allowed: list[str]) -> dict[str, Any]:
    """Lay out one part (in a worker process): its PDF, page count and anchors."""
    global _FONTS
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from . import confined_fetcher

    _FONTS = _FONTS or FontConfiguration()
    fetcher = confined_fetcher([Path(p) for p in allowed])
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(font_config=_FONTS)
    anchors: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)  # an element split over pages is where it starts
    return {"pdf": document.write_pdf(), "pages": len(document.pages), "anchors": anchors, "refused": fetcher.refused}


class PartsEngine:
    """Lays out the print edition in parts, in parallel, with a cache of laid-out parts."""

    def __init__(self, project: Path, cache: Cache, jobs: int | None = None):
        self.project = project
        self.cache = cache
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.base_url = project.resolve().as_uri() + "/"
        self.allowed = [str(project.resolve()), str(PACKAGE_DATA.resolve())]
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

    def run(self, render_part: Any, body_html: str) -> bytes:
        """`render_part(part, body_html, extra)` gives the HTML of a part; returns the assembled PDF."""
        chapters = group(split_chapters(body_html), self.jobs * PARTS_PER_JOB)
        chapter_html = [render_part("chapter", html, {}) for html in chapters]
        numbered = [i for i, h in enumerate(chapter_html) if XREF_PAGE.search(h) or 'class="summary' in h]
        front_html = render_part("front", "", {})
        self.laid_out = 0
        self.start()
        assert self.pool is not None
        with self.pool as pool:
            # First pass: every part; those that show page numbers of others with placeholders.
            first = [_with_links(h, {}, placeholder=i in numbered) for i, h in enumerate(chapter_html)]
            *laid, front = self._layout_all(pool, [*first, _with_links(front_html, {}, placeholder=True)])
            readers = Readers()
            for _ in range(3):  # page numbers depend on page counts, which (almost) never depend on the numbers
                reading = threading.Thread(target=readers.read, args=(laid,))  # while the workers lay out
                reading.start()
                pages = _page_map(front, laid)
                total = front.pages + sum(part.pages for part in laid)
                # The parts with real numbers, and the footers, laid out side by side.
                # The footers are laid out in one slice per worker, beside the parts with real numbers.
                stamp_html = [render_part("stamp", "", {"pages": total, "start": start, "count": count}) for start, count in _slices(total, self.jobs)]
                results = self._layout_all(pool, [*[_with_links(chapter_html[i], pages) for i in numbered], _with_links(front_html, pages), *stamp_html])
                redone, front_again, stamps = results[: len(numbered)], results[len(numbered)], results[len(numbered) + 1 :]
                stable = front_again.pages == front.pages and all(r.pages == laid[i].pages for i, r in zip(numbered, redone, strict=True))
                front = front_again
                for i, part in zip(numbered, redone, strict=True):
                    laid[i] = part
                reading.join()
                if stable:
                    break
        return assemble([front, *laid], stamps, readers)

    def _layout_all(self, pool: ProcessPoolExecutor, htmls: list[str]) -> list[Laid]:
        keys = [digest("part", __version__, _weasyprint_version(), html) for html in htmls]
        results: list[Laid | None] = []
        for key in keys:
            hit = self.cache.get("pdf-parts", key)
            results.append(_from_cache(hit, self.cache.folder, key) if hit else None)
        missing = [i for i, r in enumerate(results) if r is None]
        # the longest parts first, so the last one to finish is short
        missing.sort(key=lambda i: -len(htmls[i]))
        futures = {i: pool.submit(layout, htmls[i], self.base_url, self.allowed) for i in missing}
        self.laid_out += len(missing)
        for index, future in futures.items():
            output = future.result()
            self.refused += [url for url in output["refused"] if url not in self.refused]
            results[index] = Laid(output["pdf"], output["pages"], output["anchors"])
            _to_cache(self.cache, keys[index], results[index])  # type: ignore[arg-type]
        return [r for r in results if r is not None]


def group(chapters: list[str], parts: int) -> list[str]:
    """Consecutive chapters joined into at most `parts` parts of equal count.

    Each part costs a fixed amount (style sheets, fonts embedded once per part),
    so a long paper is laid out in a few parts per core rather than one per
    chapter; the grouping depends only on the chapter count, so an edit leaves
    the other parts as they were, and cached.
    """
    size = max(1, -(-len(chapters) // max(parts, 1)))
    return ["".join(chapters[start : start + size]) for start in range(0, len(chapters), size)]


def split_chapters(body_html: str) -> list[str]:
    """The body's top-level chapter divs, in order."""
    return [extract_div(body_html, match.group(1)) for match in CHAPTER.finditer(body_html)]


def _with_links(html: str, pages: dict[str, int], placeholder: bool = False) -> str:
    """Links to ids of other parts become `wpdest:` links; links that show a page number get it."""
    own = set(IDS.findall(html))

    def link(match: re.Match[str]) -> str:
        target = match.group(1)
        page = pages.get(target)
        number = f' data-page="{page}"' if page else (' data-page="888"' if placeholder else "")
        href = f'href="#{target}"' if target in own else f'href="{SCHEME}{target}"'
        return href + number

    html = LINK.sub(link, html)
    return XREF_PAGE.sub(lambda m: m.group(1) + f' data-page="{pages.get(m.group(2), 888)}"', html)


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


class Readers:
    """pypdf's readers of laid-out parts, by their PDF. Parsing the parts is half of assembling
    them (1.1 of 2.4 s on 588 pages), so the parts that are done are read in a thread while
    the workers lay out the ones that show page numbers and the footers."""

    def __init__(self) -> None:
        self._readers: dict[bytes, PdfReader] = {}

    def read(self, parts: list[Laid]) -> None:
        for part in parts:
            self.get(part.pdf)

    def get(self, pdf: bytes) -> PdfReader:
        reader = self._readers.get(pdf)
        if reader is None:
            reader = PdfReader(io.BytesIO(pdf))
            _ = len(reader.pages), reader.named_destinations, reader.outline  # parse now what appending reads
            self._readers[pdf] = reader
        return reader


def assemble(parts: list[Laid], stamps: list[Laid], readers: Readers | None = None) -> bytes:
    readers = readers or Readers()
    writer = PdfWriter()
    for part in parts:
        writer.append(readers.get(part.pdf))
    _stamp(writer, [page for stamp in stamps for page in readers.get(stamp.pdf).pages])
    _internal_links(writer)
    metadata = readers.get(parts[0].pdf).metadata or {}
    writer.add_metadata({k: v for k, v in metadata.items() if k != "/Producer"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stamp(writer: PdfWriter, overlay: list[Any]) -> None:
    """Lay each overlay page (a footer) over the page of the same number.

    Done by hand rather than with pypdf's merge_page: WeasyPrint's pages share
    one resource dictionary, into which merge_page would add a renamed copy of
    the overlay's font for every page. Here the overlay's resources are copied
    once, under names of their own, and each page gets the overlay's content
    stream after its own, wrapped so the graphics state is as it was.
    """
    renamed: dict[str, str] = {}
    cloned: dict[tuple[str, str], Any] = {}
    save = writer._add_object(_stream(b"q\n"))
    restore = writer._add_object(_stream(b"\nQ\n"))
    for page, over in zip(writer.pages, overlay, strict=False):
        resources = over.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        target = page["/Resources"].get_object()
        for category, entries in resources.items():
            entries = entries.get_object()
            if not isinstance(entries, DictionaryObject):
                continue
            mine = target.get(category)
            if mine is None:
                mine = DictionaryObject()
                target[NameObject(category)] = mine
            mine = mine.get_object()
            for name, value in entries.items():
                new_name = renamed.setdefault(name, "/WPStamp" + name[1:])
                if (category, name) not in cloned:
                    copy = value.clone(writer)  # an indirect reference stays one, now into the writer
                    cloned[(category, name)] = copy if isinstance(value, IndirectObject) else writer._add_object(copy)
                mine[NameObject(new_name)] = cloned[(category, name)]
        data = over.get_contents().get_data() if over.get_contents() is not None else b""
        for old, new in renamed.items():
            data = re.sub(re.escape(old.encode()) + rb"(?![A-Za-z0-9_.-])", new.encode(), data)
        contents = page.get("/Contents")
        existing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([save, *existing, restore, writer._add_object(_stream(data))])


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def _internal_links(writer: PdfWriter) -> None:
    """`wpdest:` URI links become links to the named destinations of the assembled document."""
    for page in writer.pages:
        for reference in page.get("/Annots") or []:
            annotation = reference.get_object()
            action = annotation.get("/A")
            uri = action.get_object().get("/URI") if action is not None else None
            if isinstance(uri, str) and uri.startswith(SCHEME):
                del annotation[NameObject("/A")]
                annotation[NameObject("/Dest")] = TextStringObject(uri[len(SCHEME) :])


def _weasyprint_version() -> str:
    import weasyprint

    return str(weasyprint.__version__)


def _from_cache(entry: dict[str, Any], folder: Path, key: str) -> Laid | None:
    path = folder / "pdf-parts" / key[:2] / f"{key}.pdf"
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        path.unlink(missing_ok=True)
        return None
    return Laid(data, int(entry["pages"]), {str(k): int(v) for k, v in entry["anchors"].items()})


def _to_cache(cache: Cache, key: str, laid: Laid) -> None:
    if not cache.enabled:
        return
    path = cache.folder / "pdf-parts" / key[:2] / f"{key}.pdf"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(laid.pdf)
    except OSError:
        return
    cache.put("pdf-parts", key, {"pages": laid.pages, "anchors": laid.anchors, "sha256": hashlib.sha256(laid.pdf).hexdigest()})

