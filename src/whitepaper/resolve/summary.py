"""Summary tables: `::: {.summary-of kind=recommendation}` names a kind of numbered box.

Numbering gives the table its number; rendering fills in its rows (render/summaries.py).
Here the kind is checked, where the author wrote it.
"""

from __future__ import annotations

from typing import Any

from .. import rules
from ..config.schema import Config
from ..diagnostics import Diagnostics
from ..sources.chapters import Chapter


def check_summary(node: dict[str, Any], chapter: Chapter, config: Config, diagnostics: Diagnostics) -> None:
    """A summary of a kind of box that is not declared is an error."""
    kind = dict(node["c"][0][2]).get("kind", "")
    if kind not in config.blocks:
        known = ", ".join(sorted(config.blocks)) or "none declared"
        diagnostics.add(
            rules.SUMMARY_UNKNOWN_KIND, chapter.locate("summary-of"), f"summary of unknown block kind '{kind}' (declared kinds: {known})"
        )
