"""Where a chapter's elements are written, for the checks that look at them one by one.

`sites` is one walk over a chapter that hands each element of interest on with its
block's line (resolve/sourcemap.py) and what surrounds it; `Places.find` then looks
for the element's own opening from that line on. Pandoc keeps no positions, and an
element may be written many ways (`[here](…)`, `[here][ref]`, `<https://…>`), so each
check gives the patterns of its element. A place once given is not given again: of two
`[here]` links in a paragraph, the second is found at the second.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..diagnostics import Location
from ..pandoc import nodes
from ..resolve import ResolvedChapter
from ..sources.chapters import Chapter

WINDOW = 400  # lines searched past a block's first line: a long table or list, not the rest of a book

BLOCKS = frozenset(
    {
        "Para",
        "Plain",
        "Header",
        "Div",
        "BlockQuote",
        "BulletList",
        "OrderedList",
        "DefinitionList",
        "Table",
        "Figure",
        "LineBlock",
    }
)
NOT_ENTERED = frozenset(
    {"Code", "CodeBlock", "RawInline", "RawBlock", "Math", "Cite"}
)  # nothing a reader follows or hears as prose
# Headings of a chapter's own reference list: links there are references, not prose.
REFERENCE_TITLES = frozenset({"references", "bibliography", "works cited", "further reading", "literature", "sources"})
REFERENCE_CLASSES = frozenset({"references", "bibliography", "csl-bib-body"})


class Places:
    """The places of one chapter's elements, given out in reading order."""

    def __init__(self, chapter: Chapter):
        self.chapter = chapter
        self.taken: set[tuple[int, int]] = set()

    def find(self, line: int, *patterns: re.Pattern[str], group: int = 0) -> Location:
        """The first place not given yet where one of `patterns`, tried in turn, matches from `line` on
        (the column of `group`, the whole match by default); else the line itself."""
        lines = self.chapter.lines
        last = min(len(lines), line + WINDOW)
        for pattern in patterns:
            for number in range(max(line, 1), last + 1):
                for match in pattern.finditer(lines[number - 1]):
                    place = (number, match.start(group) + 1)
                    if place not in self.taken:
                        self.taken.add(place)
                        return Location(self.chapter.rel, *place)
        return Location(self.chapter.rel, line, 1)

    def front_matter(self, key: str) -> Location:
        """Where the front matter gives `key` its value (the value's column)."""
        pattern = re.compile(rf"{re.escape(key)}\s*:\s*")
        for number in range(1, self.chapter.body_line):
            match = pattern.match(self.chapter.lines[number - 1])
            if match:
                return Location(self.chapter.rel, number, match.end() + 1)
        return Location(self.chapter.rel, 1, 1)


@dataclass(frozen=True)
class Site:
    """Where an element is, as far as the walk knows."""

    places: Places
    line: int  # the first line of its block
    block: str  # the kind of that block: a "Para" is prose, a "Plain" a list item or table cell
    references: bool  # in a reference list (a `#refs` or `.references` div, a "References" section)


def sites(resolved: ResolvedChapter, places: Places, kinds: frozenset[str]) -> Iterator[tuple[dict[str, Any], Site]]:
    """Each element of one of `kinds` in the chapter, in reading order, with its site.

    One iterative walk, as tight as nodes.walk (a large paper has millions of nodes): what a
    block changes of the site is put back by a marker pushed under its content.
    """
    lines_of = resolved.sources.lines_of if resolved.sources is not None else {}
    line, block, references = resolved.source.body_line, "", False
    section: int | None = None  # the level of the reference section the walk is in
    stack: list[Any] = [resolved.blocks]
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        if type(item) is list:
            push([child for child in reversed(item) if type(child) in (list, dict)])
            continue
        if type(item) is tuple:  # a block's content is done: its parent's site again
            line, block, references = item
            continue
        kind = item.get("t")
        if kind is None or kind in NOT_ENTERED:
            continue
        content = item.get("c")
        if kind in BLOCKS:
            stack.append((line, block, references))
            line, block = lines_of.get(id(item), line), kind
            if kind == "Header":
                if section is not None and content[0] <= section:
                    section = None
                if _heading_text(content[2]) in REFERENCE_TITLES:
                    section = content[0]
            elif kind == "Div":
                references = references or content[0][0] == "refs" or not REFERENCE_CLASSES.isdisjoint(content[0][1])
        if kind in kinds:
            yield item, Site(places, line, block, references or section is not None)
        if type(content) in (list, dict):
            stack.append(content)


def _heading_text(inlines: list[Any]) -> str:
    """A heading's words without the number resolving gave it, in lower case."""
    words = [i for i in inlines if not (i.get("t") == "Span" and "section-number" in i["c"][0][1])]
    return " ".join(nodes.stringify(words).split()).lower()


def attribute(node: dict[str, Any], key: str) -> str | None:
    """The value of attribute `key` of an element that has attributes (None if it has not that one)."""
    attr = node["c"][1] if node["t"] == "Header" else node["c"][0]
    for name, value in attr[2]:
        if name == key:
            return str(value)
    return None
