"""The list of abbreviations and the glossary: the entries the paper uses, sorted as its language
sorts (collation.py), each with a link to its first use, which the PDF shows as that page's number.

A chapter places a list with an empty `::: {#abbreviations}` or `::: {#glossary}` div; a list
no chapter places ends the paper (render/glossary.py). Both are pandoc blocks, so the HTML, the
PDF and the Word file show the same list.
"""

from __future__ import annotations

import copy
from typing import Any

from ..config.schema import Config
from ..pandoc import nodes
from ..sources.glossary import Abbreviation, Glossary, Term
from .collation import sort_key
from .document import Document, ResolvedChapter
from .glossary import PLACES, Before, Found, mark

TITLES = {"abbreviations": "Abbreviations", "glossary": "Glossary"}  # the lists' headings, when they end the paper
FIRST_USE = "first use"  # the link to it; the PDF shows its page number instead


def mark_all(chapters: list[ResolvedChapter], glossary: Glossary, config: Config) -> None:
    """Mark the glossary's uses in every chapter, in reading order, and fill the lists chapters place."""
    found: list[Found] = []
    for chapter in chapters:
        chapter.survey.glossary = mark(
            chapter.blocks, chapter.source, chapter.sources, glossary, config, Before.of(found)
        )
        found.append(chapter.survey.glossary)
    made = lists(glossary, found, config.lang)
    for chapter in chapters:
        place(chapter.blocks, made)


def mark_again(resolved: ResolvedChapter, index: int, previous: Document, config: Config) -> None:
    """Chapter `index` marked afresh within the paper as `previous` resolved it (a rebuild)."""
    earlier = [chapter.survey.glossary for chapter in previous.chapters[:index]]
    resolved.survey.glossary = mark(
        resolved.blocks, resolved.source, resolved.sources, previous.glossary, config, Before.of(earlier)
    )
    found = [
        *earlier,
        resolved.survey.glossary,
        *(chapter.survey.glossary for chapter in previous.chapters[index + 1 :]),
    ]
    place(resolved.blocks, lists(previous.glossary, found, config.lang))


def lists(glossary: Glossary, found: list[Found], lang: str) -> dict[str, list[nodes.Node]]:
    """Each list's blocks (none when the paper uses no entry of it), by the id that places it."""
    used = {key for chapter in found for key in chapter.uses}
    order = sort_key(lang)
    abbreviations = sorted((a for a in glossary.abbreviations.values() if a.id in used), key=lambda a: order(a.short))
    terms = sorted((t for t in glossary.terms.values() if t.id in used), key=lambda t: order(t.name))
    return {
        "abbreviations": _list("abbreviations", [_abbreviation(a) for a in abbreviations]),
        "glossary": _list("terms", [_term(t) for t in terms]),
    }


def place(blocks: list[Any], made: dict[str, list[nodes.Node]]) -> None:
    """Fill the divs of a chapter that place a list."""
    for node in nodes.walk_blocks(blocks):
        if node["t"] == "Div" and node["c"][0][0] in PLACES:
            node["c"][1] = copy.deepcopy(made[node["c"][0][0]])


def placed(ids: set[str]) -> set[str]:
    """The lists a chapter places, from the ids its survey found."""
    return {place for place in PLACES if place in ids}


def _list(kind: str, items: list[Any]) -> list[nodes.Node]:
    return [nodes.div("", ["glossary-list", f"{kind}-list"], [{"t": "DefinitionList", "c": items}])] if items else []


def _abbreviation(entry: Abbreviation) -> list[Any]:
    definition = [{"t": "Plain", "c": [*nodes.text_inlines(entry.long), {"t": "Space"}, _first_use(entry.id)]}]
    if entry.description:
        definition.append(nodes.para(nodes.text_inlines(entry.description)))
    return [_key(entry.id, entry.short), [definition]]


def _term(entry: Term) -> list[Any]:
    definition = [{"t": "Plain", "c": [*nodes.text_inlines(entry.definition), {"t": "Space"}, _first_use(entry.id)]}]
    return [_key(entry.id, entry.name), [definition]]


def _key(identifier: str, text: str) -> list[nodes.Node]:
    """The entry's name, with the id its uses link to."""
    return [{"t": "Span", "c": [nodes.attr(identifier, ["glossary-key"]), nodes.text_inlines(text)]}]


def _first_use(key: str) -> nodes.Node:
    label = {"t": "Span", "c": [nodes.attr("", ["glossary-first-label"]), nodes.text_inlines(FIRST_USE)]}
    return {"t": "Link", "c": [nodes.attr("", ["glossary-first"]), [label], [f"#use-{key}", ""]]}
