"""How diagnostics look: compiler-style text with the source line and a caret, JSON, GitHub
annotations or GitLab's code-quality report.

Identical diagnostics (same rule, severity and message) are folded into the
first one with a count and every other place, so one unknown key used forty times
is one entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from ..diagnostics import Diagnostic, Diagnostics, Location, Severity
from ..hosting.repo import placement

COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


@dataclass
class Folded:
    first: Diagnostic
    also: list[Location] = field(default_factory=list)

    @property
    def count(self) -> int:
        return 1 + len(self.also)


def fold(diagnostics: Diagnostics) -> list[Folded]:
    groups: dict[tuple[str, str, str], Folded] = {}
    for diagnostic in diagnostics:
        key = (diagnostic.severity.value, diagnostic.rule, diagnostic.message)
        if key in groups:
            groups[key].also.append(diagnostic.location)
        else:
            groups[key] = Folded(diagnostic)
    return list(groups.values())


def use_colour(stream: object) -> bool:
    return "NO_COLOR" not in os.environ and bool(getattr(stream, "isatty", lambda: False)())


def as_text(diagnostics: Diagnostics, project: Path, colour: bool) -> str:
    out: list[str] = []
    lines_of: dict[str, list[str]] = {}
    for folded in fold(diagnostics):
        d = folded.first
        severity = click.style(d.severity.value, fg=COLOURS[d.severity], bold=True) if colour else d.severity.value
        head = f"{d.location}: {severity}: {d.message} [{d.rule}]"
        out.append(head)
        source = _source_line(project, d.location, lines_of)
        if source is not None:
            number = str(d.location.line)
            out.append(f" {number} | {source}")
            if d.location.col:
                caret = " " * (_display_width(source[: d.location.col - 1])) + "^"
                out.append(f" {' ' * len(number)} | {click.style(caret, fg=COLOURS[d.severity], bold=True) if colour else caret}")
        if folded.also:  # every place: this is the full list a build's folded output points to
            out.append(f"  (×{folded.count}: also at {', '.join(str(loc) for loc in folded.also)})")
    return "\n".join(out)


def _display_width(text: str) -> int:
    return len(text.expandtabs(4))


def _source_line(project: Path, location: Location, cache: dict[str, list[str]]) -> str | None:
    if not location.line:
        return None
    if location.path not in cache:
        try:
            text = (project / location.path).read_text(encoding="utf-8-sig", errors="replace")
            cache[location.path] = text.replace("\r\n", "\n").split("\n")
        except OSError:
            cache[location.path] = []
    lines = cache[location.path]
    if location.line > len(lines):
        return None
    return lines[location.line - 1].expandtabs(4).rstrip()


def as_json(diagnostics: Diagnostics) -> str:
    items = []
    for folded in fold(diagnostics):
        item = folded.first.to_dict()
        item["count"] = folded.count
        item["also"] = [{"path": loc.path, "line": loc.line, "col": loc.col} for loc in folded.also]
        items.append(item)
    return json.dumps(items, indent=2, ensure_ascii=False)


def as_github(diagnostics: Diagnostics, prefix: str = "") -> str:
    """GitHub Actions workflow commands: one annotation per diagnostic (not folded: each gets its line).

    Paths start with `prefix`, the project's folder in its repository: GitHub reads them from the top."""
    kinds = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}
    lines = []
    for d in diagnostics:
        props = [f"file={_escape_property(prefix + d.location.path)}"]
        if d.location.line:
            props.append(f"line={d.location.line}")
        if d.location.col:
            props.append(f"col={d.location.col}")
        props.append(f"title={_escape_property(d.rule)}")
        lines.append(f"::{kinds[d.severity]} {','.join(props)}::{_escape_data(d.message)}")
    return "\n".join(lines)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_gitlab(diagnostics: Diagnostics, prefix: str = "") -> str:
    """GitLab's code-quality report (the part of Code Climate's issue format GitLab reads): one issue
    per diagnostic, its place in the fingerprint, as GitLab shows one issue per fingerprint."""
    severities = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.NOTE: "info"}
    issues = []
    for d in diagnostics:
        path = prefix + d.location.path
        key = "\0".join((d.rule, path, str(d.location.line), str(d.location.col), d.message))
        issues.append({
            "description": d.message,
            "check_name": d.rule,
            "fingerprint": hashlib.sha256(key.encode("utf-8")).hexdigest()[:32],
            "severity": severities[d.severity],
            "location": {"path": path, "lines": {"begin": max(d.location.line, 1)}},  # GitLab wants a line
        })
    return json.dumps(issues, indent=2, ensure_ascii=False)


def render(diagnostics: Diagnostics, fmt: str, project: Path) -> str:
    if fmt == "json":
        return as_json(diagnostics)
    if fmt == "github":
        return as_github(diagnostics, placement(project).prefix)
    if fmt == "gitlab":
        return as_gitlab(diagnostics, placement(project).prefix)
    return as_text(diagnostics, project, use_colour(sys.stdout))
