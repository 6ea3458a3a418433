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

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NullObject, NumberObject

GROUPS = ("/Art", "/Part", "/Sect", "/Div")  # elements a part boundary may cut in two


@dataclass
class Placed:
    """A laid-out part as the assembled PDF holds it: its kept pages start at `first`."""

    reader: PdfReader
    skip: int  # pages of the part left out before its kept pages
    pages: int
    first: int  # index of its first kept page in the assembled PDF


@dataclass
class _Joined:
    writer: PdfWriter
    marks: dict[int, dict[int, IndirectObject]] = field(default_factory=dict)  # page index -> MCID -> element
    annotations: list[tuple[IndirectObject, IndirectObject]] = field(default_factory=list)  # (annotation, element)


def join(writer: PdfWriter, parts: list[Placed]) -> None:
    """Give the assembled PDF the joined structure tree of its parts, if they are tagged."""
    tagged = [p for p in parts if "/StructTreeRoot" in p.reader.root_object]
    if not tagged:
        return
    joined = _Joined(writer)
    root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    root_ref = writer._add_object(root)
    document = DictionaryObject({NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Document"), NameObject("/P"): root_ref})
    document_ref = writer._add_object(document)
    kids = ArrayObject()
    document[NameObject("/K")] = kids
    root[NameObject("/K")] = ArrayObject([document_ref])
    for number, part in enumerate(tagged):
        pages = {part.reader.pages[part.skip + i].indirect_reference.idnum: part.first + i for i in range(part.pages)}  # type: ignore[union-attr]
        annotations = _annotations(writer, range(part.first, part.first + part.pages))
        copier = _Copier(joined, pages, annotations)
        tops = [copier.copy(kid, document_ref) for kid in _document_kids(part.reader)]
        for index, top in enumerate(t for t in tops if t is not None):
            if index == 0 and number > 0 and kids and _same_group(kids[-1], top):
                _append_kids(kids[-1], top)
            else:
                kids.append(top)
    root[NameObject("/ParentTree")] = writer._add_object(_parent_tree(joined, len(writer.pages)))
    writer._root_object[NameObject("/StructTreeRoot")] = root_ref
    writer._root_object[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): _true()})


def _true() -> Any:
    from pypdf.generic import BooleanObject

    return BooleanObject(True)


def _document_kids(reader: PdfReader) -> list[Any]:
    root = reader.root_object["/StructTreeRoot"].get_object()
    top = root.get("/K")
    top = top.get_object() if top is not None else ArrayObject()
    documents = list(top) if isinstance(top, ArrayObject) else [top]
    kids: list[Any] = []
    for document in documents:
        element = document.get_object()
        if element.get("/S") == "/Document":
            inner = element.get("/K", ArrayObject()).get_object()
            kids += list(inner) if isinstance(inner, ArrayObject) else [inner]
        else:
            kids.append(document)
    return kids


def _annotations(writer: PdfWriter, pages: Iterable[int]) -> dict[int, IndirectObject]:
    """The assembled PDF's annotations on these pages, by the /StructParent they had in their part."""
    found: dict[int, IndirectObject] = {}
    for index in pages:
        for reference in writer.pages[index].get("/Annots") or []:
            annotation = reference.get_object()
            number = annotation.get("/StructParent")
            if number is not None and isinstance(reference, IndirectObject):
                found[int(number)] = reference
    return found


class _Copier:
    """Copies one part's elements into the assembled PDF, pages and annotations mapped."""

    def __init__(self, joined: _Joined, pages: dict[int, int], annotations: dict[int, IndirectObject]):
        self.joined = joined
        self.writer = joined.writer
        self.pages = pages  # part page object number -> assembled page index
        self.annotations = annotations
        self.page_refs = [page.indirect_reference for page in self.writer.pages]

    def copy(self, kid: Any, parent: IndirectObject) -> IndirectObject | None:
        """The copy of a structure element, or None when nothing of it is on a kept page."""
        element = kid.get_object()
        page = self._page(element.get("/Pg"))
        copied = DictionaryObject()
        reference = self.writer._add_object(copied)
        for key, value in element.items():
            if key not in ("/P", "/K", "/Pg"):
                copied[NameObject(key)] = value.clone(self.writer)
        copied[NameObject("/P")] = parent
        if page is not None:
            copied[NameObject("/Pg")] = self.page_refs[page]
        inner = element.get("/K")
        inner = inner.get_object() if inner is not None else ArrayObject()
        kids = ArrayObject()
        for item in inner if isinstance(inner, ArrayObject) else [inner]:
            new = self._kid(item, page, reference)
            if new is not None:
                kids.append(new)
        if not kids and page is None:
            return None  # it stood on a dropped page only
        copied[NameObject("/K")] = kids
        return reference

    def _page(self, reference: Any) -> int | None:
        if reference is None or not isinstance(reference, IndirectObject):
            return None
        return self.pages.get(reference.idnum)

    def _kid(self, item: Any, page: int | None, element: IndirectObject) -> Any:
        if isinstance(item, int) and not isinstance(item, bool):
            if page is None:
                return None
            self.joined.marks.setdefault(page, {})[int(item)] = element
            return NumberObject(int(item))
        value = item.get_object()
        if not isinstance(value, DictionaryObject):
            return None
        kind = value.get("/Type")
        if kind == "/MCR":
            where = self._page(value.get("/Pg")) if "/Pg" in value else page
            if where is None:
                return None
            self.joined.marks.setdefault(where, {})[int(value["/MCID"])] = element
            return DictionaryObject({NameObject("/Type"): NameObject("/MCR"), NameObject("/Pg"): self.page_refs[where], NameObject("/MCID"): NumberObject(int(value["/MCID"]))})
        if kind == "/OBJR":
            return self._object_reference(value, page, element)
        return self.copy(item, element)

    def _object_reference(self, value: DictionaryObject, page: int | None, element: IndirectObject) -> Any:
        annotation = value.get("/Obj")
        number = annotation.get_object().get("/StructParent") if annotation is not None else None
        target = self.annotations.get(int(number)) if number is not None else None
        where = self._page(value.get("/Pg")) if "/Pg" in value else page
        if target is None or where is None:
            return None  # an annotation left out of the assembled PDF
        self.joined.annotations.append((target, element))
        reference = DictionaryObject({NameObject("/Type"): NameObject("/OBJR"), NameObject("/Obj"): target, NameObject("/Pg"): self.page_refs[where]})
        return self.writer._add_object(reference)


def _same_group(left: Any, right: Any) -> bool:
    a, b = left.get_object(), right.get_object()
    return a.get("/S") == b.get("/S") and a.get("/S") in GROUPS


def _append_kids(target: IndirectObject, source: IndirectObject) -> None:
    """The element a part boundary cut in two, joined: the second half's kids go to the first."""
    into, away = target.get_object(), source.get_object()
    for kid in away.get("/K", ArrayObject()):
        value = kid.get_object() if isinstance(kid, IndirectObject) else None
        if isinstance(value, DictionaryObject) and value.get("/Type") == "/StructElem":
            value[NameObject("/P")] = target
        into["/K"].append(kid)


def _parent_tree(joined: _Joined, pages: int) -> DictionaryObject:
    """/Nums: each page's marked content to its elements (key: the page's /StructParents), then
    each annotation to its element (key: its /StructParent)."""
    numbers = ArrayObject()
    for index, page in enumerate(joined.writer.pages):
        page[NameObject("/StructParents")] = NumberObject(index)
        marks = joined.marks.get(index, {})
        size = max(marks, default=-1) + 1
        numbers += [NumberObject(index), ArrayObject(marks.get(m, NullObject()) for m in range(size))]
    for offset, (annotation, element) in enumerate(joined.annotations):
        key = pages + offset
        annotation.get_object()[NameObject("/StructParent")] = NumberObject(key)
        numbers += [NumberObject(key), element]
    return DictionaryObject({NameObject("/Nums"): numbers})
