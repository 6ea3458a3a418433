"""Returned comment sheets: a CSV with the columns reviewer, location and comment, and, for a
suggested wording, `old` (the text as it stands) and `new` (what it should say)."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..project import Project
from .frozen import FrozenSources, RoundInfo
from .register import Comment
from .suggestions import place


def read_sheet(path: Path, project: Project, info: RoundInfo, sources: FrozenSources, diagnostics: Diagnostics) -> list[Comment]:
    """A CSV with columns reviewer, location, comment (and old, new); location is a page, `file:line`
    or a section number."""
    shown = project.rel(path)
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        diagnostics.add(rules.COLLECT_UNREADABLE_SHEET, Location(shown), f"cannot read this comment sheet: {exc}")
        return []
    comments = []
    for number, row in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        old, new = row.get("old", ""), row.get("new", "")
        if not row.get("comment") and not (old or new):
            diagnostics.add(rules.COLLECT_BAD_SHEET, Location(shown, number, 1), "row without a comment is skipped")
            continue
        file, line, page = sources.locate(row.get("location", ""))
        if row.get("location") and file is None and page is None:
            diagnostics.add(rules.COLLECT_BAD_SHEET, Location(shown, number, 1), f"location '{row['location']}' not found; kept without one")
        reviewer = info.reviewer(row.get("reviewer")) or {}
        name = row.get("reviewer") or "unknown reviewer"
        identity = "|".join([info.name, name, "sheet", row.get("location", ""), row["comment"]] + ([old, new] if old or new else []))
        suggestion = None
        if old or new:
            suggestion = place(sources, file, line, old, new) if file and line and old else None
            if suggestion is None:
                why = "give the text as it stands in `old`" if not old else f"'{old}' is not in the Markdown at {row.get('location') or 'no location'}"
                diagnostics.add(rules.COLLECT_SUGGESTION_UNPLACED, Location(shown, number, 1), f"suggested wording kept as a comment: {why}")
        comments.append(
            Comment(
                id="c-" + hashlib.sha256(identity.encode("utf-8")).hexdigest()[:10],
                reviewer=name,
                organisation=reviewer.get("organisation"),
                file=file,
                line=line,
                page=page,
                quote="",
                source=sources.block(file, line) if file and line else "",
                comment=row["comment"] or (f"Replace “{old}” with “{new}”." if old and new else f"Suggested: “{old or new}”."),
                kind="sheet",
                suggestion=suggestion,
                packet=shown,
                assignee=sources.owner(file) if file else None,
            )
        )
    return comments
