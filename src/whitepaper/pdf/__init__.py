"""Stage 6, pdf: the one adapter to WeasyPrint.

WeasyPrint fetches what the print HTML names (images, stylesheets, fonts).
The fetcher below lets it read only files inside the project folder and the
package's own data; anything else (the network, /etc/passwd) is refused and
reported, never fetched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

PACKAGE_DATA = Path(__file__).parent.parent  # the whole package: templates and their data


def confined_fetcher(allowed: list[Path]):  # type: ignore[no-untyped-def]
    """A URL fetcher that reads data: URLs and files under the allowed folders only.

    Made on demand because importing WeasyPrint takes a third of a second that
    `check` and `status` do not need to spend.
    """
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


@dataclass
class PdfResult:
    data: bytes
    refused: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parts_laid_out: int = 0  # with the parallel engine: parts not taken from the cache


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render_pdf(print_html: str, project: Path) -> PdfResult:
    """Lay out the print HTML; relative URLs resolve against the project folder."""
    from weasyprint import HTML

    fetcher = confined_fetcher([project, PACKAGE_DATA])
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    previous = logger.propagate
    logger.propagate = False  # the library reports through diagnostics, not stray log lines
    try:
        base_url = project.resolve().as_uri() + "/"
        data = HTML(string=print_html, base_url=base_url, url_fetcher=fetcher).write_pdf()
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous
    return PdfResult(data=data or b"", refused=fetcher.refused, warnings=handler.messages)
