"""The parts of a paper laid out on their own, assembled into one PDF with pypdf.

Parts follow each other; each part's first `skip` pages are left out (see partcss.py).
The page numbers are laid over the pages from a stamp of blank pages, and links to
other parts, written as `wpdest:` URIs, become links to the named destinations that
the other parts define.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
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

from .fonts import embed_once
from .packing import packed
from .parttree import Placed, join

SCHEME = "wpdest:"


@dataclass
class Laid:
    """One part after layout; its first `skip` pages are not part of the paper."""

    pdf: bytes
    pages: int  # the pages that are part of the paper
    anchors: dict[str, int]  # id -> index among those pages
    skip: int = 0


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


# What a tagged (or PDF/UA) part's catalog says of the whole paper; the first part's is the paper's.
CATALOG = ("/Lang", "/ViewerPreferences", "/Metadata")


def assemble(parts: list[Laid], stamps: list[Laid], readers: Readers | None = None) -> bytes:
    readers = readers or Readers()
    writer = combine([(readers.get(part.pdf), (part.skip, part.skip + part.pages) if part.skip else None) for part in parts])
    tagged = "/StructTreeRoot" in writer._root_object
    _stamp(writer, [page for stamp in stamps for page in readers.get(stamp.pdf).pages[stamp.skip :]], artifact=tagged)
    _internal_links(writer)
    embed_once(writer)  # each part's subsets of a font as one font program (fonts.py)
    metadata = readers.get(parts[0].pdf).metadata or {}
    writer.add_metadata({k: v for k, v in metadata.items() if k != "/Producer"})
    out = io.BytesIO()
    writer.write(out)
    return packed(out.getvalue())  # as compact as a single pass (packing.py)


def combine(pieces: list[tuple[PdfReader, tuple[int, int] | None]]) -> PdfWriter:
    """The pages of PDFs (all, or a range of each) one after the other, their outlines, named
    destinations and, when they are tagged, their structure trees joined (parttree.py) with the
    first one's language, title display and XMP."""
    writer = PdfWriter()
    placed: list[Placed] = []
    for reader, pages in pieces:
        start, stop = pages or (0, len(reader.pages))
        placed.append(Placed(reader, start, stop - start, len(writer.pages)))
        writer.append(reader, pages=pages)
    join(writer, placed)
    if "/StructTreeRoot" in writer._root_object:
        _catalog(writer, pieces[0][0])
    return writer


def _catalog(writer: PdfWriter, first: PdfReader) -> None:
    """The paper's language, title display and XMP metadata (with its PDF/UA identification)."""
    writer.pdf_header = first.pdf_header
    for key in CATALOG:
        if key in first.root_object:
            value = first.root_object.raw_get(key)  # the XMP stream stays an indirect object
            writer._root_object[NameObject(key)] = value.clone(writer)


def _stamp(writer: PdfWriter, overlay: list[Any], artifact: bool = False) -> None:
    """Lay each overlay page (a footer) over the page of the same number; in a tagged PDF, as
    an artifact (page numbers are no content to read).

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
        if artifact:
            data = b"/Artifact <</Type /Pagination>> BDC\n" + data + b"\nEMC"
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
