"""`whitepaper approve`: a chapter's owner (or an editor) signs off its text as it stands.

The approval names the SHA-256 of the chapter's text as the build reads it, so it holds
only until the text changes (sources/approvals.py tells where a chapter stands).
Approvals are added to `review/approvals.yaml`, one per line, never rewritten in place:
a revocation is an approval of its own, `revoked`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .. import rules
from ..config import LoadedConfig, load_config
from ..diagnostics import DiagnosticError, Diagnostics, Location
from ..gitinfo import git_state
from ..project import APPROVALS_FILE, CONFIG_NAME, Project
from ..sources.approvals import HEADER, Approval, read_approvals, text_digest
from ..sources.chapters import Chapter, read_chapters
from ..write import write_atomic

GITATTRIBUTES = f"{APPROVALS_FILE} merge=union\n"  # two branches' approvals merge line by line


def approve(
    project: Project | Path | str, chapters: list[str], by: str, *, note: str | None = None, revoke: bool = False
) -> list[Approval]:
    """Record `by`'s approval (or its revocation) of each chapter named; nothing is written when
    one of them cannot be."""
    project = Project.at(project)
    diagnostics = Diagnostics()
    loaded = load_config(project, diagnostics)
    named = _chapters(project, loaded, chapters, diagnostics)
    for chapter in named:
        if by not in chapter.meta.owners and by not in loaded.config.editors:
            who = ", ".join(chapter.meta.owners) or "no one"
            diagnostics.add(
                rules.APPROVER_UNKNOWN,
                _owners_line(chapter),
                f"{by} cannot approve {chapter.rel}: it is owned by {who}, and `editors:` in {CONFIG_NAME} does not name {by}",
            )
    if diagnostics.has_errors():
        raise DiagnosticError(diagnostics)
    existing = read_approvals(project, diagnostics)
    if diagnostics.has_errors():
        raise DiagnosticError(diagnostics)
    state = git_state(project.root)
    at = _now()
    added = [
        Approval(chapter.rel, by, at, text_digest(chapter), state.describe() if state else None, note or None, revoke)
        for chapter in named
    ]
    _write(project, existing + added)
    return added


def _chapters(project: Project, loaded: LoadedConfig, names: list[str], diagnostics: Diagnostics) -> list[Chapter]:
    """The chapters named, by file, file name (with or without .md), slug or id; an unknown name is an error."""
    chapters = read_chapters(project, loaded, diagnostics)
    found = []
    for name in names:
        match = next((c for c in chapters if name in (c.rel, c.path.name, c.path.stem, c.slug, c.meta.id, f"sec-{c.slug}")), None)
        if match is None:
            known = ", ".join(c.rel for c in chapters)
            diagnostics.add(rules.APPROVE_UNKNOWN_CHAPTER, Location(name), f"'{name}' is not a chapter of the paper (chapters: {known})")
        elif match not in found:
            found.append(match)
    return found


def _owners_line(chapter: Chapter) -> Location:
    for number in range(1, chapter.body_line):
        if chapter.lines[number - 1].startswith("owners:"):
            return Location(chapter.rel, number, 1)
    return Location(chapter.rel, 1, 1)


def _now() -> str:
    """The time of signing (never SOURCE_DATE_EPOCH: that fixes builds, not signatures)."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write(project: Project, approvals: list[Approval]) -> None:
    """The whole file, sorted (chapter, approver, time), an approval a line; and the union merge for it."""
    text = HEADER + "".join(a.line() + "\n" for a in sorted(set(approvals), key=Approval.key))
    write_atomic(project.path(APPROVALS_FILE), text.encode("utf-8"))
    attributes = project.root / ".gitattributes"
    current = attributes.read_text(encoding="utf-8") if attributes.is_file() else ""
    if GITATTRIBUTES.strip() not in current.splitlines():
        write_atomic(attributes, (current + ("" if not current or current.endswith("\n") else "\n") + GITATTRIBUTES).encode("utf-8"))
