"""How a release is cited: `CITATION.cff` (Citation File Format 1.2.0) and `.zenodo.json`
(Zenodo's deposit metadata), both from whitepaper.yaml."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from typing import Any

import yaml

from ..config.schema import Author, Config
from ..render.contributors import role_name

# Licences as authors write them, and their SPDX ids (what both formats want).
LICENCES = [
    (r"\bCC[ -]?BY[ -]SA\b.*?4\.0", "CC-BY-SA-4.0"),
    (r"\bCC[ -]?BY[ -]NC\b.*?4\.0", "CC-BY-NC-4.0"),
    (r"\bCC[ -]?BY\b.*?4\.0|Creative Commons Attribution 4\.0", "CC-BY-4.0"),
    (r"\bCC0\b|public domain dedication", "CC0-1.0"),
    (r"\bMIT\b", "MIT"),
]


def licence_id(text: str | None) -> str | None:
    """The SPDX id of a licence statement such as "Released under CC BY 4.0", if it names one."""
    for pattern, spdx in LICENCES:
        if text and re.search(pattern, text, re.I):
            return spdx
    return None


def _names(author: Author) -> tuple[str, str]:
    """Given names and family names: the last word is taken as the family name."""
    given, _, family = author.name.rpartition(" ")
    return given, family


def citation_cff(config: Config, version: str, date: dt.date) -> str:
    affiliations = {a.id: a.name for a in config.affiliations}
    authors = []
    for author in config.authors:
        given, family = _names(author)
        entry: dict[str, Any] = {"family-names": family, "given-names": given} if given else {"name": family}
        if author.orcid:
            entry["orcid"] = f"https://orcid.org/{author.orcid}"
        if author.affiliations:
            entry["affiliation"] = "; ".join(affiliations[i] for i in author.affiliations if i in affiliations)
        if author.email:
            entry["email"] = author.email
        authors.append(entry)
    title = config.title + (f": {config.subtitle}" if config.subtitle else "")
    data: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": "If you use this white paper, please cite it as below.",
        "type": "dataset",
        "title": title,
        "version": version,
        "date-released": date.isoformat(),
        "authors": authors,
    }
    if config.keywords:
        data["keywords"] = list(config.keywords)
    if spdx := licence_id(config.license):
        data["license"] = spdx
    if config.abstract:
        data["abstract"] = " ".join(config.abstract.split())
    if config.repository:
        data["repository"] = config.repository
    data["preferred-citation"] = {
        "type": "report",
        "title": title,
        "authors": copy.deepcopy(authors),  # written out again, not as a YAML alias
        "year": date.year,
        "month": date.month,
        "version": version,
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def zenodo_json(config: Config, version: str, date: dt.date) -> str:
    affiliations = {a.id: a.name for a in config.affiliations}
    creators = []
    for author in config.authors:
        given, family = _names(author)
        creator: dict[str, Any] = {"name": f"{family}, {given}" if given else family}
        if author.affiliations:
            creator["affiliation"] = "; ".join(affiliations[i] for i in author.affiliations if i in affiliations)
        if author.orcid:
            creator["orcid"] = author.orcid
        creators.append(creator)
    data: dict[str, Any] = {
        "title": config.title + (f": {config.subtitle}" if config.subtitle else ""),
        "version": version,
        "publication_date": date.isoformat(),
        "upload_type": "publication",
        "publication_type": "report",
        "creators": creators,
        "description": " ".join((config.abstract or config.subtitle or config.title).split()),
        "language": config.lang.split("-")[0],
    }
    if config.repository:
        data["related_identifiers"] = [{"identifier": config.repository, "relation": "isSupplementedBy", "resource_type": "other"}]
    if config.keywords:
        data["keywords"] = list(config.keywords)
    if spdx := licence_id(config.license):
        data["license"] = {"id": spdx.lower()}
    if any(a.roles for a in config.authors):  # Zenodo has no CRediT roles of its own
        data["notes"] = "Roles (CRediT): " + "; ".join(f"{a.name}: {', '.join(role_name(r) for r in a.roles)}" for a in config.authors if a.roles)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
