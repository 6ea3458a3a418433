"""Web pages (`url:` keys): the page's own metadata, in the order publishers mean it.

Scholarly sites write Highwire Press tags (`citation_title`, `citation_author`, ...), which
Google Scholar reads; many write Dublin Core (`DC.title`, `DC.creator`); most write
OpenGraph (`og:title`, `og:site_name`); every page has a `<title>`. The first found wins."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from ..sources.identifiers import Identifier
from .client import Client, LookupFailed
from .csl import date_parts, person, today

ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
TITLE = ("citation_title", "dc.title", "og:title", "twitter:title")
AUTHORS = ("citation_author", "dc.creator", "author", "article:author")
DATES = (
    "citation_publication_date",
    "citation_date",
    "citation_online_date",
    "dc.date.issued",
    "dc.date",
    "article:published_time",
)
CONTAINER = ("citation_journal_title", "citation_conference_title", "og:site_name")
PUBLISHER = ("citation_publisher", "dc.publisher")


class _Meta(HTMLParser):
    """Every `<meta name|property content>` (names folded to lower case), and the `<title>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "meta" and values.get("content", "").strip():
            name = (values.get("name") or values.get("property") or "").strip().lower()
            if name:
                self.meta.setdefault(name, []).append(" ".join(values["content"].split()))
        self._in_title = tag == "title" and not self.title

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def first(self, names: tuple[str, ...]) -> str:
        return next((self.meta[n][0] for n in names if n in self.meta), "")

    def all_of_first(self, names: tuple[str, ...]) -> list[str]:
        return next((self.meta[n] for n in names if n in self.meta), [])


def fetch(client: Client, identifier: Identifier) -> dict[str, Any]:
    response = client.get(identifier.value, accept=ACCEPT)
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if kind not in ("text/html", "application/xhtml+xml", ""):
        raise LookupFailed(f"it is not a web page but {kind}; write its entry in the manual file")
    page = _Meta()
    page.feed(response.text)
    return _item(page, identifier)


def _item(page: _Meta, identifier: Identifier) -> dict[str, Any]:
    title = page.first(TITLE) or " ".join(page.title.split())
    journal = page.first(("citation_journal_title",))
    first, last = page.first(("citation_firstpage",)), page.first(("citation_lastpage",))
    item: dict[str, Any] = {
        "type": "article-journal" if journal else "webpage",
        "title": title,
        "author": [person(name) for name in page.all_of_first(AUTHORS)],
        "issued": date_parts(page.first(DATES)),
        "container-title": page.first(CONTAINER),
        "publisher": page.first(PUBLISHER),
        "volume": page.first(("citation_volume",)),
        "issue": page.first(("citation_issue",)),
        "page": f"{first}-{last}" if first and last else first,
        "DOI": re.sub(
            r"^(doi:|https?://(dx\.)?doi\.org/)",
            "",
            page.first(("citation_doi", "dc.identifier.doi")),
            flags=re.IGNORECASE,
        ),
        "URL": identifier.value,
        "accessed": today(),
    }
    if not title:
        raise LookupFailed("the page has no title, nor metadata to cite it by; write its entry in the manual file")
    return item
