"""Stage 3, parse: each chapter's Markdown into pandoc's AST.

Chapters are parsed independently (so a later issue can cache each by its
content hash) and concurrently: pandoc runs as separate processes.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from . import pandoc
from .sources import Chapter

READER = "markdown"


def parse_chapters(chapters: list[Chapter], extra_texts: list[str] = ()) -> tuple[list[list[Any]], list[list[Any]]]:  # type: ignore[assignment]
    """The block lists of each chapter, and of each extra Markdown text (the abstract)."""
    texts = [c.body for c in chapters] + list(extra_texts)
    workers = max(1, min(len(texts), os.cpu_count() or 1, 8))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        documents = list(pool.map(lambda text: pandoc.markdown_to_ast(text, READER), texts))
    blocks = [document["blocks"] for document in documents]
    return blocks[: len(chapters)], blocks[len(chapters) :]
