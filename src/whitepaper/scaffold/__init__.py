"""`whitepaper new`: a small paper project that builds cleanly at once."""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

from ..diagnostics import EnvironmentProblem


def new_project(target: Path) -> list[Path]:
    """Copy the scaffold into `target` (which must not exist or be empty); return the files made."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise EnvironmentProblem(f"'{target}' exists and is not empty; choose a new folder")
    source = files("whitepaper") / "scaffold"
    made: list[Path] = []
    _copy(source, target, made)
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
