"""The `whitepaper` command: argument parsing and exit codes only; the work is the library's.

Exit codes: 0 ok, 1 the paper has errors, 2 usage or environment problems.
"""

from __future__ import annotations

import importlib

import click

from .. import __version__

# Each command's module is imported when the command runs: a rebuild after an edit takes
# a fraction of a second, and importing every command's dependencies would double it.
COMMANDS = {
    "build": "build:build_command",
    "check": "check:check_command",
    "diff": "diff:diff_command",
    "new": "new:new_command",
    "review": "review:review_group",
    "status": "status:status_command",
    "watch": "watch:watch_command",
    "serve": "watch:serve_command",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name].split(":")
        command: click.Command = getattr(importlib.import_module(f".{module}", __name__), name)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="whitepaper")
def main() -> None:
    """Turn a white paper written by many contributors into reviewable drafts."""
