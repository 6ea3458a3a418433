"""What git says about the project: the commit a draft was built from, and whether the tree is dirty."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from .project import GENERATED_FOLDERS


@dataclass(frozen=True)
class GitState:
    commit: str  # full hash
    dirty: bool

    @property
    def short(self) -> str:
        return self.commit[:7]

    def describe(self) -> str:
        return self.short + ("+dirty" if self.dirty else "")


def git(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run git in the project folder; the caller reads the return code."""
    return subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True, check=False)


def git_state(project: Path) -> GitState | None:
    """None when the project is not in a git repository (or git is not installed, or there is no commit)."""
    try:
        head = git(project, "rev-parse", "HEAD")
    except FileNotFoundError:
        return None
    if head.returncode != 0:
        return None
    return GitState(commit=head.stdout.strip(), dirty=bool(changed_files(project)))


def changed_files(project: Path) -> list[str]:
    """The project's files with uncommitted changes, but those of the folders tools write into."""
    excludes = [f":(exclude){name}" for name in GENERATED_FOLDERS]  # every build writes there: no edit of the paper
    status = git(project, "status", "--porcelain", "--", ".", *excludes)
    return [line[3:] for line in status.stdout.splitlines() if line.strip()]


def file_at(project: Path, commit: str, relative: str) -> bytes | None:
    """A file's content at a commit (path relative to the project folder), or None."""
    top = git(project, "rev-parse", "--show-prefix")
    prefix = top.stdout.strip() if top.returncode == 0 else ""
    shown = subprocess.run(["git", "-C", str(project), "show", f"{commit}:{prefix}{relative}"], capture_output=True, check=False)
    return shown.stdout if shown.returncode == 0 else None
