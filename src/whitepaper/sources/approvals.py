"""Chapter approvals: `review/approvals.yaml`, one approval (or revocation) per line.

An approval is of a chapter's text as the build reads it (its SHA-256), by one of the
chapter's owners or an editor, and holds only while that text is unchanged. The file
is append-only, one flow-style YAML mapping per line, sorted; with `merge=union` for it
in `.gitattributes` (which `whitepaper approve` writes), two people approving different
chapters on two branches merge without a conflict.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

import yaml

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..project import APPROVALS_FILE, Project
from .chapters import Chapter

HEADER = (
    "# Chapter approvals, one per line, written by `whitepaper approve` (see its --help).\n"
    "# An approval holds while the chapter's text has the SHA-256 it names. Do not edit by hand.\n"
)
FIELDS = ("chapter", "by", "at", "sha256", "commit", "note", "revoked")


@dataclass(frozen=True)
class Approval:  # ordered by key(): its fields may be None
    chapter: str  # project-relative file
    by: str
    at: str  # ISO 8601 time, UTC
    sha256: str  # of the chapter's text as read (see text_digest)
    commit: str | None = None
    note: str | None = None
    revoked: bool = False  # a revocation of `by`'s earlier approvals of the chapter

    def key(self) -> tuple[str, str, str, str, str, str, bool]:
        """The order of the fields, with a missing commit or note as empty: two signatures made
        in one second can differ only where one has None, which `<` cannot compare."""
        return (self.chapter, self.by, self.at, self.sha256, self.commit or "", self.note or "", self.revoked)

    def line(self) -> str:
        """The approval as one line of YAML (a flow mapping), without empty fields."""
        data = {k: v for k, v in asdict(self).items() if v not in (None, False)}
        return "- " + yaml.safe_dump(data, default_flow_style=True, sort_keys=False, allow_unicode=True, width=10_000).strip()


@dataclass(frozen=True)
class Standing:
    """Where a chapter stands: the approvals of its text as it is, and those it has outgrown."""

    valid: tuple[Approval, ...]
    stale: tuple[Approval, ...]

    @property
    def approved(self) -> bool:
        return bool(self.valid)


def text_digest(chapter: Chapter) -> str:
    return hashlib.sha256(chapter.text.encode("utf-8")).hexdigest()


def read_approvals(project: Project, diagnostics: Diagnostics) -> list[Approval]:
    """Every approval of the project, in the file's order; a line that is not one is reported where it is."""
    path = project.path(APPROVALS_FILE)
    if not path.is_file():
        return []
    approvals = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        approval = _parse(line)
        if approval is None:
            diagnostics.add(rules.APPROVALS_SYNTAX, Location(APPROVALS_FILE, number, 1), "not an approval as `whitepaper approve` writes one")
        else:
            approvals.append(approval)
    return approvals


def _parse(line: str) -> Approval | None:
    try:
        data = yaml.safe_load(line)
    except yaml.YAMLError:
        return None
    if not isinstance(data, list) or len(data) != 1 or not isinstance(data[0], dict):
        return None
    entry = data[0]
    if not {"chapter", "by", "at", "sha256"} <= set(entry) or not set(entry) <= set(FIELDS):
        return None
    return Approval(**{k: (str(v) if k != "revoked" else bool(v)) for k, v in entry.items()})


def standing(approvals: list[Approval], chapter: Chapter) -> Standing:
    """The chapter's approvals that hold (of its text as it is) and those that no longer do.
    A revocation by someone ends their earlier approvals of the chapter."""
    digest = text_digest(chapter)
    latest: dict[str, Approval] = {}
    for approval in sorted((a for a in approvals if a.chapter == chapter.rel), key=Approval.key):  # by approver, then time
        latest[approval.by] = approval
    kept = [a for a in sorted(latest.values(), key=lambda a: a.at) if not a.revoked]
    return Standing(tuple(a for a in kept if a.sha256 == digest), tuple(a for a in kept if a.sha256 != digest))
