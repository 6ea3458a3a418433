"""Citation tags (Manubot's aliases): `[@tag:X]` cites the work a definition names.

A tag is defined by a line of a chapter written as a reference link,

    [@tag:fair]: doi:10.1038/sdata.2016.18

or by a row `fair<TAB>doi:10.1038/sdata.2016.18` of `citation-tags.tsv` at the project's
root. Pandoc would print such a line as text, so the parse stage blanks it
(`without_definitions`), keeping the chapter's line numbers for every diagnostic after.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..project import CITATION_TAGS_FILE, Project
from .chapters import Chapter
from .identifiers import InvalidIdentifier, identify

PREFIX = "tag:"
_DEFINITION = re.compile(r"^ {0,3}\[@tag:([^\]\s]+)\]:[ \t]+(\S+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class TagDefinition:
    tag: str  # without `tag:`
    target: str  # the citation key it stands for, as written (`doi:10.1038/...`)
    location: Location  # where it is defined


def definition_lines(text: str) -> list[tuple[int, re.Match[str]]]:
    """(line number, match) of each tag definition in a chapter's text, outside fenced code."""
    if "[@tag:" not in text:
        return []
    found, fence = [], ""
    for number, line in enumerate(text.split("\n"), start=1):
        opening = _FENCE.match(line)
        if opening and (not fence or opening.group(1).startswith(fence)):
            fence = "" if fence else opening.group(1)[:3]
            continue
        match = None if fence else _DEFINITION.match(line)
        if match:
            found.append((number, match))
    return found


def without_definitions(text: str) -> str:
    """A chapter's text with its tag definitions blanked (each line kept, as an empty one)."""
    lines = definition_lines(text)
    if not lines:
        return text
    split = text.split("\n")
    for number, _ in lines:
        split[number - 1] = ""
    return "\n".join(split)


def chapter_definitions(chapter: Chapter) -> list[TagDefinition]:
    found = []
    for number, match in definition_lines(chapter.text):
        found.append(
            TagDefinition(match.group(1), match.group(2), Location(chapter.rel, number, match.group(0).index("[") + 1))
        )
    return found


def file_definitions(project: Project, diagnostics: Diagnostics) -> list[TagDefinition]:
    """The rows of `citation-tags.tsv`: a tag and a citation key, tab-separated; a first row
    `tag<TAB>citation` is a header, and lines starting with `#` are comments."""
    path = project.path(CITATION_TAGS_FILE)
    if not path.is_file():
        return []
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if number == 1 and [c.lower() for c in cells[:2]] == ["tag", "citation"]:
            continue
        if len(cells) != 2 or not cells[0] or not cells[1] or " " in cells[0]:
            diagnostics.add(
                rules.CITATION_TAG_INVALID,
                Location(CITATION_TAGS_FILE, number, 1),
                "a row of citation-tags.tsv is a tag, a tab and a citation key (such as doi:10.1038/sdata.2016.18)",
            )
            continue
        found.append(
            TagDefinition(
                cells[0].removeprefix(PREFIX), cells[1].removeprefix("@"), Location(CITATION_TAGS_FILE, number, 1)
            )
        )
    return found


def tag_table(definitions: Iterable[TagDefinition], diagnostics: Diagnostics) -> dict[str, TagDefinition]:
    """Each tag's one definition; a tag defined twice, or defined as an identifier that is not
    one, is an error where it is defined (the first definition is kept)."""
    table: dict[str, TagDefinition] = {}
    for definition in definitions:
        first = table.get(definition.tag)
        if first is not None:
            if first.target != definition.target or first.location != definition.location:
                diagnostics.add(
                    rules.CITATION_TAG_DUPLICATE,
                    definition.location,
                    f"tag '{definition.tag}' is defined twice (first at {first.location}); the first is used",
                )
            continue
        if definition.target.startswith(PREFIX):
            diagnostics.add(
                rules.CITATION_TAG_INVALID,
                definition.location,
                f"tag '{definition.tag}' stands for another tag; give it the work's identifier",
            )
            continue
        try:
            identify(definition.target)
        except InvalidIdentifier as exc:
            diagnostics.add(rules.CITATION_TAG_INVALID, definition.location, f"tag '{definition.tag}': {exc}")
            continue
        table[definition.tag] = definition
    return table
