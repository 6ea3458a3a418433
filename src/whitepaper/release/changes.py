"""What changed since the previous release: `CHANGES.md` and the redline PDF, both from the
redline engine, run against the sources the previous release's PDF carries."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..config.schema import Config
from ..project import Project
from ..redline import DiffOptions, diff
from ..redline.compare import BlockChanges
from ..render.environment import render_template
from ..review.register import Comment
from .sources import unpack


@dataclass
class Changes:
    markdown: str
    redline: tuple[str, bytes] | None = None  # file name and PDF of the redline against the previous release
    chapters: list[str] = field(default_factory=list)  # files that changed


def changes(
    project: Project, config: Config, version: str, date: dt.date, previous: str | None, open_comments: list[tuple[str, Comment]]
) -> Changes:
    still_open = [
        f"{c.id} (round {name}, {c.reviewer})" + (f", `{c.file}:{c.line}`" if c.file else "") + f": {' '.join(c.comment.split())}"
        for name, c in open_comments
    ]
    values: dict[str, object] = {
        "title": config.title, "version": version, "date": date.isoformat(), "previous": previous, "open_comments": still_open,
    }  # fmt: skip
    if previous is None:
        return Changes(render_template(project, "release_changes.md", **values))
    before = project.releases_dir / previous / f"{config.outputs.name}.pdf"
    with tempfile.TemporaryDirectory(prefix="whitepaper-release-") as scratch:
        old = unpack(before, Path(scratch) / previous)
        result = diff(project, str(old.root), None, DiffOptions())
        summary = result.summary()
        blocks = _blocks(config, result.redline.blocks)
        pdf = next(p for p in result.outputs if p.suffix == ".pdf")
        name = f"redline-{previous}-{version}.pdf"
        redline = (name, pdf.read_bytes())
    changed = [c for c in summary["chapters"] if c["status"] != "unchanged"]
    values |= {
        "metadata": summary["metadata"],
        "changed": [_changed(c) for c in changed],
        "unchanged": [c["file"] for c in summary["chapters"] if c["status"] == "unchanged"],
        "blocks": blocks,
        "redline": name,
    }
    return Changes(render_template(project, "release_changes.md", **values), redline, [c["file"] for c in changed])


def _changed(chapter: dict[str, object]) -> str:
    line = f"`{chapter['file']}` ({chapter['title']}): {chapter['status']}"
    if chapter["renamed_from"]:
        line += f" from `{chapter['renamed_from']}`"
    if chapter["words_added"] or chapter["words_removed"]:
        line += f", {chapter['words_added']} words added and {chapter['words_removed']} removed"
    return line


def _blocks(config: Config, blocks: dict[str, BlockChanges]) -> list[tuple[str, list[str]]]:
    """Numbered boxes (recommendations, say) added, removed or reworded, by kind."""
    found = []
    for kind, changes in blocks.items():
        lines = [f"{what} {number}: {title}" for what, pairs in (("Added", changes.added), ("Removed", changes.removed), ("Reworded", changes.changed)) for number, title in pairs]
        if lines:
            label = config.blocks[kind].plural_label if kind in config.blocks else kind.capitalize()
            found.append((label, lines))
    return found
