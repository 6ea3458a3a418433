"""`whitepaper check`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..diagnostics import plural
from ..pipeline import check
from .output import environment_errors
from .report import render


@click.command("check")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "gitlab"]), default="text", help="How to print the diagnostics (gitlab: a code-quality report).")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--no-cache", is_flag=True, help="Ignore build/.cache and parse everything afresh.")
def check_command(project: Path, fmt: str, strict: bool, no_cache: bool) -> None:
    """Check the whole paper and print every problem; writes no drafts.

    Exit status: 0 clean, 1 errors (or warnings with --strict), 2 usage or
    environment problems.
    """
    with environment_errors():
        result = check(project, use_cache=not no_cache)
    output = render(result.diagnostics, fmt, project)
    if output:
        click.echo(output)
    if fmt == "text":
        errors, warnings = len(result.diagnostics.errors), len(result.diagnostics.warnings)
        summary = f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {len(result.stats)} chapters ({result.seconds:.2f} s)"
        click.echo(summary, err=True)
    sys.exit(result.exit_code(strict))

