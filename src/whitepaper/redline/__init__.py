"""Redlines: what changed between two versions of the paper, as HTML, PDF and Word with tracked changes."""

from __future__ import annotations

import copy
import dataclasses
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import rules
from ..diagnostics import DiagnosticError, Diagnostics, Location
from ..pandoc import nodes
from ..pipeline import Analysis, Reporter, Timed, analyse
from ..pipeline.publish import HTML, PDF, publish, publish_docx, render
from ..project import Project
from ..render.environment import environment, render_template
from ..resolve import Document
from ..write import write_outputs
from .compare import Comparer, Marks, Redline, key
from .sides import Side, materialise, safe_label


@dataclass
class DiffOptions:
    full: bool = False  # show unchanged chapters in full
    docx: bool = False
    stat_only: bool = False  # compare, but write nothing


@dataclass
class DiffResult:
    old: Side
    new: Side
    redline: Redline
    outputs: list[Path] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "old": self.old.description,
            "new": self.new.description,
            "metadata": self.redline.metadata,
            "chapters": [
                {"file": c.file, "title": c.title, "status": c.status, "renamed_from": c.renamed_from,
                 "words_added": c.words_added, "words_removed": c.words_removed}
                for c in self.redline.chapters
            ],  # fmt: skip
            "blocks": {
                kind: {"added": [n for n, _ in b.added], "removed": [n for n, _ in b.removed], "changed": [n for n, _ in b.changed]}
                for kind, b in self.redline.blocks.items()
            },
        }


def diff(
    project: Project | Path | str, old_spec: str, new_spec: str | None = None, options: DiffOptions = DiffOptions(), reporter: Reporter | None = None
) -> DiffResult:
    project = Project.at(project)
    timed = Timed(reporter)
    with tempfile.TemporaryDirectory(prefix="whitepaper-diff-") as scratch:
        old_side = materialise(project, old_spec, Path(scratch), "old")
        new_side = materialise(project, new_spec, Path(scratch), "new")
        timed.stage("old side", old_side.description)
        old = _analyse(old_side, "old", timed)
        timed.stage("new side", new_side.description)
        new = _analyse(new_side, "new", timed)
        assert old.document and new.document and new.loaded and old.loaded
        config = new.loaded.config
        marks = Marks(config.authors[0].name if config.authors else "whitepaper", config.resolved_date().isoformat())
        timed.stage("compare")
        kinds = sorted(set(config.blocks) | set(old.loaded.config.blocks))
        redline = Comparer(old.document, new.document, old_side.project.root, new_side.project.root, marks).compare(kinds)
        redline.metadata = _metadata_changes(old, new)
        _changed_blocks(redline, old.document, new.document, kinds)
        result = DiffResult(old_side, new_side, redline)
        if options.stat_only:
            return result
        timed.stage("render", "redline")
        name = f"diff-{safe_label(old_side.label)}-{safe_label(new_side.label)}"
        outputs = _render(new, redline, result, name, options, timed)
        result.outputs = write_outputs(project.build_dir, outputs)
    return result


def _analyse(side: Side, which: str, timed: Timed) -> Analysis:
    analysis = analyse(side.project, timed)
    if analysis.diagnostics.has_errors() or analysis.document is None:
        raise DiagnosticError(_on_side(analysis.diagnostics, side, which))
    return analysis


def _on_side(found: Diagnostics, side: Side, which: str) -> Diagnostics:
    """The errors of one side, each saying which side it is on."""
    where = f"({which} side: {side.label})"
    diagnostics = Diagnostics([dataclasses.replace(d, location=Location(f"{where} {d.location}")) for d in found.errors])
    if not diagnostics.items:
        diagnostics.add(rules.DIFF_SIDE_FAILS, Location(where), "the paper could not be read")
    return diagnostics


def _metadata_changes(old: Analysis, new: Analysis) -> list[str]:
    a, b = old.loaded.config, new.loaded.config  # type: ignore[union-attr]
    changes = []
    for name in ("title", "subtitle", "version"):
        before, after = getattr(a, name), getattr(b, name)
        if before != after:
            changes.append(f"{name.capitalize()}: “{before or ''}” → “{after or ''}”")
    old_authors, new_authors = [x.name for x in a.authors], [x.name for x in b.authors]
    for author in new_authors:
        if author not in old_authors:
            changes.append(f"Author added: {author}")
    for author in old_authors:
        if author not in new_authors:
            changes.append(f"Author removed: {author}")
    return changes


def _changed_blocks(redline: Redline, old: Document, new: Document, kinds: list[str]) -> None:
    """Numbered blocks present on both sides whose content differs."""
    def divs(document: Document) -> dict[str, Any]:
        return {n["c"][0][0]: n for c in document.chapters for n in nodes.walk(c.blocks) if n["t"] == "Div" and n["c"][0][0]}

    before, after = divs(old), divs(new)
    for kind in kinds:
        for target in new.targets.of_kind(kind):
            if target.id in before and target.id in after and key(before[target.id]) != key(after[target.id]):
                redline.blocks[kind].changed.append((target.number, target.title))


def _render(new: Analysis, redline: Redline, result: DiffResult, name: str, options: DiffOptions, timed: Timed) -> dict[str, bytes]:
    """The redline's outputs: the NEW side's paper with its changes marked, through the publishing tail."""
    assert new.document is not None and new.loaded is not None
    document = copy.copy(new.document)
    chapters = []
    for change in redline.chapters:
        base = change.new or change.old
        assert base is not None
        chapter = copy.copy(base)
        if change.status in ("unchanged", "renamed") and not options.full:
            note = "No changes." if change.status == "unchanged" else f"No changes (renamed from {change.renamed_from})."
            chapter.blocks = [change.blocks[0], nodes.div("", ["no-changes"], [nodes.para(nodes.text_inlines(note))])]
        else:
            chapter.blocks = change.blocks
        chapters.append(chapter)
    summary = nodes.raw_html(render_template(new.project, "redline_summary.html", **_summary(result)))
    summary_chapter = copy.copy(chapters[0])
    summary_chapter.id = "redline-summary"
    summary_chapter.blocks = [nodes.header(1, "redline-summary", nodes.text_inlines("Summary of changes")), summary]
    document.chapters = [summary_chapter, *chapters]
    config = new.loaded.config.model_copy(update={"title": f"Redline: {new.loaded.config.title}",
                                                  "subtitle": f"{result.old.description} → {result.new.description}"})  # fmt: skip
    shown = dataclasses.replace(new, document=document)
    rendered, diagnostics = render(shown, config, stylesheet=_stylesheet(new.project))
    timed.stage("pdf", "redline")
    published = publish(shown, rendered, name, [HTML, PDF])
    diagnostics.extend(published.diagnostics)
    if diagnostics.has_errors():
        raise DiagnosticError(diagnostics)
    outputs = published.outputs
    if options.docx:  # Word with real tracked changes: pandoc writes `insertion`/`deletion` spans as w:ins/w:del
        outputs[f"{name}.docx"] = publish_docx(shown, config, chapters, styled=False)
    return outputs


def _stylesheet(project: Project) -> str:
    """How insertions, deletions and moves look (css/redline.css, the project's own if it has one)."""
    env = environment(project)
    source, _, _ = env.loader.get_source(env, "css/redline.css")  # type: ignore[union-attr]
    return source


def _summary(result: DiffResult) -> dict[str, Any]:
    """What the summary page shows: the sides, metadata changes, each chapter's change, numbered blocks."""
    rows = []
    for change in result.redline.chapters:
        side = change.new or change.old
        assert side is not None
        status = change.status + (f" (was {change.renamed_from})" if change.renamed_from else "")
        rows.append({"anchor": side.id, "title": change.title, "status": status, "added": change.words_added, "removed": change.words_removed})
    blocks = []
    for kind, changes in result.redline.blocks.items():
        lines = [("added", f"added {n} “{t}”") for n, t in changes.added]
        lines += [("removed", f"removed {n} “{t}”") for n, t in changes.removed]
        lines += [("", f"changed {n} “{t}”") for n, t in changes.changed]
        if lines:
            blocks.append((kind, lines))
    return {"old": result.old.description, "new": result.new.description, "metadata": result.redline.metadata, "chapters": rows, "blocks": blocks}


__all__ = ["DiffOptions", "DiffResult", "diff"]
