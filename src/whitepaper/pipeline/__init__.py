"""The pipeline: every stage in order, from a project folder to its outputs.

`analyse()` runs the stages up to the resolved paper and the checks (`check()` is that
alone); `build()` goes on through the publishing tail (publish.py) and writes. After an
edit inside chapters a build redoes only the edited chapters when it can (rebuild.py).
Editions (edition.py) are variants a build is given; review/ and release editions are
built on this package, never the reverse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import attributes
from .analyse import Analysis, analyse  # named as their modules are: imported now, or the name would be the module
from .check import CheckResult, check

if TYPE_CHECKING:
    from .edition import Edition
    from .options import BuildOptions, BuildResult, Produced
    from .stages import build, produce
    from .timing import Reporter, Timed

# The other names and their modules, imported when first used: `check` needs neither the
# templates (jinja2) nor the publishing tail.
_NAMES = {
    "Edition": "edition",
    "BuildOptions": "options", "BuildResult": "options", "Produced": "options", "build": "stages", "produce": "stages",
    "Reporter": "timing", "Timed": "timing",
}  # fmt: skip

__all__ = [
    "Analysis",
    "BuildOptions",
    "BuildResult",
    "CheckResult",
    "Edition",
    "Produced",
    "Reporter",
    "Timed",
    "analyse",
    "build",
    "check",
    "produce",
]


__getattr__ = attributes(__name__, _NAMES)
