"""The list of abbreviations and the glossary at the end of the paper, each a chapter of its own
after the references (and before the Contributors), when no chapter places it
(`::: {#abbreviations}`) and the paper uses any of its entries. The lists themselves are
made when resolving (resolve/glossary_lists.py), as chapters that place them need them too."""

from __future__ import annotations

from ..config.schema import Config
from ..pandoc import nodes
from ..resolve import Document
from ..resolve.glossary_lists import TITLES, lists, placed


def glossary_parts(document: Document, config: Config) -> list[list[nodes.Node]]:
    """The back matter parts: one for each list that has entries and that no chapter places."""
    made = lists(document.glossary, [chapter.survey.glossary for chapter in document.chapters], config.lang)
    elsewhere = {kind for chapter in document.chapters for kind in placed(chapter.survey.ids)}
    parts = []
    for kind, title in TITLES.items():
        if made[kind] and kind not in elsewhere:
            heading = nodes.header(1, kind, nodes.text_inlines(title))
            parts.append([nodes.div(f"chapter-{kind}", ["chapter", "glossary-chapter"], [heading, *made[kind]])])
    return parts
