"""`whitepaper import`: another tool's manuscript as a paper project (Manubot's, so far).

Built beside `new`, which it resembles: it writes a new project and never touches the
source. The stages never import it.
"""

from __future__ import annotations

from .manubot import import_manubot
from .report import ImportReport

__all__ = ["ImportReport", "import_manubot"]
