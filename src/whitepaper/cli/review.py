"""`whitepaper review ...`: review rounds."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from .. import rules
from ..diagnostics import DiagnosticError, Diagnostics, Location, UsageProblem, plural
from ..project import Project
from ..review.apply import apply
from ..review.collect import collect
from ..review.critic import Everything, decide, proposed
from ..review.export import export_w3c
from ..review.invite import DEFAULT_BASE, invite
from ..review.register import load_register
from ..review.report import locate, report
from ..review.rounds import list_rounds, start_round
from ..webreview.serve import DEFAULT_HOST, DEFAULT_PORT, prepare
from .output import Progress, exit_codes, print_diagnostics, stderr_console

PROJECT = click.option(
    "-C", "--project", type=click.Path(file_okay=False, path_type=Path), default=".", help="The paper project (default: here)."
)


@click.group("review")
def review_group() -> None:
    """Review rounds: review editions and per-reviewer packets, comments, reports."""


@review_group.command("start")
@click.argument("name")
@PROJECT
@click.option("--allow-dirty", is_flag=True, help="Start even with uncommitted changes (the stamp then says +dirty).")
@click.option("--docx", is_flag=True, help="Also write a Word copy of each reviewer's chapters.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but problems.")
def start_command(name: str, project: Path, allow_dirty: bool, docx: bool, quiet: bool) -> None:
    """Freeze the paper as round NAME, such as r1, and build its review edition and packets into review/NAME/."""
    with exit_codes():
        progress = Progress(stderr_console(quiet))
        with progress.running():
            record = start_round(project, name, allow_dirty=allow_dirty, docx=docx, reporter=progress)
        frozen = f"commit {record.commit[:7]}{'+dirty' if record.dirty else ''}" if record.commit else "a copy of the sources"
        click.echo(f"round {name}: {len(record.files)} files in {record.folder}, frozen at {frozen}")
        for reviewer in record.reviewers:
            click.echo(f"  {reviewer['packet']}  {reviewer['name']}: {len(reviewer['chapters'])} chapters")


@review_group.command("collect")
@click.argument("name")
@click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
@PROJECT
@click.option("--web", is_flag=True, help="Also read the reviews submitted in the browser (`review serve`).")
def collect_command(name: str, files: tuple[Path, ...], project: Path, web: bool) -> None:
    """Read reviewers' returned files into review/NAME/comments.yaml: annotated PDFs, Word packets
    (.docx: comments, replies, tracked changes), CSV comment sheets, or folders of them; with
    --web, the reviews submitted in the browser.

    Each comment is placed at the Markdown file and line it was made on; a suggested edit
    (a tracked change, a sheet's old/new columns, a struck-out or inserted text in a PDF, a
    replacement suggested in the browser) is kept with the exact old text, for `review apply`.
    Collecting a file again adds nothing.
    """
    with exit_codes():
        if not files and not web:
            raise UsageProblem("name the returned files or folders to read, or give --web")
        result = collect(project, name, list(files), web=web)
        print_diagnostics(result.diagnostics)
        click.echo(f"{result.added} new comments from {result.files} files; {result.total} in {result.register}")


@review_group.command("invite")
@click.argument("name")
@PROJECT
@click.option("--base-url", default=DEFAULT_BASE, show_default=True, help="Where reviewers reach `review serve` (the HTTPS address of a reverse proxy, say).")
@click.option("--renew", is_flag=True, help="Give every reviewer a new link; their old links stop working.")
def invite_command(name: str, project: Path, base_url: str, renew: bool) -> None:
    """Write one personal link and invitation per reviewer of round NAME into review/NAME/invitations/.

    Each link carries a random token, which the round keeps only hashed: send each
    invitation to its reviewer, then delete it. Reviewers who have a link keep it (--renew
    gives everyone a new one).
    """
    with exit_codes():
        paper = Project.at(project)
        result = invite(paper, name, base_url, renew=renew)
        for sent in result.invited:
            click.echo(f"  {paper.rel(sent.path)}  {sent.reviewer}")
        for kept in result.kept:
            click.echo(f"  {kept}: has a link already (--renew for a new one)")
        click.echo(f"{plural(len(result.invited), 'invitation')} written; send each to its reviewer, then delete it", err=True)


@review_group.command("serve")
@click.argument("name")
@PROJECT
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="The address to listen on; anything but loopback belongs behind an HTTPS proxy.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535), help="The port to listen on.")
def serve_command(name: str, project: Path, host: str, port: int) -> None:
    """Serve round NAME's HTML edition to its reviewers, who comment in the browser.

    Reviewers open the personal links of `review invite`; their comments are kept in
    review/NAME/web.sqlite until `review collect NAME --web` reads the submitted ones.
    Ctrl-C stops the server.
    """
    with exit_codes():
        progress = Progress(stderr_console())
        with progress.running():
            prepared = prepare(project, name, host, port, reporter=progress)
        for warning in prepared.warnings:
            click.echo(f"warning: {warning}", err=True)
        click.echo(f"serving review round {name} at {prepared.url} ({plural(prepared.invited, 'reviewer')} invited); Ctrl-C stops", err=True)
        try:
            prepared.run()
        except KeyboardInterrupt:
            pass


@review_group.command("export")
@click.argument("name")
@PROJECT
@click.option("--format", "format_", type=click.Choice(["w3c"]), default="w3c", show_default=True, help="W3C Web Annotation JSON-LD.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Where to write it (default: review/NAME/comments.jsonld).")
def export_command(name: str, project: Path, format_: str, output: Path | None) -> None:
    """Write round NAME's comments register as W3C Web Annotation JSON-LD."""
    with exit_codes():
        path, count = export_w3c(project, name, output)
        click.echo(f"{plural(count, 'annotation')} in {path}")


@review_group.command("report")
@click.argument("name")
@PROJECT
def report_command(name: str, project: Path) -> None:
    """Write the comments report and the response to reviewers (HTML, PDF, Word) into review/NAME/."""
    with exit_codes():
        result = report(project, name)
        total = sum(result.counts["status"].values())
        statuses = ", ".join(f"{count} {status}" for status, count in result.counts["status"].most_common())
        click.echo(f"{total} comments ({statuses or 'none'}): " + ", ".join(str(p) for p in result.paths))


@review_group.command("apply")
@click.argument("name", required=False)
@click.argument("ids", nargs=-1)
@PROJECT
@click.option("--dry-run", is_flag=True, help="Print what would change, as a unified diff; write nothing.")
@click.option("--as-suggestions", is_flag=True, help="Write the suggestions into the chapters as CriticMarkup, for their owners to decide.")
@click.option("--source", "chapter", metavar="CHAPTER", help="Decide the CriticMarkup suggestions written in CHAPTER instead.")
@click.option("--accept", multiple=True, metavar="ID", help="With --source: accept the suggestion at LINE:COL (as `check` names it).")
@click.option("--reject", multiple=True, metavar="ID", help="With --source: reject the suggestion at LINE:COL.")
@click.option(
    "--all", "everything", type=click.Choice(["accept", "reject"]), is_flag=False, flag_value="accept",
    help="With --source: decide every other suggestion too (--all: accept them, --all=reject).",
)  # fmt: skip
def apply_command(
    name: str | None,
    ids: tuple[str, ...],
    project: Path,
    dry_run: bool,
    as_suggestions: bool,
    chapter: str | None,
    accept: tuple[str, ...],
    reject: tuple[str, ...],
    everything: Everything | None,
) -> None:
    """Apply the suggested wording of round NAME's accepted comments (or of the comments IDS) to the chapters.

    A suggestion is applied only where its old text still stands; otherwise it is reported
    as a conflict and its file is left as it is. Applying again changes nothing.
    With --as-suggestions the chapters get CriticMarkup instead (`{~~old~>new~~}` and the
    reviewer's comment), which their owners accept or reject with --source.

    With --source CHAPTER, no round is named: the CriticMarkup suggestions written in
    CHAPTER are accepted or rejected by their LINE:COL ids.
    """
    with exit_codes():
        if chapter is not None:
            if name or ids or as_suggestions:
                raise UsageProblem("--source decides a chapter's CriticMarkup: name no round, comment ids or --as-suggestions with it")
            _decide(project, chapter, accept, reject, everything, dry_run)
            return
        if name is None:
            raise UsageProblem("name the review round whose suggestions to apply (or give --source CHAPTER)")
        if accept or reject or everything:
            raise UsageProblem("--accept, --reject and --all decide CriticMarkup: give --source CHAPTER with them")
        result = apply(project, name, list(ids) or None, dry_run=dry_run, rewrite=proposed if as_suggestions else None)
        if dry_run:
            for diff in result.diffs.values():
                click.echo(diff, nl=False)
        print_diagnostics(result.diagnostics)
        done = ("would write" if dry_run else "wrote") if as_suggestions else ("would apply" if dry_run else "applied")
        how = " as CriticMarkup" if as_suggestions else ""
        files = ", ".join(result.diffs) or "no file"
        click.echo(f"{done} {plural(len(result.applied), 'suggestion')}{how} to {files}", err=True)
        if result.diagnostics.has_errors():
            raise SystemExit(1)


def _decide(
    project: Path, chapter: str, accept: tuple[str, ...], reject: tuple[str, ...], everything: Everything | None, dry_run: bool
) -> None:
    if not (accept or reject or everything):
        raise UsageProblem("say what to decide: --accept ID, --reject ID or --all")
    result = decide(project, chapter, accept, reject, everything, dry_run=dry_run)
    if result.unknown:
        diagnostics = Diagnostics()
        for id_ in result.unknown:
            line, _, col = id_.partition(":")
            where = Location(result.file, int(line) if line.isdigit() else 0, int(col) if col.isdigit() else 0)
            diagnostics.add(rules.SUGGESTION_UNKNOWN, where, f"no suggestion starts at {id_}; nothing was written (the file's are {', '.join(result.pending) or 'none'})")
        raise DiagnosticError(diagnostics)
    if dry_run:
        click.echo(result.diff, nl=False)
    accepted = sum(1 for d in result.decided if d.accepted)
    verb = "would decide" if dry_run else "decided"
    click.echo(
        f"{verb} {plural(len(result.decided), 'suggestion')} in {result.file} ({accepted} accepted, "
        f"{len(result.decided) - accepted} rejected); {len(result.pending)} left",
        err=True,
    )


@review_group.command("locate")
@click.argument("name")
@PROJECT
def locate_command(name: str, project: Path) -> None:
    """Show where each comment of round NAME is now, following moved lines; say when the text is gone."""
    with exit_codes():
        paper = Project.at(project)
        for item in locate(paper, load_register(paper, name)):
            c = item.comment
            was = f"{c.file}:{c.line}" if c.file else "no location"
            now = item.where if (item.moved or item.line is None) else "unchanged"
            click.echo(f"{c.id}  {c.reviewer:24.24}  {was:40.40}  {now}")


@review_group.command("list")
@PROJECT
def list_command(project: Path) -> None:
    """Show the review rounds and their state."""
    rounds = list_rounds(project)
    if not rounds:
        click.echo("no review rounds yet; start one with `whitepaper review start r1`")
        return
    table = Table(title_justify="left")
    for column in ("Round", "Created", "Frozen at", "Reviewers", "Comments"):
        table.add_column(column)
    for data in rounds:
        commit = data.get("commit")
        frozen = "broken round.yaml" if data.get("broken") else (commit[:7] + ("+dirty" if data.get("dirty") else "") if commit else "source copy")
        table.add_row(
            str(data.get("round")), str(data.get("created", "")), frozen,
            str(len(data.get("reviewers") or [])), "collected" if data["comments"] else "none yet",
        )  # fmt: skip
    Console(width=120).print(table)
