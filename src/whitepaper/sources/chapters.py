"""Stage 2, sources: the chapter files, their front matter and their text.

Each chapter keeps its text exactly as the author wrote it (only decoded), so
every later diagnostic can point at the author's own line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from .. import rules
from ..config import LoadedConfig
from ..config.schema import CrossrefOptions
from ..config.validate import FieldRules, validate
from ..config.yamlpos import load_located
from ..diagnostics import Diagnostics, Location
from ..project import CONFIG_NAME, Project
from .critic import report_unclosed

Status = Literal["draft", "in-review", "approved"]
FRONT_MATTER_RULES = FieldRules(
    rules.FRONT_MATTER_MISSING, rules.FRONT_MATTER_TYPE, rules.FRONT_MATTER_VALUE, rules.FRONT_MATTER_UNKNOWN_KEY
)

MAX_CHAPTER_BYTES = 5_000_000  # a chapter larger than this is a mistake (a pasted data dump), not prose
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


class ChapterMeta(CrossrefOptions):  # pandoc-crossref's options hold for the chapter alone
    """What a chapter's front matter may say."""

    title: str | None = Field(None, description="Chapter title; default: the first `#` heading.")
    id: str | None = Field(None, description="Id to refer to the chapter (`@sec-x`); default `sec-` + file slug.")
    status: Status = Field("draft", description="Editorial state: draft, in-review or approved.")
    owners: list[str] = Field(default_factory=list, description="People or organisations responsible.")
    reviewers: list[str] = Field(default_factory=list, description="Who should review this chapter.")
    role: Literal["front", "main", "appendix"] = Field(
        "main", description="front: unnumbered (executive summary); main: 1, 2, ...; appendix: A, B, ..."
    )
    lang: str | None = Field(None, description="Language (BCP 47) when not the paper's, e.g. `fr`; checked by lang-invalid.")


@dataclass
class Chapter:
    """One chapter file: where it is, its front matter and its Markdown body."""

    path: Path
    rel: str
    text: str
    meta: ChapterMeta
    body: str
    body_line: int = 1  # line of `text` where `body` starts
    slug: str = ""
    lines: list[str] = field(default_factory=list)

    # Stored (in the rebuild state) as its text alone: the body and lines are the text again.
    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("body", "lines")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.body = body_of(self.text)
        self.lines = self.text.split("\n")

    def locate(self, needle: str, *, start_line: int = 1) -> Location:
        """Location of the first occurrence of `needle` in the body (the file start if absent)."""
        for number in range(max(start_line, self.body_line), len(self.lines) + 1):
            col = self.lines[number - 1].find(needle)
            if col >= 0:
                return Location(self.rel, number, col + 1)
        return Location(self.rel, self.body_line, 1)

    def locate_all(self, pattern: re.Pattern[str]) -> list[Location]:
        found = []
        for number in range(self.body_line, len(self.lines) + 1):
            for match in pattern.finditer(self.lines[number - 1]):
                found.append(Location(self.rel, number, match.start() + 1))
        return found


def chapter_paths(project: Project, loaded: LoadedConfig, diagnostics: Diagnostics) -> list[Path]:
    """The chapter files in reading order: as configured, else `chapters/*.md` sorted."""
    config = loaded.config
    if config.chapters is None:
        folder = project.chapters_dir
        paths = sorted(folder.glob("*.md")) if folder.is_dir() else []
        for path in [p for p in paths if not project.contains(p)]:
            where = Location(path.relative_to(project.root).as_posix())
            diagnostics.add(rules.CHAPTER_OUTSIDE, where, "this chapter is a link to a file outside the project folder")
            paths.remove(path)
        if not paths and not diagnostics.has_errors():
            diagnostics.add(rules.CHAPTER_NONE, Location(CONFIG_NAME), "no chapters: chapters/ has no .md files")
        return paths
    paths = []
    for index, entry in enumerate(config.chapters):
        candidate = project.path(entry)
        location = loaded.location("chapters", index)
        if Path(entry).is_absolute() or not project.contains(candidate):
            diagnostics.add(rules.CHAPTER_OUTSIDE, location, f"chapter '{entry}' is outside the project folder")
        elif not candidate.is_file():
            diagnostics.add(rules.CHAPTER_MISSING, location, f"chapter file '{entry}' does not exist")
        else:
            paths.append(candidate)
    return paths


def normalised(text: str) -> str:
    """A chapter's text as it is read: no byte-order mark, `\n` line ends."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def still_a_chapter(path: Path, project: Project) -> bool:
    """Whether a file read as a chapter before still can be: there, and inside the project."""
    return path.is_file() and project.contains(path)


def read_chapter(path: Path, project: Project, diagnostics: Diagnostics, known: Chapter | None = None) -> Chapter | None:
    """Read one chapter; on an encoding or front-matter error add a diagnostic and return None.

    `known` is an earlier reading of the file: when the front matter is as it was, its
    meaning is too (no YAML to parse, nothing to validate).
    """
    rel = project.rel(path)
    if path.stat().st_size > MAX_CHAPTER_BYTES:
        size = path.stat().st_size / 1_000_000
        diagnostics.add(rules.CHAPTER_TOO_LARGE, Location(rel), f"chapter is {size:.0f} MB; split it into chapters under {MAX_CHAPTER_BYTES // 1_000_000} MB")
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        diagnostics.add(
            rules.CHAPTER_ENCODING,
            Location(rel, line, col),
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
        )
        return None
    text = normalised(text)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        diagnostics.add(rules.CHAPTER_ENCODING, Location(rel, line, 1), "the file contains NUL bytes: is it really text?")
        return None
    front = _front_matter_text(text)
    meta: ChapterMeta | None
    if known is not None and front == _front_matter_text(known.text) and (front or not text.startswith("---")):
        meta, body_line, body = known.meta, known.body_line, body_of(text)
    else:
        meta, body, body_line = _front_matter(text, rel, diagnostics)
    if meta is None:
        return None
    report_unclosed(body, rel, diagnostics)  # the chapter is still read: its other problems are found too
    stem = path.stem
    slug = re.sub(r"^\d+[-_.]?", "", stem) or stem
    return Chapter(
        path=path, rel=rel, text=text, meta=meta, body=body, body_line=body_line,
        slug=re.sub(r"[^a-z0-9-]+", "-", slug.lower()).strip("-") or "chapter",
        lines=text.split("\n"),
    )  # fmt: skip


def body_of(text: str) -> str:
    """A chapter's Markdown without its front matter, which blank lines replace so that lines
    still match the file's (no YAML is read: valid or not, the front matter is where it ends)."""
    front = _front_matter_text(text)
    return "\n" * front.count("\n") + text[len(front) :]


def _front_matter_text(text: str) -> str:
    match = _FRONT_MATTER.match(text) if text.startswith("---") else None
    return match.group(0) if match else ""


def _front_matter(text: str, rel: str, diagnostics: Diagnostics) -> tuple[ChapterMeta | None, str, int]:
    """Split off YAML front matter; the body keeps blank lines in its place so lines still match."""
    if not text.startswith("---"):
        return ChapterMeta(), text, 1
    match = _FRONT_MATTER.match(text)
    if not match:
        if re.match(r"\A---[ \t]*\n", text):
            diagnostics.add(
                rules.FRONT_MATTER_SYNTAX,
                Location(rel, 1, 1),
                "front matter is not closed: add a line '---' after it"
            )
            return None, text, 1
        return ChapterMeta(), text, 1  # a horizontal rule, not front matter
    yaml_text = match.group(1) or ""
    located = load_located(yaml_text, rel, diagnostics, line_offset=1, rule=rules.FRONT_MATTER_SYNTAX)
    if located is None:
        return None, text, 1
    data = located.data if located.data is not None else {}
    if not isinstance(data, dict):
        diagnostics.add(rules.FRONT_MATTER_TYPE, Location(rel, 2, 1), "front matter must be a mapping of keys to values")
        return None, text, 1
    located.data = data
    meta = validate(ChapterMeta, located, diagnostics, FRONT_MATTER_RULES)
    if meta is None:
        return None, text, 1
    return meta, body_of(text), match.group(0).count("\n") + 1


def read_chapters(project: Project, loaded: LoadedConfig, diagnostics: Diagnostics) -> list[Chapter]:
    chapters = []
    seen_slugs: set[str] = set()
    for path in chapter_paths(project, loaded, diagnostics):
        chapter = read_chapter(path, project, diagnostics)
        if chapter is None:
            continue
        base, number = chapter.slug, 2
        while chapter.slug in seen_slugs:
            chapter.slug, number = f"{base}-{number}", number + 1
        seen_slugs.add(chapter.slug)
        chapters.append(chapter)
    return chapters
