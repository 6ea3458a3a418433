"""`whitepaper review ...`: review rounds."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from ..review.rounds import list_rounds, start_round
from .output import Progress, exit_codes, stderr_console

PROJECT = click.option(
    "-C", "--project", type=click.Path(file_okay=False, path_type=Path), default=".", help="The paper project (default: here)."
)


@click.group("review")
def review_group() -> None:
    """Review rounds: review editions and per-reviewer packets, comments, reports."""


@review_group.command("start")
@click.argument("name")
@PROJECT
@click.option("--allow-dirty", is_flag=True, help="Start even with uncommitted changes (the stamp then says +dirty).")
@click.option("--docx", is_flag=True, help="Also write a Word copy of each reviewer's chapters.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but problems.")
def start_command(name: str, project: Path, allow_dirty: bool, docx: bool, quiet: bool) -> None:
    """Freeze the paper as round NAME (e.g. r1) and build its review edition and packets into review/NAME/."""
    with exit_codes():
        progress = Progress(stderr_console(quiet))
        with progress.running():
            record = start_round(project, name, allow_dirty=allow_dirty, docx=docx, reporter=progress)
        frozen = f"commit {record.commit[:7]}{'+dirty' if record.dirty else ''}" if record.commit else "a copy of the sources"
        click.echo(f"round {name}: {len(record.files)} files in {record.folder}, frozen at {frozen}")
        for reviewer in record.reviewers:
            click.echo(f"  {reviewer['packet']}  {reviewer['name']}: {len(reviewer['chapters'])} chapters")


@review_group.command("list")
@PROJECT
def list_command(project: Path) -> None:
    """Show the review rounds and their state."""
    rounds = list_rounds(project)
    if not rounds:
        click.echo("no review rounds yet; start one with `whitepaper review start r1`")
        return
    table = Table(title_justify="left")
    for column in ("Round", "Created", "Frozen at", "Reviewers", "Comments"):
        table.add_column(column)
    for data in rounds:
        commit = data.get("commit")
        frozen = "broken round.yaml" if data.get("broken") else (commit[:7] + ("+dirty" if data.get("dirty") else "") if commit else "source copy")
        table.add_row(
            str(data.get("round")), str(data.get("created", "")), frozen,
            str(len(data.get("reviewers") or [])), "collected" if data["comments"] else "none yet",
        )  # fmt: skip
    Console(width=120).print(table)
