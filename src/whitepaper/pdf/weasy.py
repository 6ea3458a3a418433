"""The one adapter to WeasyPrint.

WeasyPrint fetches what the print HTML names (images, stylesheets, fonts). The
fetcher below lets it read only files inside the project folder and the package's
own data; anything else (the network, /etc/passwd) is refused and reported, never
fetched. WeasyPrint is imported on first use: `check` and `status` never need it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

PACKAGE_DATA = Path(__file__).resolve().parent.parent  # the whole package: templates and their data


def confined_fetcher(allowed: list[Path]):  # type: ignore[no-untyped-def]
    """A URL fetcher that reads data: URLs and files under the allowed folders only."""
    from weasyprint.urls import URLFetcher

    class ConfinedFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols=["file", "data"], allow_redirects=False)
            self.allowed = [p.resolve() for p in allowed]
            self.refused: list[str] = []

        def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parsed = urlparse(url)
            if parsed.scheme == "file" and not parsed.netloc:
                path = Path(unquote(parsed.path)).resolve()
                if any(path.is_relative_to(folder) for folder in self.allowed):
                    return super().fetch(url, headers)
            self.refused.append(url)
            raise ValueError(f"refused to fetch {url}: outside the project folder")

    return ConfinedFetcher()


@dataclass(frozen=True)
class Attached:
    """A file embedded in the PDF (an archival edition carries the sources it was built from)."""

    name: str  # the file name shown by PDF readers, e.g. chapters/01-intro.md
    data: bytes
    description: str = ""


UA = "pdf/ua-1"  # PDF/UA-1 (ISO 14289-1) on PDF 1.7: what validators check, and what PDF/A-3 can be combined with


@dataclass(frozen=True)
class PdfOptions:
    """What kind of PDF to write, beyond the page itself. Every PDF is tagged unless asked not to be."""

    variant: str | None = None  # a WeasyPrint pdf_variant: "pdf/a-3a", "pdf/ua-1", ...
    tags: bool = True  # a tagged PDF: a structure tree for assistive technology (tags.py)
    attachments: tuple[Attached, ...] = ()

    @property
    def in_parts(self) -> bool:
        """Whether the parallel engine can make this PDF: a plain or tagged one, or PDF/UA, but
        no archival PDF (PDF/A), whose parts no assembly keeps valid."""
        return not self.attachments and self.variant in (None, UA)

    def weasyprint(self) -> dict[str, Any]:
        """WeasyPrint's write_pdf options for these."""
        from weasyprint import Attachment

        from . import tags

        options: dict[str, Any] = {}
        if self.variant:
            options["pdf_variant"] = self.variant
        if self.tags:
            options["pdf_tags"] = True
        if self.tags or self.variant:  # a variant may tag (PDF/UA, PDF/A-Na): the tree as tags.py corrects it
            tags.install()
        if self.attachments:
            created = _source_date()
            options["attachments"] = [
                Attachment(string=a.data, name=a.name, description=a.description or None, created=created, modified=created, relationship="Source")
                for a in sorted(self.attachments, key=lambda a: a.name)  # a name tree's keys are in order (ISO 32000-1, 7.9.6)
            ]
        return options


PLAIN = PdfOptions(tags=False)  # an untagged PDF: the parallel engine's page-number stamps, laid over tagged pages


def _source_date() -> dt.datetime:
    """The time attached files are dated with: SOURCE_DATE_EPOCH, so builds are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch.isdigit() else dt.datetime.now(dt.timezone.utc)


@dataclass
class PdfResult:
    data: bytes
    refused: list[str] = field(default_factory=list)  # URLs the fetcher refused: the caller reports them
    warnings: list[str] = field(default_factory=list)
    parts_laid_out: int = 0  # with the parallel engine: parts not taken from the cache


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def base_url(root: Path) -> str:
    """Relative URLs of the print HTML resolve against the project folder."""
    return root.resolve().as_uri() + "/"


@contextmanager
def _collected() -> Iterator[_Collect]:
    """WeasyPrint's warnings kept, not printed: the library reports through diagnostics, not stray log lines."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    previous = logger.propagate
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


def write_pdf(print_html: str, root: Path, options: PdfOptions = PdfOptions()) -> PdfResult:
    """Lay out the print HTML in one pass."""
    from weasyprint import HTML

    fetcher = confined_fetcher([root, PACKAGE_DATA])
    with _collected() as warnings:
        data = HTML(string=print_html, base_url=base_url(root), url_fetcher=fetcher).write_pdf(**options.weasyprint())
    return PdfResult(data=data or b"", refused=fetcher.refused, warnings=warnings.messages)


_FONTS: Any = None  # one font configuration per worker process, reused by every part it lays out


def warm_up() -> None:
    """Import WeasyPrint and load the fonts in a worker while the parent is still rendering HTML."""
    global _FONTS
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    _FONTS = _FONTS or FontConfiguration()
    HTML(string="<p style='font-family: Noto Serif'>warm</p>").render(font_config=_FONTS)


def lay_out_part(html: str, root: str, options: PdfOptions = PLAIN) -> dict[str, Any]:
    """Lay out one part of a paper (in a worker process): its PDF as `options` ask, page count and anchors."""
    global _FONTS
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    _FONTS = _FONTS or FontConfiguration()
    fetcher = confined_fetcher([Path(root), PACKAGE_DATA])
    with _collected():
        document = HTML(string=html, base_url=base_url(Path(root)), url_fetcher=fetcher).render(font_config=_FONTS)
    anchors: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)  # an element split over pages is where it starts
    with _collected():
        pdf = document.write_pdf(**options.weasyprint())
    return {"pdf": pdf, "pages": len(document.pages), "anchors": anchors, "refused": fetcher.refused}


def weasyprint_version() -> str:
    import weasyprint

    return str(weasyprint.__version__)
