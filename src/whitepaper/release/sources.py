"""A release's PDF carries the files the paper was built from, as attachments: the archive
holds what it was made of, and the next release's redline is made against them (no git needed)."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from ..pdf import Attached
from ..project import Project


def attachments(project: Project) -> tuple[Attached, ...]:
    """The paper's files, by their project-relative names."""
    return tuple(Attached(project.rel(path), path.read_bytes(), "a source of this edition") for path in project.paper_files())


def unpack(pdf: Path, target: Path) -> Project:
    """The paper a release's PDF was built from, written out into `target`."""
    for name, contents in PdfReader(pdf).attachments.items():
        path = target / name
        if not path.resolve().is_relative_to(target.resolve()):
            continue  # a name such as ../x is no file of a paper
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(contents[0])
    return Project(target)
