"""`whitepaper new`: a small paper project that builds cleanly at once."""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

from ..diagnostics import EnvironmentProblem, UsageProblem
from ..hosting import HOSTS, State, ci_files, write_ci_files


def new_project(target: Path, ci: str | None = None) -> list[Path]:
    """Copy the scaffold into `target` (which must not exist or be empty), with the CI file of
    hosting `ci` ("github", "gitlab") if asked; return the files made."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise EnvironmentProblem(f"'{target}' exists and is not empty; choose a new folder")
    if ci and ci not in HOSTS:
        raise UsageProblem(f"unknown hosting '{ci}': choose {' or '.join(sorted(HOSTS))}")
    source = files("whitepaper") / "scaffold"
    made: list[Path] = []
    _copy(source, target, made)
    planned = ci_files(target, ci) if ci else []
    for there in (item for item in planned if item.state is not State.NEW):  # another paper's, in the same repository
        raise EnvironmentProblem(
            f"the paper is made in {target}, but {there.shown} exists already and was left alone: "
            f"`whitepaper ci {ci} {target}` makes it build this paper instead"
        )
    made.extend(item.path for item in write_ci_files(planned))
    return made


def _copy(source, target: Path, made: list[Path]) -> None:  # type: ignore[no-untyped-def]
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.name.startswith(("__", ".")):
            continue
        if entry.is_dir():
            _copy(entry, target / entry.name, made)
        else:
            destination = target / entry.name
            with entry.open("rb") as src, destination.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            made.append(destination)
