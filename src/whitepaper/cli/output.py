"""How the CLI shows diagnostics and progress (the library only returns them)."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..diagnostics import DiagnosticError, Diagnostics, EnvironmentProblem, UsageProblem, plural

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK, EXIT_ERRORS, EXIT_ENVIRONMENT = 0, 1, 2


def stderr_console(quiet: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=True, quiet=quiet, highlight=False, soft_wrap=True)


SHOWN_PER_RULE = 3  # what a folded list shows of each rule; `whitepaper check` lists all


def print_diagnostics(diagnostics: Diagnostics, fold: bool = False) -> None:
    """One line per diagnostic, `path:line:col: severity: message [rule]`, on stderr, in reading order.

    Folded (a build's output, which a draft in progress fills with warnings): the first few of
    each rule, the last of them followed by how many more there are.
    """
    ordered = sorted(diagnostics, key=lambda d: (d.location.path, d.location.line, d.location.col))
    if not fold:
        for diagnostic in ordered:
            click.echo(str(diagnostic), err=True)
        return
    total = Counter(d.rule for d in ordered)
    seen: Counter[str] = Counter()
    for diagnostic in ordered:
        seen[diagnostic.rule] += 1
        if seen[diagnostic.rule] <= SHOWN_PER_RULE:
            click.echo(str(diagnostic), err=True)
        if seen[diagnostic.rule] == SHOWN_PER_RULE and total[diagnostic.rule] > SHOWN_PER_RULE:
            more = total[diagnostic.rule] - SHOWN_PER_RULE
            click.echo(f"  and {more} more [{diagnostic.rule}] (whitepaper check lists all)", err=True)


class Progress:
    """Shows the stage being run: a spinner on a terminal, one line per stage otherwise."""

    def __init__(self, console: Console):
        self.console = console
        self.started = time.perf_counter()
        self._status = None

    def stage(self, name: str, detail: str = "") -> None:
        text = f"{name}{': ' + detail if detail else ''}"
        if self.console.is_terminal and self._status is not None:
            self._status.update(f"[bold]{text}")
        else:
            self.console.print(f"  {text}", style="dim")

    @contextmanager
    def running(self) -> Iterator[Progress]:
        if self.console.is_terminal and not self.console.quiet:
            with self.console.status("starting") as status:
                self._status = status
                yield self
            self._status = None
        else:
            yield self


def human_size(size: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000  # type: ignore[assignment]
    return str(size)


def describe_outputs(paths: list[Path], root: Path) -> str:
    parts = []
    for path in paths:
        try:
            shown = path.relative_to(root)
        except ValueError:
            shown = path
        parts.append(f"{shown} ({human_size(path.stat().st_size)})")
    return ", ".join(parts)


@contextmanager
def environment_errors() -> Iterator[None]:
    """A missing tool or unusable folder: a message and exit 2, no traceback."""
    try:
        yield
    except EnvironmentProblem as exc:
        click.echo(f"whitepaper: error: {exc}", err=True)
        sys.exit(EXIT_ENVIRONMENT)


@contextmanager
def exit_codes(fold: bool = False) -> Iterator[None]:
    """Turn the library's errors into messages and exit codes (the diagnostics `fold`ed if asked); anything else is a bug."""
    try:
        yield
    except DiagnosticError as exc:
        print_diagnostics(exc.diagnostics, fold)
        click.echo(f"{plural(len(exc.diagnostics.errors), 'error')}; nothing was written", err=True)
        sys.exit(EXIT_ERRORS)
    except EnvironmentProblem as exc:
        click.echo(f"whitepaper: error: {exc}", err=True)
        sys.exit(EXIT_ENVIRONMENT)
    except UsageProblem as exc:
        raise click.UsageError(str(exc)) from None


def count_line(diagnostics: Diagnostics) -> str:
    warnings = len(diagnostics.warnings)
    return plural(warnings, "warning") if warnings else "no warnings"
