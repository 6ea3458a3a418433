"""What a review round froze: its `round.yaml`, and the Markdown its reviewers read.

The sources are read at the round's commit (or from its source copy, outside git), so
a comment is quoted from the text the reviewer saw, however the chapters moved on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pypdf import PdfReader

from ..diagnostics import EnvironmentProblem
from ..gitinfo import file_at
from ..project import Project
from .destinations import destinations_of, nearest
from .pdftext import Glyph, join_glyphs, page_glyphs

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


class FrozenSources:
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

    def chapter_file(self, name: str, reviewer: dict[str, Any] | None = None) -> str | None:
        """The chapter a margin marker or a sheet names by its file name (`03-challenges.md`, or a
        path ending so): one of the round's reviewers' chapters, the given reviewer's first, else
        a file of that name in `chapters/` as the round froze it; None when there is none."""
        files = [f for r in [reviewer or {}, *(self.info.data.get("reviewers") or [])] for f in r.get("chapters") or []]
        found = next((f for f in files if f == name or f.endswith("/" + name)), None)
        if found is None and "/" not in name and any(self.lines(f"chapters/{name}")):
            found = f"chapters/{name}"  # a chapter no reviewer was given (the full paper, returned)
        return found

    def locate(self, location: str) -> tuple[str | None, int | None, int | None]:
        """A sheet's location: `file:line`, `page 12` / `12`, or a section number `3.2`."""
        location = location.strip()
        match = re.fullmatch(r"(.+\.md):(\d+)", location)
        if match:
            name, line = match.group(1), int(match.group(2))
            file = self.chapter_file(name) or (name if "/" in name else f"chapters/{name}")
            return file, line, None
        full = self._full_edition()
        if full is None:
            return None, None, None
        destinations = destinations_of(full)
        match = re.fullmatch(r"(?:p\.?|page)?\s*(\d+)", location, re.I)
        if match:
            page = int(match.group(1)) - 1
            first = next((d for d in destinations if d.page == page), None) or nearest(destinations, page, 0)
            return (first.file, first.line, page + 1) if first else (None, None, page + 1)
        match = re.fullmatch(r"(?:§|section)?\s*([A-Z]|\d+)(\.\d+)*", location, re.I)
        if match:
            number = location.lstrip("§").replace("section", "").strip()
            for index, page in enumerate(full.pages):
                for glyph_line in _lines_of(page_glyphs(page)):
                    text, top = glyph_line
                    # a heading starts with its number (after a margin marker); the contents' lines have leaders
                    if re.search(rf"(?:^|\s){re.escape(number)}\s+\S", text) and ". . ." not in text:
                        found = nearest(destinations, index, top)
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
