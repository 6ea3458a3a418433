"""Returned comment sheets: a CSV with the columns reviewer, location and comment."""

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


def read_sheet(path: Path, project: Project, info: RoundInfo, sources: FrozenSources, diagnostics: Diagnostics) -> list[Comment]:
    """A CSV with columns reviewer, location, comment; location is a page, `file:line` or a section number."""
    shown = project.rel(path)
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        diagnostics.add(rules.COLLECT_UNREADABLE_SHEET, Location(shown), f"cannot read this comment sheet: {exc}")
        return []
    comments = []
    for number, row in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        if not row.get("comment"):
            diagnostics.add(rules.COLLECT_BAD_SHEET, Location(shown, number, 1), "row without a comment is skipped")
            continue
        file, line, page = sources.locate(row.get("location", ""))
        if row.get("location") and file is None and page is None:
            diagnostics.add(rules.COLLECT_BAD_SHEET, Location(shown, number, 1), f"location '{row['location']}' not found; kept without one")
        reviewer = info.reviewer(row.get("reviewer")) or {}
        name = row.get("reviewer") or "unknown reviewer"
        identity = "|".join([info.name, name, "sheet", row.get("location", ""), row["comment"]])
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
                comment=row["comment"],
                kind="sheet",
                packet=shown,
                assignee=sources.owner(file) if file else None,
            )
        )
    return comments
