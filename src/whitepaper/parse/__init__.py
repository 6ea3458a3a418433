"""Stage 3, parse: each chapter's Markdown into pandoc's AST.

Chapters are parsed independently, so each is cached by its content hash (an
unchanged chapter is never parsed twice), and concurrently: pandoc runs as
separate processes.

CriticMarkup suggestions are turned into spans first (critic.py): pandoc's Markdown has no
reader for them; citation tags' definitions are blanked (they are read with the bibliography).
The cache is keyed by the text pandoc reads, so it follows that too.
"""

from __future__ import annotations

from typing import Any

from .. import pandoc
from ..cache import Cache, digest
from ..sources.citetags import without_definitions
from ..version import __version__
from .critic import to_pandoc

READER = "markdown"


def parse_texts(texts: list[str], cache: Cache) -> list[list[Any]]:
    """The block list of each Markdown text, from the cache where possible."""
    texts = [to_pandoc(without_definitions(text)) for text in texts]
    keys = [digest(__version__, pandoc.pandoc_version(), READER, text) for text in texts]
    blocks: list[list[Any] | None] = [cache.get("ast", key) for key in keys]
    missing = [index for index, value in enumerate(blocks) if value is None]
    parsed = pandoc.in_processes([texts[i] for i in missing], lambda batch: pandoc.markdown_to_asts(batch, READER))
    for index, document in zip(missing, parsed, strict=True):
        blocks[index] = document["blocks"]
        cache.put("ast", keys[index], document["blocks"])
    return [b for b in blocks if b is not None]
