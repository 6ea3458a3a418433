"""whitepaper: multi-author white papers from Markdown chapters to reviewable HTML and PDF drafts."""

__version__ = "0.1.0"

from .build import BuildOptions, BuildResult, build  # noqa: E402
from .diagnostics import Diagnostic, DiagnosticError, Diagnostics, Location, Severity  # noqa: E402

__all__ = [
    "BuildOptions",
    "BuildResult",
    "Diagnostic",
    "DiagnosticError",
    "Diagnostics",
    "Location",
    "Severity",
    "__version__",
    "build",
]
