"""The Contributors section that ends the paper: who wrote it and in what roles (CRediT),
where they work (with ROR ids), who owns each chapter, and who reviewed it, thanked with
the number of comments each made. Rendered from the template `_contributors.html`."""

from __future__ import annotations

from dataclasses import dataclass

from ..config.schema import Config
from ..pandoc import nodes
from ..project import Project
from ..resolve import Document
from ..sources.rounds import ReviewRound
from .environment import environment

PART_ID = "chapter-contributors"


@dataclass(frozen=True)
class AuthorEntry:
    name: str
    orcid: str | None
    affiliations: list[str]
    roles: list[str]


@dataclass(frozen=True)
class OwnedChapter:
    id: str
    title: str
    owners: list[str]


def contributors_part(project: Project, config: Config, document: Document, rounds: list[ReviewRound]) -> list[nodes.Node]:
    """The section as a part of the paper's body (a chapter of its own, after the references)."""
    names = {a.id: a.name for a in config.affiliations}
    authors = [AuthorEntry(a.name, a.orcid, [names[i] for i in a.affiliations if i in names], [role_name(r) for r in a.roles]) for a in config.authors]
    affiliations = [
        {"name": a.name, "place": ", ".join(p for p in (a.city, a.country) if p), "ror": a.ror} for a in config.affiliations
    ]
    chapters = [OwnedChapter(c.id, c.title, list(c.source.meta.owners)) for c in document.chapters if c.source.meta.owners]
    html = environment(project).get_template("_contributors.html").render(
        authors=authors, affiliations=affiliations, chapters=chapters, rounds=rounds
    )
    return [nodes.div(PART_ID, ["chapter", "contributors-chapter"], [nodes.raw_html(html)])]


def role_name(role: str) -> str:
    """A CRediT role as the taxonomy writes it: `writing - review & editing` → `Writing – review & editing`."""
    text = role.strip().replace(" - ", " – ")
    return text[:1].upper() + text[1:]
