"""`whitepaper ci ...`: CI files for GitHub and GitLab, and the Pages site they publish."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..hosting import DEFAULT_PYTHON, CiFile, CiOptions, State, ci_files, publish_site, write_ci_files
from .output import EXIT_ENVIRONMENT, exit_codes

PROJECT = click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
FORCE = click.option("--force", is_flag=True, help="Replace the file even if it was edited since whitepaper wrote it.")
INSTALL = click.option(
    "--install",
    metavar="SPEC",
    help="What pip installs in CI (default: this version of whitepaper from PyPI); `.` for a checkout of whitepaper itself.",
)
PYTHON = click.option(
    "--python", "python", default=DEFAULT_PYTHON, show_default=True, help="The Python version CI runs."
)


@click.group("ci")
def ci_group() -> None:
    """Write the CI files that check, build, redline and publish the paper on GitHub or GitLab."""


@ci_group.command("github")
@PROJECT
@click.option(
    "--branch", help="The default branch, whose pushes publish the drafts (default: the remote's, else main)."
)
@INSTALL
@PYTHON
@FORCE
def github_command(project: Path, branch: str | None, install: str | None, python: str, force: bool) -> None:
    """Write GitHub workflows: checks, drafts and redlines of pull requests, Pages, release files.

    .github/workflows/whitepaper.yml checks and builds every pull request and push, and publishes
    the drafts; whitepaper-release.yml attaches releases/VERSION/ to the release of tag vVERSION.
    Run again after upgrading whitepaper to update them; a file you edited is replaced only with
    --force, after its diff is shown.
    """
    with exit_codes():
        planned = ci_files(project, "github", CiOptions(install=install, branch=branch, python=python))
        _write(planned, force)


@ci_group.command("gitlab")
@PROJECT
@INSTALL
@PYTHON
@FORCE
def gitlab_command(project: Path, install: str | None, python: str, force: bool) -> None:
    """Write .gitlab-ci.yml: the check as a code-quality report, drafts, redlines of merge requests, Pages.

    Run again after upgrading whitepaper to update the file; a file you edited is replaced
    only with --force, after its diff is shown.
    """
    with exit_codes():
        planned = ci_files(project, "gitlab", CiOptions(install=install, python=python))
        _write(planned, force)


@ci_group.command("pages")
@PROJECT
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The folder of the site (created if needed).",
)
@click.option("--commit-url", metavar="URL", help="Where the commit is shown, to link it from the page.")
def pages_command(project: Path, out: Path, commit_url: str | None) -> None:
    """Put the last build's drafts into a Pages site: the HTML as index.html, naming its commit, and the PDF.

    The CI files run it after `whitepaper build`.
    """
    with exit_codes():
        written = publish_site(project, out, commit_url)
    click.echo("wrote " + ", ".join(str(path) for path in written))


def _write(planned: list[CiFile], force: bool) -> None:
    edited = [item for item in planned if item.state is State.EDITED]
    for item in edited:
        click.echo(item.diff(), nl=False)
    if edited and not force:
        names = " and ".join(item.shown for item in edited)
        click.echo(
            f"whitepaper: error: {names} {'was' if len(edited) == 1 else 'were'} edited since whitepaper wrote "
            f"{'it' if len(edited) == 1 else 'them'}; the diff above is what writing would change. Nothing was "
            "written: run again with --force to replace your version.",
            err=True,
        )
        sys.exit(EXIT_ENVIRONMENT)
    written = write_ci_files(planned, force)
    for item in planned:
        verb = ("wrote" if item.state is State.NEW else "updated") if item in written else "up to date:"
        click.echo(f"{verb} {item.shown}")
