"""`whitepaper rules`."""

from __future__ import annotations

import json

import click

from .. import rules


@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="A table for people, JSON for scripts.")
def rules_command(fmt: str) -> None:
    """List every rule a check can report, with its default severity.

    Change a rule's severity, or ignore it, under `rules:` in whitepaper.yaml.
    """
    catalogue = list(rules.CATALOGUE.values())
    if fmt == "json":
        entries = [{"id": r.id, "severity": r.severity.value, "stage": r.stage, "summary": r.summary} for r in catalogue]
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
        return
    width = max(len(r.id) for r in catalogue)
    for stage in rules.STAGES:
        of_stage = [r for r in catalogue if r.stage == stage]
        if of_stage:
            click.echo(f"{stage}:")
            for rule in of_stage:
                click.echo(f"  {rule.id:<{width}}  {rule.severity.value:<7}  {rule.summary}")
