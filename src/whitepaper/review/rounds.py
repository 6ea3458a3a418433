"""Review rounds: `review start` freezes the paper, builds the review edition and one packet per
reviewer into `review/NAME/`, and records it all in `round.yaml`.

A round is written into a hidden staging folder and renamed into place at the end, so a
failed start leaves nothing half-written; an existing round is never overwritten.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .. import rules
from ..config import LoadedConfig
from ..config.schema import Config, Reviewer
from ..diagnostics import DiagnosticError, Diagnostics, EnvironmentProblem, Location
from ..gitinfo import git_state
from ..pipeline import BuildOptions, Reporter, Timed, produce
from ..project import CONFIG_NAME, REGISTER_FILE, ROUND_FILE, Project
from ..resolve import Document, ResolvedChapter
from .edition import ReviewEdition
from .packets import make_packet
from .wordpacket import write_word_packet

ROUND_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,40}")


@dataclass
class Round:
    name: str
    folder: Path
    created: str
    commit: str | None
    dirty: bool
    reviewers: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, str]] = field(default_factory=list)


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "reviewer"


def start_round(
    project: Project | Path | str, name: str, *, allow_dirty: bool = False, docx: bool = False, reporter: Reporter | None = None
) -> Round:
    project = Project.at(project)
    if not ROUND_NAME.fullmatch(name):
        raise EnvironmentProblem(f"'{name}' is not a round name: use letters, digits, '.', '_' and '-' (e.g. r1)")
    diagnostics = Diagnostics()
    folder = project.round_dir(name)
    if folder.exists():
        diagnostics.add(rules.ROUND_EXISTS, Location(project.rel(folder)), f"round '{name}' exists already; a round is never overwritten")
        raise DiagnosticError(diagnostics)
    state = git_state(project.root)
    if state is not None and state.dirty and not allow_dirty:
        diagnostics.add(
            rules.ROUND_DIRTY_TREE,
            Location(CONFIG_NAME),
            "the work tree has uncommitted changes: commit them, so the round records what reviewers read, "
            "or start with --allow-dirty",
        )
        raise DiagnosticError(diagnostics)

    timed = Timed(reporter)
    edition = ReviewEdition.of(project, name)
    produced = produce(project, BuildOptions(edition=edition), timed)
    analysis = produced.analysis
    assert analysis.loaded is not None and analysis.document is not None
    loaded, document = analysis.loaded, analysis.document
    config = loaded.config
    assignments = _assignments(loaded, document, analysis.diagnostics)
    if analysis.diagnostics.has_errors():
        raise DiagnosticError(analysis.diagnostics)

    timed.stage("packets", f"{len(assignments)} reviewers")
    staging = project.review_dir / f".{name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        full_pdf = produced.outputs[f"{config.outputs.name}{edition.suffix}.pdf"]
        files = {f"{name}-00-full-paper.pdf": full_pdf}
        reviewers = []
        for index, (reviewer, chapters) in enumerate(assignments, start=1):
            stem = f"{name}-{index:02d}-{slug(reviewer.name)}"
            packet = make_packet(project, full_pdf, document, produced.rendered.context, config, reviewer, chapters, name)
            diagnostics.extend(packet.diagnostics)
            files[f"{stem}.pdf"] = packet.pdf
            if docx:  # a Word copy for reviewers who use track changes; its comments come back placed
                stamp = edition.stamp(config.version, produced.rendered.context.date)
                files[f"{stem}.docx"] = write_word_packet(analysis, config, chapters, round_name=name, reviewer=reviewer.name, stamp=stamp)
            reviewers.append(_reviewer_record(reviewer, chapters, f"{stem}.pdf"))
        if diagnostics.has_errors():
            raise DiagnosticError(diagnostics)
        for file_name, data in files.items():
            (staging / file_name).write_bytes(data)
        if state is None:  # outside git, the round keeps its own copy of what reviewers read
            project.copy_paper(staging / "source")
        record = Round(
            name=name,
            folder=folder,
            created=config.resolved_date().isoformat(),
            commit=state.commit if state else None,
            dirty=bool(state and state.dirty),
            reviewers=reviewers,
            files=[{"path": f, "sha256": hashlib.sha256(d).hexdigest()} for f, d in files.items()],
        )
        (staging / ROUND_FILE).write_text(_round_yaml(record, config), encoding="utf-8")
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    timed.finish()
    return record


def _assignments(loaded: LoadedConfig, document: Document, diagnostics: Diagnostics) -> list[tuple[Reviewer, list[ResolvedChapter]]]:
    """Each reviewer's chapters, in paper order; entries may name a chapter by file, id or slug."""
    assignments = []
    for r_index, reviewer in enumerate(loaded.config.reviewers):
        if not reviewer.chapters:
            assignments.append((reviewer, list(document.chapters)))
            continue
        chosen: list[ResolvedChapter] = []
        for c_index, entry in enumerate(reviewer.chapters):
            match = next((c for c in document.chapters if entry in (c.source.rel, c.id, c.source.slug, c.source.path.name)), None)
            if match is None:
                known = ", ".join(c.source.rel for c in document.chapters)
                diagnostics.add(
                    rules.REVIEWER_UNKNOWN_CHAPTER,
                    loaded.location("reviewers", r_index, "chapters", c_index),
                    f"reviewer '{reviewer.name}' is assigned '{entry}', which is not a chapter (chapters: {known})",
                )
            elif match not in chosen:
                chosen.append(match)
        assignments.append((reviewer, [c for c in document.chapters if c in chosen]))
    if not loaded.config.reviewers:
        diagnostics.add(rules.ROUND_NO_REVIEWERS, loaded.location(), "no reviewers: list them under `reviewers:` to start a round")
    return assignments


def _reviewer_record(reviewer: Reviewer, chapters: list[ResolvedChapter], packet: str) -> dict[str, Any]:
    return {
        "name": reviewer.name,
        "email": reviewer.email,
        "organisation": reviewer.organisation,
        "due": reviewer.due.isoformat() if reviewer.due else None,
        "chapters": [c.source.rel for c in chapters],
        "packet": packet,
    }


def _round_yaml(record: Round, config: Config) -> str:
    data = {
        "round": record.name,
        "title": config.title,
        "version": config.version,
        "created": record.created,
        "commit": record.commit,
        "dirty": record.dirty,
        "source": None if record.commit else "source/",
        "reviewers": record.reviewers,
        "files": record.files,
    }
    header = "# Written by `whitepaper review start`. The hashes identify returned packets; do not edit them.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def list_rounds(project: Project | Path | str) -> list[dict[str, Any]]:
    """Every round of the project, oldest first, as recorded in its round.yaml."""
    rounds = []
    for path in sorted(Project.at(project).review_dir.glob(f"*/{ROUND_FILE}")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, OSError):
            data = {"round": path.parent.name, "broken": True}
        data["folder"] = path.parent
        comments = path.parent / REGISTER_FILE
        data["comments"] = comments.is_file()
        rounds.append(data)
    return rounds

