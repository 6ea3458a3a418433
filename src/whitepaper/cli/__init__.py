"""The `whitepaper` command: argument parsing and exit codes only; the work is the library's.

Exit codes: 0 ok, 1 the paper has errors, 2 usage or environment problems.
"""

from __future__ import annotations

import importlib

import click

from ..version import __version__

# Each command: its module and function, and its one-line help. A command's module is imported
# only when it runs: a rebuild after an edit takes a fraction of a second, and importing every
# command's dependencies (or even `whitepaper --help`) would cost more. tests/test_cli.py checks
# that each line here is the first line of the command's own help.
COMMANDS = {
    "approve": ("approve:approve_command", "Approve CHAPTERS as their text stands (by file, file name or id); an edit makes the approval stale."),
    "build": ("build:build_command", "Build the HTML and PDF drafts of the paper in PROJECT into its build/ folder."),
    "cite": ("cite:cite_group", "Look cited DOIs, PubMed ids, arXiv ids, ISBNs and URLs up, into the reference store."),
    "check": ("check:check_command", "Check the whole paper and print every problem; writes no drafts."),
    "ci": ("ci:ci_group", "Write the CI files that check, build, redline and publish the paper on GitHub or GitLab."),
    "diff": ("diff:diff_command", "Redline from OLD to NEW (default: the working tree)."),
    "glossary": ("glossary:glossary_group", "Abbreviations and terms: draft glossary.yaml from the chapters."),
    "import": ("importer:import_group", "Turn another tool's manuscript into a paper project (Manubot)."),
    "new": ("new:new_command", "Create a new paper project in DIRECTORY, ready to build."),
    "release": ("release:release_command", "Publish VERSION of the paper into releases/VERSION/, if every chapter is approved and every check passes."),
    "review": ("review:review_group", "Review rounds: review editions and per-reviewer packets, comments, reports."),
    "rules": ("rules:rules_command", "List every rule a check can report, with its default severity."),
    "serve": ("watch:serve_command", "Watch PROJECT and serve its HTML draft on http://HOST:PORT, reloading the page after each build."),
    "status": ("status:status_command", "Show each chapter's title, status, owners, words, citations, figures and open problems."),
    "watch": ("watch:watch_command", "Rebuild the drafts of PROJECT on every saved change, until Ctrl-C."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name][0].split(":")
        command: click.Command = getattr(importlib.import_module(f".{module}", __name__), name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list of commands from the table above, without importing them."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="whitepaper")
def main() -> None:
    """Turn a white paper written by many contributors into reviewable drafts."""
