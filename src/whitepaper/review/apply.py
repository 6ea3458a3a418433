"""`review apply`: accepted suggestions written into the chapters.

A suggestion is applied only where its old text is still found, exactly, at its place:
its block is followed to where it is now (as `review locate` does), then the old text
must stand at the suggestion's line and column. Otherwise the entry is a conflict, and
its file is left as it is. Nothing but the old text of applied suggestions changes:
front matter, other lines and line endings stay byte for byte. Files are written whole
or not at all; the register records when each suggestion was applied, so applying
again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import rules
from ..diagnostics import DiagnosticError, Diagnostics, Location
from ..gitinfo import git_state
from ..project import Project
from ..write import write_atomic
from .register import Comment, load_register, save_register
from .report import current_line

Rewrite = Callable[[Comment], str]  # what a suggestion's old text becomes in the source (ValueError: it cannot)


@dataclass
class Change:
    comment: Comment
    start: int  # offset of the old text in the file's current text
    end: int


@dataclass
class ApplyResult:
    applied: list[Comment] = field(default_factory=list)
    diffs: dict[str, str] = field(default_factory=dict)  # file -> unified diff of what changes
    written: list[Path] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


def apply(
    project: Project | Path | str, round_name: str, ids: list[str] | None = None, *, dry_run: bool = False, rewrite: Rewrite | None = None
) -> ApplyResult:
    """Apply the accepted suggestions of a round (or those of `ids`); `dry_run` writes nothing.
    `rewrite` says what the old text becomes: by default the new text (CriticMarkup, say, to
    propose it to the chapter's owner instead, see critic.proposed)."""
    project = Project.at(project)
    comments = load_register(project, round_name)
    chosen = _chosen(comments, ids)
    stamp = _stamp(project) + (" as a suggestion" if rewrite else "")  # before writing: the commit they were applied to
    result = ApplyResult()
    for file, entries in _by_file(chosen).items():
        path = project.path(file)
        changes = _changes(path, file, entries, result.diagnostics)
        if not changes:
            continue
        before = path.read_bytes().decode("utf-8")
        after = _rewritten(before, changes, rewrite or _new_text, file, result.diagnostics)
        if after is None:
            continue
        result.diffs[file] = "".join(
            difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{file}", f"b/{file}")
        )
        result.applied += [change.comment for change in changes]
        if not dry_run:
            write_atomic(path, after.encode("utf-8"))
            result.written.append(path)
    if result.applied and not dry_run:
        for comment in result.applied:
            comment.applied = stamp
        save_register(project, round_name, comments)
    return result


def _chosen(comments: list[Comment], ids: list[str] | None) -> list[Comment]:
    """The entries to apply: those of `ids`, else every accepted one; never one applied already."""
    if ids:
        by_id = {c.id: c for c in comments}
        diagnostics = Diagnostics()
        for unknown in [i for i in ids if i not in by_id or by_id[i].suggestion is None]:
            problem = "no comment of the round has this id" if unknown not in by_id else "this comment suggests no wording"
            diagnostics.add(rules.APPLY_CONFLICT, Location(unknown), problem)
        if diagnostics.has_errors():
            raise DiagnosticError(diagnostics)
        picked = [by_id[i] for i in ids]
    else:
        picked = [c for c in comments if c.status == "accepted" and c.suggestion is not None]
    return [c for c in picked if not c.applied]


def _by_file(comments: list[Comment]) -> dict[str, list[Comment]]:
    files: dict[str, list[Comment]] = {}
    for comment in comments:
        assert comment.suggestion is not None
        file = comment.suggestion.file or comment.file
        if file:
            files.setdefault(file, []).append(comment)
    return files


def _changes(path: Path, file: str, entries: list[Comment], diagnostics: Diagnostics) -> list[Change]:
    """Where each suggestion's old text stands now; none at all when one of them is not found."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        diagnostics.add(rules.APPLY_CONFLICT, Location(file), f"the chapter cannot be read ({exc}); nothing applied to it")
        return []
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    changes, conflicts = [], []
    for comment in entries:
        found = _found(comment, text, lines, newline)
        if found is None:
            conflicts.append(comment)
        else:
            changes.append(Change(comment, *found))
    changes.sort(key=lambda c: c.start)
    for earlier, later in zip(changes, changes[1:]):
        if later.start < earlier.end:
            conflicts.append(later.comment)
    for comment in conflicts:
        suggestion = comment.suggestion
        assert suggestion is not None
        where = Location(file, suggestion.line or 0, suggestion.col or 0)
        diagnostics.add(rules.APPLY_CONFLICT, where, f"{comment.id}: '{_short(suggestion.old)}' is no longer here; {file} is left as it is")
    return [] if conflicts else changes


def _found(comment: Comment, text: str, lines: list[str], newline: str) -> tuple[int, int] | None:
    """The offsets of the suggestion's old text in the current text, if it stands at its place."""
    suggestion = comment.suggestion
    assert suggestion is not None
    if not suggestion.line or not suggestion.col:
        return None
    shift = 0
    if comment.line and comment.source:  # the block may have moved since the round: follow it
        now = current_line(lines, comment.source.split("\n")[0], comment.line)
        if now is None:
            return None
        shift = now - comment.line
    line = suggestion.line + shift
    if not 1 <= line <= len(lines):
        return None
    start = sum(len(text_line) + len(newline) for text_line in lines[: line - 1]) + suggestion.col - 1
    old = suggestion.old.replace("\n", newline)
    return (start, start + len(old)) if text.startswith(old, start) else None


def _new_text(comment: Comment) -> str:
    assert comment.suggestion is not None
    return comment.suggestion.new


def _rewritten(text: str, changes: list[Change], rewrite: Rewrite, file: str, diagnostics: Diagnostics) -> str | None:
    """The text with every change made, or None (and a diagnostic) when one cannot be written."""
    newline = "\r\n" if "\r\n" in text else "\n"
    for change in sorted(changes, key=lambda c: c.start, reverse=True):  # from the end, so offsets hold
        suggestion = change.comment.suggestion
        assert suggestion is not None
        try:
            replacement = rewrite(change.comment)
        except ValueError as exc:
            where = Location(file, suggestion.line or 0, suggestion.col or 0)
            diagnostics.add(rules.APPLY_CONFLICT, where, f"{change.comment.id}: {exc}; {file} is left as it is")
            return None
        text = text[: change.start] + replacement.replace("\n", newline) + text[change.end :]
    return text


def _stamp(project: Project) -> str:
    """When, and on which commit, suggestions were applied."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch.isdigit() else dt.datetime.now(dt.timezone.utc)
    state = git_state(project.root)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") + (f" on {state.describe()}" if state else "")


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 40 else flat[:39] + "…"
