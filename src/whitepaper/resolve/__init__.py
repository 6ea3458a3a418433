"""Stage 4, resolve: one pass over the assembled document.

Gives every chapter its heading and id, numbers sections, figures, tables,
equations and custom blocks, turns cross-references into links, checks
citation keys against the bibliography and images against the project
folder. Every problem becomes a diagnostic pointing into the author's file.
"""

from __future__ import annotations

import copy
from typing import Any

from ..config.schema import Config
from ..diagnostics import Diagnostics
from ..project import Project
from ..sources.bibliography import Bibliography
from ..sources.chapters import Chapter
from ..sources.glossary import Glossary
from .document import Document, ResolvedChapter, Survey
from .glossary_lists import mark_all
from .numbering import Numbering
from .style import Styles
from .walk import duplicate_span_ids, numbered, survey, unreferenced
from .xrefs import References

__all__ = ["Document", "ResolvedChapter", "Resolver", "Survey"]


class Resolver:
    """The stage in two steps: each chapter numbered as soon as it is parsed (in reading order),
    while pandoc still reads the later ones; then, with every target known, the rest."""

    def __init__(self, config: Config, diagnostics: Diagnostics, glossary: Glossary | None = None):
        self.config, self.diagnostics = config, diagnostics
        self.document = Document(chapters=[], abstract=[], glossary=glossary if glossary is not None else Glossary())
        self.numbering = Numbering(config, diagnostics)

    def chapter(self, chapter: Chapter, blocks: list[Any]) -> None:
        """The next chapter in reading order: its title, id and numbers."""
        document, numbering = self.document, self.numbering
        document.counters.append(copy.deepcopy(numbering.counters))
        document.chapters.append(numbered(chapter, blocks, self.config, numbering, self.diagnostics))

    def finish(self, project: Project, abstract: list[Any], bibliography: Bibliography) -> Document:
        """Cross-references, citations, images and the glossary, once every chapter is numbered."""
        document, numbering, config, diagnostics = self.document, self.numbering, self.config, self.diagnostics
        document.abstract = abstract
        document.counters.append(copy.deepcopy(numbering.counters))
        document.targets, document.seen_ids = numbering.targets, numbering.seen_ids

        references = References(document.targets, bibliography, list(config.blocks), diagnostics, Styles(config))
        references.run(abstract, None)
        for resolved in document.chapters:
            resolved.survey = survey(resolved, project, config, document, references, diagnostics)
        mark_all(document.chapters, document.glossary, config)  # after the survey: its words are the author's
        document.cited, document.cited_in, document.spellings = references.cited, references.cited_in, references.spellings
        unreferenced(document.targets, diagnostics)
        duplicate_span_ids(document, diagnostics)
        return document
