"""Reports on a round's comments: the triage report, the response to reviewers, and where each
comment's text is now.

Sources move on after a round (lines are inserted above, paragraphs are
edited), so each comment is followed to its current line by matching the
first line of the block it was made on; when that text is nowhere to be
found, the report says the text is gone.
"""

from __future__ import annotations

import difflib
import html
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import pandoc
from ..diagnostics import DiagnosticError, Diagnostics
from ..pipeline.publish import HTML, PDF, publish_page
from ..project import REGISTER_FILE, Project
from ..render.docx import without_pandoc_properties
from ..render.environment import render_template
from ..write import write_outputs
from .frozen import load_round
from .register import Comment, load_register
from .suggestions import split_change

FUZZY = 0.75  # how alike a line must be to count as the same line, edited


@dataclass(frozen=True)
class Located:
    comment: Comment
    line: int | None  # the current line, None when the text is gone
    moved: bool

    @property
    def where(self) -> str:
        if not self.comment.file:
            return "no location"
        if self.line is None:
            return f"{self.comment.file}: text gone (was line {self.comment.line})"
        return f"{self.comment.file}:{self.line}"


def locate(project: Project, comments: list[Comment]) -> list[Located]:
    """Each comment at its current line in the work tree."""
    files: dict[str, list[str]] = {}
    located = []
    for comment in comments:
        if not comment.file or not comment.line:
            located.append(Located(comment, comment.line, False))
            continue
        if comment.file not in files:
            path = project.path(comment.file)
            files[comment.file] = (
                path.read_text(encoding="utf-8", errors="replace").split("\n") if path.is_file() else []
            )
        first = comment.source.split("\n")[0] if comment.source else ""
        line = current_line(files[comment.file], first, comment.line)
        suggestion = comment.suggestion
        if (
            line is None
            and comment.applied
            and suggestion
            and suggestion.line == comment.line
            and suggestion.old in first
        ):
            line = current_line(
                files[comment.file], first.replace(suggestion.old, suggestion.new, 1), comment.line
            )  # as applied
        located.append(Located(comment, line, line is not None and line != comment.line))
    return located


def current_line(lines: list[str], first: str, was: int) -> int | None:
    """Where the line `first` (once at line `was`) is now: exact matches nearest to `was`, then a close edit."""
    if not first.strip():
        return was if was <= len(lines) else None
    exact = [number for number, text in enumerate(lines, start=1) if text == first]
    if exact:
        return min(exact, key=lambda number: abs(number - was))
    best, best_ratio = None, FUZZY
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        ratio = difflib.SequenceMatcher(None, first, text).ratio()
        if ratio > best_ratio or (ratio == best_ratio and best is not None and abs(number - was) < abs(best - was)):
            best, best_ratio = number, ratio
    return best


def open_comments(project: Project) -> Counter[str]:
    """Open comments per chapter file, over every round whose register parses."""
    counts: Counter[str] = Counter()
    for register in sorted(project.review_dir.glob(f"*/{REGISTER_FILE}")):
        try:
            comments = load_register(project, register.parent.name)
        except DiagnosticError:
            continue  # `review collect` reports a broken register; status only counts
        counts.update(c.file for c in comments if c.status == "open" and c.file and not c.in_reply_to)
    return counts


@dataclass
class ReportFiles:
    paths: list[Path]
    counts: dict[str, Counter[str]]


def report(project: Project | Path | str, round_name: str) -> ReportFiles:
    """Write review/ROUND/report.{html,pdf} and responses.{html,pdf,docx}; nothing when the pages
    cannot be made without a problem."""
    project = Project.at(project)
    info = load_round(project, round_name)
    comments = load_register(project, round_name)
    located = locate(project, comments)
    counts = {
        "status": Counter(c.status for c in comments),
        "reviewer": Counter(c.reviewer for c in comments),
        "chapter": Counter(c.file or "(no location)" for c in comments),
    }
    groups = _by_chapter(located)
    replies = {c.in_reply_to: [] for c in comments if c.in_reply_to}  # type: dict[str | None, list[Comment]]
    for comment in comments:
        if comment.in_reply_to:
            replies[comment.in_reply_to].append(comment)
    redlines = {c.id: redline(c.suggestion.old, c.suggestion.new) for c in comments if c.suggestion}
    values: dict[str, Any] = {
        "round": info.data, "groups": groups, "counts": counts, "replies": replies, "total": len(comments), "redlines": redlines,
    }  # fmt: skip
    outputs: dict[str, bytes] = {}
    diagnostics = Diagnostics()
    for name in ("report", "responses"):
        published = publish_page(project, render_template(project, f"review_{name}.html", **values), name, [HTML, PDF])
        outputs |= published.outputs
        diagnostics.extend(published.diagnostics)
    if diagnostics.has_errors():
        raise DiagnosticError(diagnostics)
    outputs["responses.docx"] = without_pandoc_properties(
        pandoc.markdown_to_docx(_responses_markdown(info.data, groups, replies))
    )
    return ReportFiles(write_outputs(info.folder, outputs), counts)


def _by_chapter(located: list[Located]) -> list[tuple[str, list[Located]]]:
    groups: dict[str, list[Located]] = {}
    for item in located:
        if item.comment.in_reply_to:
            continue  # replies are shown under the comment they answer
        groups.setdefault(item.comment.file or "(no location)", []).append(item)
    return [(file, sorted(items, key=lambda i: (i.line or 0, i.comment.id))) for file, items in sorted(groups.items())]


def _responses_markdown(
    round_data: dict[str, Any], groups: list[tuple[str, list[Located]]], replies: dict[str | None, list[Comment]]
) -> str:
    """The response to reviewers as Markdown, for pandoc's Word writer."""
    out = [f"% Response to reviewers: {round_data.get('title', '')}, round {round_data.get('round', '')}", ""]
    for file, items in groups:
        out += [f"# {file}", ""]
        for item in items:
            c = item.comment
            out += [f"## Comment {c.id} ({c.reviewer}, {item.where})", ""]
            if c.quote:
                out += ["> " + c.quote.replace("\n", " "), ""]
            out += [f"**Comment.** {_md(c.comment) or '(no text)'}", ""]
            for reply in replies.get(c.id, []):
                answer = f" *Response:* {_md(reply.response)}" if reply.response else ""
                out += [f"> **Reply from {_md(reply.author or reply.reviewer)}.** {_md(reply.comment)}{answer}", ""]
            if c.suggestion:  # deleted words struck through, inserted ones underlined
                marked = {"same": "{}", "del": "~~{}~~", "ins": "[{}]{{.underline}}"}
                out += [
                    "**Suggested.** "
                    + "".join(
                        marked[op].format(_md(text)) if text.strip() else text
                        for op, text in redline(c.suggestion.old, c.suggestion.new)
                    ),
                    "",
                ]
            out += [f"**Response.** {_md(c.response) or '(to be written)'}", ""]
            out += [f"*Status: {c.status}*", ""]
    return "\n".join(out)


def redline(old: str, new: str) -> list[tuple[str, str]]:
    """`old` → `new` as runs of ("same" | "del" | "ins", text), white space kept."""
    prefix, gone, added, suffix = split_change(old, new)
    runs = [("same", prefix), ("del", gone), ("ins", added), ("same", suffix)]
    return [run for run in runs if run[1]]


def _md(text: str) -> str:
    return html.escape(text or "").replace("*", "\\*").replace("_", "\\_")
