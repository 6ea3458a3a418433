"""Where a paper project sits in its git repository, as the hosting's CI sees it.

GitHub and GitLab read their CI files at the top of the repository and run jobs there, while the
paper may be a folder inside it (`docs/paper/`): the CI files then change into that folder, and
paths they name, or that annotations point at, start with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..gitinfo import git

FALLBACK_BRANCH = "main"


@dataclass(frozen=True)
class Placement:
    top: Path  # the repository's top folder (the project folder itself outside git)
    prefix: str  # the project folder relative to `top`, with a trailing slash, or ""


def placement(project: Path) -> Placement:
    try:
        shown = git(project, "rev-parse", "--show-toplevel", "--show-prefix")
    except FileNotFoundError:  # no git installed: the project folder is the top
        return Placement(project, "")
    if shown.returncode != 0:
        return Placement(project, "")
    top, _, prefix = shown.stdout.partition("\n")
    return Placement(Path(top.strip()), prefix.strip())


def default_branch(project: Path) -> str:
    """The branch pushes to which publish the drafts: the remote's default, else `main`."""
    try:
        head = git(project, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    except FileNotFoundError:
        return FALLBACK_BRANCH
    if head.returncode == 0 and head.stdout.strip().startswith("origin/"):
        return head.stdout.strip().removeprefix("origin/")
    return FALLBACK_BRANCH
