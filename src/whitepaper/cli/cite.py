"""`whitepaper cite resolve` and `whitepaper cite add`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..diagnostics import plural
from .output import EXIT_ERRORS, exit_codes, print_diagnostics


@click.group("cite")
def cite_group() -> None:
    """Look cited DOIs, PubMed ids, arXiv ids, ISBNs and URLs up, into the reference store.

    The store (bibliography/resolved.json) is committed with the paper: builds and checks
    read it and never touch the network.
    """


@cite_group.command("resolve")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option(
    "--refresh", "refresh", multiple=True, metavar="ID", help="Look ID up again, though the store has it (repeatable)."
)
@click.option("--prune", is_flag=True, help="Also remove the store's entries that nothing cites any more.")
def resolve_command(project: Path, refresh: tuple[str, ...], prune: bool) -> None:
    """Look up every identifier the paper cites that the reference store lacks, and write the store.

    Entries written by hand (bibliography/manual.json, or any bibliography file) win: they are
    never looked up, and the store's entries for them are removed. Exit status 1 when a lookup
    failed; the store then holds every entry that was found.
    """
    from ..cite import resolve_references

    with exit_codes():
        result = resolve_references(project, refresh=refresh, prune=prune)
    print_diagnostics(result.diagnostics)
    parts = [f"{len(result.fetched)} looked up", f"{len(result.present)} in the store already"]
    if result.manual:
        parts.append(f"{len(result.manual)} written by hand")
    if result.removed:
        parts.append(f"{len(result.removed)} removed")
    if result.failed:
        parts.append(f"{len(result.failed)} failed")
    state = "written" if result.written else "unchanged" if result.entries else "not needed"
    click.echo(f"{result.store} {state}: {', '.join(parts)}")
    _failures(result.failed)
    if result.diagnostics.has_errors():
        sys.exit(EXIT_ERRORS)


@cite_group.command("add")
@click.argument("ids", nargs=-1, required=True)
@click.option(
    "-C",
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    help="The paper project (default: here).",
)
def add_command(ids: tuple[str, ...], project: Path) -> None:
    """Look IDS up into the reference store and print the citation to paste for each.

    IDS are written as in the text: doi:10.1038/sdata.2016.18, pmid:26978244, pmcid:PMC4792175,
    arxiv:1602.05629, isbn:978-0-262-03384-8, url:https://….
    """
    from ..cite import add_references

    with exit_codes():
        named, result = add_references(project, ids)
    for identifier in named:
        if identifier.key in result.failed:
            continue
        click.echo(f"[@{identifier.key}]  {_describe(result.entries.get(identifier.key))}")
    if result.written:
        click.echo(f"{result.store} written", err=True)
    _failures(result.failed)


def _describe(entry: dict[str, Any] | None) -> str:
    """Who, when, what: enough to see the right work was found."""
    if entry is None:
        return "(written by hand)"
    names = [a.get("family") or a.get("literal", "") for a in entry.get("author", [])]
    who = f"{names[0]} et al." if len(names) > 2 else " and ".join(names)
    year = (entry.get("issued", {}).get("date-parts") or [[None]])[0][0]
    return " ".join(p for p in (who, f"({year})" if year else "", entry.get("title", "")) if p)


def _failures(failed: dict[str, str]) -> None:
    if not failed:
        return
    click.echo(f"{plural(len(failed), 'identifier')} not looked up:", err=True)
    for key, why in failed.items():
        click.echo(f"  {key}: {why}", err=True)
    sys.exit(EXIT_ERRORS)
