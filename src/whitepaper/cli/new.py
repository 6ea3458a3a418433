"""`whitepaper new`."""

from __future__ import annotations

from pathlib import Path

import click

from ..scaffold import new_project
from .output import exit_codes


@click.command("new")
@click.argument("directory", type=click.Path(path_type=Path))
def new_command(directory: Path) -> None:
    """Create a new paper project in DIRECTORY, ready to build."""
    with exit_codes():
        made = new_project(directory)
        click.echo(f"created {len(made)} files in {directory}; next: whitepaper build {directory}")
