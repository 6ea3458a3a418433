"""whitepaper: multi-author white papers from Markdown chapters to reviewable HTML and PDF drafts.

Importing the package is cheap: the pipeline (jinja2, pydantic, WeasyPrint, pypdf) is
imported when one of the names below is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import attributes
from .version import __version__

if TYPE_CHECKING:
    from .diagnostics import Diagnostic, DiagnosticError, Diagnostics, Location, Severity
    from .pipeline import BuildOptions, BuildResult, build
    from .project import Project

# The public names and the module each comes from.
_PUBLIC = {
    "BuildOptions": "pipeline",
    "BuildResult": "pipeline",
    "build": "pipeline",
    "Diagnostic": "diagnostics",
    "DiagnosticError": "diagnostics",
    "Diagnostics": "diagnostics",
    "Location": "diagnostics",
    "Severity": "diagnostics",
    "Project": "project",
}

__all__ = [
    "BuildOptions",
    "BuildResult",
    "Diagnostic",
    "DiagnosticError",
    "Diagnostics",
    "Location",
    "Project",
    "Severity",
    "__version__",
    "build",
]


__getattr__ = attributes(__name__, _PUBLIC)
