"""`whitepaper build`."""

from __future__ import annotations

from pathlib import Path

import click

from ..diagnostics import plural
from ..pipeline import BuildOptions, build
from ..project import Project
from .output import Progress, count_line, describe_outputs, exit_codes, print_diagnostics, stderr_console


@click.command("build")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--html", "only", flag_value="html", help="Build the HTML draft only.")
@click.option("--pdf", "only", flag_value="pdf", help="Build the PDF draft only.")
@click.option("--paper-size", type=click.Choice(["a4", "letter"]), help="Page size of the PDF (default from config: A4).")
@click.option("--review", is_flag=True, help="Build the review edition (build/<name>.review.pdf): source-line markers, watermark, stamp.")
@click.option("--keep-print-html", is_flag=True, help="Also write build/<name>.print.html, the HTML the PDF is laid out from.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), help="PDF layout processes (default: one per core for long papers; 1: a single pass).")
@click.option("--no-cache", is_flag=True, help="Ignore build/.cache and parse everything afresh.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but problems.")
@click.option("-v", "--verbose", is_flag=True, help="Print every problem (by default, the first few of each rule; `whitepaper check` lists all).")
def build_command(
    project: Path,
    only: str | None,
    paper_size: str | None,
    review: bool,
    keep_print_html: bool,
    jobs: int | None,
    no_cache: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Build the HTML and PDF drafts of the paper in PROJECT into its build/ folder."""
    if review and only == "html":
        raise click.UsageError("--review builds the review edition, a PDF; it cannot be built with --html")
    edition = None
    if review:
        from ..review.edition import ReviewEdition  # only then: a rebuild after an edit is quicker without it

        edition = ReviewEdition.of(Project.at(project))
    options = BuildOptions(
        formats=(only,) if only else None,  # type: ignore[arg-type]
        paper_size=paper_size,  # type: ignore[arg-type]
        keep_print_html=keep_print_html,
        edition=edition,
        use_cache=not no_cache,
        jobs=jobs,
    )
    with exit_codes(fold=not verbose):
        if quiet:  # no console at all: a rebuild after an edit is quicker than importing one
            result = build(project, options)
        else:
            progress = Progress(stderr_console())
            with progress.running():
                result = build(project, options, reporter=progress)
        print_diagnostics(result.diagnostics, fold=not verbose)
        if not quiet:
            done = "up to date (nothing changed):" if result.up_to_date else "built"
            redone = f" (only {plural(result.edited_chapters, 'edited chapter')} redone)" if result.edited_chapters else ""
            click.echo(
                f"{done} {describe_outputs(result.outputs, project)} in {result.seconds:.1f} s{redone}; {count_line(result.diagnostics)}",
                err=True,
            )
