"""Tables need a header row: without one a screen reader cannot say which column a cell is in,
and the tagged PDF has no TH cells. A pipe table's header is its first row, above `|---|`;
an empty first row gives it none."""

from __future__ import annotations

from typing import Any

from .. import rules
from ..diagnostics import Diagnostics, Location
from .places import Site


def check(table: dict[str, Any], site: Site, diagnostics: Diagnostics) -> None:
    if has_headers(table):
        return
    diagnostics.add(
        rules.TABLE_HEADER_MISSING,
        Location(site.places.chapter.rel, site.line, 1),
        "table has no header row: give its columns headings (in a pipe table, the row above |---|)",
    )


def has_headers(table: dict[str, Any]) -> bool:
    """A head row with a cell that says something, or header columns or rows in a body
    (which pandoc's Markdown never writes, but its HTML and Word readers do)."""
    _, _, _, (_, head_rows), bodies, _ = table["c"]
    if any(cell[4] for row in head_rows for cell in row[1]):
        return True
    return any(row_head_columns > 0 or intermediate for _, row_head_columns, intermediate, _ in bodies)
