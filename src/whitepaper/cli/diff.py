"""`whitepaper diff`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..redline import DiffOptions, diff
from .output import Progress, exit_codes, stderr_console


@click.command("diff")
@click.argument("old")
@click.argument("new", required=False)
@click.option("-C", "--project", type=click.Path(file_okay=False, path_type=Path), default=".", help="The paper project (default: here).")
@click.option("--full", is_flag=True, help="Show the whole paper, not only the changed blocks with a paragraph of context.")
@click.option("--docx", is_flag=True, help="Also write a Word file with tracked changes.")
@click.option("--stat", is_flag=True, help="Print the summary only; write nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="How to print the summary.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but problems.")
def diff_command(old: str, new: str | None, project: Path, full: bool, docx: bool, stat: bool, fmt: str, quiet: bool) -> None:
    """Redline from OLD to NEW (default: the working tree). Each is a git revision, a review round or a folder.

    Writes build/diff-OLD-NEW.html and .pdf (and .docx with --docx)."""
    with exit_codes():
        progress = Progress(stderr_console(quiet or fmt == "json"))
        with progress.running():
            result = diff(project, old, new, DiffOptions(full=full, docx=docx, stat_only=stat), reporter=progress)
        summary = result.summary()
        if fmt == "json":
            click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
            return
        click.echo(f"{summary['old']} → {summary['new']}")
        for line in summary["metadata"]:
            click.echo(f"  {line}")
        for chapter in summary["chapters"]:
            if chapter["status"] != "unchanged":
                extra = f" (from {chapter['renamed_from']})" if chapter["renamed_from"] else ""
                click.echo(f"  {chapter['file']:40} {chapter['status']}{extra}  +{chapter['words_added']} −{chapter['words_removed']} words")
        for kind, blocks in summary["blocks"].items():
            for change in ("added", "removed", "changed"):
                if blocks[change]:
                    click.echo(f"  {kind} {change}: {', '.join(blocks[change])}")
        if result.outputs and not quiet:
            click.echo("wrote " + ", ".join(str(p.relative_to(project)) for p in result.outputs))
