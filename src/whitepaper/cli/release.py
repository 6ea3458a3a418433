"""`whitepaper release`."""

from __future__ import annotations

from pathlib import Path

import click

from ..release import release
from .output import Progress, exit_codes, stderr_console


@click.command("release")
@click.argument("version")
@click.option("-C", "--project", type=click.Path(file_okay=False, path_type=Path), default=".", help="The paper project (default: here).")
@click.option("--allow-open", is_flag=True, help="Release with reviewers' comments still open; the release notes list them.")
@click.option("--bump", is_flag=True, help="Also set `version:` in whitepaper.yaml to VERSION.")
@click.option("--no-tag", is_flag=True, help="Do not tag the release in git (by default: an annotated tag vVERSION).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but problems.")
def release_command(version: str, project: Path, allow_open: bool, bump: bool, no_tag: bool, quiet: bool) -> None:
    """Publish VERSION of the paper into releases/VERSION/, if every chapter is approved and every check passes.

    Every unmet condition is reported at once, and nothing is written then. The release holds
    the paper as HTML, archival PDF (PDF/A, with its sources attached) and Word, CHANGES.md and
    the redline against the previous release, CITATION.cff, .zenodo.json and SHA256SUMS.
    """
    with exit_codes():
        progress = Progress(stderr_console(quiet))
        with progress.running():
            result = release(project, version, allow_open=allow_open, bump=bump, tag=not no_tag, reporter=progress)
        click.echo(f"released {result.version} into {result.folder}: {', '.join(result.files)}")
        if result.tag:
            click.echo(f"tagged {result.tag}; commit the release folder with the project")
        if result.bumped:
            click.echo(f"whitepaper.yaml now says version {result.version}")
