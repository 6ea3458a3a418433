"""A chapter resolved again within the last build's paper, for rebuilds after an edit.

While the chapter's `signature` (everything of it other parts of the paper see) stays
the same, an edit changes nothing outside the chapter's own pages.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, astuple, dataclass
from typing import Any

from ..cache import digest
from ..config.schema import Config
from ..diagnostics import Diagnostics, Location
from ..pandoc.nodes import cites
from ..project import Project
from ..sources.bibliography import Bibliography
from ..sources.chapters import Chapter
from ..sources.citetags import chapter_definitions
from .document import Document, ResolvedChapter
from .glossary_lists import mark_again
from .numbering import Counters, Numbering, Targets
from .style import Styles
from .walk import numbered, survey, unreferenced
from .xrefs import References


@dataclass
class Again:
    """A chapter resolved again (see resolve_again)."""

    resolved: ResolvedChapter
    targets: Targets  # the paper's, this chapter's replaced
    own: Targets  # this chapter's alone
    after: Counters  # numbering after this chapter
    seen_ids: dict[str, Location]  # the paper's, this chapter's replaced


def resolve_again(
    project: Project,
    config: Config,
    previous: Document,
    index: int,
    chapter: Chapter,
    blocks: list[Any],
    bibliography: Bibliography,
    diagnostics: Diagnostics,
) -> Again:
    """Chapter `index` resolved afresh within a paper otherwise as `previous` resolved it.

    Numbering starts where it stood before this chapter (with the ids of the chapters before
    it); references resolve against the paper's targets with this chapter's own replaced.
    The caller compares the chapter's `signature` with the previous one to know whether the
    rest of the paper is unchanged.
    """
    numbering = Numbering(config, diagnostics)
    numbering.counters = copy.deepcopy(previous.counters[index])
    later = {c.source.rel for c in previous.chapters[index:]} | {chapter.rel}
    numbering.seen_ids = {key: where for key, where in previous.seen_ids.items() if where.path not in later}
    resolved = numbered(chapter, blocks, config, numbering, diagnostics)
    own = numbering.targets
    old_id = previous.chapters[index].id
    # By key, not by target: a chapter may be there under a second name (autoSectionLabels).
    by_id = _spliced(list(previous.targets.by_id.items()), old_id, list(own.by_id.items()), lambda item: item[1].chapter_id)
    targets = Targets(
        by_id=dict(by_id),
        chapter_labels=previous.targets.chapter_labels | own.chapter_labels,
        headings=_spliced(previous.targets.headings, old_id, own.headings, lambda h: h.chapter),
    )
    view = Document(chapters=[], abstract=[], targets=targets)
    references = References(targets, bibliography, list(config.blocks), diagnostics, Styles(config))
    resolved.survey = survey(resolved, project, config, view, references, diagnostics)
    _referenced_as_before(own, previous.targets)
    unreferenced(own, diagnostics)
    mark_again(resolved, index, previous, config)
    seen_ids = {key: where for key, where in previous.seen_ids.items() if where.path != chapter.rel}
    seen_ids |= {key: where for key, where in numbering.seen_ids.items() if where.path == chapter.rel}
    return Again(resolved, targets, own, numbering.counters, seen_ids)


def _referenced_as_before(own: Targets, previous: Targets) -> None:
    """The chapter's targets that other chapters refer to: their references are unchanged while
    the chapter's signature is (it holds its cross-references), and are not resolved again."""
    for key, target in own.by_id.items():
        before = previous.by_id.get(key)
        target.referenced = target.referenced or (before is not None and before.referenced)


def _spliced(items: list[Any], chapter_id: str, new: list[Any], chapter_of: Any) -> list[Any]:
    """`items` with those of one chapter replaced by `new`, in their place."""
    positions = [i for i, item in enumerate(items) if chapter_of(item) == chapter_id]
    start = positions[0] if positions else len(items)
    return [item for item in items[:start] if chapter_of(item) != chapter_id] + new + [
        item for item in items[start:] if chapter_of(item) != chapter_id
    ]


def signature(resolved: ResolvedChapter, targets: Targets, after: Counters) -> str:
    """Everything of a chapter that other parts of the paper see: its targets, headings and
    numbering, its ids, links, cross-references, images and citations, its front matter, the
    glossary entries it uses and spells out (first uses, expansions and the lists depend on them).
    While it stays the same, an edit changes nothing outside the chapter's own pages."""
    mine = [
        [key, t.id, t.kind, t.label, t.plural, t.number, t.title, t.automatic, t.parent]
        for key, t in targets.by_id.items() if t.chapter_id == resolved.id
    ]  # fmt: skip
    survey = resolved.survey
    seen = [
        resolved.id, resolved.title, vars(resolved.source.meta), targets.chapter_labels.get(resolved.id), mine,
        [astuple(h) for h in targets.headings if h.chapter == resolved.id], asdict(after),
        sorted(survey.ids), survey.span_ids, survey.links, survey.xrefs, survey.headings,
        [[written, str(path)] for written, path in survey.images],
        [cluster["c"][0] for cluster in cites(resolved.blocks)],
        [(d.tag, d.target) for d in chapter_definitions(resolved.source)],  # citation tags other chapters may cite
        survey.glossary.shared(),
    ]  # fmt: skip
    return digest(json.dumps(seen, ensure_ascii=False, default=str))
