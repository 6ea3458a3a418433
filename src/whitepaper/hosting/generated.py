"""Files whitepaper writes for people to keep and edit: stamped, so that an edit is never lost.

Each such file says which version of whitepaper wrote it, and carries a digest of its own text.
Writing it again then tells three cases apart without keeping any state elsewhere: the file is
as whitepaper wrote it (replaced quietly, as by a newer version); it was edited (replaced only
when the user says so, after seeing the diff); or it is the same as what would be written.
"""

from __future__ import annotations

import difflib
import enum
import hashlib
import re

DIGEST_LINE = "# whitepaper-digest: "  # the template's own line, filled in by `stamp`
_DIGEST = re.compile(r"^# whitepaper-digest:[ \t]*([0-9a-f]*)[ \t]*\r?\n", re.MULTILINE)


class State(enum.Enum):
    NEW = "new"  # no file yet
    SAME = "same"  # the file is what would be written
    OURS = "ours"  # whitepaper wrote it (perhaps another version, or other options) and nobody edited it
    EDITED = "edited"  # edited since, or written by hand: replaced only with --force


def _digest(text: str) -> str:
    """The digest of a file's text without its digest line."""
    return hashlib.sha256(_DIGEST.sub("", text, count=1).encode("utf-8")).hexdigest()[:16]


def stamp(text: str) -> str:
    """Fill in the digest line of freshly rendered text."""
    if not _DIGEST.search(text):
        raise ValueError("the template has no digest line")  # a bug in a template, not a user's mistake
    return _DIGEST.sub(lambda _: f"{DIGEST_LINE}{_digest(text)}\n", text, count=1)


def state(existing: str | None, wanted: str) -> State:
    if existing is None:
        return State.NEW
    if existing == wanted:
        return State.SAME
    found = _DIGEST.search(existing)
    if found and found.group(1) == _digest(existing):
        return State.OURS
    return State.EDITED


def unified_diff(existing: str, wanted: str, shown: str) -> str:
    """What writing the file would change, as `diff -u` shows it (but for the digest: bookkeeping)."""
    old, new = (_DIGEST.sub("", text, count=1).splitlines(keepends=True) for text in (existing, wanted))
    lines = difflib.unified_diff(old, new, f"{shown} (yours)", f"{shown} (whitepaper's)")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
