"""`whitepaper approve`."""

from __future__ import annotations

from pathlib import Path

import click

from ..review.approvals import approve
from .output import exit_codes


@click.command("approve")
@click.argument("chapters", nargs=-1, required=True)
@click.option("--by", "by", required=True, help="Who approves: one of the chapter's owners, or one of `editors:`.")
@click.option("--note", help="A note kept with the approval.")
@click.option("--revoke", is_flag=True, help="Withdraw NAME's approval of the chapters instead.")
@click.option("-C", "--project", type=click.Path(file_okay=False, path_type=Path), default=".", help="The paper project (default: here).")
def approve_command(chapters: tuple[str, ...], by: str, note: str | None, revoke: bool, project: Path) -> None:
    """Approve CHAPTERS as their text stands (by file, file name or id); an edit makes the approval stale.

    Approvals are recorded in review/approvals.yaml, one per line; `whitepaper status` shows them.
    """
    with exit_codes():
        recorded = approve(project, list(chapters), by, note=note, revoke=revoke)
        verb = "revoked the approval of" if revoke else "approved"
        for approval in recorded:
            click.echo(f"{by} {verb} {approval.chapter} (text {approval.sha256[:12]}{', commit ' + approval.commit if approval.commit else ''})")
