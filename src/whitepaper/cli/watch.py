"""`whitepaper watch` and `whitepaper serve`."""

from __future__ import annotations

import threading
import webbrowser
from pathlib import Path

import click

from ..config import load_config
from ..diagnostics import Diagnostic, DiagnosticError, Diagnostics, plural
from ..live.server import start_server, stop_server
from ..live.watch import BuildState, watch
from ..pipeline import BuildOptions
from ..project import Project
from .output import environment_errors, print_diagnostics

PROJECT = click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")


def _printer(project: Path) -> object:
    """Prints each build's outcome; says so when problems of the last build are fixed."""
    last_failed = {"value": False}

    def report(state: BuildState, changed: set[str]) -> None:
        trigger = f" after {', '.join(sorted(changed)[:3])}{' …' if len(changed) > 3 else ''}" if changed else ""
        print_diagnostics(Diagnostics([Diagnostic.from_dict(item) for item in state.diagnostics]), fold=True)  # as `build` prints them
        if state.ok:
            fixed = "fixed; " if last_failed["value"] else ""
            warnings = sum(1 for d in state.diagnostics if d["severity"] == "warning")
            note = plural(warnings, "warning") if warnings else "no warnings"
            click.echo(f"{fixed}built {', '.join(state.outputs)} in {state.seconds:.1f} s{trigger}; {note}", err=True)
        else:
            errors = sum(1 for d in state.diagnostics if d["severity"] == "error")
            click.echo(f"build failed{trigger}: {plural(errors, 'error')}; the previous drafts are kept; watching", err=True)
        last_failed["value"] = not state.ok

    return report


@click.command("watch")
@PROJECT
@click.option("--pdf", is_flag=True, help="Rebuild the PDF too (the HTML alone by default).")
def watch_command(project: Path, pdf: bool) -> None:
    """Rebuild the drafts of PROJECT on every saved change, until Ctrl-C."""
    options = BuildOptions(formats=("html", "pdf") if pdf else ("html",))
    stop = threading.Event()
    with environment_errors():
        click.echo(f"watching {project} (Ctrl-C to stop)", err=True)
        try:
            watch(Project.at(project), options, BuildState(), _printer(project), stop)  # type: ignore[arg-type]
        except KeyboardInterrupt:
            pass
        click.echo("stopped", err=True)


@click.command("serve")
@PROJECT
@click.option("--port", type=int, default=8000, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on; loopback unless you say otherwise.")
@click.option("--pdf", is_flag=True, help="Rebuild the PDF too; it is served at /<name>.pdf.")
@click.option("--open", "open_browser", is_flag=True, help="Open the draft in the default browser.")
def serve_command(project: Path, port: int, host: str, pdf: bool, open_browser: bool) -> None:
    """Watch PROJECT and serve its HTML draft on http://HOST:PORT, reloading the page after each build."""
    options = BuildOptions(formats=("html", "pdf") if pdf else ("html",))
    paper = Project.at(project)
    try:
        name = load_config(paper, Diagnostics()).config.outputs.name
    except DiagnosticError:
        name = "paper"  # the first build reports what is wrong
    state = BuildState()
    stop = threading.Event()
    with environment_errors():
        try:
            server = start_server(paper.build_dir, state, f"{name}.html", host, port)
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        url = f"http://{host}:{server.server_address[1]}/{name}.html"
        click.echo(f"serving {url} (Ctrl-C to stop)", err=True)
        if open_browser:
            webbrowser.open(url)
        try:
            watch(paper, options, state, _printer(project), stop)  # type: ignore[arg-type]
        except KeyboardInterrupt:
            pass
        finally:
            stop_server(server, state)
        click.echo("stopped", err=True)
