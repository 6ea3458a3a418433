"""`review collect`: reviewers' annotated PDFs (and comment sheets) into the comments register.

Each annotation is mapped to the block it sits on: its page and height lead
to the nearest source-line destination above it (`L:<file>:<line>`), so the
register names the Markdown file and line an author must edit, with the
marked text and the block's source quoted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from .. import rules
from ..diagnostics import DiagnosticError, Diagnostics, EnvironmentProblem, Location
from ..gitinfo import file_at
from ..project import Project
from .edition import parse_destination
from .pdftext import Glyph, join_glyphs, page_glyphs, resolved, text_in_quads
from .register import Comment, load_register, merge, save_register

KINDS = {
    "/Text": "note", "/Highlight": "highlight", "/Underline": "underline", "/StrikeOut": "strike-out",
    "/Squiggly": "squiggly", "/FreeText": "free-text", "/Ink": "drawing", "/Square": "drawing",
    "/Circle": "drawing", "/Line": "drawing", "/Polygon": "drawing", "/PolyLine": "drawing",
    "/Caret": "insertion", "/Stamp": "stamp",
}  # fmt: skip
MARKUP = {"/Highlight", "/Underline", "/StrikeOut", "/Squiggly"}
SOURCE_LINES = 8  # at most this many lines of a block's Markdown are quoted


@dataclass
class RoundInfo:
    name: str
    folder: Path
    data: dict[str, Any]

    def reviewer(self, name: str | None) -> dict[str, Any] | None:
        return next((r for r in self.data.get("reviewers") or [] if r.get("name") == name), None)

    def packet_by_hash(self, digest: str) -> dict[str, Any] | None:
        files = {f["path"]: f["sha256"] for f in self.data.get("files") or []}
        for reviewer in self.data.get("reviewers") or []:
            if files.get(reviewer.get("packet")) == digest:
                return reviewer
        return None


@dataclass
class CollectResult:
    added: int
    total: int
    files: int
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    register: Path | None = None


def load_round(project: Project, name: str) -> RoundInfo:
    folder = project.round_dir(name)
    path = project.round_file(name)
    if not path.is_file():
        raise EnvironmentProblem(f"no review round '{name}' here (no {project.rel(path)}); start one with `whitepaper review start {name}`")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise EnvironmentProblem(f"{project.rel(path)} does not parse: {exc}") from None
    return RoundInfo(name, folder, data)


def collect(project: Project | Path | str, round_name: str, inputs: list[Path]) -> CollectResult:
    """Read every annotation of the given PDFs (or folders of them, or CSV sheets) into the register."""
    project = Project.at(project)
    info = load_round(project, round_name)
    diagnostics = Diagnostics()
    existing = load_register(project, round_name)  # a broken register stops us before anything is read
    sources = _Sources(project, info)
    collected: list[Comment] = []
    files = _expand(inputs)
    for path in files:
        if path.suffix.lower() == ".csv":
            collected += _sheet(path, project, info, sources, diagnostics)
        else:
            collected += _pdf(path, project, info, sources, diagnostics)
    if diagnostics.has_errors():
        raise DiagnosticError(diagnostics)
    merged, added = merge(existing, collected)
    register = save_register(project, round_name, merged)
    return CollectResult(added, len(merged), len(files), diagnostics, register)


def _expand(inputs: list[Path]) -> list[Path]:
    files: list[Path] = []
    for item in inputs:
        if item.is_dir():
            files += sorted(p for p in item.iterdir() if p.suffix.lower() in (".pdf", ".csv"))
        else:
            files.append(item)
    return files


# PDFs ------------------------------------------------------------------------


@dataclass
class _Destination:
    page: int
    top: float
    file: str
    line: int


def _pdf(path: Path, project: Project, info: RoundInfo, sources: _Sources, diagnostics: Diagnostics) -> list[Comment]:
    shown = project.rel(path)
    try:
        data = path.read_bytes()
        reader = PdfReader(io.BytesIO(data))
        pages = list(reader.pages)
    except (OSError, PdfReadError, ValueError, KeyError, TypeError) as exc:
        diagnostics.add(rules.COLLECT_UNREADABLE_PDF, Location(shown), f"cannot read this PDF ({exc}); ask the reviewer to send it again")
        return []
    reviewer = _identify(reader, data, info, shown, diagnostics)
    destinations = _destinations(reader)
    if not destinations:
        diagnostics.add(rules.COLLECT_NO_DESTINATIONS, Location(shown), "this PDF has no source-line destinations; comments are kept without file and line")
    comments: list[Comment] = []
    by_ref: dict[Any, Comment] = {}
    replies: list[tuple[Comment, Any]] = []
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
            if subtype in MARKUP and glyphs is None:
                glyphs = page_glyphs(page)
            comment = _comment(annotation, subtype, page_index, glyphs or [], destinations, reviewer, info, sources, shown)
            if "/IRT" in annotation:
                replies.append((comment, annotation.raw_get("/IRT")))  # the reference, not the object
            comments.append(comment)
            if isinstance(reference, IndirectObject):
                by_ref[(reference.idnum, reference.generation)] = comment
    for reply, parent_ref in replies:  # replies are threaded under the comment they answer
        key = (parent_ref.idnum, parent_ref.generation) if isinstance(parent_ref, IndirectObject) else None
        parent = by_ref.get(key) if key else None
        if parent is not None:
            reply.in_reply_to = parent.id
            reply.kind = "reply"
            reply.file, reply.line, reply.source = parent.file, parent.line, parent.source
    return comments


def _identify(reader: PdfReader, data: bytes, info: RoundInfo, shown: str, diagnostics: Diagnostics) -> dict[str, Any] | None:
    """The reviewer a returned file belongs to: its packet's metadata, else its hash, else none."""
    metadata = reader.metadata or {}
    name = metadata.get("/WhitepaperReviewer")
    packet_round = metadata.get("/WhitepaperRound")
    if packet_round and packet_round != info.name:
        diagnostics.add(rules.COLLECT_OTHER_ROUND, Location(shown), f"this packet belongs to round '{packet_round}', not '{info.name}'")
    reviewer = info.reviewer(str(name)) if name else None
    if reviewer is None:
        reviewer = info.packet_by_hash(hashlib.sha256(data).hexdigest())
    if reviewer is None:
        diagnostics.add(
            rules.COLLECT_UNKNOWN_PACKET,
            Location(shown),
            "not one of this round's packets; comments are kept under their annotations' author",
        )
    return reviewer


def _destinations(reader: PdfReader) -> list[_Destination]:
    found = []
    for name, destination in reader.named_destinations.items():
        parsed = parse_destination(str(name))
        if parsed is None:
            continue
        try:
            page = reader.get_destination_page_number(destination)
            top = float(destination.get("/Top") or 0)
        except (KeyError, ValueError, TypeError):
            continue
        found.append(_Destination(page, top, parsed[0], parsed[1]))
    found.sort(key=lambda d: (d.page, -d.top))
    return found


def _nearest(destinations: list[_Destination], page: int, top: float) -> _Destination | None:
    """The last block that starts above the point (on this page, or before it)."""
    best = None
    for destination in destinations:
        if destination.page < page or (destination.page == page and destination.top >= top - 2):
            best = destination
        else:
            break
    return best


def _comment(
    annotation: DictionaryObject,
    subtype: str,
    page: int,
    glyphs: list[Glyph],
    destinations: list[_Destination],
    reviewer: dict[str, Any] | None,
    info: RoundInfo,
    sources: _Sources,
    shown: str,
) -> Comment:
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
    destination = _nearest(destinations, page, top)
    file, line = (destination.file, destination.line) if destination else (None, None)
    date = _date(_text(annotation.get("/M")) or _text(annotation.get("/CreationDate")))
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


# Comment sheets ----------------------------------------------------------------


def _sheet(path: Path, project: Project, info: RoundInfo, sources: _Sources, diagnostics: Diagnostics) -> list[Comment]:
    """A CSV with columns reviewer, location, comment; location is a page, `file:line` or a section number."""
    shown = project.rel(path)
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        diagnostics.add(rules.COLLECT_UNREADABLE_SHEET, Location(shown), f"cannot read this comment sheet: {exc}")
        return []
    comments = []
    for number, row in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        if not row.get("comment"):
            diagnostics.add(rules.COLLECT_BAD_SHEET, Location(shown, number, 1), "row without a comment is skipped")
            continue
        file, line, page = sources.locate(row.get("location", ""))
        if row.get("location") and file is None and page is None:
            diagnostics.add(rules.COLLECT_BAD_SHEET, Location(shown, number, 1), f"location '{row['location']}' not found; kept without one")
        reviewer = info.reviewer(row.get("reviewer")) or {}
        name = row.get("reviewer") or "unknown reviewer"
        identity = "|".join([info.name, name, "sheet", row.get("location", ""), row["comment"]])
        comments.append(
            Comment(
                id="c-" + hashlib.sha256(identity.encode("utf-8")).hexdigest()[:10],
                reviewer=name,
                organisation=reviewer.get("organisation"),
                file=file,
                line=line,
                page=page,
                quote="",
                source=sources.block(file, line) if file and line else "",
                comment=row["comment"],
                kind="sheet",
                packet=shown,
                assignee=sources.owner(file) if file else None,
            )
        )
    return comments


class _Sources:
    """The Markdown as reviewers read it: at the round's commit, or its source copy, else the work tree."""

    def __init__(self, project: Project, info: RoundInfo):
        self.project = project
        self.info = info
        self._lines: dict[str, list[str]] = {}
        self._full: PdfReader | None = None

    def lines(self, file: str) -> list[str]:
        if file not in self._lines:
            text: bytes | None = None
            commit = self.info.data.get("commit")
            if commit:
                text = file_at(self.project.root, commit, file)
            if text is None and (self.info.folder / "source" / file).is_file():
                text = (self.info.folder / "source" / file).read_bytes()
            if text is None and self.project.path(file).is_file():
                text = self.project.path(file).read_bytes()
            self._lines[file] = (text or b"").decode("utf-8", errors="replace").replace("\r\n", "\n").split("\n")
        return self._lines[file]

    def block(self, file: str | None, line: int | None) -> str:
        """The block's Markdown: from its first line to the next blank line."""
        if not file or not line:
            return ""
        lines = self.lines(file)
        out = []
        for text in lines[line - 1 : line - 1 + SOURCE_LINES]:
            if not text.strip():
                break
            out.append(text)
        return "\n".join(out)

    def owner(self, file: str | None) -> str | None:
        if not file:
            return None
        lines = self.lines(file)
        if not lines or lines[0].strip() != "---":
            return None
        end = next((i for i, text in enumerate(lines[1:], 1) if text.strip() in ("---", "...")), 0)
        try:
            meta = yaml.safe_load("\n".join(lines[1:end])) or {}
        except yaml.YAMLError:
            return None
        owners = meta.get("owners") if isinstance(meta, dict) else None
        return str(owners[0]) if isinstance(owners, list) and owners else None

    def locate(self, location: str) -> tuple[str | None, int | None, int | None]:
        """A sheet's location: `file:line`, `page 12` / `12`, or a section number `3.2`."""
        location = location.strip()
        match = re.fullmatch(r"(.+\.md):(\d+)", location)
        if match:
            name, line = match.group(1), int(match.group(2))
            files = [r for reviewer in self.info.data.get("reviewers") or [] for r in reviewer.get("chapters") or []]
            file = next((f for f in files if f == name or f.endswith("/" + name)), name if "/" in name else f"chapters/{name}")
            return file, line, None
        full = self._full_edition()
        if full is None:
            return None, None, None
        destinations = _destinations(full)
        match = re.fullmatch(r"(?:p\.?|page)?\s*(\d+)", location, re.I)
        if match:
            page = int(match.group(1)) - 1
            first = next((d for d in destinations if d.page == page), None) or _nearest(destinations, page, 0)
            return (first.file, first.line, page + 1) if first else (None, None, page + 1)
        match = re.fullmatch(r"(?:§|section)?\s*([A-Z]|\d+)(\.\d+)*", location, re.I)
        if match:
            number = location.lstrip("§").replace("section", "").strip()
            for index, page in enumerate(full.pages):
                for glyph_line in _lines_of(page_glyphs(page)):
                    text, top = glyph_line
                    # a heading starts with its number (after a margin marker); the contents' lines have leaders
                    if re.search(rf"(?:^|\s){re.escape(number)}\s+\S", text) and ". . ." not in text:
                        found = _nearest(destinations, index, top)
                        return (found.file, found.line, index + 1) if found else (None, None, index + 1)
        return None, None, None

    def _full_edition(self) -> PdfReader | None:
        if self._full is None:
            full = next(self.info.folder.glob("*-00-full-paper.pdf"), None)
            self._full = PdfReader(full) if full else None
        return self._full


def _lines_of(glyphs: list[Glyph]) -> list[tuple[str, float]]:
    """The page's text lines, top to bottom, with the top of each."""
    rows: dict[int, list[Glyph]] = {}
    for glyph in glyphs:
        rows.setdefault(round(glyph.y), []).append(glyph)
    return [(join_glyphs(sorted(row, key=lambda g: g.x0)), y + row[0].size) for y, row in sorted(rows.items(), reverse=True)]
