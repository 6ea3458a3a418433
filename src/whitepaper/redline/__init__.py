"""Redlines: what changed between two versions of the paper, as HTML, PDF and Word with tracked changes."""

from __future__ import annotations

import copy
import dataclasses
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import rules
from ..config.schema import Config
from ..diagnostics import DiagnosticError, Diagnostics, Location
from ..pandoc import nodes
from ..pipeline import Analysis, Reporter, Timed, analyse
from ..pipeline.publish import HTML, PDF, publish, publish_docx, render
from ..project import Project
from ..render.environment import render_template
from ..resolve import Document, ResolvedChapter
from ..resolve.numbering import Targets
from ..write import write_outputs
from .compare import Comparer, Marks, Redline, key
from .sides import Side, materialise, safe_label
from .view import SUMMARY_ID, ChapterView, chapter_views, cited, contents, ids, unlink


@dataclass
class DiffOptions:
    full: bool = False  # every chapter, every block; else only the changes, with their context
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
        outputs = _render(old, new, redline, result, name, options, timed)
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


def _render(
    old: Analysis, new: Analysis, redline: Redline, result: DiffResult, name: str, options: DiffOptions, timed: Timed
) -> dict[str, bytes]:
    """The redline's outputs: the NEW side's paper with its changes marked, through the publishing tail."""
    assert old.document is not None and new.document is not None and new.loaded is not None
    views, lead = chapter_views(redline, old.document, new.document, options.full)
    document = _shown_document(old.document, new.document, views, options.full)
    document.chapters.insert(0, _summary_chapter(new.project, old.document, new.document, views, lead, result, options.full))
    base = new.loaded.config
    update: dict[str, Any] = {"title": f"Redline: {base.title}", "subtitle": f"{result.old.description} → {result.new.description}"}
    if not options.full:
        update["contributors"] = False  # back matter the redline does not compare
    config = base.model_copy(update=update)
    shown = dataclasses.replace(new, document=document)
    # Collapsed, the reference list names only the works the shown text cites, with their numbers in the paper.
    stylesheet = render_template(new.project, "css/redline.css", shown_references=None if options.full else document.cited)
    rendered, diagnostics = render(shown, config, stylesheet=stylesheet)
    timed.stage("pdf", "redline")
    published = publish(shown, rendered, name, [HTML, PDF])
    diagnostics.extend(published.diagnostics)
    if diagnostics.has_errors():
        raise DiagnosticError(diagnostics)
    outputs = published.outputs
    if options.docx:  # Word with real tracked changes: pandoc writes `insertion`/`deletion` spans as w:ins/w:del
        outputs[f"{name}.docx"] = _docx(new, redline, config)
    return outputs


def _shown_document(old: Document, new: Document, views: list[ChapterView], full: bool) -> Document:
    """The NEW side's paper with the chapters shown, each with the blocks shown. Its contents and
    lists of figures and tables name only what is shown; collapsed, links to what is left out
    become text, and only the works the shown text cites count as cited."""
    document = copy.copy(new)
    document.chapters = []
    for view in views:
        if view.shown:
            chapter = copy.copy(view.change.new or view.change.old)
            assert chapter is not None
            chapter.blocks = view.blocks if full else copy.deepcopy(view.blocks)  # unlinked below; the Word file keeps its links
            document.chapters.append(chapter)
    headings = contents(views, old, new)
    if full:
        document.targets = Targets(by_id=new.targets.by_id, chapter_labels=new.targets.chapter_labels, headings=headings)
        return document
    document.abstract = copy.deepcopy(new.abstract)
    present = ids([block for chapter in document.chapters for block in chapter.blocks])
    left_out = ids([block for view in views for block in view.change.blocks]) - present
    keys: set[str] = set()
    for blocks in [document.abstract, *(chapter.blocks for chapter in document.chapters)]:
        unlink(blocks, left_out)
        keys |= cited(blocks)
    shown_targets = {identifier: target for identifier, target in new.targets.by_id.items() if identifier in present}
    document.targets = Targets(by_id=shown_targets, chapter_labels=new.targets.chapter_labels, headings=headings)
    document.cited = [key for key in new.cited if key in keys]
    return document


def _summary_chapter(
    project: Project, old: Document, new: Document, views: list[ChapterView], lead: list[Any], result: DiffResult, full: bool
) -> ResolvedChapter:
    """The chapter that opens the redline: the summary of changes, the HTML's change navigation,
    and the hidden citations of the chapters left out before the first one shown."""
    summary = render_template(project, "redline_summary.html", **_summary(result, views, old, new, full))
    navigation = render_template(project, "redline_nav.html", total=sum(view.changes for view in views))
    chapter = copy.copy(new.chapters[0])
    chapter.id = SUMMARY_ID
    heading = nodes.header(1, SUMMARY_ID, nodes.text_inlines("Summary of changes"))
    chapter.blocks = [heading, nodes.raw_html(summary), nodes.raw_html(navigation), *lead]
    return chapter


def _docx(new: Analysis, redline: Redline, config: Config) -> bytes:
    """The Word file holds the whole paper, collapsed or not: its tracked changes are there to be
    accepted or rejected into the paper, and Word steps from change to change itself."""
    chapters = []
    for change in redline.chapters:
        chapter = copy.copy(change.new or change.old)
        assert chapter is not None
        chapter.blocks = change.blocks
        chapters.append(chapter)
    return publish_docx(new, config, chapters, styled=False)


def _summary(result: DiffResult, views: list[ChapterView], old: Document, new: Document, full: bool) -> dict[str, Any]:
    """What the summary page shows: the sides, metadata changes, a row for each chapter that changed
    (with its count of changes, linked to the first), the unchanged chapters on one line, numbered blocks."""
    rows, unchanged = [], []
    for view in views:
        change = view.change
        label = (new if change.new else old).targets.chapter_labels.get(view.id, "")  # a removed chapter's number was the old one
        title = f"{label} {change.title}".strip()
        anchor = view.id if view.shown else ""
        if change.status == "unchanged":
            unchanged.append({"anchor": anchor, "title": title})
            continue
        status = change.status + (f" (was {change.renamed_from})" if change.renamed_from else "")
        rows.append({"anchor": anchor, "title": title, "status": status, "changes": view.changes, "first": view.first_change,
                     "added": change.words_added, "removed": change.words_removed})  # fmt: skip
    blocks = []
    for kind, changes in result.redline.blocks.items():
        lines = [("added", f"added {n} “{t}”") for n, t in changes.added]
        lines += [("removed", f"removed {n} “{t}”") for n, t in changes.removed]
        lines += [("", f"changed {n} “{t}”") for n, t in changes.changed]
        if lines:
            blocks.append((kind, lines))
    return {"old": result.old.description, "new": result.new.description, "metadata": result.redline.metadata,
            "chapters": rows, "unchanged": unchanged, "collapsed": not full, "blocks": blocks}  # fmt: skip


__all__ = ["DiffOptions", "DiffResult", "diff"]
