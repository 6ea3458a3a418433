"""The two sides of a redline: a git revision, a review round, or a folder, made into a folder to build."""

from __future__ import annotations

import io
import re
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import rules
from ..diagnostics import DiagnosticError, Diagnostics, Location, Rule
from ..gitinfo import git
from ..project import CONFIG_NAME, Project


@dataclass(frozen=True)
class Side:
    label: str  # what the user typed, or "working tree"
    project: Project  # a paper project, whose folder may be a scratch copy
    description: str  # "commit 1a2b3c4", "round r1 (commit …)", "folder …", "working tree"


def materialise(project: Project, spec: str | None, scratch: Path, which: str) -> Side:
    """A folder holding the paper as `spec` names it; `which` is "old" or "new", for messages."""
    if spec is None:
        return Side("working tree", project, "the working tree")
    folder = Path(spec)
    if not folder.is_absolute():
        folder = (Path.cwd() / spec) if (Path.cwd() / spec).is_dir() else project.path(spec)
    if folder.is_dir() and spec not in ("", "."):
        if not (folder / CONFIG_NAME).is_file():
            _fail(which, spec, f"the folder '{spec}' is not a paper project (it has no {CONFIG_NAME})", rules.DIFF_NOT_A_PROJECT)
        return Side(spec, Project(folder), f"folder {spec}")
    round_file = project.round_file(spec)
    if round_file.is_file():
        data = yaml.safe_load(round_file.read_text(encoding="utf-8")) or {}
        if data.get("commit"):
            side = _revision(project, str(data["commit"]), scratch / which, which, spec)
            return Side(spec, side.project, f"round {spec} (commit {str(data['commit'])[:7]})")
        if (round_file.parent / "source").is_dir():
            return Side(spec, Project(round_file.parent / "source"), f"round {spec} (its source copy)")
    return _revision(project, spec, scratch / which, which, spec)


def _revision(project: Project, revision: str, target: Path, which: str, label: str) -> Side:
    """Export the project folder as it is at a git revision (with `git archive`)."""
    root = project.root
    commit = git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if commit.returncode != 0:
        known = "a git revision, a review round or a folder"
        _fail(which, label, f"'{revision}' is not {known} here", rules.DIFF_UNKNOWN_REVISION)
    top, _, prefix = git(root, "rev-parse", "--show-toplevel", "--show-prefix").stdout.partition("\n")
    tree = f"{commit.stdout.strip()}:{prefix.strip()}" if prefix.strip() else commit.stdout.strip()
    # From the top: run in a subfolder, `git archive` looks for that subfolder inside the tree.
    archive = subprocess.run(["git", "-C", top.strip(), "archive", "--format=tar", tree], capture_output=True, check=False)
    if archive.returncode != 0:
        _fail(which, label, f"git cannot export '{revision}': {archive.stderr.decode(errors='replace').strip()}", rules.DIFF_UNKNOWN_REVISION)
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    if not (target / CONFIG_NAME).is_file():
        _fail(which, label, f"at '{revision}' the project has no {CONFIG_NAME}", rules.DIFF_NOT_A_PROJECT)
    return Side(label, Project(target), f"commit {commit.stdout.strip()[:7]}")


def _fail(which: str, label: str, message: str, rule: Rule) -> None:
    diagnostics = Diagnostics()
    diagnostics.add(rule, Location(f"({which} side: {label})"), message)
    raise DiagnosticError(diagnostics)


def safe_label(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("_") or "side"
