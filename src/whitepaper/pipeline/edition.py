"""Editions: variants of the paper that a build is given, such as the review edition.

An edition is a document transform plus a template view: the build resolves the paper
as always, lets the edition change the resolved document (markers, badges) and the
template context (a watermark, a stamp), and names the outputs after it. The build
knows nothing of any edition in particular; review/ and release editions are built
on it, never the reverse.
"""

from __future__ import annotations

from typing import Protocol

from ..config.schema import Config
from ..render.context import TemplateContext
from ..resolve import Document


class Edition(Protocol):
    @property
    def suffix(self) -> str:
        """Put after the outputs' base name: ".review" gives paper.review.pdf."""
        ...

    @property
    def formats(self) -> tuple[str, ...]:
        """What the edition is made as, e.g. ("pdf",)."""
        ...

    def configure(self, config: Config) -> Config:
        """The config the edition is built with (its own page size, say)."""
        ...

    def transform(self, document: Document) -> None:
        """Change the resolved paper in place for this edition."""
        ...

    def view(self, config: Config, ctx: TemplateContext) -> None:
        """Fill in what the templates show of this edition."""
        ...
