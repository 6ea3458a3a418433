"""Word packets: a reviewer's chapters as a .docx whose comments and tracked changes can be
traced back to the Markdown line they were made on, after Word or LibreOffice saved it.

Every block starts with a bookmark `wp_c<chapter>_l<line>` (`_2`, `_3`… for a second block
starting on the same line), and the file's custom document properties name the round, the
reviewer and each chapter's file (`WhitepaperChapter3: chapters/03-x.md`). Bookmarks of that
shape are the one anchor both editors keep as they are: Word allows bookmark names of at
most 40 letters, digits and `_`, starting with a letter; LibreOffice keeps such names but
percent-encodes `:` and `/` and cuts names to 40 characters, so a file path cannot be a
name, and it drops content controls and inline custom XML. Custom properties survive both.
The bookmarks are points at the start of their block's first paragraph, because LibreOffice
moves a bookmark that sits between paragraphs into one of them.

The look comes from a reference document: the project's `templates/reference.docx` when it
has one, else pandoc's own with readable fonts and headings; either way with the review
stamp in the page header and line numbers on.
"""

from __future__ import annotations

import functools
import re
import tempfile
from pathlib import Path
from typing import Any

from lxml import etree

from .. import pandoc
from ..config.schema import Config
from ..pandoc import nodes
from ..pipeline import Analysis
from ..pipeline.publish import bibliography_json
from ..render.docx import REFERENCE_DOC
from ..render.ooxml import (
    content_type,
    read_parts,
    relate,
    set_custom_properties,
    write_parts,
)
from ..resolve import ResolvedChapter
from .edition import parse_destination

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
HEADER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"

ANCHOR = re.compile(r"wp_c(\d+)_l(\d+)(?:_\d+)?")
OUTSIDE = "wp_c0_l0"  # the anchor of what follows the chapters (the references): chapter 0 is no file
ROUND_PROPERTY, REVIEWER_PROPERTY, CHAPTER_PROPERTY = "WhitepaperRound", "WhitepaperReviewer", "WhitepaperChapter"

BODY_FONT, HEADING_FONT = "Cambria", "Calibri"  # in every Word; LibreOffice sets them in Caladea and Carlito
HEADING_SIZES = {"Title": 36, "Subtitle": 26, "Heading1": 32, "Heading2": 26, "Heading3": 23, "Heading4": 22}  # half-points
PAGE = {"a4": ("11906", "16838"), "letter": ("12240", "15840")}  # twentieths of a point


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def anchor_name(chapter: int, line: int, repeat: int = 1) -> str:
    return f"wp_c{chapter}_l{line}" + (f"_{repeat}" if repeat > 1 else "")


def parse_anchor(name: str) -> tuple[int, int] | None:
    """`wp_c3_l42` (maybe `_2`) -> (3, 42): chapter number in the custom properties, and line."""
    match = ANCHOR.fullmatch(name)
    return (int(match.group(1)), int(match.group(2))) if match else None


def write_word_packet(
    analysis: Analysis, config: Config, chapters: list[ResolvedChapter], *, round_name: str, reviewer: str, stamp: str
) -> bytes:
    """The Word packet of `chapters` (marked by the review edition) with their references."""
    assert analysis.csl is not None and analysis.document is not None
    numbers = {c.source.rel: index for index, c in enumerate(analysis.document.chapters, start=1)}
    heading = nodes.header(1, "references", nodes.text_inlines("References"))
    references = [nodes.div(OUTSIDE, [], [heading, nodes.div("refs", [], [])])]  # what is marked there has no source line
    meta = {
        "title": {"t": "MetaInlines", "c": nodes.text_inlines(config.title)},
        "subtitle": {"t": "MetaInlines", "c": nodes.text_inlines(f"Review {round_name}: packet for {reviewer}")},
        "lang": {"t": "MetaString", "c": config.lang},
        "link-citations": {"t": "MetaBool", "c": True},
    }
    blocks = [block for chapter in chapters for block in chapter.blocks] + references
    document = {"pandoc-api-version": pandoc.api_version(), "meta": meta, "blocks": blocks}
    paper = config.review.paper_size or config.paper_size
    reference = _reference_doc(analysis.project.templates_dir / REFERENCE_DOC, stamp, paper)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reference.docx"
        path.write_bytes(reference)
        args = pandoc.citeproc_args(analysis.csl, bibliography_json(analysis))
        args += ["--resource-path", str(analysis.project.root), "--reference-doc", str(path)]
        data = pandoc.ast_to_docx(document, args)
    parts = read_parts(data)
    parts["word/document.xml"] = _anchor_blocks(parts["word/document.xml"], numbers)
    properties = {ROUND_PROPERTY: round_name, REVIEWER_PROPERTY: reviewer}
    properties |= {f"{CHAPTER_PROPERTY}{numbers[c.source.rel]}": c.source.rel for c in chapters}
    set_custom_properties(parts, properties)  # replaces pandoc's, which name the machine's csl and bibliography paths
    return write_parts(parts)


def _anchor_blocks(xml: bytes, numbers: dict[str, int]) -> bytes:
    """Rename the review edition's block bookmarks (`L:chapters/03-x.md:42`, `~2` on a repeat)
    to `wp_c3_l42`, and make each (and OUTSIDE) a point at the start of its block's first paragraph."""
    root = etree.fromstring(xml)
    ends = {e.get(w("id")): e for e in root.iter(w("bookmarkEnd"))}
    placed: dict[Any, int] = {}  # paragraph -> where its next anchor goes, so anchors keep their order
    for start in list(root.iter(w("bookmarkStart"))):
        name = start.get(w("name"), "")
        found = parse_destination(name)
        if found is not None and found[0] in numbers:
            repeat = name.rpartition("~")[2]
            start.set(w("name"), anchor_name(numbers[found[0]], found[1], int(repeat) if repeat.isdigit() else 1))
        elif name != OUTSIDE:
            continue
        end = ends.get(start.get(w("id")))
        if end is not None:
            end.getparent().remove(end)
        inside = start.getparent().tag == w("p")
        paragraph = None if inside else next(iter(start.xpath("following::w:p[1]", namespaces={"w": W})), None)
        if paragraph is None:  # already in a paragraph (or after the last): keep it there, as a point
            if end is not None:
                start.addnext(end)
            continue
        start.getparent().remove(start)
        at = placed.get(paragraph, 1 if len(paragraph) and paragraph[0].tag == w("pPr") else 0)
        for offset, element in enumerate(e for e in (start, end) if e is not None):
            element.tail = None  # the body's indentation, which has no place in a paragraph
            paragraph.insert(at + offset, element)
        placed[paragraph] = at + (2 if end is not None else 1)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# The reference document ------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _pandoc_reference() -> bytes:
    return pandoc.run(["--print-default-data-file", "reference.docx"]).stdout


def _reference_doc(project_reference: Path, stamp: str, paper_size: str) -> bytes:
    """The project's reference document, else pandoc's with our fonts; with the stamp and line numbers."""
    own = project_reference.is_file()
    parts = read_parts(project_reference.read_bytes() if own else _pandoc_reference())
    if not own:
        parts["word/styles.xml"] = _readable_styles(parts["word/styles.xml"])
    _add_stamp_header(parts, stamp)
    parts["word/document.xml"] = _section(parts["word/document.xml"], paper_size, keep_page=own)
    return write_parts(parts)


def _readable_styles(xml: bytes) -> bytes:
    """Named fonts instead of the theme's (Aptos, which few machines have), 11 pt text at 1.15
    lines, and bold dark-blue headings in a sans-serif face."""
    root = etree.fromstring(xml)
    defaults = root.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
    if defaults is not None:
        _fonts(defaults, BODY_FONT)
        _put(defaults, "sz", RPR, val="22")
        _put(defaults, "szCs", RPR, val="22")
    paragraph = root.find(f"{w('docDefaults')}/{w('pPrDefault')}/{w('pPr')}")
    if paragraph is not None:
        _put(paragraph, "spacing", PPR, after="120", line="276", lineRule="auto")
    for style in root.iter(w("style")):
        style_id = style.get(w("styleId"), "")
        base = style_id.removesuffix("Char")
        if base in HEADING_SIZES or base.startswith("Heading"):
            properties = _child(style, "rPr", STYLE)
            _fonts(properties, HEADING_FONT)
            if base != "Subtitle":
                _put(properties, "b", RPR)
            _put(properties, "color", RPR, val="1F3864")
            size = str(HEADING_SIZES.get(base, 22))
            _put(properties, "sz", RPR, val=size)
            _put(properties, "szCs", RPR, val=size)
        if style_id == "BodyText":
            _put(_child(style, "pPr", STYLE), "spacing", PPR, before="0", after="160")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _add_stamp_header(parts: dict[str, bytes], stamp: str) -> None:
    """A header part with the stamp and the page number, related from the document."""
    header = etree.Element(w("hdr"), nsmap={"w": W})
    paragraph = etree.SubElement(header, w("p"))
    properties = etree.SubElement(paragraph, w("pPr"))
    etree.SubElement(properties, w("jc")).set(w("val"), "right")
    run_properties = etree.Element(w("rPr"))
    etree.SubElement(run_properties, w("color")).set(w("val"), "6B7280")
    etree.SubElement(run_properties, w("sz")).set(w("val"), "16")
    _run(paragraph, f"{stamp} · page ", run_properties)
    field = etree.SubElement(paragraph, w("fldSimple"))
    field.set(w("instr"), " PAGE ")
    _run(field, "1", run_properties)
    parts["word/header-review.xml"] = etree.tostring(header, xml_declaration=True, encoding="UTF-8", standalone=True)
    relate(parts, "word/_rels/document.xml.rels", "rIdReviewHeader", HEADER_REL, "header-review.xml")
    content_type(parts, "/word/header-review.xml", HEADER_TYPE)


def _run(parent: Any, text: str, properties: Any) -> None:
    run = etree.SubElement(parent, w("r"))
    run.append(etree.fromstring(etree.tostring(properties)))
    node = etree.SubElement(run, w("t"))
    node.text = text
    node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _section(xml: bytes, paper_size: str, *, keep_page: bool) -> bytes:
    """The body's section: our header, line numbers (continuous, every line), and the page size
    unless the project's reference document sets its own."""
    root = etree.fromstring(xml)
    body = root.find(w("body"))
    section = body.find(w("sectPr"))
    if section is None:
        section = etree.SubElement(body, w("sectPr"))
    for old in section.findall(w("headerReference")):
        if old.get(w("type"), "default") == "default":
            section.remove(old)
    reference = etree.Element(w("headerReference"), nsmap={"r": R})
    reference.set(w("type"), "default")
    reference.set(f"{{{R}}}id", "rIdReviewHeader")
    section.insert(0, reference)
    if not (keep_page and section.find(w("pgSz")) is not None):
        width, height = PAGE.get(paper_size, PAGE["a4"])
        _put(section, "pgSz", SECTPR, w=width, h=height)
        margins = {side: "1418" for side in ("top", "right", "bottom", "left")}  # 25 mm
        _put(section, "pgMar", SECTPR, **margins, header="709", footer="709", gutter="0")
    _put(section, "lnNumType", SECTPR, countBy="1", distance="340", restart="continuous")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# OOXML helpers: Word refuses a file whose properties are out of the schema's order ---------

RPR = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow", "emboss",
       "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs",
       "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout"]  # fmt: skip
PPR = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr", "suppressLineNumbers",
       "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
       "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
       "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "rPr"]  # fmt: skip
STYLE = ["name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority", "semiHidden", "unhideWhenUsed",
         "qFormat", "locked", "personal", "personalCompose", "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr", "tcPr"]  # fmt: skip
SECTPR = ["headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc", "pgBorders",
          "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter",
          "docGrid"]  # fmt: skip


def _put(parent: Any, name: str, order: list[str], **attributes: str) -> Any:
    """Set child `name` (replacing one there) at its place in the schema's order."""
    for old in parent.findall(w(name)):
        parent.remove(old)
    element = etree.Element(w(name))
    for key, value in attributes.items():
        element.set(w(key), value)
    rank = order.index(name)
    later = [i for i, child in enumerate(parent) if _local(child) in order and order.index(_local(child)) > rank]
    parent.insert(later[0] if later else len(parent), element)
    return element


def _child(parent: Any, name: str, order: list[str]) -> Any:
    """The child `name`, made at its place in the schema's order when missing."""
    found = parent.find(w(name))
    return found if found is not None else _put(parent, name, order)


def _fonts(properties: Any, font: str) -> None:
    """A named font for every script, in place of theme fonts."""
    _put(properties, "rFonts", RPR, ascii=font, hAnsi=font, cs=font, eastAsia=font)


def _local(element: Any) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


# The package: parts by name -----------------------------------------------------------------


def chapter_files(properties: dict[str, str]) -> dict[int, str]:
    """The packet's chapters by number, as its custom properties name them."""
    numbered = {name.removeprefix(CHAPTER_PROPERTY): value for name, value in properties.items() if name.startswith(CHAPTER_PROPERTY)}
    return {int(number): file for number, file in numbered.items() if number.isdigit()}


