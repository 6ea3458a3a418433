"""`whitepaper glossary ...`: the glossary's helpers."""

from __future__ import annotations

from pathlib import Path

import click

from ..diagnostics import plural
from ..pipeline.suggest import suggest
from .output import exit_codes


@click.group("glossary")
def glossary_group() -> None:
    """Abbreviations and terms: draft glossary.yaml from the chapters."""


@glossary_group.command("suggest")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
def suggest_command(project: Path) -> None:
    """Print the abbreviations the chapters use that glossary.yaml lacks, as YAML to paste into it.

    Each comes with its number of uses and chapters and the text where the authors spelled it
    out ("General Data Protection Regulation (GDPR)"), which gives its long form; else the long
    form is left empty for you to fill in, and the text around its first use is shown. Delete
    what is not an abbreviation, or list it under `glossary: ignore:` in whitepaper.yaml.
    """
    with exit_codes():
        suggestions = suggest(project)
    if not suggestions:
        click.echo(
            "# No candidate abbreviations: every all-capitals word is defined in the glossary or needs no definition."
        )
        return
    spelled = sum(1 for s in suggestions if s.long)
    click.echo(
        f"# {plural(len(suggestions), 'candidate abbreviation')}, {spelled} spelled out in the text. Fill in the empty ones,"
    )
    click.echo("# delete what is not an abbreviation, and paste the rest under `abbreviations:` in glossary.yaml.")
    click.echo("abbreviations:")
    for suggestion in suggestions:
        click.echo(suggestion.yaml_line())
