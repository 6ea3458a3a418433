"""The resolved paper: chapters with their numbered blocks, the targets cross-references point at,
and what one walk over each chapter found (for the checks and the statistics)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Location
from ..sources.chapters import Chapter
from ..sources.glossary import Glossary
from .glossary import Found
from .numbering import Counters, Heading, Target, Targets
from .sourcemap import SourceMap
from .xrefs import citation_pattern


@dataclass
class Survey:
    """What one walk over a resolved chapter found, for the checks and the statistics."""

    ids: set[str] = field(default_factory=set)
    span_ids: list[str] = field(default_factory=list)  # ids on inline spans, checked for duplicates by lint
    links: list[str] = field(default_factory=list)  # internal link targets written by the author ("#x")
    xrefs: list[str] = field(default_factory=list)  # targets of the chapter's cross-references ("#fig-x")
    images: list[tuple[str, Path]] = field(default_factory=list)  # target as written, file
    headings: list[tuple[int, str]] = field(default_factory=list)  # level, text (without its number)
    citations: int = 0
    words: int = 0
    glossary: Found = field(default_factory=Found)  # abbreviations and terms used (resolve/glossary.py)


@dataclass
class ResolvedChapter:
    source: Chapter
    id: str
    title: str
    blocks: list[Any]
    survey: Survey = field(default_factory=Survey)
    sources: SourceMap | None = None  # the Markdown line where each block starts


@dataclass
class Document:
    """The whole paper, resolved and ready to render."""

    chapters: list[ResolvedChapter]
    abstract: list[Any]
    targets: Targets = field(default_factory=Targets)
    cited: list[str] = field(default_factory=list)
    cited_in: dict[str, list[Chapter]] = field(default_factory=dict)
    spellings: dict[str, list[str]] = field(default_factory=dict)  # key -> how the text cites it, when not as the key
    images: dict[str, Path] = field(default_factory=dict)  # project-relative target -> file
    counters: list[Counters] = field(default_factory=list)  # numbering before each chapter, and after the last
    seen_ids: dict[str, Location] = field(default_factory=dict)  # every id numbering registered, and where
    glossary: Glossary = field(default_factory=Glossary)  # the abbreviations and terms the chapters may use

    @property
    def headings(self) -> list[Heading]:
        return self.targets.headings

    def listed(self, kind: str) -> list[Target]:
        return self.targets.of_kind(kind)

    def citation_sites(self, key: str) -> list[Location]:
        """Where the text cites `key`, in reading order."""
        spellings = self.spellings.get(key, [key])
        return [
            loc for chapter in self.cited_in.get(key, [])
            for loc in sorted({found for spelt in spellings for found in chapter.locate_all(citation_pattern(spelt))})
        ]  # fmt: skip
