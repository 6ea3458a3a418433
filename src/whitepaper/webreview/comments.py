"""What a reviewer may send: a new comment, an edit, checked field by field before it is stored.

Every field has a type and a length limit; a comment must be made on a block of one of the
reviewer's own chapters (its `file:line` is one the round's HTML edition has); a reply
answers a submitted comment the reviewer can see. Anything else is refused with a message
that says what is wrong, never stored half-right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..review.frozen import FrozenSources
from ..review.returned_web import quote_position
from ..review.webstore import KINDS, WebComment, new_comment_id, now

MAX_TEXT = 5000  # characters of a comment or a suggested wording
MAX_QUOTE = 2000  # characters of the selected text
MAX_CONTEXT = 200  # characters of the prefix and suffix around it
MAX_BODY = 32_000  # bytes of a request body (the server refuses more before reading it)
KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
NEW_FIELDS = {"key", "kind", "file", "line", "exact", "prefix", "suffix", "start", "end", "body", "replacement", "in_reply_to"}


class Refused(Exception):
    """A request the server will not carry out: its HTTP status and why."""

    def __init__(self, status: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after  # seconds, for 429


@dataclass(frozen=True)
class Scope:
    """A reviewer, and the blocks (file -> source lines) they may comment on."""

    name: str
    blocks: dict[str, frozenset[int]]
    shared: bool  # whether the round shares submitted comments (and so allows replies)


def _text(data: dict[str, Any], name: str, limit: int, *, required: bool = False, default: str | None = "") -> str | None:
    value = data.get(name, default)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise Refused(400, f"`{name}` must be text")
    if len(value) > limit:
        raise Refused(413, f"`{name}` is longer than {limit} characters")
    if required and not value.strip():
        raise Refused(400, f"`{name}` is empty")
    return value


def _number(data: dict[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 10_000_000:
        raise Refused(400, f"`{name}` must be a whole number")
    return value


def new_comment(data: Any, scope: Scope, sources: FrozenSources, parent: WebComment | None) -> WebComment:
    """A comment as a reviewer posted it, checked; `parent` is the comment a reply answers."""
    if not isinstance(data, dict):
        raise Refused(400, "send a JSON object")
    unknown = sorted(set(data) - NEW_FIELDS)
    if unknown:
        raise Refused(400, f"unknown fields: {', '.join(unknown)}")
    key = data.get("key")
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise Refused(400, "`key` must be 8 to 64 letters, digits, '-' or '_' (a fresh one per comment)")
    kind = data.get("kind")
    if kind not in KINDS:
        raise Refused(400, f"`kind` must be one of {', '.join(KINDS)}")
    if kind == "reply":
        return _reply(data, key, scope, parent)
    file, line = data.get("file"), _number(data, "line")
    if not isinstance(file, str) or line is None or line not in scope.blocks.get(file, frozenset()):
        raise Refused(403, "comments go on a block of one of your own chapters")
    exact = _text(data, "exact", MAX_QUOTE, required=True) or ""
    prefix = _text(data, "prefix", MAX_CONTEXT) or ""
    suffix = _text(data, "suffix", MAX_CONTEXT) or ""
    start, end = _number(data, "start"), _number(data, "end")
    if start is not None and end is not None and end < start:
        raise Refused(400, "`end` is before `start`")
    body = _text(data, "body", MAX_TEXT, required=kind == "comment") or ""
    replacement = _text(data, "replacement", MAX_TEXT, default=None) if kind == "replacement" else None
    if kind == "replacement" and replacement is None:
        raise Refused(400, "a suggestion needs its `replacement` (empty to delete the words)")
    at = quote_position(sources, file, line, exact, prefix, suffix)
    stamp = now()
    return WebComment(
        id=new_comment_id(), reviewer=scope.name, key=key, kind=kind, file=file, line=line,
        at_line=at[0] if at else None, at_col=at[1] if at else None,
        exact=exact, prefix=prefix, suffix=suffix, start=start, end=end,
        body=body, replacement=replacement, in_reply_to=None, created=stamp, updated=stamp,
    )  # fmt: skip


def _reply(data: dict[str, Any], key: str, scope: Scope, parent: WebComment | None) -> WebComment:
    if not scope.shared:
        raise Refused(403, "this round does not share comments, so there is nothing to reply to")
    if parent is None or parent.reviewer == scope.name:
        raise Refused(404, "`in_reply_to` names no comment of another reviewer that you can see")
    body = _text(data, "body", MAX_TEXT, required=True) or ""
    stamp = now()
    return WebComment(
        id=new_comment_id(), reviewer=scope.name, key=key, kind="reply", file=parent.file, line=parent.line,
        at_line=parent.at_line, at_col=parent.at_col, exact=parent.exact, prefix=parent.prefix, suffix=parent.suffix,
        start=parent.start, end=parent.end, body=body, replacement=None, in_reply_to=parent.id, created=stamp, updated=stamp,
    )  # fmt: skip


def edited(data: Any, comment: WebComment) -> tuple[str, str | None]:
    """The new text of an edited comment (and of its suggested wording)."""
    if not isinstance(data, dict) or not set(data) <= {"body", "replacement"}:
        raise Refused(400, "an edit sends `body` (and, for a suggestion, `replacement`)")
    body = _text(data, "body", MAX_TEXT, required=comment.kind in ("comment", "reply")) or ""
    replacement = comment.replacement
    if comment.kind == "replacement":
        replacement = _text(data, "replacement", MAX_TEXT, default=comment.replacement)
    return body, replacement
