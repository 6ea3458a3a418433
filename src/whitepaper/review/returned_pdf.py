"""Returned PDFs: every annotation a reviewer made, at the Markdown line it sits on.

Each annotation is mapped to the block it sits on: its page and height lead to the
nearest source-line destination above it (`L:<file>:<line>`), so the register names
the Markdown file and line an author must edit, with the marked text and the block's
source quoted. A packet another program rewrote has lost those destinations (and often
its own metadata keys); it is recognised by its title and subject, and its annotations
are placed by the margin markers and the marked text instead (anchors.py).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..project import Project
from .anchors import Anchors, DestinationAnchors, MarkerAnchors
from .destinations import destinations_of
from .frozen import FrozenSources, RoundInfo
from .pdf_edits import Edit, around, at_caret, edit_of
from .pdftext import Glyph, resolved, text_in_quads
from .register import Comment
from .suggestions import describe, place

KINDS = {
    "/Text": "note", "/Highlight": "highlight", "/Underline": "underline", "/StrikeOut": "strike-out",
    "/Squiggly": "squiggly", "/FreeText": "free-text", "/Ink": "drawing", "/Square": "drawing",
    "/Circle": "drawing", "/Line": "drawing", "/Polygon": "drawing", "/PolyLine": "drawing",
    "/Caret": "insertion", "/Stamp": "stamp",
}  # fmt: skip
MARKUP = {"/Highlight", "/Underline", "/StrikeOut", "/Squiggly"}
NEEDS_TEXT = MARKUP | {"/Caret"}  # annotations read with the page's text under or beside them


def read_pdf(path: Path, project: Project, info: RoundInfo, sources: FrozenSources, diagnostics: Diagnostics) -> list[Comment]:
    shown = project.rel(path)
    try:
        data = path.read_bytes()
        reader = PdfReader(io.BytesIO(data))
        pages = list(reader.pages)
    except (OSError, PdfReadError, ValueError, KeyError, TypeError) as exc:
        diagnostics.add(rules.COLLECT_UNREADABLE_PDF, Location(shown), f"cannot read this PDF ({exc}); ask the reviewer to send it again")
        return []
    reviewer = _identify(reader, data, info, shown, diagnostics)
    destinations = destinations_of(reader)
    anchors: Anchors = DestinationAnchors(pages, destinations) if destinations else MarkerAnchors(data, sources, reviewer)
    with closing(anchors):
        comments = _comments(pages, anchors, reviewer, info, sources, shown, diagnostics)
    if not destinations:
        _report_rewritten(comments, shown, diagnostics)
    return comments


def _comments(
    pages: list[Any],
    anchors: Anchors,
    reviewer: dict[str, Any] | None,
    info: RoundInfo,
    sources: FrozenSources,
    shown: str,
    diagnostics: Diagnostics,
) -> list[Comment]:
    comments: list[Comment] = []
    by_ref: dict[Any, Comment] = {}
    replies: list[tuple[Comment, Any, bool]] = []
    edits: dict[str, _Proposed] = {}
    for page_index, page in enumerate(pages):
        annotations = page.get("/Annots")
        if not annotations:
            continue
        glyphs: list[Glyph] | None = None
        for reference in resolved(annotations):
            annotation = resolved(reference)
            if not isinstance(annotation, DictionaryObject):
                continue
            subtype = str(annotation.get("/Subtype", ""))
            if subtype not in KINDS:
                continue  # links, pop-ups and widgets are not comments
            if subtype in NEEDS_TEXT and glyphs is None:
                glyphs = anchors.glyphs(page_index)
            comment = _comment(annotation, subtype, page_index, glyphs or [], anchors, reviewer, info, sources, shown)
            proposed = _proposed(comment, annotation, subtype, glyphs or [])
            if proposed is not None:
                edits[comment.id] = proposed
            if "/IRT" in annotation:
                grouped = str(annotation.get("/RT", "")) == "/Group"  # one mark made of two (Acrobat's "replace text")
                replies.append((comment, annotation.raw_get("/IRT"), grouped))  # the reference, not the object
            comments.append(comment)
            if isinstance(reference, IndirectObject):
                by_ref[(reference.idnum, reference.generation)] = comment
    for reply, parent_ref, grouped in replies:  # replies are threaded under the comment they answer
        key = (parent_ref.idnum, parent_ref.generation) if isinstance(parent_ref, IndirectObject) else None
        parent = by_ref.get(key) if key else None
        if parent is not None and grouped and parent.id in edits and reply.kind == "insertion":
            edits[parent.id] = edits[parent.id].replaced_by(reply.comment)  # the caret's text replaces the struck words
            edits.pop(reply.id, None)
            comments.remove(reply)
        elif parent is not None:
            reply.in_reply_to = parent.id
            reply.kind = "reply"
            reply.file, reply.line, reply.source, reply.placed = parent.file, parent.line, parent.source, parent.placed
            edits.pop(reply.id, None)  # a reply's text is said to someone, not inserted
    for comment in comments:
        if comment.id in edits:
            _suggest(comment, edits[comment.id], sources, shown, diagnostics)
    return comments


@dataclass(frozen=True)
class _Proposed:
    """An edit an annotation proposes, with the words beside it on the page."""

    edit: Edit
    before: str
    after: str

    def replaced_by(self, text: str) -> _Proposed:
        return _Proposed(Edit(self.edit.old, " ".join(text.split()), self.edit.note), self.before, self.after)


def _proposed(comment: Comment, annotation: DictionaryObject, subtype: str, glyphs: list[Glyph]) -> _Proposed | None:
    edit = edit_of(comment.kind, comment.quote, comment.comment)
    if edit is None:
        return None
    if edit.old:
        return _Proposed(edit, *around(glyphs, _quads(annotation)))
    rect = [float(v) for v in resolved(annotation.get("/Rect", [0, 0, 0, 0]))]
    before, after, new = at_caret(glyphs, (rect[0], rect[1], rect[2], rect[3]), edit.new)
    return _Proposed(Edit("", new, edit.note), before, after)


def _suggest(comment: Comment, proposed: _Proposed, sources: FrozenSources, shown: str, diagnostics: Diagnostics) -> None:
    """The comment's edit placed in the Markdown as its suggestion; kept as a comment where it cannot be."""
    edit = proposed.edit
    comment.comment = edit.note or describe(edit.old, edit.new.strip())
    if not (comment.file and comment.line):
        return
    comment.suggestion = place(sources, comment.file, comment.line, edit.old, edit.new, proposed.before, proposed.after)
    if comment.suggestion is None:
        message = f"{comment.reviewer}'s edit ({describe(edit.old, edit.new.strip())}) is not in {comment.file}:{comment.line} as written; it is kept as a comment"
        diagnostics.add(rules.COLLECT_SUGGESTION_UNPLACED, Location(shown), message)


def _report_rewritten(comments: list[Comment], shown: str, diagnostics: Diagnostics) -> None:
    """One warning per file without destinations: how many of its comments were placed, and by what."""
    if not comments:
        diagnostics.add(rules.COLLECT_NO_DESTINATIONS, Location(shown), "this PDF has no source-line destinations; comments are kept without file and line")
        return
    ways = Counter(c.placed for c in comments if c.file)
    unplaced = len(comments) - sum(ways.values())
    if not ways:
        diagnostics.add(
            rules.COLLECT_NO_ANCHORS,
            Location(shown),
            f"this PDF has neither source-line destinations nor margin markers (another program rewrote it, or it is no packet); "
            f"its {len(comments)} comments are kept without file and line",
        )
        return
    names = {"marker+quote": "by marker and quote", "marker": "by marker alone", "quote": "by quote alone"}
    how = ", ".join(f"{ways[way]} {name}" for way, name in names.items() if ways[way])
    kept = f"; {unplaced} kept without file and line" if unplaced else ""
    diagnostics.add(
        rules.COLLECT_REWRITTEN_PDF,
        Location(shown),
        f"another program rewrote this PDF (its source-line destinations are gone): {len(comments) - unplaced} of {len(comments)} "
        f"comments placed by its margin markers and the marked text ({how}){kept}",
    )


def _identify(reader: PdfReader, data: bytes, info: RoundInfo, shown: str, diagnostics: Diagnostics) -> dict[str, Any] | None:
    """The reviewer a returned file belongs to: its packet's metadata, else its hash, else none."""
    packet_round, names = _packet_of(reader.metadata or {})
    if packet_round and packet_round != info.name:
        diagnostics.add(rules.COLLECT_OTHER_ROUND, Location(shown), f"this packet belongs to round '{packet_round}', not '{info.name}'")
    reviewer = next((found for name in names if (found := info.reviewer(name))), None)
    if reviewer is None:
        reviewer = info.packet_by_hash(hashlib.sha256(data).hexdigest())
    if reviewer is None:
        diagnostics.add(
            rules.COLLECT_UNKNOWN_PACKET,
            Location(shown),
            "not one of this round's packets; comments are kept under their annotations' author",
        )
    return reviewer


# What packets.py writes into every packet's title and subject, which any program that rewrites
# a PDF keeps: "<paper title>: review r1, <reviewer>" and "Review packet for <reviewer>".
_TITLE = re.compile(r".*: review (?P<round>[A-Za-z0-9][A-Za-z0-9._-]*), (?P<name>.+)", re.S)
_SUBJECT = re.compile(r"Review packet for (?P<name>.+)", re.S)


def _packet_of(metadata: Any) -> tuple[str | None, list[str]]:
    """The round a packet's metadata names, and the reviewer names it gives, surest first: the
    packet's own keys, which a rewrite may drop, then its subject and title."""
    title = _TITLE.fullmatch(str(metadata.get("/Title") or "").strip())
    subject = _SUBJECT.fullmatch(str(metadata.get("/Subject") or "").strip())
    own_round = metadata.get("/WhitepaperRound")
    packet_round = str(own_round) if own_round else (title["round"] if title else None)
    names = [str(metadata.get("/WhitepaperReviewer") or ""), subject["name"] if subject else "", title["name"] if title else ""]
    return packet_round, [name for name in names if name]


def _comment(
    annotation: DictionaryObject,
    subtype: str,
    page: int,
    glyphs: list[Glyph],
    anchors: Anchors,
    reviewer: dict[str, Any] | None,
    info: RoundInfo,
    sources: FrozenSources,
    shown: str,
) -> Comment:
    """One annotation as a comment: what it says, the text it marks, and where that is in the Markdown."""
    rect = [float(v) for v in resolved(annotation.get("/Rect", [0, 0, 0, 0]))]
    quads = _quads(annotation) if subtype in MARKUP else []
    # A note's icon hangs from where the reader clicked; allow half a line of slack above the text.
    top = max((q[3] for q in quads), default=(max(rect[1], rect[3]) - 6) if len(rect) == 4 else 0)
    quote = text_in_quads(glyphs, quads) if quads else ""
    contents = _text(annotation.get("/Contents")) or (_text(annotation.get("/RC")) and _strip_tags(_text(annotation.get("/RC"))))
    kind = KINDS[subtype]
    if kind == "drawing":
        contents = f"[drawing on page {page + 1}] {contents}".strip()
    author = _text(annotation.get("/T")) or None
    name = reviewer["name"] if reviewer else (author or "unknown reviewer")
    file, line, placed = anchors.place(page, top, glyphs, quads)
    date = _date(_text(annotation.get("/M")) or _text(annotation.get("/CreationDate")))
    # All of it survives a rewrite (the box to the point), so a rewritten copy's comments keep their ids.
    identity = "|".join([info.name, name, kind, str(page), ",".join(f"{v:.0f}" for v in rect), contents, quote])
    return Comment(
        id="c-" + hashlib.sha256(identity.encode("utf-8")).hexdigest()[:10],
        reviewer=name,
        organisation=reviewer.get("organisation") if reviewer else None,
        file=file,
        line=line,
        page=page + 1,
        quote=quote,
        source=sources.block(file, line) if file and line else "",
        comment=contents,
        kind=kind,
        author=author,
        date=date,
        packet=shown,
        assignee=sources.owner(file) if file else None,
        placed=placed,
    )


def _quads(annotation: DictionaryObject) -> list[tuple[float, float, float, float]]:
    values = [float(v) for v in resolved(annotation.get("/QuadPoints", []))]
    boxes = []
    for index in range(0, len(values) - 7, 8):
        xs, ys = values[index : index + 8 : 2], values[index + 1 : index + 8 : 2]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    if not boxes and "/Rect" in annotation:
        rect = [float(v) for v in resolved(annotation["/Rect"])]
        boxes.append((min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3])))
    return boxes


def _text(value: Any) -> str:
    value = resolved(value)
    if value is None:
        return ""
    if isinstance(value, ArrayObject):
        return " ".join(_text(v) for v in value)
    if hasattr(value, "get_data"):
        return value.get_data().decode("utf-8", errors="replace")
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _strip_tags(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


def _date(value: str) -> str | None:
    match = re.match(r"D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?", value or "")
    if not match:
        return None
    year, month, day, hour, minute = match.groups()
    text = f"{year}-{month or '01'}-{day or '01'}"
    return f"{text}T{hour}:{minute or '00'}" if hour else text
