"""Stage 3, parse: each chapter's Markdown into pandoc's AST.

Chapters are parsed independently, so each is cached by its content hash (an
unchanged chapter is never parsed twice), and concurrently: pandoc runs as
separate processes.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from . import __version__, pandoc
from .cache import Cache, digest

READER = "markdown"


def parse_texts(texts: list[str], cache: Cache) -> list[list[Any]]:
    """The block list of each Markdown text, from the cache where possible."""
    keys = [digest(__version__, pandoc.pandoc_version(), READER, text) for text in texts]
    blocks: list[list[Any] | None] = [cache.get("ast", key) for key in keys]
    missing = [index for index, value in enumerate(blocks) if value is None]
    if missing:
        # One pandoc process per core, each parsing its share of the chapters.
        workers = max(1, min(len(missing), os.cpu_count() or 1, 8))
        batches = [missing[start::workers] for start in range(workers)]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(lambda batch: pandoc.markdown_to_asts([texts[i] for i in batch], READER), batches))
        parsed = {index: doc["blocks"] for batch, docs in zip(batches, results) for index, doc in zip(batch, docs)}
        for index in missing:
            value = parsed[index]
            blocks[index] = value
            cache.put("ast", keys[index], value)
    return [b for b in blocks if b is not None]
