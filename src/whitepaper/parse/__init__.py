"""Stage 3, parse: each chapter's Markdown into pandoc's AST.

Chapters are parsed independently, so each is cached by its content hash (an
unchanged chapter is never parsed twice), and concurrently: pandoc runs as
separate processes, and each chapter is handed on as soon as it is parsed
(pandoc/stream.py).

CriticMarkup suggestions are turned into spans first (critic.py): pandoc's Markdown has no
reader for them; citation tags' definitions are blanked (they are read with the bibliography).
The cache is keyed by the text pandoc reads, so it follows that too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .. import pandoc
from ..cache import Cache, digest
from ..pandoc.stream import Stream
from ..sources.citetags import without_definitions
from ..version import __version__
from .critic import to_pandoc

READER = "markdown"


class Parsing:
    """The block lists of Markdown texts, in order, each handed on as soon as pandoc has parsed
    it (or at once, from the cache): pandoc starts on creation, and the caller resolves the
    first chapters while it reads the later ones (pandoc/stream.py). A context manager: leaving it
    ends the pandoc processes."""

    def __init__(self, texts: list[str], cache: Cache):
        texts = [to_pandoc(without_definitions(text)) for text in texts]
        self._cache = cache
        version = pandoc.pandoc_version() if cache.enabled else ""  # asking pandoc costs a process
        self._keys = [digest(__version__, version, READER, text) for text in texts]
        self._blocks: list[list[Any] | None] = [cache.get("ast", key) for key in self._keys]
        missing = [index for index, value in enumerate(self._blocks) if value is None]
        self._position = {index: position for position, index in enumerate(missing)}  # in the stream
        self._stream = Stream([texts[i] for i in missing], READER)

    def __enter__(self) -> Parsing:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.close()

    def __iter__(self) -> Iterator[list[Any]]:
        for index, key in enumerate(self._keys):
            blocks = self._blocks[index]
            if blocks is None:
                blocks = self._stream.document(self._position[index])["blocks"]
                self._cache.put("ast", key, blocks)  # before the caller resolves it in place
            self._blocks[index] = None  # the caller owns it now
            yield blocks


def parse_texts(texts: list[str], cache: Cache) -> list[list[Any]]:
    """The block list of each Markdown text, from the cache where possible."""
    with Parsing(texts, cache) as parsing:
        return list(parsing)
