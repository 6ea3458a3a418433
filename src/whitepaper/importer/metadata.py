"""Manubot's metadata.yaml as whitepaper.yaml: title, keywords, language, authors and affiliations.

Manubot authors (`authors:`, or `author_info:` in older manuscripts) carry their affiliations
as text; here each distinct affiliation becomes one entry of `affiliations:` with an id the
authors refer to. ORCID, email and `corresponding` carry over; contributions that are CRediT
roles become `roles`; funders are returned so that the paper can say them; the rest (GitHub
and Twitter handles, initials) has no place in the schema and is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..config.schema import CREDIT_ROLES, orcid_is_valid
from ..project import CONFIG_NAME
from .report import ImportReport

# What each key of metadata.yaml becomes; the keys not here are reported as dropped.
_KEPT = ("title", "subtitle", "keywords", "lang", "authors", "author_info")
_PERSON_KEPT = ("name", "orcid", "email", "affiliations", "contributions", "funders", "corresponding")


@dataclass
class Metadata:
    config: dict[str, Any] = field(default_factory=dict)  # whitepaper.yaml, without chapters
    funders: dict[str, list[str]] = field(default_factory=dict)  # author name -> funders


def convert_metadata(meta: dict[str, Any], where: str, report: ImportReport) -> Metadata:
    result = Metadata()
    config = result.config
    config["title"] = str(meta.get("title") or "Untitled")
    for key in ("subtitle", "lang"):
        if meta.get(key):
            config[key] = str(meta[key])
    keywords = meta.get("keywords")
    if isinstance(keywords, list) and keywords:
        config["keywords"] = [str(k) for k in keywords]
    people = meta.get("authors") or meta.get("author_info") or []
    authors, affiliations = _people(people if isinstance(people, list) else [], result.funders, report)
    if authors:
        config["authors"] = authors
    if affiliations:
        config["affiliations"] = affiliations
    for key in meta:
        if key not in _KEPT:
            report.drop(f"{where}: `{key}`", f"Manubot's own setting; {CONFIG_NAME} has no such key")
    report.convert(
        where,
        CONFIG_NAME,
        f"title, {len(authors)} authors, {len(affiliations)} affiliations"
        + (", keywords" if "keywords" in config else "")
        + (", lang" if "lang" in config else ""),
    )
    return result


def _people(
    people: list[Any], funders: dict[str, list[str]], report: ImportReport
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    authors: list[dict[str, Any]] = []
    affiliations: dict[str, str] = {}  # name -> id, in order of first mention
    for person in people:
        if not isinstance(person, dict) or not person.get("name"):
            continue
        name = str(person["name"])
        author: dict[str, Any] = {"name": name}
        orcid = str(person.get("orcid") or "").strip()
        if orcid and orcid_is_valid(re.sub(r"^https?://orcid\.org/", "", orcid)):
            author["orcid"] = orcid
        elif orcid:
            report.drop(f"ORCID of {name} ({orcid})", "not a valid ORCID iD")
        if person.get("email"):
            author["email"] = str(person["email"])
        ids = [
            affiliations.setdefault(text, f"aff{len(affiliations) + 1}") for text in _texts(person.get("affiliations"))
        ]
        if ids:
            author["affiliations"] = ids
        roles, others = _roles(_texts(person.get("contributions")))
        if roles:
            author["roles"] = roles
        if others:
            report.drop(f"contributions of {name}", f"{', '.join(others)}: not CRediT roles")
        if person.get("corresponding") is True:
            author["corresponding"] = True
        if _texts(person.get("funders")):
            funders[name] = _texts(person.get("funders"))
        extra = [f"{key} {person[key]}" for key in person if key not in _PERSON_KEPT and person[key] not in (None, "")]
        if extra:
            report.drop(f"{name}'s {', '.join(extra)}", f"no field for it in {CONFIG_NAME}")
        authors.append(author)
    return authors, [{"id": ident, "name": text} for text, ident in affiliations.items()]


def _texts(value: Any) -> list[str]:
    """A list of texts from a list, or from one text with `;` between items (as Manubot allows)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    if isinstance(value, list):
        return [str(part).strip() for part in value if str(part).strip()]
    return []


def _roles(contributions: list[str]) -> tuple[list[str], list[str]]:
    """The contributions that are CRediT roles (as the schema spells them), and the others."""
    roles, others = [], []
    for contribution in contributions:
        folded = contribution.lower().replace("–", "-")
        if folded in CREDIT_ROLES:  # the schema reads any case
            roles.append(contribution)
        elif folded.replace(" and ", " & ") in CREDIT_ROLES:
            roles.append(folded.replace(" and ", " & "))
        else:
            others.append(contribution)
    return roles, others


def funding_chapter(funders: dict[str, list[str]]) -> str:
    """The body of a Funding section: who was funded by whom (Manubot shows it under each author)."""
    lines = [f"- {name}: {'; '.join(sources)}." for name, sources in funders.items()]
    return "\n".join(lines) + "\n"
