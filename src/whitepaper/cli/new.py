"""`whitepaper new`."""

from __future__ import annotations

from pathlib import Path

import click

from ..scaffold import new_project
from .output import exit_codes


@click.command("new")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--ci", type=click.Choice(["github", "gitlab"]), help="Also write the CI file for GitHub or GitLab (as `whitepaper ci` does).")
def new_command(directory: Path, ci: str | None) -> None:
    """Create a new paper project in DIRECTORY, ready to build."""
    with exit_codes():
        made = new_project(directory, ci)
        click.echo(f"created {len(made)} files in {directory}; next: whitepaper build {directory}")
