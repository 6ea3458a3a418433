"""Returned Word packets: every comment, reply and tracked change, at the Markdown line it was made on.

A Word packet (wordpacket.py) starts each block with a bookmark `wp_c<chapter>_l<line>`,
and its custom properties map chapter numbers to files. A comment or a change belongs to
the block whose bookmark comes last before it. Word links a reply to its comment in
`commentsExtended.xml`; LibreOffice drops that link and writes the reply as a comment of
its own on the same text, so, in a file with no such links, a later comment on exactly the
same text is taken as a reply to the first.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..project import Project
from ..render.ooxml import custom_properties
from .frozen import FrozenSources, RoundInfo
from .register import Comment
from .suggestions import describe, place
from .wordpacket import REVIEWER_PROPERTY, ROUND_PROPERTY, W, chapter_files, parse_anchor

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
PARTS = ("word/document.xml", "word/comments.xml", "word/commentsExtended.xml", "docProps/custom.xml")
INSERTED, DELETED = {"ins", "moveTo"}, {"del", "moveFrom"}  # a move is a deletion here and an insertion there
TEXT = {"t": None, "delText": None, "tab": "\t", "br": " ", "cr": " "}  # what a run's children add to its text

Position = tuple[int, int]  # a paragraph's index, and an offset in its text as the packet had it
Anchor = tuple[int, int]  # chapter number, line


def read_docx(path: Path, project: Project, info: RoundInfo, sources: FrozenSources, diagnostics: Diagnostics) -> list[Comment]:
    shown = project.rel(path)
    if path.name.startswith("~$"):
        return []  # the lock file Word keeps beside a document it has open, not a document
    try:
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
            parts = {name: archive.read(name) for name in PARTS if name in archive.namelist()}
        body = etree.fromstring(parts["word/document.xml"]).find(f"{{{W}}}body")
        if body is None:
            raise ValueError("its document has no body")
        notes = _notes(parts)
        properties = custom_properties(parts)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        reason = "it has no word/document.xml" if isinstance(exc, KeyError) else str(exc)
        message = f"cannot read this Word file ({reason}); ask the reviewer to send it again"
        diagnostics.add(rules.COLLECT_UNREADABLE_DOCX, Location(shown), message)
        return []
    reviewer = _identify(properties, info, shown, diagnostics)
    walked = _Walk(body)
    chapters = chapter_files(properties)
    if (notes or walked.changes) and not (walked.anchored and chapters):
        lost = "the custom properties that name its chapters" if walked.anchored else "its block bookmarks"
        message = f"this Word file lost {lost}; its comments are kept without file and line"
        diagnostics.add(rules.COLLECT_NO_ANCHORS, Location(shown), message)
    name = reviewer["name"] if reviewer else properties.get(REVIEWER_PROPERTY)
    entries = _Entries(shown, info, sources, diagnostics, walked, chapters, name, reviewer)
    found = entries.comments(notes) + entries.changes()
    return [comment for _, comment in sorted(found, key=lambda item: item[0])]  # in reading order


def _identify(properties: dict[str, str], info: RoundInfo, shown: str, diagnostics: Diagnostics) -> dict[str, Any] | None:
    """The reviewer a returned file belongs to, named by the packet's custom properties."""
    packet_round = properties.get(ROUND_PROPERTY)
    if packet_round and packet_round != info.name:
        message = f"this packet belongs to round '{packet_round}', not '{info.name}'"
        diagnostics.add(rules.COLLECT_OTHER_ROUND, Location(shown), message)
    reviewer = info.reviewer(properties.get(REVIEWER_PROPERTY))
    if reviewer is None:
        message = "not one of this round's Word packets; comments are kept under their authors' names"
        diagnostics.add(rules.COLLECT_UNKNOWN_PACKET, Location(shown), message)
    return reviewer


# Comments as comments.xml and commentsExtended.xml give them ---------------------------------


@dataclass
class _Note:
    word_id: str
    author: str
    date: str | None
    text: str
    para_id: str | None  # its last paragraph's w14:paraId, by which commentsExtended names it
    parent: str | None = None  # the paraId of the comment it answers
    done: bool = False


def _notes(parts: dict[str, bytes]) -> list[_Note]:
    if "word/comments.xml" not in parts:
        return []
    notes = []
    for element in etree.fromstring(parts["word/comments.xml"]).iter(f"{{{W}}}comment"):
        paragraphs = element.findall(f".//{{{W}}}p")
        text = "\n".join("".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in paragraphs).strip()
        para_id = paragraphs[-1].get(f"{{{W14}}}paraId") if paragraphs else None
        author, date = element.get(f"{{{W}}}author", ""), _date(element.get(f"{{{W}}}date"))
        notes.append(_Note(element.get(f"{{{W}}}id", ""), author, date, text, para_id))
    if "word/commentsExtended.xml" in parts:
        root = etree.fromstring(parts["word/commentsExtended.xml"])
        extended = {e.get(f"{{{W15}}}paraId"): e for e in root.iter(f"{{{W15}}}commentEx")}
        for note in notes:
            entry = extended.get(note.para_id)
            if entry is not None:
                note.parent = entry.get(f"{{{W15}}}paraIdParent")
                note.done = entry.get(f"{{{W15}}}done") in ("1", "true", "on")
    return notes


def _threads(notes: list[_Note], ranges: dict[str, tuple[Position, Position | None]]) -> dict[str, str]:
    """Each reply's comment, by Word ids: Word's links, else (LibreOffice) the earliest comment on the same text."""
    if any(note.parent for note in notes):
        by_para = {note.para_id: note for note in notes if note.para_id}
        links = {note.word_id: by_para[note.parent].word_id for note in notes if note.parent in by_para}
        return {reply: parent for reply, parent in links.items() if reply != parent}
    threads, first = {}, {}
    for _, note in sorted(enumerate(notes), key=lambda item: (item[1].date or "", item[0])):
        where = ranges.get(note.word_id)
        if where is None or where[1] is None:
            continue  # a comment on a point, not on text
        if where in first:
            threads[note.word_id] = first[where]
        else:
            first[where] = note.word_id
    return threads


# The body, read once ---------------------------------------------------------------------------


@dataclass
class _Change:
    kind: str  # "ins" or "del"
    author: str
    date: str | None
    start: Position
    old: str = ""
    new: str = ""
    end: int = 0  # the offset after it in its paragraph


@dataclass
class _Paragraph:
    index: int
    pieces: list[str] = field(default_factory=list)
    offset: int = 0


class _Walk:
    """One pass over the body in document order: each paragraph's text as the packet had it
    (deletions in, insertions out), and where the anchors, comment ranges and changes are in it."""

    def __init__(self, body: Any):
        self.texts: list[str] = []
        self.anchors: list[list[tuple[int, Anchor]]] = []  # per paragraph: (offset, anchor)
        self.ranges: dict[str, tuple[Position, Position | None]] = {}  # comment id -> its text, or its point
        self.quotes: dict[str, list[str]] = {}
        self.changes: list[_Change] = []
        self._open: list[_Paragraph] = []  # a paragraph in a text box opens inside another
        self._ranges_open: set[str] = set()
        self._change: tuple[Any, _Change] | None = None
        for event, element in etree.iterwalk(body, events=("start", "end")):
            if isinstance(element.tag, str):  # not a comment or a processing instruction
                (self._start if event == "start" else self._end)(etree.QName(element).localname, element)
        self.anchored = any(self.anchors)
        self._entering: list[Anchor | None] = []  # the anchor in force where each paragraph starts
        current = None
        for anchors in self.anchors:
            self._entering.append(current)
            current = _innermost(anchors) if anchors else current

    def anchor_at(self, position: Position) -> Anchor | None:
        """The block a position is in: the last anchor before it in its paragraph, else the one
        in force where its paragraph starts, else its paragraph's first."""
        paragraph, offset = position
        if paragraph >= len(self.anchors):
            return None
        here = [(o, a) for o, a in self.anchors[paragraph] if o <= offset]
        if here:
            return _innermost(here)
        return self._entering[paragraph] or (_innermost(self.anchors[paragraph][:1]) if self.anchors[paragraph] else None)

    def _here(self) -> Position:
        """Where the walk is; between paragraphs, at the start of the next one."""
        return (self._open[-1].index, self._open[-1].offset) if self._open else (len(self.texts), 0)

    def _start(self, name: str, element: Any) -> None:
        word_id = element.get(f"{{{W}}}id", "")
        if name == "p":
            self._open.append(_Paragraph(len(self.texts)))
            self.texts.append("")
            if len(self.anchors) < len(self.texts):  # else an anchor just before it made its list
                self.anchors.append([])
        elif name in TEXT and self._open:
            self._text(TEXT[name] or element.text or "")
        elif name == "bookmarkStart" and (anchor := parse_anchor(element.get(f"{{{W}}}name", ""))):
            paragraph, offset = self._here()
            if paragraph == len(self.anchors):  # between paragraphs: it marks the next one
                self.anchors.append([])
            self.anchors[paragraph].append((offset, anchor))
        elif name in INSERTED | DELETED and self._open and element.find(f".//{{{W}}}r") is not None:
            # (a w:ins or w:del without runs marks an inserted or deleted paragraph mark)
            author, date = element.get(f"{{{W}}}author", ""), _date(element.get(f"{{{W}}}date"))
            self._change = (element, _Change("ins" if name in INSERTED else "del", author, date, self._here()))
            self.changes.append(self._change[1])
        elif name == "commentRangeStart":
            self.ranges[word_id] = (self._here(), None)
            self._ranges_open.add(word_id)
        elif name == "commentRangeEnd":
            self._ranges_open.discard(word_id)
            if word_id in self.ranges:
                self.ranges[word_id] = (self.ranges[word_id][0], self._here())
        elif name == "commentReference":  # a comment on a point has a reference and no range
            self.ranges.setdefault(word_id, (self._here(), None))

    def _text(self, piece: str) -> None:
        change = self._change[1] if self._change else None
        if change is not None and change.kind == "ins":
            change.new += piece
            return
        if change is not None:
            change.old += piece
        paragraph = self._open[-1]
        paragraph.pieces.append(piece)
        paragraph.offset += len(piece)
        for word_id in self._ranges_open:
            self.quotes.setdefault(word_id, []).append(piece)

    def _end(self, name: str, element: Any) -> None:
        if name == "p":
            paragraph = self._open.pop()
            self.texts[paragraph.index] = "".join(paragraph.pieces)
        elif self._change is not None and element is self._change[0]:
            self._change[1].end = self._here()[1]
            self._change = None


def _innermost(anchors: list[tuple[int, Anchor]]) -> Anchor:
    """The last anchor; of several at one point (nested blocks, in any order: LibreOffice
    reorders them), the innermost, which starts on the latest line."""
    last = anchors[-1][0]
    return max((a for o, a in anchors if o == last), key=lambda a: a[1])


# Register entries ------------------------------------------------------------------------------

Found = tuple[tuple[Position, int, int], Comment]  # an entry, with where it is for reading order


@dataclass
class _Entries:
    shown: str
    info: RoundInfo
    sources: FrozenSources
    diagnostics: Diagnostics
    walked: _Walk
    chapters: dict[int, str]
    name: str | None  # the packet's reviewer
    reviewer: dict[str, Any] | None  # their record in the round
    seen: dict[str, int] = field(default_factory=dict)

    def comments(self, notes: list[_Note]) -> list[Found]:
        made: dict[str, Comment] = {}
        found = []
        for index, note in enumerate(notes):
            start = self.walked.ranges.get(note.word_id, ((len(self.walked.texts), 0), None))[0]
            quote = " ".join("".join(self.walked.quotes.get(note.word_id, [])).split())
            comment = self._entry("comment", start, quote, note.text, note.author, note.date)
            comment.resolved = note.done
            made[note.word_id] = comment
            found.append(((start, 0, index), comment))
        # A reply's id was made before it was known to be one, so a file LibreOffice re-saved
        # (which loses the link) gives the same ids as the one Word wrote.
        for reply_id, parent_id in _threads(notes, self.walked.ranges).items():
            reply, parent = made[reply_id], made[parent_id]
            reply.kind, reply.in_reply_to = "reply", parent.id
            reply.file, reply.line, reply.source, reply.quote = parent.file, parent.line, parent.source, parent.quote
            reply.assignee, reply.extra = parent.assignee, dict(parent.extra)
        return found

    def changes(self) -> list[Found]:
        found = []
        for index, group in enumerate(_grouped(self.walked.changes)):
            first, last = group[0], group[-1]
            old, new = "".join(c.old for c in group), "".join(c.new for c in group)
            kind = "replacement" if old and new else "insertion" if new else "deletion"
            described = describe(old, new)
            comment = self._entry(kind, first.start, old, described, first.author, first.date)
            text = self.walked.texts[first.start[0]]
            before, after = text[: first.start[1]], text[last.end :]
            if comment.file and comment.line:
                if not old and before[-1:].isspace() and new[-1:].isspace() and not new[:1].isspace():
                    # "very " typed after "Outer " is " very" after "Outer": place() joins an insertion to the word before it
                    new, before = " " + new.rstrip(), before.rstrip()
                comment.suggestion = place(self.sources, comment.file, comment.line, old, new, before, after)
                if comment.suggestion is None:
                    where, who = f"{comment.file}:{comment.line}", first.author or "a reviewer"
                    message = f"{who}'s edit ({described}) is not in {where} as written; it is kept as a comment"
                    self.diagnostics.add(rules.COLLECT_SUGGESTION_UNPLACED, Location(self.shown), message)
            found.append(((first.start, 1, index), comment))
        return found

    def _entry(self, kind: str, start: Position, quote: str, text: str, author: str, date: str | None) -> Comment:
        anchor = self.walked.anchor_at(start)
        file = self.chapters.get(anchor[0]) if anchor else None
        line = anchor[1] if anchor and file else None
        name = self.name or author or "unknown reviewer"
        identity = "|".join([self.info.name, name, kind, str(file), str(line), quote, text, author, date or ""])
        count = self.seen[identity] = self.seen.get(identity, 0) + 1  # the same words twice on one block
        if count > 1:
            identity += f"|{count}"
        column = _column(self.sources, file, line, quote)
        return Comment(
            id="c-" + hashlib.sha256(identity.encode("utf-8")).hexdigest()[:10],
            reviewer=name,
            organisation=self.reviewer.get("organisation") if self.reviewer else None,
            file=file,
            line=line,
            page=None,
            quote=quote,
            source=self.sources.block(file, line),
            comment=text,
            kind=kind,
            author=author or None,
            date=date,
            packet=self.shown,
            assignee=self.sources.owner(file),
            col=column or None,
        )


def _grouped(changes: list[_Change]) -> list[list[_Change]]:
    """Tracked changes, those side by side by one author (a deletion and an insertion: a replacement) as one."""
    groups: list[list[_Change]] = []
    for change in changes:
        previous = groups[-1][-1] if groups else None
        if previous and (previous.start[0], previous.end, previous.author) == (*change.start, change.author):
            groups[-1].append(change)
        else:
            groups.append([change])
    return groups


def _column(sources: FrozenSources, file: str | None, line: int | None, quote: str) -> int | None:
    """Where the quoted words start in the source line (from 1), any white space matching any."""
    if not (file and line and quote.strip()):
        return None
    lines = sources.lines(file)
    if not 0 < line <= len(lines):
        return None
    match = re.search(r"\s+".join(re.escape(word) for word in quote.split()), lines[line - 1])
    return match.start() + 1 if match else None


def _date(value: str | None) -> str | None:
    """`2026-03-20T10:15:00Z` -> `2026-03-20T10:15`; LibreOffice writes a comment without a date as year 0."""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?", value or "")
    if not match:
        return None
    year, month, day, hour, minute = match.groups()
    return f"{year}-{month}-{day}T{hour}:{minute}" if hour else f"{year}-{month}-{day}"
