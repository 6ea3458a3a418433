"""How a chapter's references read: pandoc-crossref's options (figPrefix, linkReferences, ...)
as whitepaper.yaml sets them for the paper and a chapter's front matter for itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config.schema import Config, CrossrefOptions

# Which prefix option names the references to each kind of target.
PREFIX_OPTIONS = {
    "figure": "figPrefix",
    "subfigure": "figPrefix",
    "equation": "eqnPrefix",
    "table": "tblPrefix",
    "listing": "lstPrefix",
    "section": "secPrefix",
    "chapter": "secPrefix",
    "appendix": "secPrefix",
}


@dataclass(frozen=True)
class Style:
    """The options one chapter's numbering and references follow."""

    prefixes: dict[str, list[str]] = field(default_factory=dict)  # kind -> names by count (one, several, ...)
    auto_section_labels: bool = False
    link: bool = True
    name_in_link: bool = True

    def name(self, kind: str, count: int) -> str | None:
        """What a reference to `count` targets of `kind` starts with, when an option says; else None."""
        names = self.prefixes.get(kind)
        if names is None:
            return None
        return names[min(count, len(names)) - 1] if names else ""


def style_of(config: Config, meta: CrossrefOptions | None) -> Style:
    """A chapter's style: its front matter's options, else the paper's, else the tool's defaults."""

    def option(name: str) -> Any:
        value = getattr(meta, name, None) if meta is not None else None
        return value if value is not None else getattr(config, name)

    prefixes = {}
    for kind, name in PREFIX_OPTIONS.items():
        value = option(name)
        if value is not None:
            prefixes[kind] = [value] if isinstance(value, str) else list(value)
    return Style(
        prefixes=prefixes,
        auto_section_labels=bool(option("autoSectionLabels")),
        link=option("linkReferences") is not False,
        name_in_link=option("nameInLink") is not False,
    )


class Styles:
    """Each chapter's style, worked out once (None: the abstract, which follows the paper's)."""

    def __init__(self, config: Config):
        self.config = config
        self._by_file: dict[str | None, Style] = {}

    def of(self, meta: CrossrefOptions | None, key: str | None) -> Style:
        if key not in self._by_file:
            self._by_file[key] = style_of(self.config, meta)
        return self._by_file[key]
