"""Stage 6, pdf: the print HTML laid out by WeasyPrint, behind one interface.

A paper is laid out in one pass (weasy.py), or, when it is long, in parts by the
parallel engine (parallel.py, partcss.py, assemble.py, parttree.py). Both read only
files inside the project and return the URLs they refused, for the caller to report.
Every PDF is tagged unless asked not to be, with the structure tree tags.py corrects.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..cache import Cache
from .weasy import UA, Attached, PdfOptions, PdfResult, write_pdf

if TYPE_CHECKING:
    from .parallel import Parts, PartsEngine

__all__ = ["UA", "Attached", "PdfOptions", "PdfResult", "lay_out", "parts_engine"]


def lay_out(
    root: Path, print_html: str, engine: PartsEngine | None = None, parts: Parts | None = None, options: PdfOptions = PdfOptions()
) -> PdfResult:
    """The PDF of a print page: in one pass, or by `engine` from the page's `parts` (for the kinds
    of PDF the engine makes: tagged, PDF/UA; an archival PDF/A is laid out in one pass)."""
    if engine is None or parts is None or not options.in_parts:
        return write_pdf(print_html, root, options)
    data = engine.run(parts, options)
    return PdfResult(data=data, refused=list(engine.refused), parts_laid_out=engine.laid_out)


@contextmanager
def parts_engine(root: Path, cache: Cache, jobs: int) -> Iterator[PartsEngine]:
    """The parallel engine, its workers started now and stopped at the end (pypdf and the
    workers cost nothing until a long paper's PDF is asked for)."""
    from .parallel import engine

    with engine(root, cache, jobs) as started:
        yield started
