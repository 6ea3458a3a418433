"""Internal links `[text](#anchor)` must land on something."""

from __future__ import annotations

from .. import rules
from ..diagnostics import Diagnostics
from .base import Paper, PaperCheck


def check(paper: Paper, diagnostics: Diagnostics) -> None:
    document = paper.document
    ids = set(document.targets.by_id) | {f"ref-{key}" for key in document.cited} | {"refs", "references", "toc", "abstract"}
    for resolved in document.chapters:
        ids |= resolved.survey.ids
    for resolved in document.chapters:
        for url in resolved.survey.links:
            if url[1:] not in ids:
                chapter = resolved.source
                diagnostics.add(
                    rules.LINK_BROKEN,
                    chapter.locate(f"({url})") if f"({url})" in chapter.text else chapter.locate(url),
                    f"link to '{url}', which is not an id in the paper",
                )


CHECK = PaperCheck((rules.LINK_BROKEN,), check)
