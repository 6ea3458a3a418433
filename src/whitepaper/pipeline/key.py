"""The one fingerprint of a project's inputs, for "nothing changed, nothing to do".

Files are taken by path, size and modification time (project.fingerprint): milliseconds,
where reading them takes seconds. With them go what else decides a result: the tool's
and pandoc's versions, SOURCE_DATE_EPOCH, and today's date (a draft's default date).
"""

from __future__ import annotations

import datetime as dt
import os

from .. import pandoc
from ..cache import digest
from ..project import Project
from ..version import __version__


def inputs_key(project: Project, *what: str, leave_out: frozenset[str] = frozenset()) -> str:
    """A key for a result made from the project's files but `leave_out` (project-relative paths) and `what`."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    today = dt.date.today().isoformat()
    return digest(__version__, pandoc.pandoc_version(), epoch, today, *what, project.fingerprint(leave_out))
