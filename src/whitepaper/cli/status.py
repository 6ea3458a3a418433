"""`whitepaper status`."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from ..pipeline import check
from ..pipeline.stats import ChapterStats
from ..project import Project
from ..review.report import open_comments
from .output import environment_errors


@click.command("status")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", help="A table for people, JSON for scripts.")
def status_command(project: Path, fmt: str) -> None:
    """Show each chapter's title, status, owners, words, citations, figures and open problems."""
    with environment_errors():
        result = check(project)
    comments = open_comments(Project.at(project))
    if fmt == "json":
        rows = [asdict(s) | {"open_comments": comments.get(s.file, 0)} for s in result.stats]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"{project.resolve().name}: {len(result.stats)} chapters", title_justify="left")
    for name, justify in (("Chapter", "left"), ("Title", "left"), ("Status", "left"), ("Owners", "left"),
                          ("Words", "right"), ("Read", "right"), ("Citations", "right"), ("Figures", "right"),
                          ("Tables", "right"), ("Problems", "right"), ("Open comments", "right"), ("Sign-off", "left")):  # fmt: skip
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for s in result.stats:
        problems = f"{s.errors} errors, {s.warnings} warnings" if s.errors else str(s.warnings)
        table.add_row(
            s.file, s.title, s.status, ", ".join(s.owners), f"{s.words:,}", f"{s.reading_minutes} min",
            str(s.citations), str(s.figures), str(s.tables), problems, str(comments.get(s.file, 0)), _sign_off(s),
        )  # fmt: skip
    words = sum(s.words for s in result.stats)
    table.add_section()
    table.add_row("total", "", "", "", f"{words:,}", f"{sum(s.reading_minutes for s in result.stats)} min",
                  str(sum(s.citations for s in result.stats)), str(sum(s.figures for s in result.stats)),
                  str(sum(s.tables for s in result.stats)), str(len(result.diagnostics)), str(sum(comments.values())),
                  f"{sum(1 for s in result.stats if s.approved_by)} of {len(result.stats)} approved")  # fmt: skip
    Console(width=160 if not Console().is_terminal else None).print(table)


def _sign_off(stats: ChapterStats) -> str:
    """Who approved the chapter's text as it stands; else whose approval it has outgrown."""
    if stats.approved_by:
        return "approved: " + ", ".join(stats.approved_by)
    if stats.stale:
        return "stale: " + ", ".join(stats.stale)
    return ""
