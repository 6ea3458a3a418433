"""The structure tree of a tagged PDF: WeasyPrint's, corrected while WeasyPrint builds it.

WeasyPrint 70 tags a PDF box by box and page by page (weasyprint/pdf/tags.py). For a
paper that is wrong in a few ways, each put right here:

- an element laid out over several pages becomes one structure element per page (a
  paragraph is read as two, a chapter is one per page): the fragments are joined into
  the element of the first page, their content kept in reading order;
- what is not content is tagged as content, or left out of the tree without being
  marked as an artifact: running headers and footers, page numbers and the review
  stamp (margin boxes), the review edition's source-line markers
  (`[data-src]::before`), the dot leaders of the contents, a table's header repeated
  on a later page, and decorative images (`alt=""` or class `decorative`). They become
  artifacts: out of the tree, marked `/Artifact` in the page content, so they are still
  text on the page (review tools read the markers) but never read aloud;
- every run of text (a line's part of a paragraph) is a /Span of its own, which says
  nothing and is most of the tree's elements: the text becomes its element's own content;
- `lang` attributes are dropped: they become the /Lang of their elements;
- header cells have no /Scope, math drawn as an image is a /Figure rather than a
  /Formula, a `<figure>` groups nothing (its image and caption are not held together by
  a /Div), and a link is described (/Contents) by its target (`sec-intro`) rather than
  by its text.

WeasyPrint offers no hook for this, so `install()` wraps the two functions of
weasyprint.pdf that build the tree, once per process; everything else WeasyPrint does
(lists, tables, links, the parent tree) is kept as it is.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

REVISION = "4"  # of the corrections below: cached laid-out parts are keyed by it
NULL = b"null"  # a parent-tree entry for a marked-content id that is an artifact
PAGINATION, LAYOUT = "Pagination", "Layout"  # the kinds of artifact (ISO 32000-1, 14.8.2.2)
FORMULA_CLASS = "math"  # math drawn as SVG (render/mathsvg.py): a /Formula, its TeX as /Alt
DECORATIVE_CLASS = "decorative"
BARE = {"Type", "S", "K", "Pg", "P"}  # the keys of a structure element that says nothing of itself

_lock = threading.Lock()
_installed = False


@dataclass
class _Tree:
    """What the corrections remember of one PDF while WeasyPrint builds its tree."""

    fragments: dict[tuple[Any, ...], tuple[Any, int]] = field(default_factory=dict)  # element key -> (first StructElem, page)
    artifacts: dict[int, dict[int, str]] = field(default_factory=lambda: defaultdict(dict))  # page -> MCID -> kind
    elements: set[int] = field(default_factory=set)  # object numbers of the elements of HTML elements (kept whole)
    page: int = -1  # the page being built, and where its link annotations start in WeasyPrint's list
    page_annotations: int = 0


def install() -> None:
    """Wrap WeasyPrint's tree builder with the corrections (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        from weasyprint import pdf as weasy_pdf
        from weasyprint.pdf import tags as weasy_tags

        build, add = weasy_tags._build_box_tree, weasy_pdf.add_tags

        def build_box_tree(box, parent, pdf, page_number, nums, annotations, tags):  # type: ignore[no-untyped-def]
            yield from _build(build, box, parent, pdf, page_number, nums, annotations, tags)

        def add_tags(pdf, document, pdf_version, page_streams):  # type: ignore[no-untyped-def]
            pdf.whitepaper_tree = _Tree()
            with _pages_known(pdf):
                add(pdf, document, pdf_version, page_streams)
            _mark_artifacts(pdf.whitepaper_tree, page_streams)

        weasy_tags._build_box_tree = build_box_tree  # the builder calls itself through this name
        weasy_pdf.add_tags = add_tags
        _installed = True


@contextmanager
def _pages_known(pdf: Any) -> Iterator[None]:
    """pydyf lists the references of all pages afresh each time one is asked for
    (`pdf.page_references[n]`), and WeasyPrint asks once per structure element: time that grew
    with pages x elements (on 676 pages a single pass took 1.6 times as long tagged as not,
    against 1.08 on the sample). The pages are all made before the tree, so they are listed once."""
    import pydyf

    class PagesKnown(type(pdf)):  # type: ignore[misc]
        page_references = pydyf.PDF.page_references.fget(pdf)  # type: ignore[attr-defined]

    kind = pdf.__class__
    pdf.__class__ = PagesKnown
    try:
        yield
    finally:
        pdf.__class__ = kind


def _build(original: Callable[..., Iterator[Any]], box: Any, parent: Any, pdf: Any, page: int, nums: dict[int, Any], annotations: list[Any], tags: dict[Any, Any]) -> Iterator[Any]:
    from weasyprint.layout.absolute import AbsolutePlaceholder

    tree: _Tree = pdf.whitepaper_tree
    if page != tree.page:  # links are listed in page order: a page's start where its own begin
        tree.page, tree.page_annotations = page, len(annotations)
    real = box._box if isinstance(box, AbsolutePlaceholder) else box
    if _passes_through(real):  # the page, html and body: WeasyPrint yields their children's elements
        yield from original(box, parent, pdf, page, nums, annotations, tags)
        return
    kind = _artifact(real, tree, page)
    if kind:
        _as_artifact(real, tree, page, nums, tags, kind)
        return
    for element in original(box, parent, pdf, page, nums, annotations, tags):
        _inline_text(element, tree, pdf, nums)
        _describe(element, real, parent, pdf)
        tree.elements.add(element.number)
        if not _joined(element, real, tree, pdf, page, nums, annotations):
            yield element


def _inline_text(element: Any, tree: _Tree, pdf: Any, nums: dict[int, Any]) -> None:
    """Each run of text (a line's piece of a paragraph, say) as marked content of its element
    rather than as a /Span of its own, which says nothing: 2,000 of the sample's 4,000 elements
    were those. The spans, made already, are left out of the file (_free). A `<span>`
    of the HTML is kept: it may have a language, or go on on the next page (_joined)."""
    kids = element["K"]
    for index, kid in enumerate(kids):
        span = _object(pdf, kid) if isinstance(kid, bytes) else None
        if span is not None and span.number not in tree.elements and _bare_text(span):
            mcid = span["K"][0]
            kids[index] = mcid
            nums[mcid] = element.reference
            _free(span)


def _free(span: Any) -> None:
    """Leave an object out of the file. pydyf (0.13) still counts a freed object that could go in
    an object stream when it numbers the stream's entries, so every later entry pointed one
    place too far (pdf.js shows the wrong object) and past 65,535 objects the write failed. Not
    compressible (a generation above 0) and numbered 0, it gets the free entry of the
    cross-reference stream (type 0) instead."""
    span.free = "f"
    span.generation = 1
    span.number = 0


def _bare_text(element: Any) -> bool:
    """A /Span WeasyPrint makes for a run of text: one piece of marked content, nothing more."""
    return element.get("S") == "/Span" and set(element) <= BARE and len(element["K"]) == 1 and isinstance(element["K"][0], int)


def _passes_through(box: Any) -> bool:
    from weasyprint.formatting_structure import boxes

    if not isinstance(box, boxes.ParentBox) or isinstance(box, boxes.LineBox):
        return False
    return isinstance(box, boxes.PageBox) or (box.element is not None and box.element_tag in ("html", "body"))


def _artifact(box: Any, tree: _Tree, page: int) -> str | None:
    """The kind of artifact a box is, or None for content."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox):
        return PAGINATION
    if getattr(box, "is_leader", False):
        return LAYOUT
    element, tag = box.element, box.element_tag or ""
    if element is None:
        return None
    if tag.endswith("::before") and element.get("data-src") is not None:
        return LAYOUT  # a source-line marker of the review edition
    if isinstance(box, boxes.ReplacedBox) and _decorative(element):
        return LAYOUT
    if tag in ("thead", "tfoot"):
        seen = tree.fragments.get(_key(box, "/" + tag[:2].upper() + tag[2:]))
        if seen is not None and seen[1] != page:
            return LAYOUT  # the header repeated on the pages a table continues on
    return None


def _decorative(element: Any) -> bool:
    classes = (element.get("class") or "").split()
    return element.tag == "img" and (element.get("alt") == "" or DECORATIVE_CLASS in classes)


def _as_artifact(box: Any, tree: _Tree, page: int, nums: dict[int, Any], tags: dict[Any, Any], kind: str) -> None:
    """Take a box's marked content out of the tree, to be marked as an artifact."""
    import pydyf
    from weasyprint.formatting_structure import boxes

    for inner in _descendants(box):
        marked = tags.pop(inner, None)
        if marked is not None:
            nums[marked["mcid"]] = NULL
            tree.artifacts[page][marked["mcid"]] = kind
        if isinstance(inner, boxes.TableCellBox):
            inner.mark = pydyf.Dictionary({"A": pydyf.Dictionary()})  # WeasyPrint's header pass labels every cell


def _descendants(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(getattr(child, "_box", child))


def _describe(element: Any, box: Any, parent: Any, pdf: Any) -> None:
    """What WeasyPrint leaves out of an element: its language, a header cell's scope, a
    formula's role, a link's description."""
    import pydyf

    html = box.element
    if html is None:
        return
    own = "::" not in (box.element_tag or "") and not _anonymous(box)
    if own and html.get("lang"):
        element["Lang"] = pydyf.String(html.get("lang"))
    if element["S"] == "/TH":
        element["A"]["Scope"] = _scope(html, parent, pdf)
    if element["S"] == "/Figure" and FORMULA_CLASS in (html.get("class") or "").split():
        element["S"] = "/Formula"
    if element["S"] == "/NonStruct" and own and html.tag == "figure":
        element["S"] = "/Div"  # the image and its caption, grouped (WeasyPrint gives <figure> no role)
    annotation = getattr(box, "link_annotation", None)
    if annotation is not None:  # WeasyPrint describes a link by its target: an id, or a URL
        annotation["Contents"] = pydyf.String(_link_text(html))


def _anonymous(box: Any) -> bool:
    """A box WeasyPrint made for layout, which shares its element with the element's own box."""
    return type(box.style).__name__ == "AnonymousStyle"


def _scope(th: Any, row: Any, pdf: Any) -> str:
    """/Row for a header cell that says so or starts a row of the body; else /Column."""
    scope = (th.get("scope") or "").lower()
    if scope in ("row", "rowgroup"):
        return "/Row"
    if scope in ("col", "colgroup"):
        return "/Column"
    group = _object(pdf, row["P"]) if row.get("S") == "/TR" else None
    in_head = group is not None and group.get("S") == "/THead"
    return "/Row" if not in_head and len(row["K"]) == 0 else "/Column"


def _link_text(element: Any) -> str:
    """A link's description: its title, else its text, else where it goes."""
    text = " ".join("".join(element.itertext()).split())
    return element.get("title") or element.get("aria-label") or text or element.get("href") or "link"


def _key(box: Any, role: str) -> tuple[Any, ...]:
    return (box.element, box.element_tag, role, _anonymous(box))


def _joined(element: Any, box: Any, tree: _Tree, pdf: Any, page: int, nums: dict[int, Any], annotations: list[Any]) -> bool:
    """Join a fragment of an element begun on an earlier page to that element; True if joined."""
    if box.element is None:
        return False
    key = _key(box, str(element["S"]))
    seen = tree.fragments.get(key)
    if seen is None or seen[1] == page:
        tree.fragments[key] = (element, page)  # the latest on its page: a continuation continues it
        return False
    target = seen[0]
    _move_kids(element, target, pdf, nums, annotations, tree.page_annotations)
    if element["S"] == "/Table":
        _rename_headers(element, target, pdf)
    return True


def _move_kids(fragment: Any, target: Any, pdf: Any, nums: dict[int, Any], annotations: list[Any], start: int) -> None:
    """Move a fragment's kids to the element it continues, with its links (`annotations[start:]`,
    this page's: a fragment's links are all on its page)."""
    import pydyf

    for kid in fragment["K"]:
        if isinstance(kid, int):  # marked content of the fragment's page, which the target is not on
            kid = pydyf.Dictionary({"Type": "/MCR", "Pg": fragment["Pg"], "MCID": kid})
        elif isinstance(kid, bytes):
            child = _object(pdf, kid)
            if isinstance(child, dict) and child.get("Type") == "/StructElem":
                child["P"] = target.reference
        target["K"].append(kid)
    for mcid, reference in nums.items():
        if reference == fragment.reference:
            nums[mcid] = target.reference
    annotations[start:] = [(target.reference if ref == fragment.reference else ref, a) for ref, a in annotations[start:]]


def _object(pdf: Any, reference: bytes) -> Any:
    return pdf.objects[int(reference.split()[0])]


def _rename_headers(fragment: Any, target: Any, pdf: Any) -> None:
    """A table continued on another page: its data cells name the header cells of the first
    page (WeasyPrint names them after the table element of their own page)."""
    import pydyf

    old, new = f"{fragment.number}-", f"{target.number}-"
    stack = [fragment]
    while stack:
        element = stack.pop()
        attributes = element.get("A")
        if element.get("S") == "/TD" and isinstance(attributes, dict) and "Headers" in attributes:
            attributes["Headers"] = pydyf.Array(pydyf.String(new + h.string[len(old) :]) if h.string.startswith(old) else h for h in attributes["Headers"])
        for kid in element.get("K", ()):
            if isinstance(kid, bytes):
                child = _object(pdf, kid)
                if isinstance(child, dict) and child.get("Type") == "/StructElem":
                    stack.append(child)


def _mark_artifacts(tree: _Tree, page_streams: list[Any]) -> None:
    """Marked content taken out of the tree becomes `/Artifact <</Type /Pagination>> BDC`."""
    import pydyf

    for page, kinds in tree.artifacts.items():
        items = page_streams[page].stream
        for index, item in enumerate(items):
            if isinstance(item, pydyf.Dictionary) and item.get("MCID") in kinds and index > 0:
                kind = kinds[item["MCID"]]
                items[index - 1] = "/Artifact"
                item.clear()
                item["Type"] = f"/{kind}"
