"""What the templates see: `ctx`, a TemplateContext made from the config and the resolved paper.

Project templates rely on these names, so they change only with care.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..config.schema import Config
from ..resolve import Document
from ..resolve.glossary_lists import TITLES as GLOSSARY_TITLES
from ..version import __version__

PAGE_SIZES = {"a4": "A4", "letter": "letter"}


@dataclass(frozen=True)
class AuthorView:
    name: str
    orcid: str | None
    email: str | None
    marks: list[int]
    corresponding: bool


@dataclass(frozen=True)
class AffiliationView:
    number: int
    name: str
    place: str
    ror: str | None


@dataclass(frozen=True)
class TocEntry:
    level: int
    id: str
    number: str
    text: str


@dataclass(frozen=True)
class ListEntry:
    """A line of the list of figures or tables."""

    id: str
    number: str
    text: str


@dataclass(frozen=True)
class ChapterView:
    id: str
    title: str
    file: str
    status: str
    owners: list[str]


@dataclass(frozen=True)
class ReviewView:
    """What the templates show of a review edition."""

    watermark_uri: str  # an image, so the watermark stays out of the text layer
    stamp: str  # version, round, date and commit, at the foot of every page
    comment_margin: str  # a CSS length


@dataclass
class TemplateContext:
    """Everything a template may use; project templates rely on these names."""

    title: str
    subtitle: str | None
    running_title: str
    version: str
    date: str
    date_iso: str
    lang: str
    keywords: list[str]
    license: str | None
    authors: list[AuthorView]
    affiliations: list[AffiliationView]
    abstract_html: str
    body_html: str
    toc: list[TocEntry]
    lists: dict[str, list[ListEntry]]  # "figures"/"tables" -> entries, only those asked for in the config
    chapters: list[ChapterView]
    paper_size: str
    extra_css: str
    generator: str = f"whitepaper {__version__}"
    media: str = "screen"  # "print" while the print page is rendered
    review: ReviewView | None = None  # the review edition's marks (review/edition.py makes them)


def context(config: Config, document: Document, abstract_html: str, body_html: str, extra_css: str) -> TemplateContext:
    numbers: dict[str, int] = {}
    for author in config.authors:
        for affiliation in author.affiliations:
            numbers.setdefault(affiliation, len(numbers) + 1)
    by_id = {a.id: a for a in config.affiliations}
    affiliations = [
        AffiliationView(number, by_id[i].name, ", ".join(p for p in (by_id[i].city, by_id[i].country) if p), by_id[i].ror)
        for i, number in numbers.items()
    ]
    authors = [
        AuthorView(a.name, a.orcid, a.email, [numbers[i] for i in a.affiliations], a.corresponding) for a in config.authors
    ]
    date = config.resolved_date()
    return TemplateContext(
        title=config.title,
        subtitle=config.subtitle,
        running_title=config.running_title,
        version=config.version,
        date=f"{date.day} {date:%B %Y}",
        date_iso=date.isoformat(),
        lang=config.lang,
        keywords=config.keywords,
        license=config.license,
        authors=authors,
        affiliations=affiliations,
        abstract_html=abstract_html,
        body_html=body_html,
        toc=[TocEntry(h.level, h.id, h.number, h.text) for h in document.headings if h.level <= config.toc_depth]
        + ([TocEntry(1, "references", "", "References")] if document.cited and 'id="references"' in body_html else [])
        + [TocEntry(1, kind, "", title) for kind, title in GLOSSARY_TITLES.items() if f'<h1 id="{kind}"' in body_html]
        + ([TocEntry(1, "contributors", "", "Contributors")] if 'id="contributors"' in body_html else []),
        lists={
            name: [ListEntry(t.id, t.number, first_sentence(t.title)) for t in document.listed(name.rstrip("s"))]
            for name in config.lists_of
        },
        chapters=[
            ChapterView(c.id, c.title, c.source.rel, c.source.meta.status, c.source.meta.owners) for c in document.chapters
        ],
        paper_size=PAGE_SIZES[config.paper_size],
        extra_css=extra_css,
    )


def first_sentence(text: str) -> str:
    """Lists of figures and tables show the caption's first sentence, as books do."""
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return (match.group(1) if match else text).rstrip(".")
