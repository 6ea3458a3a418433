"""The release edition: the final paper as published, given to the build as an edition.

No watermark, stamp or source-line markers; the version released, and the date of the
release, on the title page; HTML, PDF and Word.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config.schema import Config
from ..render.context import TemplateContext
from ..resolve import Document


@dataclass(frozen=True)
class ReleaseEdition:
    version: str
    date: dt.date
    suffix: str = ""
    formats: tuple[str, ...] = ("html", "pdf")

    def configure(self, config: Config) -> Config:
        return config.model_copy(update={"version": self.version, "date": self.date})

    def transform(self, document: Document) -> None:
        pass  # the paper as it is

    def view(self, config: Config, ctx: TemplateContext) -> None:
        pass  # the title page shows the version and the date already
