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

__all__ = ["Document", "ResolvedChapter", "Survey", "resolve"]


def resolve(
    project: Project,
    config: Config,
    chapters: list[Chapter],
    chapter_blocks: list[list[Any]],
    abstract: list[Any],
    bibliography: Bibliography,
    diagnostics: Diagnostics,
    glossary: Glossary | None = None,
) -> Document:
    document = Document(chapters=[], abstract=abstract, glossary=glossary if glossary is not None else Glossary())
    numbering = Numbering(config, diagnostics)
    for chapter, blocks in zip(chapters, chapter_blocks, strict=True):
        document.counters.append(copy.deepcopy(numbering.counters))
        document.chapters.append(numbered(chapter, blocks, config, numbering, diagnostics))
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
