"""Comments made in the browser (`review serve`), read from the round's `web.sqlite` into the register.

Only submitted reviews are read: until a reviewer presses *Submit review* their comments are
theirs to change, and each waiting reviewer is named in a warning. A comment's register id
comes from its id in the store, so collecting again adds nothing and the editors' triage
stays. A suggested replacement becomes a suggested edit as a PDF's or a Word file's does:
placed in the block's Markdown by its words and the text around them (suggestions.py).
"""

from __future__ import annotations

import hashlib

from .. import rules
from ..diagnostics import Diagnostics, EnvironmentProblem, Location
from ..project import Project
from .frozen import FrozenSources, RoundInfo
from .register import Comment
from .suggestions import describe, place
from .webstore import STORE_NAME, WebComment, WebStore


def quote_position(sources: FrozenSources, file: str, line: int, exact: str, prefix: str, suffix: str) -> tuple[int, int] | None:
    """Where the selected words start in the Markdown of the block at `file:line` (line, column
    from 1), told apart from the same words elsewhere in the block by the text around them;
    None when they are not there as written (a citation, say, is `[@key]` in the Markdown)."""
    found = place(sources, file, line, exact, exact, prefix, suffix)  # an edit that changes nothing: where its words are
    return (found.line or line, found.col or 1) if found else None


def register_id(round_name: str, comment_id: str) -> str:
    return "c-" + hashlib.sha256(f"{round_name}|web|{comment_id}".encode()).hexdigest()[:10]


def read_web(project: Project, info: RoundInfo, sources: FrozenSources, diagnostics: Diagnostics) -> list[Comment]:
    """The submitted reviews' comments, in the order they were made."""
    path = info.folder / STORE_NAME
    if not path.is_file():
        raise EnvironmentProblem(
            f"nobody has reviewed round '{info.name}' in the browser yet (no {project.rel(path)}): "
            f"invite reviewers with `whitepaper review invite {info.name}` and run `whitepaper review serve {info.name}`"
        )
    shown = project.rel(path)
    store = WebStore(path)
    try:
        invited, comments = store.invited(), store.all()
    finally:
        store.close()
    waiting = sorted({c.reviewer for c in comments if not invited.get(c.reviewer)})
    for name in waiting:
        count = sum(1 for c in comments if c.reviewer == name)
        message = f"{name} has not submitted their review yet: their {count} comments are collected once they do"
        diagnostics.add(rules.COLLECT_WEB_UNSUBMITTED, Location(shown), message)
    return [_entry(c, info, sources, shown, diagnostics) for c in comments if invited.get(c.reviewer)]


def _entry(web: WebComment, info: RoundInfo, sources: FrozenSources, shown: str, diagnostics: Diagnostics) -> Comment:
    reviewer = info.reviewer(web.reviewer) or {}
    file, line = web.file, web.line
    if file and line and not "".join(sources.lines(file)[line - 1 : line]).strip():
        diagnostics.add(rules.COLLECT_WEB_UNPLACED, Location(shown), f"{web.reviewer}'s comment on {file}:{line} names no block of the round's text")
        file = line = None
    suggestion = None
    if web.kind == "replacement" and file and line:
        suggestion = place(sources, file, line, web.exact, web.replacement or "", web.prefix, web.suffix)
        if suggestion is None:
            message = f"{web.reviewer}'s suggestion ({describe(web.exact, web.replacement or '')}) is not in {file}:{line} as written; it is kept as a comment"
            diagnostics.add(rules.COLLECT_SUGGESTION_UNPLACED, Location(shown), message)
    return Comment(
        id=register_id(info.name, web.id),
        reviewer=web.reviewer,
        organisation=reviewer.get("organisation"),
        file=file,
        line=line,
        page=None,
        quote=web.exact,
        source=sources.block(file, line),
        comment=web.body or _said(web),
        kind=web.kind,
        in_reply_to=register_id(info.name, web.in_reply_to) if web.in_reply_to else None,
        author=web.reviewer,
        date=web.updated[:16],
        packet=shown,
        assignee=sources.owner(file),
        col=web.at_col if web.at_line == line and file else None,
        suggestion=suggestion,
    )


def _said(web: WebComment) -> str:
    """The comment of an entry whose reviewer wrote none."""
    if web.kind == "typo":
        return f"typo: “{web.exact}”"
    if web.kind == "replacement":
        return describe(web.exact, web.replacement or "")
    return ""
