"""What a build is asked to do, and what it gives back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..config.schema import Config
from ..diagnostics import Diagnostics, UsageProblem
from ..pdf.weasy import UA, PdfOptions
from .analyse import Analysis
from .edition import Edition
from .publish import Rendered


@dataclass(frozen=True)
class BuildOptions:
    formats: tuple[Literal["html", "pdf"], ...] | None = None  # None: as whitepaper.yaml says (or the edition)
    paper_size: Literal["a4", "letter"] | None = None  # None: as whitepaper.yaml (or the edition) says
    keep_print_html: bool = False  # also write build/<name>.print.html, the PDF's source
    use_cache: bool = True  # False: parse everything afresh (build/.cache is neither read nor written)
    edition: Edition | None = None  # build this edition (the review edition, say) instead of the drafts
    jobs: int | None = None  # PDF layout processes; None: one per core for long papers; 1: a single WeasyPrint pass
    pdf: PdfOptions = PdfOptions(variant=UA)  # PDF/UA-1, tagged; a release asks for an archival PDF (one pass)

    def __post_init__(self) -> None:
        """Asking an edition for what it is not made as is a usage error, never a silent change of plan."""
        unmade = [f for f in self.formats or () if self.edition is not None and f not in self.edition.formats]
        if unmade:
            assert self.edition is not None
            made = " and ".join(self.edition.formats)
            raise UsageProblem(f"the {self.edition.suffix.lstrip('.')} edition is made as {made} only, not {', '.join(unmade)}")

    def formats_for(self, config: Config) -> tuple[str, ...]:
        """What to build: as asked, else as the edition or the config says."""
        if self.edition is None:
            return tuple(self.formats or config.outputs.formats)
        return tuple(self.edition.formats)

    def name_for(self, config: Config) -> str:
        """The base name of the outputs: `paper`, `paper.review`."""
        return config.outputs.name + (self.edition.suffix if self.edition else "")


@dataclass
class BuildResult:
    outputs: list[Path] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    up_to_date: bool = False  # nothing had changed since the last build: nothing was done
    parts_laid_out: int = 0  # PDF parts laid out afresh by the parallel engine
    edited_chapters: int = 0  # when only edited chapters were redone (see rebuild.py): how many


@dataclass
class Produced:
    """A build held in memory: the outputs by file name, and what they were made from."""

    analysis: Analysis
    rendered: Rendered
    outputs: dict[str, bytes]
    parts_laid_out: int = 0
    signatures: list[str] | None = None  # each chapter's signature, when known (see resolve.again.signature)
    edited_chapters: int = 0  # chapters redone, when only edited chapters were
