"""`whitepaper import manubot`."""

from __future__ import annotations

from pathlib import Path

import click

from .output import exit_codes


@click.group("import")
def import_group() -> None:
    """Turn another tool's manuscript into a paper project (Manubot)."""


@import_group.command("manubot")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("target", type=click.Path(path_type=Path))
def manubot_command(source: Path, target: Path) -> None:
    """Convert the Manubot manuscript in SOURCE (a repository, or its content/ folder) into a new project TARGET.

    The numbered content files become chapters, metadata.yaml whitepaper.yaml, the references
    of a Manubot build (output/references.json, output/citations.tsv) and the manual ones the
    reference store and bibliography/manual.json, the images the chapters show figures/.
    SOURCE is only read. The report says what was converted, what was left out and why.
    """
    from ..importer import import_manubot

    with exit_codes():
        report = import_manubot(source, target)
    for line in report.lines():
        click.echo(line)
    click.echo(f"next: whitepaper build {target}")
