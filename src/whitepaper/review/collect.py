"""`review collect`: what reviewers send back, into the round's comments register.

Annotated PDFs (returned_pdf.py), Word packets with comments and tracked changes
(returned_docx.py) and comment sheets (returned_sheet.py) are read into comments
located at the Markdown `file:line` an author must edit, then merged into
`review/ROUND/comments.yaml`: collecting a file again adds nothing, and what editors
wrote there is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import DiagnosticError, Diagnostics
from ..project import Project
from .frozen import FrozenSources, load_round
from .register import Comment, load_register, merge, save_register
from .returned_docx import read_docx
from .returned_pdf import read_pdf
from .returned_sheet import read_sheet
from .returned_web import read_web

READERS = {".pdf": read_pdf, ".docx": read_docx, ".csv": read_sheet}  # what `review collect` reads, by file type


@dataclass
class CollectResult:
    added: int
    total: int
    files: int
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    register: Path | None = None


def collect(project: Project | Path | str, round_name: str, inputs: list[Path], *, web: bool = False) -> CollectResult:
    """Read every comment of the given PDFs, Word files and CSV sheets (or folders of them) into the register;
    with `web`, the submitted reviews made in the browser too (`review serve`, returned_web.py)."""
    project = Project.at(project)
    info = load_round(project, round_name)
    diagnostics = Diagnostics()
    existing = load_register(project, round_name)  # a broken register stops us before anything is read
    sources = FrozenSources(project, info)
    collected: list[Comment] = []
    files = _expand(inputs)
    for path in files:
        read = READERS.get(path.suffix.lower(), read_pdf)  # a PDF under any other name is still read as one
        collected += read(path, project, info, sources, diagnostics)
    if web:
        collected += read_web(project, info, sources, diagnostics)
    if diagnostics.has_errors():
        raise DiagnosticError(diagnostics)
    merged, added = merge(existing, collected)
    register = save_register(project, round_name, merged)
    return CollectResult(added, len(merged), len(files) + web, diagnostics, register)


def _expand(inputs: list[Path]) -> list[Path]:
    files: list[Path] = []
    for item in inputs:
        if item.is_dir():
            files += sorted(p for p in item.iterdir() if p.suffix.lower() in READERS)
        else:
            files.append(item)
    return files
