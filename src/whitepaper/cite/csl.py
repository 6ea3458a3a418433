"""What a service answers, made into one clean CSL JSON entry for the store.

Crossref's answer carries its bookkeeping (when it indexed the record, how often it is
cited, licences, links); keeping that would make every refresh a diff and every entry a
page. An entry keeps the CSL variables (CSL-JSON schema 1.0.2) that styles print, with
names, dates and titles in CSL's shapes, and its id is the identifier it was cited by.
Abstracts are left out: no style prints them and they are most of an entry's size.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

from ..sources.identifiers import Identifier

_STANDARD = {
    "type", "language", "journalAbbreviation", "shortTitle",
    "annote", "archive", "archive_collection", "archive_location", "archive-place", "authority",
    "call-number", "chapter-number", "collection-number", "collection-title", "container-title",
    "container-title-short", "dimensions", "division", "DOI", "edition", "event", "event-title",
    "event-place", "genre", "ISBN", "ISSN", "issue", "jurisdiction", "keyword", "medium", "note",
    "number", "number-of-pages", "number-of-volumes", "original-publisher", "original-publisher-place",
    "original-title", "page", "page-first", "part", "part-title", "PMCID", "PMID", "printing",
    "publisher", "publisher-place", "references", "reviewed-genre", "reviewed-title", "scale",
    "section", "source", "supplement", "title", "title-short", "URL", "version", "volume",
    "volume-title", "volume-title-short",
}  # fmt: skip
_NAMES = {
    "author", "chair", "collection-editor", "compiler", "composer", "container-author", "contributor",
    "curator", "director", "editor", "editorial-director", "executive-producer", "guest", "host",
    "interviewer", "illustrator", "narrator", "organizer", "original-author", "performer", "producer",
    "recipient", "reviewed-author", "script-writer", "series-creator", "translator",
}  # fmt: skip
_DATES = {"accessed", "available-date", "event-date", "issued", "original-date", "submitted"}
_NAME_PARTS = ("family", "given", "literal", "suffix", "dropping-particle", "non-dropping-particle")
_DATE_PARTS = ("date-parts", "literal", "raw", "season", "circa")
# Crossref's REST API spells some types its own way; content negotiation already gives CSL's.
_TYPES = {
    "journal-article": "article-journal",
    "book-chapter": "chapter",
    "proceedings-article": "paper-conference",
    "posted-content": "article",
}
# The field that holds each kind of identifier, so the entry says what it was cited by.
_FIELD = {"doi": "DOI", "pmid": "PMID", "pmcid": "PMCID", "isbn": "ISBN", "url": "URL"}


def entry(raw: dict[str, Any], identifier: Identifier) -> dict[str, Any]:
    """The store's entry for `identifier` from a service's CSL-like answer."""
    item: dict[str, Any] = {"id": identifier.key}
    for name, value in raw.items():
        cleaned = _value(name, value)
        if cleaned not in (None, "", [], {}):
            item[name] = cleaned
    item["type"] = _TYPES.get(str(item.get("type", "")), item.get("type") or "article")
    field = _FIELD.get(identifier.kind)
    if field and not item.get(field):
        item[field] = identifier.value
    if identifier.kind == "doi" and str(item.get("DOI", "")).lower() != identifier.value:
        item["DOI"] = identifier.value  # the work cited, not another the service mentions
    return item


def _value(name: str, value: Any) -> Any:
    if name in _NAMES:
        return [_name(n) for n in value if isinstance(n, dict) and _name(n)] if isinstance(value, list) else None
    if name in _DATES:
        return _date(value)
    if name in _STANDARD:
        if isinstance(value, list):  # Crossref gives titles and ISSNs as lists
            value = next((v for v in value if isinstance(v, (str, int, float))), None)
        if isinstance(value, str):
            return " ".join(value.split())
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    return None


def _name(name: dict[str, Any]) -> dict[str, str]:
    return {
        part: " ".join(str(name[part]).split())
        for part in _NAME_PARTS
        if isinstance(name.get(part), str) and name[part].strip()
    }


def _date(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    date = {part: value[part] for part in _DATE_PARTS if part in value}
    parts = date.get("date-parts")
    if parts is not None:
        cleaned = [
            [int(p) for p in row if isinstance(p, (int, str)) and str(p).isdigit()]
            for row in parts
            if isinstance(row, list)
        ]
        date["date-parts"] = [row for row in cleaned if row]
        if not date["date-parts"]:
            del date["date-parts"]
    return date or None


def date_parts(text: str) -> dict[str, Any] | None:
    """A CSL date from the dates web pages and catalogues write: `2016-03-15`, `2016/03/15`,
    `2016-03-15T10:00:00Z`, `March 2009`, `2009`."""
    match = re.search(r"\b(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?", text)
    if not match:
        return None
    parts = [int(p) for p in match.groups() if p]
    return {"date-parts": [parts]}


def person(name: str) -> dict[str, str]:
    """A CSL name from one written whole: `Family, Given` as such; `Given Family` by its last word."""
    name = " ".join(name.split())
    if "," in name:
        family, given = (p.strip() for p in name.split(",", 1))
        return {"family": family, "given": given} if given else {"family": family}
    given, _, family = name.rpartition(" ")
    return {"family": family, "given": given} if given else {"literal": family}


def today() -> dict[str, Any]:
    """When a web page was read (its `accessed` date); SOURCE_DATE_EPOCH makes it reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    day = dt.datetime.fromtimestamp(int(epoch), dt.UTC).date() if epoch.isdigit() else dt.date.today()
    return {"date-parts": [[day.year, day.month, day.day]]}
