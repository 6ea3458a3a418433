"""Redlines: what changed between two versions of the paper, as HTML, PDF and Word with tracked changes."""

from __future__ import annotations

import copy
import html
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..parse import nodes, pandoc
from ..sources.bibliography import write_csl_json
from ..render.body import render_body
from ..cache import CACHE_DIR
from ..build.analyse import Analysis, Timed, analyse
from ..diagnostics import DiagnosticError, Diagnostics, Location
from ..pdf import render_pdf
from ..render.pages import context, render_pages
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


def diff(project: Path | str, old_spec: str, new_spec: str | None = None, options: DiffOptions = DiffOptions(), reporter: Any = None) -> DiffResult:
    project = Path(project)
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
        redline = Comparer(old.document, new.document, old_side.folder, new_side.folder, marks).compare(kinds)
        redline.metadata = _metadata_changes(old, new)
        _changed_blocks(redline, old.document, new.document, kinds)
        result = DiffResult(old_side, new_side, redline)
        if options.stat_only:
            return result
        timed.stage("render", "redline")
        name = f"diff-{safe_label(old_side.label)}-{safe_label(new_side.label)}"
        outputs = _render(project, new, redline, result, name, options, marks, timed)
        result.outputs = write_outputs(project / "build", outputs)
    return result


def _analyse(side: Side, which: str, timed: Timed) -> Analysis:
    analysis = analyse(side.folder, timed)
    if analysis.diagnostics.has_errors() or analysis.document is None:
        diagnostics = Diagnostics()
        for item in analysis.diagnostics.errors:
            diagnostics.error(
                Location(f"({which} side: {side.label}) {item.location}"), item.message, item.rule
            )
        if not diagnostics.items:
            diagnostics.error(Location(f"({which} side: {side.label})"), "the paper could not be read", "diff-side-fails")
        raise DiagnosticError(diagnostics)
    return analysis


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


DIFF_CSS = """
.insertion { color: #0b5d1e; text-decoration: underline; text-decoration-color: #0b5d1e; background: #e6f4ea; }
.deletion { color: #8a1c1c; text-decoration: line-through; background: #fbe9e9; }
.changed-block, .inserted-block, .deleted-block, .moved-block, .replaced-block { border-left: 3px solid #b26a00; padding-left: 8px; margin-left: -11px; }
.inserted-block { border-left-color: #0b5d1e; }
.deleted-block { border-left-color: #8a1c1c; }
.moved-block { border-left: 3px dashed #1f5f8b; }
.moved-block::before { content: "Moved here"; font: 600 0.7em var(--sans); color: #1f5f8b; }
.image-changed { display: flex; gap: 1em; align-items: flex-start; }
.image-changed > div { flex: 1; }
.image-before img { opacity: 0.75; outline: 2px solid #8a1c1c; }
.no-changes { color: var(--muted); font-style: italic; }
.diff-summary table { font-size: 0.85em; }
.diff-summary .added { color: #0b5d1e; } .diff-summary .removed { color: #8a1c1c; }
@media print { .changed-block, .inserted-block, .deleted-block, .moved-block, .replaced-block { margin-left: -4mm; padding-left: 3mm; } }
"""


def _render(project: Path, new: Analysis, redline: Redline, result: DiffResult, name: str, options: DiffOptions, marks: Marks, timed: Timed) -> dict[str, bytes]:
    document = copy.copy(new.document)
    assert document is not None and new.loaded is not None
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
    summary = nodes.raw_html(_summary_html(result))
    summary_chapter = copy.copy(chapters[0])
    summary_chapter.id = "redline-summary"
    summary_chapter.blocks = [nodes.header(1, "redline-summary", nodes.text_inlines("Summary of changes")), summary]
    document.chapters = [summary_chapter, *chapters]
    config = new.loaded.config.model_copy(update={"title": f"Redline: {new.loaded.config.title}",
                                                  "subtitle": f"{result.old.description} → {result.new.description}"})  # fmt: skip
    bibliography = write_csl_json(new.bibliography, project / CACHE_DIR) if new.bibliography.items else None
    body = render_body(document, config, new.csl, bibliography)  # type: ignore[arg-type]
    ctx = context(config, document, body.abstract_html, body.body_html, DIFF_CSS)
    pages = render_pages(new.project, ctx, document.images)
    outputs = {f"{name}.html": pages.screen.encode("utf-8")}
    timed.stage("pdf", "redline")
    outputs[f"{name}.pdf"] = render_pdf(pages.print, new.project).data
    if options.docx:
        outputs[f"{name}.docx"] = _docx(new, chapters, bibliography, config)
    return outputs


def _summary_html(result: DiffResult) -> str:
    rows = []
    for change in result.redline.chapters:
        anchor = f'<a href="#{html.escape(change.new.id if change.new else change.old.id)}">{html.escape(change.title)}</a>'  # type: ignore[union-attr]
        status = change.status + (f" (was {change.renamed_from})" if change.renamed_from else "")
        rows.append(
            f"<tr><td>{anchor}</td><td>{html.escape(status)}</td>"
            f'<td class="added">+{change.words_added}</td><td class="removed">−{change.words_removed}</td></tr>'
        )
    parts = [f"<p>Comparing {html.escape(result.old.description)} with {html.escape(result.new.description)}.</p>"]
    if result.redline.metadata:
        parts.append("<ul>" + "".join(f"<li>{html.escape(m)}</li>" for m in result.redline.metadata) + "</ul>")
    parts.append('<table><thead><tr><th>Chapter</th><th>Change</th><th>Words added</th><th>Words removed</th></tr></thead><tbody>'
                 + "".join(rows) + "</tbody></table>")  # fmt: skip
    for kind, changes in result.redline.blocks.items():
        lines = [f'<span class="added">added {html.escape(n)} “{html.escape(t)}”</span>' for n, t in changes.added]
        lines += [f'<span class="removed">removed {html.escape(n)} “{html.escape(t)}”</span>' for n, t in changes.removed]
        lines += [f"changed {html.escape(n)} “{html.escape(t)}”" for n, t in changes.changed]
        if lines:
            parts.append(f"<p><strong>{html.escape(kind.capitalize())} blocks:</strong> " + "; ".join(lines) + "</p>")
    return '<div class="diff-summary">' + "\n".join(parts) + "</div>"


def _docx(new: Analysis, chapters: list[Any], bibliography: Path | None, config: Any) -> bytes:
    """Word with real tracked changes: pandoc writes `insertion`/`deletion` spans as w:ins/w:del."""
    blocks = [block for chapter in chapters for block in chapter.blocks]
    blocks += [nodes.header(1, "references", nodes.text_inlines("References")), nodes.div("refs", [], [])]
    meta = {"title": {"t": "MetaInlines", "c": nodes.text_inlines(config.title)}, "lang": {"t": "MetaString", "c": config.lang}}
    args = ["--citeproc", "--csl", str(new.csl), "--resource-path", str(new.project)]
    if bibliography:
        args += ["--bibliography", str(bibliography)]
    return pandoc.ast_to_docx({"pandoc-api-version": pandoc.api_version(), "meta": meta, "blocks": blocks}, args)


__all__ = ["DiffOptions", "DiffResult", "diff"]
