"""The comments register, `review/ROUND/comments.yaml`: one entry per reviewer comment.

Editors triage it by hand (status, response, assignee), so it is read with
positions and every problem is reported with its line; it is never
overwritten when it does not parse. Writes are atomic.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .. import rules
from ..config.yamlpos import load_located
from ..diagnostics import DiagnosticError, Diagnostics, Location
from ..project import Project
from ..write import write_atomic

STATUSES = ("open", "accepted", "rejected", "done", "deferred")
HEADER = """\
# Comments register of review round {round}, written by `whitepaper review collect`.
# Edit `status` ({statuses}), `response` and `assignee` freely: collecting again keeps them.
# Do not edit `id`: it is how a comment is recognised when a file is collected again.
"""


@dataclass
class Suggestion:
    """A reviewer's suggested wording: `old`, the exact Markdown at `file:line:col`, becomes `new`.
    An insertion takes a word next to it as its `old` (see suggestions.py)."""

    old: str
    new: str
    file: str | None = None
    line: int | None = None
    col: int | None = None


@dataclass
class Comment:
    id: str
    reviewer: str
    organisation: str | None
    file: str | None
    line: int | None
    page: int | None
    quote: str  # the text the reviewer marked, or "" for a note
    source: str  # the Markdown source of the block it refers to
    comment: str
    kind: str  # note, highlight, underline, strike-out, squiggly, free-text, drawing, reply, sheet
    in_reply_to: str | None = None
    author: str | None = None  # the annotation's author field as the PDF reader wrote it
    date: str | None = None
    packet: str | None = None
    status: str = "open"
    response: str = ""
    assignee: str | None = None
    col: int | None = None  # the column where the quoted text starts on `line`, when it was found there
    suggestion: Suggestion | None = None  # suggested wording, when the comment is an edit
    resolved: bool = False  # the reviewer marked it done (Word's "resolve")
    placed: str | None = None  # how it was placed at its file and line, when not by the packet's own anchors
    applied: str | None = None  # when `review apply` applied its suggestion: the commit, or a time
    extra: dict[str, Any] = field(default_factory=dict)  # keys an editor added; kept as they are

    EDITOR_FIELDS = ("status", "response", "assignee")
    OPTIONAL = ("col", "suggestion", "resolved", "placed", "applied")  # written only when they say something


def load_register(project: Project, round_name: str) -> list[Comment]:
    """The register's comments; a register broken by hand raises DiagnosticError with its line."""
    path = project.register_file(round_name)
    if not path.is_file():
        return []
    rel = project.rel(path)
    diagnostics = Diagnostics()
    located = load_located(path.read_text(encoding="utf-8"), rel, diagnostics, rule=rules.REGISTER_SYNTAX)
    if located is None or diagnostics.has_errors():
        raise DiagnosticError(diagnostics)
    data = located.data or {}
    if not isinstance(data, dict) or not isinstance(data.get("comments", []), list):
        diagnostics.add(rules.REGISTER_SYNTAX, Location(rel, 1, 1), "the register must be a mapping with a `comments:` list")
        raise DiagnosticError(diagnostics)
    known = {f for f in Comment.__dataclass_fields__ if f != "extra"}
    comments = []
    for index, entry in enumerate(data.get("comments") or []):
        if not isinstance(entry, dict) or not entry.get("id"):
            diagnostics.add(rules.REGISTER_SYNTAX, located.location(("comments", index)), "each comment needs an `id`")
            continue
        if entry.get("status", "open") not in STATUSES:
            diagnostics.add(
                rules.REGISTER_STATUS,
                located.location(("comments", index, "status")),
                f"status must be one of {', '.join(STATUSES)}",
            )
            continue
        values = {k: entry.get(k) for k in known if k in entry}
        for name in ("organisation", "file", "line", "page", "in_reply_to", "author", "date", "packet", "assignee", "col"):
            values.setdefault(name, None)
        values.setdefault("quote", "")
        values.setdefault("source", "")
        values.setdefault("comment", "")
        values.setdefault("kind", "note")
        values.setdefault("reviewer", "")
        values["response"] = values.get("response") or ""
        values["status"] = values.get("status") or "open"
        values["resolved"] = bool(values.get("resolved"))
        if values.get("suggestion") is not None:
            suggestion = _suggestion(values["suggestion"], located.location(("comments", index, "suggestion")), diagnostics)
            if suggestion is None:
                continue
            values["suggestion"] = suggestion
        comments.append(Comment(**values, extra={k: v for k, v in entry.items() if k not in known}))
    if diagnostics.has_errors():
        raise DiagnosticError(diagnostics)
    return comments


def _suggestion(data: Any, where: Location, diagnostics: Diagnostics) -> Suggestion | None:
    """A suggestion as the register writes it; anything else is reported where it is."""
    fields = set(Suggestion.__dataclass_fields__)
    if not isinstance(data, dict) or not {"old", "new"} <= set(data) or not set(data) <= fields:
        diagnostics.add(rules.REGISTER_SYNTAX, where, "a suggestion needs `old` and `new` (and may give `file`, `line`, `col`)")
        return None
    if not all(isinstance(data[k], str) for k in ("old", "new")) or not all(isinstance(data.get(k), (int, type(None))) for k in ("line", "col")):
        diagnostics.add(rules.REGISTER_SYNTAX, where, "a suggestion's `old` and `new` are text, its `line` and `col` numbers")
        return None
    return Suggestion(**data)


def merge(existing: list[Comment], collected: list[Comment]) -> tuple[list[Comment], int]:
    """Existing entries stay as they are (editors' triage included); new ones are appended."""
    merged = list(existing)
    seen = {c.id for c in existing}
    added = 0
    for comment in collected:
        if comment.id not in seen:
            merged.append(comment)
            seen.add(comment.id)
            added += 1
    return merged, added


def save_register(project: Project, round_name: str, comments: list[Comment]) -> Path:
    entries = []
    for comment in comments:
        entry = {k: v for k, v in asdict(comment).items() if k != "extra"}
        for name in Comment.OPTIONAL:
            if not entry[name]:
                del entry[name]
        if entry.get("suggestion"):
            entry["suggestion"] = {k: v for k, v in entry["suggestion"].items() if v is not None}
        entry.update(comment.extra)
        entries.append(entry)
    text = HEADER.format(round=round_name, statuses=", ".join(STATUSES))
    text += yaml.safe_dump({"round": round_name, "comments": entries}, sort_keys=False, allow_unicode=True, width=100)
    path = project.register_file(round_name)
    write_atomic(path, text.encode("utf-8"))
    return path
