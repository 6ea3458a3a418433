"""The one fingerprint of a project's inputs, for "nothing changed, nothing to do".

Files are taken by path, size and modification time (project.fingerprint): milliseconds,
where reading them takes seconds. With them go what else decides a result: the tool's
and pandoc's versions, its own templates and styles (edited in a working copy of the tool
without a new version), SOURCE_DATE_EPOCH, and today's date (a draft's default date).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path

from .. import pandoc
from ..cache import digest
from ..project import Project
from ..version import __version__


def inputs_key(project: Project, *what: str, leave_out: frozenset[str] = frozenset()) -> str:
    """A key for a result made from the project's files but `leave_out` (project-relative paths) and `what`."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    today = dt.date.today().isoformat()
    return digest(__version__, pandoc.pandoc_version(), _templates(), epoch, today, *what, project.fingerprint(leave_out))


TEMPLATES = Path(__file__).resolve().parent.parent.joinpath("render", "templates")  # the package's, as render/environment.py loads them


@functools.cache  # once a process: a resident `watch` keeps the templates it loaded
def _templates() -> str:
    """The built-in templates and styles, by path, size and modification time."""
    return "\n".join(f"{p.relative_to(TEMPLATES)}\t{p.stat().st_size}\t{p.stat().st_mtime_ns}" for p in sorted(TEMPLATES.rglob("*")) if p.is_file())
