"""Working in git hosting: the CI files `whitepaper ci github|gitlab` writes, and the Pages site.

The CI files check every change, build the drafts, make a redline of each pull (merge) request,
publish the drafts from the default branch and, on GitHub, attach a release's files to it. Each
is stamped with the version that wrote it (generated.py), so that writing it again never
silently loses the user's edits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..diagnostics import EnvironmentProblem, UsageProblem
from ..project import CONFIG_NAME, Project
from ..write import write_atomic
from .generated import State, state, unified_diff
from .pages import publish_site
from .repo import default_branch, placement
from .workflows import DEFAULT_PYTHON, HOSTS, CiOptions, render

__all__ = ["DEFAULT_PYTHON", "HOSTS", "CiFile", "CiOptions", "State", "ci_files", "publish_site", "write_ci_files"]


@dataclass(frozen=True)
class CiFile:
    """One of a hosting's CI files for a project: where it goes, what whitepaper would write, what is there."""

    path: Path
    shown: str  # the path from the repository's top, where the hosting reads it
    text: str
    existing: str | None
    state: State

    def diff(self) -> str:
        return unified_diff(self.existing or "", self.text, self.shown)


def ci_files(where: Project | Path, host: str, options: CiOptions | None = None) -> list[CiFile]:
    """What `whitepaper ci HOST` would write for the project, each file compared with the one there."""
    if host not in HOSTS:
        raise UsageProblem(f"unknown hosting '{host}': choose {' or '.join(sorted(HOSTS))}")
    project = Project.at(where)
    if not project.config_file.is_file():
        raise EnvironmentProblem(
            f"'{project.root}' is not a paper project (it has no {CONFIG_NAME}); `whitepaper new` makes one"
        )
    place = placement(project.root)
    options = options or CiOptions()
    if options.branch is None:
        options = replace(options, branch=default_branch(project.root))
    planned = []
    for template, target in HOSTS[host]:
        text = render(template, place, options)
        path = place.top / target
        existing = path.read_text(encoding="utf-8") if path.is_file() else None
        planned.append(CiFile(path, target, text, existing, state(existing, text)))
    return planned


def write_ci_files(planned: list[CiFile], force: bool = False) -> list[CiFile]:
    """Write the files that differ from what is there; if the user edited one, none without `force`.
    Return those written."""
    if not force and any(item.state is State.EDITED for item in planned):
        return []
    written = [item for item in planned if item.state is not State.SAME]
    for item in written:
        write_atomic(item.path, item.text.encode("utf-8"))
    return written
