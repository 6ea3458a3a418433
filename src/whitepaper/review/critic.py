"""CriticMarkup suggestions decided in a chapter's source, and suggestions written as CriticMarkup.

`decide()` accepts or rejects marks by id (`LINE:COL`, as `whitepaper check` names them, see
sources/critic.py), or all of them; the file changes only where a decided mark stood: front
matter, other lines, line endings and a byte-order mark stay byte for byte. When an id names
no mark (a typo, or the text moved since the ids were read) nothing is written at all, as
the other ids may be as stale. `suggestion_markup()` writes "old becomes new" as a mark, for
suggestions proposed to a chapter's owner instead of applied.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..diagnostics import EnvironmentProblem, Location, UsageProblem
from ..project import Project
from ..sources.chapters import body_of, normalised
from ..sources.critic import Kind, LineStarts, Mark, Range, scan
from ..write import write_atomic
from .register import Comment
from .suggestions import split_change

Everything = Literal["accept", "reject"]
BOM = "\ufeff"
# How an edit with no words of its own is described in the register: a Word tracked change or
# a PDF mark (suggestions.describe), a sheet's row with an empty comment (returned_sheet.py).
DESCRIBED = ('replace "', 'insert "', 'delete "', "Replace “", "Suggested: “")


@dataclass(frozen=True)
class Decision:
    """One mark decided: what was written, and what it became."""

    id: str
    kind: Kind
    accepted: bool
    before: str  # the mark as it stood in the file
    after: str  # what stands there now ("" when nothing does)


@dataclass
class DecideResult:
    file: str  # project-relative
    decided: list[Decision] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # ids asked for that name no mark of the file: nothing is written then
    pending: list[str] = field(default_factory=list)  # the marks left in the file, undecided
    unclosed: list[Location] = field(default_factory=list)  # marks left open, which no id names (`check` reports them)
    diff: str = ""  # unified diff of the change
    written: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.decided)


def decide(
    project: Project | Path | str,
    chapter_file: str | Path,
    accept: Iterable[str] = (),
    reject: Iterable[str] = (),
    everything: Everything | None = None,
    *,
    dry_run: bool = False,
) -> DecideResult:
    """Accept the marks `accept` names, reject those `reject` names, and decide every other one
    as `everything` says ("accept", "reject", or None to leave them), in `chapter_file` (relative
    to the project folder, or absolute). `dry_run` writes nothing.

    Accepting `{++x++}` keeps x, rejecting it drops it; `{--x--}` the reverse; `{~~a~>b~~}`
    becomes b or a; `{==x==}` stays x either way, and a comment goes either way.
    Raises UsageProblem when an id is both accepted and rejected, EnvironmentProblem when the
    file is not a readable chapter file of the project."""
    project = Project.at(project)
    choices, default = _choices(accept, reject, everything)
    path, rel = _chapter_file(project, chapter_file)
    raw = _read(path, rel)
    bom = BOM if raw.startswith(BOM) else ""
    original = raw[len(bom) :]
    body = body_of(normalised(original))  # what `check` and the build read: the same ids
    found = scan(body)
    result = DecideResult(rel, unclosed=[Location(rel, u.line, u.col) for u in found.unclosed])
    ids = {mark.id for mark in found.marks}
    result.unknown = [i for i in choices if i not in ids]
    if result.unknown:
        result.pending = [mark.id for mark in found.marks]
        return result
    chosen = [(mark, choices.get(mark.id, default)) for mark in found.marks]
    result.pending = [mark.id for mark, verdict in chosen if verdict is None]
    to_file = _Carry(body, original)
    edits = [_edit(mark, verdict, to_file, original) for mark, verdict in chosen if verdict is not None]
    after = _edited(original, edits)
    result.decided = [decision for _, _, _, decision in edits]
    result.diff = "".join(difflib.unified_diff(original.splitlines(True), after.splitlines(True), f"a/{rel}", f"b/{rel}"))
    if after != original and not dry_run:
        write_atomic(path, (bom + after).encode("utf-8"))
        result.written = True
    return result


def _choices(accept: Iterable[str], reject: Iterable[str], everything: Everything | None) -> tuple[dict[str, bool], bool | None]:
    """The verdict on each id asked for (True: accept), and on every other mark (None: none)."""
    accepted, rejected = dict.fromkeys(i.strip() for i in accept), dict.fromkeys(i.strip() for i in reject)  # in the order asked
    both = [i for i in accepted if i in rejected]
    if both:
        raise UsageProblem(f"suggestion {', '.join(both)} cannot be both accepted and rejected")
    if everything not in (None, "accept", "reject"):
        raise UsageProblem(f"decide every suggestion with 'accept' or 'reject', not {everything!r}")
    choices = {i: True for i in accepted} | {i: False for i in rejected}
    return choices, None if everything is None else everything == "accept"


def _chapter_file(project: Project, chapter_file: str | Path) -> tuple[Path, str]:
    path = Path(chapter_file)
    path = path if path.is_absolute() else project.path(str(chapter_file))
    if not project.contains(path):
        raise EnvironmentProblem(f"{chapter_file} is outside the project folder")
    if not path.is_file():
        raise EnvironmentProblem(f"{chapter_file}: no such chapter file")
    return path.resolve(), project.rel(path)  # a linked chapter: its target is written, the link stays


def _read(path: Path, rel: str) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EnvironmentProblem(f"{rel} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None


class _Carry:
    """Offsets of the text the marks were found in, carried into the file's own text: both
    have the same lines and columns (only line breaks differ, and front matter is blanked)."""

    def __init__(self, read: str, original: str):
        self.read, self.original = LineStarts(read), LineStarts(original)

    def __call__(self, offset: int) -> int:
        return self.original.offset(*self.read.position(offset))

    def range(self, found: Range) -> Range:
        return self(found[0]), self(found[1])


Edit = tuple[int, int, str, Decision]  # start and end in the file's text, what goes there, the decision


def _edit(mark: Mark, accept: bool, to_file: _Carry, original: str) -> Edit:
    start, end = to_file.range(mark.whole)
    kept = mark.kept(accept)
    after = "" if kept is None else original[slice(*to_file.range(kept))]
    decision = Decision(mark.id, mark.kind, accept, original[start:end], after)
    if not after:
        start, end = _without_its_space(original, start, end)
    return start, end, after, decision


def _without_its_space(text: str, start: int, end: int) -> Range:
    """A mark that leaves nothing takes a space beside it along: `a {--b--} c` becomes `a c`, not `a  c`."""
    before = text[start - 1] if start else "\n"
    following = text[end] if end < len(text) else "\n"
    if before in " \t" and (following in " \t\r\n" or following in ".,;:!?)]"):
        return start - 1, end
    if before in "\r\n" and following in " \t":
        return start, end + 1
    return start, end


def _edited(text: str, edits: list[Edit]) -> str:
    pieces, position = [], 0
    for start, end, after, _ in sorted(edits, key=lambda e: e[0]):
        start = max(start, position)  # two marks side by side may both claim the space between them
        pieces += [text[position:start], after]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


# Suggestions written as CriticMarkup ------------------------------------------------------


def suggestion_markup(old: str, new: str) -> str:
    """What the source text `old` becomes to propose `new` instead: the words both share stay
    as they are and the rest is a mark, `{~~old~>new~~}`, `{--old--}` or `{++new++}`.
    ("the quick fox" → "the slow fox" gives "the {~~quick~>slow~~} fox".)
    Raises ValueError for text that CriticMarkup cannot carry (its own delimiters)."""
    if old == new:
        return old
    prefix, gone, added, suffix = split_change(old, new)
    for mark in _forms(gone, added):
        if _reads_back(mark, gone, added):
            return prefix + mark + suffix
    raise ValueError(f"CriticMarkup cannot carry this suggestion: {old!r} → {new!r}")


def proposed(comment: Comment) -> str:
    """A reviewer's suggestion as the chapter's owner finds it in the source (`review apply
    --as-suggestions`): the change as a mark, then who proposed it and why as a comment mark."""
    suggestion = comment.suggestion
    assert suggestion is not None
    markup = suggestion_markup(suggestion.old, suggestion.new)
    said = " ".join(comment.comment.split())
    if said.startswith(DESCRIBED):
        said = ""  # the words describe the change the mark already shows
    note = f"{comment.reviewer} ({comment.id})" + (f": {said}" if said else "")
    if "<<}" in note or "{>>" in note:
        raise ValueError("CriticMarkup cannot carry this comment's text")
    return markup + "{>>" + note + "<<}"


def _forms(gone: str, added: str) -> list[str]:
    """The ways to write the change, best first."""
    if not gone:
        return [f"{{++{added}++}}"]
    if not added:
        return [f"{{--{gone}--}}"]
    return [f"{{~~{gone}~>{added}~~}}", f"{{--{gone}--}}{{++{added}++}}"]


def _reads_back(markup: str, gone: str, added: str) -> bool:
    """Whether the markup reads back as one change: `gone` when rejected, `added` when accepted."""
    found = scan(markup)
    if found.unclosed or not found.marks or found.marks[-1].whole[1] != len(markup):
        return False
    accepted = "".join(found.part(mark.kept(True)) for mark in found.marks)
    rejected = "".join(found.part(mark.kept(False)) for mark in found.marks)
    covered = sum(mark.whole[1] - mark.whole[0] for mark in found.marks) == len(markup)
    return covered and (accepted, rejected) == (added, gone)
