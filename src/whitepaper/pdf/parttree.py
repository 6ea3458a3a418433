"""The structure trees of a paper's parts joined into the tree of the assembled PDF.

Each part laid out by the parallel engine is a tagged PDF of its own (tags.py): a
/Document whose elements point at the part's pages, marked content by page and id,
and link annotations through their /StructParent. Assembling copies every element
under one /Document, in the order of the parts, with its pages and annotations those
of the assembled PDF, and leaves out what stood on a part's dropped first page. The
element a part boundary cuts in two (the `article` the chapters are in) is joined
again, so the tree is the one a single pass makes. The parent tree, which maps marked
content and annotations back to their elements, is written afresh from the joined tree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pikepdf import Array, Dictionary, Name, Object, Pdf

GROUPS = ("/Art", "/Part", "/Sect", "/Div")  # elements a part boundary may cut in two


@dataclass
class Placed:
    """A laid-out part as the assembled PDF holds it: its kept pages start at `first`."""

    source: Pdf
    skip: int  # pages of the part left out before its kept pages
    pages: int
    first: int  # index of its first kept page in the assembled PDF


@dataclass
class _Joined:
    pdf: Pdf
    page_objects: list[Object]  # the assembled PDF's pages, by index
    marks: dict[int, dict[int, Object]] = field(default_factory=dict)  # page index -> MCID -> element
    annotations: list[tuple[Object, Object]] = field(default_factory=list)  # (annotation, element)


def copied(pdf: Pdf, value: Any) -> Any:
    """A value of another PDF as `pdf` can hold it: indirect objects copied (qpdf maps
    what it copied before, pages included, to its copies), direct containers rebuilt."""
    if isinstance(value, Object) and value.is_indirect:
        return pdf.copy_foreign(value)
    if isinstance(value, Array):
        return Array([copied(pdf, item) for item in value])
    if isinstance(value, Dictionary):
        return Dictionary({key: copied(pdf, item) for key, item in value.items()})
    return value  # names, numbers, strings: direct, of no document


def join(pdf: Pdf, parts: list[Placed]) -> None:
    """Give the assembled PDF the joined structure tree of its parts, if they are tagged."""
    tagged = [p for p in parts if "/StructTreeRoot" in p.source.Root]
    if not tagged:
        return
    joined = _Joined(pdf, [page.obj for page in pdf.pages])
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root))
    kids: list[Object] = []
    for number, part in enumerate(tagged):
        order = {page.objgen: index for index, page in enumerate(part.source.pages)}
        pages = {objgen: part.first + index - part.skip for objgen, index in order.items() if part.skip <= index < part.skip + part.pages}
        annotations = _annotations(joined, range(part.first, part.first + part.pages))
        copier = _Copier(joined, pages, annotations, order, range(part.skip, part.skip + part.pages))
        tops = [copier.copy(kid, document) for kid in _document_kids(part.source)]
        for index, top in enumerate(t for t in tops if t is not None):
            if index == 0 and number > 0 and kids and _same_group(kids[-1], top):
                _append_kids(kids[-1], top)
            else:
                kids.append(top)
    document.K = Array(kids)
    root.K = Array([document])
    root.ParentTree = pdf.make_indirect(_parent_tree(joined))
    pdf.Root.StructTreeRoot = root
    pdf.Root.MarkInfo = Dictionary(Marked=True)


def _document_kids(source: Pdf) -> list[Object]:
    top = source.Root.StructTreeRoot.get("/K", Array())
    kids: list[Object] = []
    for element in top if isinstance(top, Array) else [top]:
        if element.get("/S") == Name.Document:
            inner = element.get("/K", Array())
            kids += list(inner) if isinstance(inner, Array) else [inner]
        else:
            kids.append(element)
    return kids


def _annotations(joined: _Joined, pages: Iterable[int]) -> dict[int, Object]:
    """The assembled PDF's annotations on these pages, by the /StructParent they had in their part."""
    found: dict[int, Object] = {}
    for index in pages:
        for annotation in joined.page_objects[index].get("/Annots", Array()):
            number = annotation.get("/StructParent")
            if number is not None and annotation.is_indirect:
                found[int(number)] = annotation
    return found


class _Copier:
    """Copies one part's elements into the assembled PDF, pages and annotations mapped."""

    def __init__(self, joined: _Joined, pages: dict[tuple[int, int], int], annotations: dict[int, Object], order: dict[tuple[int, int], int], kept: range):
        self.joined = joined
        self.pdf = joined.pdf
        self.pages = pages  # part page (object number, generation) -> assembled page index
        self.annotations = annotations
        self.order = order  # part page -> its index in the part
        self.kept = kept  # the indices of the part's pages that are kept

    def copy(self, element: Object, parent: Object) -> Object | None:
        """The copy of a structure element, or None when nothing of it is on a kept page."""
        page = self._page(element.get("/Pg"))
        copy = self.pdf.make_indirect(Dictionary())
        for key, value in element.items():
            if key not in ("/P", "/K", "/Pg"):
                copy[key] = copied(self.pdf, value)
        copy.P = parent
        if page is not None:
            copy.Pg = self.joined.page_objects[page]
        inner = element.get("/K", Array())
        kids = [new for item in self._may_be_kept(inner if isinstance(inner, Array) else [inner]) if (new := self._kid(item, page, copy)) is not None]
        if not kids and page is None:
            return None  # it stood on a dropped page only
        copy.K = Array(kids)
        return copy

    def _may_be_kept(self, items: list[Any]) -> list[Any]:
        """The kids that may have content on a kept page. Content follows the pages in reading
        order, so a kid that starts after the kept pages, or before a sibling that starts before
        them, has none: left out unread (a part laid out for a few chapters of it is not read whole)."""
        starts = [self._start(item) for item in items]
        following: int | None = None
        keep: list[Any] = []
        for item, start in zip(reversed(items), reversed(starts)):
            if not (start is not None and start >= self.kept.stop) and not (following is not None and following < self.kept.start):
                keep.append(item)
            following = start if start is not None else following
        return keep[::-1]

    def _start(self, item: Any) -> int | None:
        """The index in the part of the page a kid starts on, if it says."""
        page = item.get("/Pg") if isinstance(item, Dictionary) else None
        return self.order.get(page.objgen) if isinstance(page, Dictionary) and page.is_indirect else None

    def _page(self, reference: Any) -> int | None:
        if not isinstance(reference, Dictionary) or not reference.is_indirect:
            return None
        return self.pages.get(reference.objgen)

    def _kid(self, item: Any, page: int | None, element: Object) -> Any:
        if isinstance(item, int) and not isinstance(item, bool):
            if page is None:
                return None
            self.joined.marks.setdefault(page, {})[int(item)] = element
            return int(item)
        if not isinstance(item, Dictionary):
            return None
        kind = item.get("/Type")
        if kind == Name.MCR:
            where = self._page(item.get("/Pg")) if "/Pg" in item else page
            if where is None:
                return None
            self.joined.marks.setdefault(where, {})[int(item.MCID)] = element
            return Dictionary(Type=Name.MCR, Pg=self.joined.page_objects[where], MCID=int(item.MCID))
        if kind == Name.OBJR:
            return self._object_reference(item, page, element)
        return self.copy(item, element)

    def _object_reference(self, value: Dictionary, page: int | None, element: Object) -> Any:
        annotation = value.get("/Obj")
        number = annotation.get("/StructParent") if annotation is not None else None
        target = self.annotations.get(int(number)) if number is not None else None
        where = self._page(value.get("/Pg")) if "/Pg" in value else page
        if target is None or where is None:
            return None  # an annotation left out of the assembled PDF
        self.joined.annotations.append((target, element))
        return self.pdf.make_indirect(Dictionary(Type=Name.OBJR, Obj=target, Pg=self.joined.page_objects[where]))


def _same_group(left: Object, right: Object) -> bool:
    return left.get("/S") == right.get("/S") and str(left.get("/S")) in GROUPS


def _append_kids(target: Object, source: Object) -> None:
    """The element a part boundary cut in two, joined: the second half's kids go to the first."""
    kids = target.K
    for kid in source.get("/K", Array()):
        if isinstance(kid, Dictionary) and kid.is_indirect and kid.get("/Type") == Name.StructElem:
            kid.P = target
        kids.append(kid)


def _parent_tree(joined: _Joined) -> Dictionary:
    """/Nums: each page's marked content to its elements (key: the page's /StructParents), then
    each annotation to its element (key: its /StructParent)."""
    numbers: list[Any] = []
    for index, page in enumerate(joined.page_objects):
        page.StructParents = index
        marks = joined.marks.get(index, {})
        size = max(marks, default=-1) + 1
        numbers += [index, Array([marks.get(m) for m in range(size)])]
    pages = len(joined.page_objects)
    for offset, (annotation, element) in enumerate(joined.annotations):
        annotation.StructParent = pages + offset
        numbers += [pages + offset, element]
    return Dictionary(Nums=Array(numbers))
