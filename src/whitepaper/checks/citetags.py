"""Citation tags defined but never cited: a leftover, or a citation that lost its tag."""

from __future__ import annotations

import re

from .. import rules
from ..diagnostics import Diagnostics
from ..sources.citetags import PREFIX, without_definitions
from .base import Paper, PaperCheck

# `@tag:X` as pandoc reads a citation key (inner punctuation allowed, a final one not), in
# the text: a tag whose work is not resolved yet is still used.
_CITED_TAG = re.compile(r"(?<![\w@])-?@\{?" + re.escape(PREFIX) + r"([\w:.#$%&\-+?<>~/]*\w)")


def check(paper: Paper, diagnostics: Diagnostics) -> None:
    if not paper.bibliography.tags:
        return
    texts = [without_definitions(resolved.source.text) for resolved in paper.document.chapters] + [
        paper.config.abstract or ""
    ]
    cited = {match.group(1) for text in texts for match in _CITED_TAG.finditer(text)}
    for tag, definition in paper.bibliography.tags.items():
        if tag not in cited:
            diagnostics.add(
                rules.CITATION_TAG_UNUSED, definition.location, f"tag '{tag}' is never cited (as [@{PREFIX}{tag}])"
            )


CHECK = PaperCheck((rules.CITATION_TAG_UNUSED,), check)
