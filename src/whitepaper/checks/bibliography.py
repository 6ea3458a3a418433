"""The bibliography: entries missing what styles print, malformed DOIs, one work under two keys,
entries never cited."""

from __future__ import annotations

import re
from typing import Any

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..resolve import Document
from ..sources.bibliography import Bibliography
from .base import Paper, PaperCheck

DOI = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:)", re.I)


def check(paper: Paper, diagnostics: Diagnostics) -> None:
    bibliography, document = paper.bibliography, paper.document
    by_doi: dict[str, str] = {}
    cited = set(document.cited)
    for item in bibliography.items:
        key = item["id"]
        where = bibliography.locations[key]
        missing = [name for name, present in _required_fields(item) if not present]
        if missing:
            diagnostics.add(rules.BIBLIOGRAPHY_MISSING_FIELD, where, f"entry '{key}' has no {', no '.join(missing)}")
        doi = _doi(item)
        if doi and not DOI.match(doi):
            diagnostics.add(rules.BIBLIOGRAPHY_BAD_DOI, _field_line(where, bibliography, "doi"), f"entry '{key}' has a malformed DOI '{item['DOI']}'")
        elif doi:
            by_doi.setdefault(doi, key)
        if key not in cited:
            diagnostics.add(rules.UNUSED_REFERENCE, where, f"entry '{key}' is never cited")
    _same_work(bibliography, by_doi, document, diagnostics)


def _doi(item: dict[str, Any]) -> str:
    doi = str(item.get("DOI", "")).strip()
    return DOI_PREFIX.sub("", doi).lower() if doi else ""


def _same_work(bibliography: Bibliography, by_doi: dict[str, str], document: Document, diagnostics: Diagnostics) -> None:
    """Two keys for one work: the same DOI, or a component DOI of it (eLife's `10.7554/eLife.26726.001`)."""
    for item in bibliography.items:
        key, doi = item["id"], _doi(item)
        if not doi or not DOI.match(doi):
            continue
        parent = re.sub(r"\.\d{1,4}$", "", doi)
        first = by_doi.get(doi) if by_doi.get(doi) != key else (by_doi.get(parent) if parent != doi else None)
        if not first or first == key:
            continue
        sites = document.citation_sites(key) or [bibliography.locations[key]]
        for where in sites:
            diagnostics.add(
                rules.BIBLIOGRAPHY_DUPLICATE_WORK,
                where,
                f"'{key}' is the same work as '{first}' (DOI {doi}); cite one key for it",
            )


def _required_fields(item: dict[str, Any]) -> list[tuple[str, bool]]:
    online = bool(item.get("URL")) and not item.get("DOI")
    fields = [
        ("title", bool(item.get("title"))),
        # An online resource without a date of issue is dated by when it was consulted.
        ("year (issued)" if not online else "year (issued) or date accessed (urldate)", bool(item.get("issued") or (online and item.get("accessed")))),
        ("author or editor", bool(item.get("author") or item.get("editor"))),
    ]
    if item.get("type") == "article-journal":
        fields.append(("journal (container-title)", bool(item.get("container-title"))))
    # Web pages, laws and standards are routinely cited without a person as author.
    if item.get("type") in ("webpage", "legislation", "legal_case", "standard", "software", "dataset"):
        fields = [f for f in fields if f[0] != "author or editor"]
    return fields


def _field_line(where: Location, bibliography: Bibliography, name: str) -> Location:
    """The line of a field inside an entry (`doi = {...}`), when the file can be read."""
    lines = bibliography.sources.get(where.path, [])
    for number in range(where.line, min(where.line + 40, len(lines)) + 1):
        match = re.search(rf"\b{name}\b", lines[number - 1], re.I)
        if match:
            return Location(where.path, number, match.start() + 1)
    return where


CHECK = PaperCheck(
    (rules.BIBLIOGRAPHY_MISSING_FIELD, rules.BIBLIOGRAPHY_BAD_DOI, rules.UNUSED_REFERENCE, rules.BIBLIOGRAPHY_DUPLICATE_WORK),
    check,
)
