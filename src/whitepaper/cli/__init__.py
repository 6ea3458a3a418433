"""The `whitepaper` command: argument parsing and exit codes only; the work is the library's.

Exit codes: 0 ok, 1 the paper has errors, 2 usage or environment problems.
"""

from __future__ import annotations

import click

from .. import __version__
from .build import build_command
from .check import check_command
from .diff import diff_command
from .new import new_command
from .review import review_group
from .status import status_command
from .watch import serve_command, watch_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="whitepaper")
def main() -> None:
    """Turn a white paper written by many contributors into reviewable drafts."""


main.add_command(build_command)
main.add_command(check_command)
main.add_command(diff_command)
main.add_command(new_command)
main.add_command(review_group)
main.add_command(status_command)
main.add_command(watch_command)
main.add_command(serve_command)
