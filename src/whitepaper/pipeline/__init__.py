"""The pipeline: every stage in order, from a project folder to its outputs.

`analyse()` runs the stages up to the resolved paper and the checks (`check()` is that
alone); `build()` goes on through the publishing tail (publish.py) and writes. After an
edit inside chapters a build redoes only the edited chapters when it can (rebuild.py).
Editions (edition.py) are variants a build is given; review/ and release editions are
built on this package, never the reverse.
"""

from .analyse import Analysis, analyse
from .check import CheckResult, check
from .edition import Edition
from .options import BuildOptions, BuildResult, Produced
from .stages import build, produce
from .timing import Reporter, Timed

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
