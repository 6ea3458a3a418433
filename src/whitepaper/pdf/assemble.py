"""The parts of a paper laid out on their own, assembled into one PDF with pikepdf (qpdf).

Parts follow each other; each part's first `skip` pages are left out (see partcss.py).
The page numbers are laid over the pages from a stamp of blank pages, and links to
other parts, written as `wpdest:` URIs, become links to the named destinations that
the other parts define.

qpdf copies pages, and what they use, object by object in C++; pypdf, which did this
before, spent most of the assembly's 8.9 s on 676 pages in Python.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from pikepdf import Array, Dictionary, NameTree, Object, Page, Pdf, String

from .fonts import embed_once
from .packing import packed
from .parttree import Placed, copied, join

SCHEME = "wpdest:"


@dataclass
class Laid:
    """One part after layout; its first `skip` pages are not part of the paper."""

    pdf: bytes
    pages: int  # the pages that are part of the paper
    anchors: dict[str, int]  # id -> index among those pages
    skip: int = 0


# What a tagged (or PDF/UA) part's catalog says of the whole paper; the first part's is the paper's.
CATALOG = ("/Lang", "/ViewerPreferences", "/Metadata")


def opened(pdf: bytes) -> Pdf:
    return Pdf.open(io.BytesIO(pdf))


def assemble(parts: list[Laid], stamps: list[Laid]) -> bytes:
    """The parts one after the other, the stamps laid over them; several parts may be pages of one PDF."""
    pdfs: dict[bytes, Pdf] = {}
    for part in parts:
        if part.pdf not in pdfs:
            pdfs[part.pdf] = opened(part.pdf)
    sources = [pdfs[part.pdf] for part in parts]
    pdf = combine([(source, (part.skip, part.skip + part.pages)) for source, part in zip(sources, parts, strict=True)])
    stamped = [(opened(stamp.pdf), stamp.skip) for stamp in stamps]  # kept open while their pages are read
    overlay = [page for source, skip in stamped for page in list(source.pages)[skip:]]
    _stamp(pdf, overlay, artifact="/StructTreeRoot" in pdf.Root)
    _internal_links(pdf)
    embed_once(pdf)  # each part's subsets of a font as one font program (fonts.py)
    metadata = {key: value for key, value in sources[0].docinfo.items() if key != "/Producer"}
    return packed(pdf, metadata, sources[0].pdf_version)  # as compact as a single pass (packing.py)


def combine(pieces: list[tuple[Pdf, tuple[int, int] | None]]) -> Pdf:
    """The pages of PDFs (all, or a range of each) one after the other, their outlines, named
    destinations and, when they are tagged, their structure trees joined (parttree.py) with the
    first one's language, title display and XMP."""
    pdf = Pdf.new()
    placed: list[Placed] = []
    for source, pages in pieces:
        start, stop = pages or (0, len(source.pages))
        placed.append(Placed(source, start, stop - start, len(pdf.pages)))
        pdf.add_pages_from(source, range(start, stop), layers="ignore")  # with the outline items that lead to them
    _destinations(pdf, placed)
    join(pdf, placed)
    if "/StructTreeRoot" in pdf.Root:
        _catalog(pdf, pieces[0][0])
    return pdf


def _destinations(pdf: Pdf, placed: list[Placed]) -> None:
    """Every named destination of the pieces that leads to a page kept, leading to its copy
    (the other pieces' links lead to them: pikepdf carries over only those a piece's own links use)."""
    found: dict[str, Array] = {}
    for part in placed:
        if "/Names" not in part.source.Root or "/Dests" not in part.source.Root.Names:
            continue
        pages = {part.source.pages[part.skip + i].objgen: pdf.pages[part.first + i].obj for i in range(part.pages)}
        for name, value in NameTree(part.source.Root.Names.Dests).items():
            destination = value.get("/D") if isinstance(value, Dictionary) else value
            page = pages.get(destination[0].objgen) if isinstance(destination, Array) and len(destination) else None
            if page is not None:
                found.setdefault(name, Array([page, *(copied(pdf, item) for item in list(destination)[1:])]))
    if not found:
        return
    if "/Names" not in pdf.Root:
        pdf.Root.Names = Dictionary()
    tree = NameTree.new(pdf)  # in place of the one pikepdf began (ids are unique in a paper: nothing was renamed)
    for name in sorted(found):
        tree[name] = found[name]
    pdf.Root.Names.Dests = tree.obj


def _catalog(pdf: Pdf, first: Pdf) -> None:
    """The paper's language, title display and XMP metadata (with its PDF/UA identification)."""
    for key in CATALOG:
        if key in first.Root:
            pdf.Root[key] = copied(pdf, first.Root[key])


def _stamp(pdf: Pdf, overlay: list[Page], artifact: bool = False) -> None:
    """Lay each overlay page (a footer) over the page of the same number; in a tagged PDF, as
    an artifact (page numbers are no content to read).

    Done by hand rather than with pikepdf's add_overlay: WeasyPrint's pages share one
    resource dictionary, into which add_overlay would add a form of its own for every
    page. Here the overlay's resources are copied once, under names of their own, and
    each page gets the overlay's content stream after its own, wrapped so the graphics
    state is as it was.
    """
    renamed: dict[str, str] = {}
    cloned: dict[tuple[str, str], Object] = {}
    save, restore = pdf.make_stream(b"q\n"), pdf.make_stream(b"\nQ\n")
    for page, over in zip(pdf.pages, overlay, strict=False):
        resources = over.obj.get("/Resources", Dictionary())
        target = page.obj.Resources
        for category, entries in resources.items():
            if not isinstance(entries, Dictionary):
                continue
            if category not in target:
                target[category] = Dictionary()
            mine = target[category]
            for name, value in entries.items():
                new_name = renamed.setdefault(name, "/WPStamp" + name[1:])
                if (category, name) not in cloned:
                    copy = copied(pdf, value)
                    cloned[(category, name)] = copy if isinstance(copy, Object) and copy.is_indirect else pdf.make_indirect(copy)
                mine[new_name] = cloned[(category, name)]
        data = _contents(over.obj)
        for old, new in renamed.items():
            data = re.sub(re.escape(old.encode()) + rb"(?![A-Za-z0-9_.-])", new.encode(), data)
        if artifact:
            data = b"/Artifact <</Type /Pagination>> BDC\n" + data + b"\nEMC"
        contents = page.obj.get("/Contents")
        existing = list(contents) if isinstance(contents, Array) else [contents] if contents is not None else []
        page.obj.Contents = Array([save, *existing, restore, pdf.make_stream(data)])


def _contents(page: Object) -> bytes:
    contents = page.get("/Contents")
    streams: list[Any] = list(contents) if isinstance(contents, Array) else [contents] if contents is not None else []
    return b"\n".join(stream.read_bytes() for stream in streams)


def _internal_links(pdf: Pdf) -> None:
    """`wpdest:` URI links become links to the named destinations of the assembled document."""
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", Array()):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if isinstance(action, Dictionary) else ""
            if uri.startswith(SCHEME):
                del annotation.A
                annotation.Dest = String(uri[len(SCHEME) :])
