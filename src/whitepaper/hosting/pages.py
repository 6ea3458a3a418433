"""The site the hostings' Pages publish: the HTML draft as its front page, and the PDF.

The draft is the page readers land on; the line under its title that gives the version gains
the commit it was built from (a link to it, when the CI says where commits are shown) and a link
to the PDF, so that a reader of the published draft knows exactly what they are reading.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from ..config import load_config
from ..diagnostics import Diagnostics, EnvironmentProblem
from ..gitinfo import git_state
from ..project import Project

# The title block's edition line (render/templates/_titleblock.html); a project's own template
# may lack it, and then the line goes at the top of the body instead.
_EDITION = re.compile(r'(<p class="edition">.*?)(</p>)', re.DOTALL)
_BODY = re.compile(r"<body[^>]*>")


def publish_site(where: Project | Path, out: Path, commit_url: str | None = None) -> list[Path]:
    """Copy the drafts of the last build into `out` (index.html and the PDF); return the files written."""
    project = Project.at(where)
    config = load_config(project, Diagnostics()).config
    name = config.outputs.name
    page = project.build_dir / f"{name}.html"
    if not page.is_file():
        raise EnvironmentProblem(f"there is no {project.rel(page)} to publish: run `whitepaper build` first")
    pdf = project.build_dir / f"{name}.pdf"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if pdf.is_file():
        written.append(Path(shutil.copyfile(pdf, out / pdf.name)))
    text = page.read_text(encoding="utf-8")
    index = out / "index.html"
    index.write_text(
        with_provenance(text, _provenance(project, commit_url, pdf.name if pdf.is_file() else None)), encoding="utf-8"
    )
    return [index, *written]


def _provenance(project: Project, commit_url: str | None, pdf: str | None) -> str:
    """` · commit abc1234 · PDF`, as HTML."""
    parts = []
    state = git_state(project.root)
    if state is not None:
        label = f"commit <code>{state.short}</code>"  # CI caches leave untracked files: "+dirty" would mislead
        parts.append(f'<a href="{html.escape(commit_url)}">{label}</a>' if commit_url else label)
    if pdf:
        parts.append(f'<a href="{html.escape(pdf)}" download>PDF</a>')
    return "".join(f" · {part}" for part in parts)


def with_provenance(page: str, provenance: str) -> str:
    if not provenance:
        return page
    edition = _EDITION.search(page)
    if edition:
        return page[: edition.end(1)] + f'<span class="provenance">{provenance}</span>' + page[edition.end(1) :]
    body = _BODY.search(page)
    line = f'<p class="provenance">{provenance.removeprefix(" · ")}</p>'
    if body:
        return page[: body.end()] + line + page[body.end() :]
    return line + page
