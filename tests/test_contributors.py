"""The Contributors back matter: authors with their CRediT roles, affiliations with ROR links,
chapter owners, and the reviewers of each round thanked with their number of comments."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import pdf_pages, run_cli, write_project

CONFIG = """\
title: Contributors fixture
version: "1.0"
date: 2026-02-01
authors:
  - name: Ada Example
    orcid: 0000-0002-1825-0097
    affiliations: [inst]
    roles: [conceptualization, writing - original draft]
  - name: Bo Second
    affiliations: [inst, lab]
    roles: [software]
affiliations:
  - id: inst
    name: Example Institute
    city: Geneva
    country: Switzerland
    ror: https://ror.org/01ggx4157
  - id: lab
    name: Second Lab
bibliography: bibliography/references.bib
"""

CHAPTERS = {
    "01-one.md": "---\ntitle: One\nowners: [Ada Example]\n---\n\nText [@topol2019].\n",
    "02-two.md": "---\ntitle: Two\nowners: [Bo Second, Ada Example]\n---\n\nMore text.\n",
}

ROUND = """\
round: r1
reviewers:
  - {name: Rita Reviewer, organisation: Example Hospital, chapters: [chapters/01-one.md]}
  - {name: Sam Second, chapters: [chapters/02-two.md]}
"""

REGISTER = """\
round: r1
comments:
  - {id: c-1, reviewer: Rita Reviewer, comment: One., kind: note, status: done}
  - {id: c-2, reviewer: Rita Reviewer, comment: Two., kind: highlight, status: open}
  - {id: c-3, reviewer: Rita Reviewer, comment: Agreed., kind: reply, in_reply_to: c-1, status: open}
  - {id: c-4, reviewer: Sam Second, comment: Three., kind: note, status: open}
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = write_project(tmp_path_factory.mktemp("contributors") / "p", CHAPTERS, CONFIG)
    (project / "review" / "r1").mkdir(parents=True)
    (project / "review" / "r1" / "round.yaml").write_text(ROUND)
    (project / "review" / "r1" / "comments.yaml").write_text(REGISTER)
    result = run_cli("build", project)
    assert result.exit_code == 0, result.output
    return project


def section(project: Path) -> str:
    html = (project / "build" / "paper.html").read_text()
    return html[html.index('<h1 id="contributors"') :]


def test_authors_roles_affiliations_owners_and_reviewers(built: Path) -> None:
    text = re.sub(r"<[^>]+>", "", section(built))
    text = " ".join(text.split())
    assert "Ada Example (ORCID 0000-0002-1825-0097), Example Institute: Conceptualization, Writing – original draft." in text
    assert "Bo Second, Example Institute; Second Lab: Software." in text
    assert "Example Institute, Geneva, Switzerland (ROR 01ggx4157)" in text
    assert "One: Ada Example" in text and "Two: Bo Second, Ada Example" in text
    # A reply is not a comment of its own: Rita made two.
    assert "Rita Reviewer, Example Hospital: 2 comments;" in text and "Sam Second: 1 comment." in text
    html = section(built)
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in html and 'href="https://ror.org/01ggx4157"' in html
    assert 'href="#one"' in html or re.search(r'href="#[^"]*one[^"]*"', html)


def test_the_pdf_ends_with_the_section_listed_in_the_contents(built: Path) -> None:
    pages = pdf_pages(built / "build" / "paper.pdf")
    assert "Contributors" in pages[-1] or "Contributors" in pages[-2]
    contents = next(page for page in pages if "Contents" in page)
    assert re.search(r"Contributors\s*\.[ .]*\d+", contents)


def test_contributors_false_leaves_it_out(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", CHAPTERS, CONFIG + "contributors: false\n")
    assert run_cli("build", project, "--html").exit_code == 0
    assert 'id="contributors"' not in (project / "build" / "paper.html").read_text()


def test_a_misspelt_credit_role_is_located_with_a_suggestion(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", CHAPTERS, CONFIG.replace("roles: [software]", "roles: [sofware]"))
    result = run_cli("check", project)
    assert result.exit_code == 1 and "Traceback" not in result.output
    line = CONFIG.splitlines().index("    roles: [software]") + 1
    assert re.search(rf"whitepaper\.yaml:{line}:\d+: error: .*'sofware' is not a CRediT role.*did you mean 'software'", result.output), result.output
