"""What a paper cites by identifier: every `[@doi:…]`-like key and every tag that stands for
one, in its chapters and its abstract, with the first place each is cited."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import rules
from ..cache import Cache
from ..diagnostics import Diagnostics, Location
from ..parse import parse_texts
from ..project import CONFIG_NAME
from ..resolve.xrefs import citation_pattern
from ..sources.bibliography import Bibliography
from ..sources.chapters import Chapter
from ..sources.identifiers import Identifier, InvalidIdentifier, identify, written_key


@dataclass(frozen=True)
class Cited:
    identifier: Identifier
    location: Location  # where it is first cited
    entry: str  # the file of the entry the paper uses for it now ("" when none)


def cited_identifiers(
    chapters: list[Chapter], abstract: str, bibliography: Bibliography, cache: Cache, diagnostics: Diagnostics
) -> dict[str, Cited]:
    """Each identifier the paper cites, by its key, in reading order; a malformed one is reported."""
    found: dict[str, Cited] = {}
    parsed = parse_texts([c.body for c in chapters] + [abstract], cache)
    for chapter, blocks in zip([*chapters, None], parsed, strict=True):
        for key in _keys(blocks, bibliography):
            target = bibliography.target(key)
            if target is None:
                continue  # a tag defined nowhere: `check` says so
            work = bibliography.work(key)
            try:
                identifier = identify(target)
            except InvalidIdentifier as exc:
                if work is None:  # not an entry's own key either
                    diagnostics.add(
                        rules.CITATION_IDENTIFIER_INVALID, _site(chapter, key), f"'{key}' cites no work: {exc}"
                    )
                continue
            if identifier is None or identifier.key in found:
                continue
            entry = bibliography.locations[work].path if work is not None else ""
            found[identifier.key] = Cited(identifier, _site(chapter, key), entry)
    return found


def _keys(blocks: list[Any], bibliography: Bibliography) -> Iterator[str]:
    """Every citation key in reading order, also those in another citation's prefix or suffix."""
    stack: list[Any] = [blocks]
    while stack:
        item = stack.pop()
        if type(item) is list:
            stack.extend(reversed(item))
        elif type(item) is dict:
            if item.get("t") == "Cite":
                for citation in item["c"][0]:
                    yield written_key(citation, bibliography.keys)
                    stack.extend(reversed([citation["citationPrefix"], citation["citationSuffix"]]))
            elif type(item.get("c")) in (list, dict):
                stack.append(item["c"])


def _site(chapter: Chapter | None, key: str) -> Location:
    if chapter is None:
        return Location(CONFIG_NAME)
    found = chapter.locate_all(citation_pattern(key))
    return found[0] if found else Location(chapter.rel)
