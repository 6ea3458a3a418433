"""`whitepaper import manubot`: a real Manubot manuscript (../shared/corpora, skipped where it is
absent) imported and built offline, and a small made-up one for the cases the real one lacks."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from conftest import CORPORA, Run, run_cli
from whitepaper.sources.store import canonical_id

MANUSCRIPT = CORPORA / "knowledge-graph-review"
needs_corpus = pytest.mark.skipif(not MANUSCRIPT.is_dir(), reason="the Manubot corpus (../shared/corpora) is absent")


@dataclass
class Imported:
    project: Path
    imported: Run
    built: Run


@pytest.fixture(scope="module")
def kg(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    """The knowledge-graph review, imported and built (HTML and PDF) once."""
    project = tmp_path_factory.mktemp("import") / "kg"
    imported = run_cli("import", "manubot", MANUSCRIPT, project)
    built = run_cli("build", project) if imported.exit_code == 0 else imported
    return Imported(project, imported, built)


def _rows() -> list[list[str]]:
    with (MANUSCRIPT / "output" / "citations.tsv").open(encoding="utf-8") as handle:
        return list(csv.reader(handle, delimiter="\t"))[1:]


@needs_corpus
def test_the_imported_manuscript_builds(kg: Imported) -> None:
    assert kg.imported.exit_code == 0, kg.imported.output
    assert kg.built.exit_code == 0, kg.built.output
    assert " error: " not in kg.built.output and "citation-unresolved" not in kg.built.output
    config = (kg.project / "whitepaper.yaml").read_text(encoding="utf-8")
    chapters = re.findall(r"^- (chapters/.*)$", config, re.MULTILINE)
    assert chapters == [
        "chapters/02-introduction.md", "chapters/03-text-mining.md", "chapters/04-network-applications.md",
        "chapters/05-conclusion.md", "chapters/89-funding.md", "chapters/90-back-matter.md",
    ]  # fmt: skip
    introduction = (kg.project / "chapters" / "02-introduction.md").read_text(encoding="utf-8")
    assert introduction.startswith("---\ntitle: Introduction\n---\n\nGraphs are practical resources")
    assert "abstract: |\n  Knowledge graphs can support many biomedical applications.\n" in config


@needs_corpus
def test_every_citation_resolves_from_the_manuscripts_own_references(kg: Imported) -> None:
    html = (kg.project / "build" / "paper.html").read_text(encoding="utf-8")
    entries = set(re.findall(r'id="ref-([^"]+)"', html))
    rows = _rows()
    assert len(rows) == 211 and all(canonical_id(row[0]) in entries for row in rows)
    built = {item["id"]: item for item in json.loads((MANUSCRIPT / "output" / "references.json").read_text("utf-8"))}
    store = {
        item["id"]: item for item in json.loads((kg.project / "bibliography" / "resolved.json").read_text("utf-8"))
    }
    for written, *_, short in rows:
        key = canonical_id(written)
        if short in built and not written.startswith("raw:"):
            assert store[key]["title"] == built[short]["title"], written  # as Manubot's build had it
    assert "doi:10/bm8dnf" in store  # a shortDOI, cited as written
    manual = {item["id"] for item in json.loads((kg.project / "bibliography" / "manual.json").read_text("utf-8"))}
    assert "raw:KG_DEF" in manual and "raw:eisenbach2006phpsyntaxtree" in manual  # bare ids cited with raw:
    assert "url:https://github.com/manubot/rootstock" not in manual  # cited nowhere
    # The one work Manubot had no metadata for names itself, and the report says how to look it up.
    assert store["doi:10.3233/978-1-61499-830-3-644"]["DOI"] == "10.3233/978-1-61499-830-3-644"
    assert "`whitepaper cite resolve --refresh doi:10.3233/978-1-61499-830-3-644`" in kg.imported.output


@needs_corpus
def test_figures_and_their_references_come_across(kg: Imported) -> None:
    for name in ("constituency_parse_tree_example.png", "dependency_parse_example.png",
                 "unifying_techniques_overview.png", "unifying_applications_overview.png"):  # fmt: skip
        copied = (kg.project / "figures" / name).read_bytes()
        assert copied == (MANUSCRIPT / "content" / "images" / "figures" / name).read_bytes()
    html = (kg.project / "build" / "paper.html").read_text(encoding="utf-8")
    assert html.count("<figure") == 5 and html.count('src="data:image/png') == 4
    text = re.sub(r"<[^>]+>", "", html)
    assert "fig:" not in text and "tbl:" not in text and "{@" not in text
    assert "Figure 4 (a)" in text and "Table 1" in text
    assert "remote-metagraph.svg stands in for it" in kg.imported.output  # the web image, which builds never fetch


@needs_corpus
def test_the_authors_are_on_the_title_page(kg: Imported) -> None:
    title_page = PdfReader(kg.project / "build" / "paper.pdf").pages[0].extract_text()
    for expected in ("Constructing Knowledge Graphs", "David N. Nicholson", "Casey S. Greene",
                     "Childhood Cancer Data Lab, Alex's Lemonade Stand Foundation"):  # fmt: skip
        assert expected in title_page, expected
    config = (kg.project / "whitepaper.yaml").read_text(encoding="utf-8")
    assert "orcid: 0000-0001-8713-9213" in config and "- Writing - Review & Editing" in config
    funding = (kg.project / "chapters" / "89-funding.md").read_text(encoding="utf-8")
    assert (
        "Casey S. Greene: The Gordon and Betty Moore Foundation (GBMF4552); The National Institutes of Health (R01 HG010067)."
        in funding
    )


@needs_corpus
def test_the_report_says_what_was_dropped_and_why(kg: Imported) -> None:
    out = kg.imported.output
    assert out.startswith(f"imported {MANUSCRIPT} into {kg.project}: 6 chapters, 211 references, 5 figures")
    for expected in (
        "content/01.abstract.md → whitepaper.yaml `abstract:`",
        "content/04.network_applications.md → chapters/04-network-applications.md",
        "output/references.json and output/citations.tsv → bibliography/resolved.json (196 entries)",
        "content/00.front-matter.md: a Jinja2 template that Manubot fills",
        "Casey S. Greene's github cgreene, initials CSG, twitter greenescientist: no field for it",
        "manual reference 'url:https://github.com/manubot/rootstock': nothing cites it",
        "content/images/orcid.svg",
        # The source's own slips, which Manubot let pass (see the corpus's README).
        "content/04.network_applications.md: [@raw:lintransR, @arxiv:1610.04073]: a comma where `;` was meant?",
        "content/04.network_applications.md: 'doi:10.3389/fgene.2019.00226' in a citation has no `@`: it cites nothing",
    ):
        assert expected in out, expected


@needs_corpus
def test_the_source_is_only_read_and_a_used_target_refused(kg: Imported, tmp_path: Path) -> None:
    before = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(MANUSCRIPT.rglob("*")) if p.is_file())).digest()
    again = run_cli("import", "manubot", MANUSCRIPT / "content", kg.project)  # content/ itself will do too
    assert again.exit_code == 2 and "exists and is not empty" in again.output
    assert (
        before
        == hashlib.sha256(b"".join(p.read_bytes() for p in sorted(MANUSCRIPT.rglob("*")) if p.is_file())).digest()
    )


# A made-up Manubot repository: what the real one does not have -------------------------------------


def _manubot(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


METADATA = """\
    ---
    title: A Small Manuscript
    authors:
      - name: Ada Example
        orcid: 0000-0002-1825-0097
        affiliations: Example Institute; Other Lab
        contributions: [Software, Writing - original draft, Drew the owl]
        corresponding: true
    pandoc:
      citekey-aliases: {}
    """


def test_a_manuscript_without_build_output(tmp_path: Path) -> None:
    source = _manubot(
        tmp_path / "repo",
        {
            "content/metadata.yaml": METADATA,
            "content/01.intro.md": """\
                ## Introduction {#intro}

                Short DOIs [@doi:10/bm8dnf], tags [@tag:fair] and a note [@raw:note].

                ### Background

                <script>track()</script>
                Text {{manubot.date}}.
                """,
            "content/citation-tags.tsv": "tag\tcitation\nfair\tdoi:10.1038/sdata.2016.18\n",
            "content/manual-references.json": json.dumps([{"id": "note", "type": "no-type", "title": "A note"}]),
            "content/README.md": "not part of the manuscript\n",
        },
    )
    project = tmp_path / "paper"
    result = run_cli("import", "manubot", source, project)
    assert result.exit_code == 0, result.output
    chapter = (project / "chapters" / "01-intro.md").read_text(encoding="utf-8")
    assert chapter.startswith("---\ntitle: Introduction\nid: intro\n---\n\nShort DOIs")
    assert "\n## Background\n" in chapter and "<script>" not in chapter
    config = yaml.safe_load((project / "whitepaper.yaml").read_text(encoding="utf-8"))
    assert config["affiliations"] == [{"id": "aff1", "name": "Example Institute"}, {"id": "aff2", "name": "Other Lab"}]
    (author,) = config["authors"]
    assert author["roles"] == ["Software", "Writing - original draft"] and author["corresponding"] is True
    assert author["affiliations"] == ["aff1", "aff2"] and author["orcid"] == "0000-0002-1825-0097"
    assert (project / "citation-tags.tsv").is_file()
    manual = json.loads((project / "bibliography" / "manual.json").read_text(encoding="utf-8"))
    assert manual == [{"id": "raw:note", "title": "A note", "type": "entry"}]
    for expected in (
        "contributions of Ada Example: Drew the owl: not CRediT roles",
        "content/metadata.yaml: `pandoc`: Manubot's own setting",
        "content/01.intro.md: HTML-only blocks (lines 7)",
        "content/01.intro.md: Jinja2 template code kept as text (lines 8)",
        "content/README.md: not numbered",
        (
            "no Manubot build output (output/references.json): run `whitepaper cite resolve` once, "
            "to look up the 2 identifiers cited"
        ),
    ):
        assert expected in result.output, expected
    assert not (project / "bibliography" / "resolved.json").exists()  # nothing stands in: `cite resolve` looks up
    checked = run_cli("check", project)
    assert checked.exit_code == 1 and "[citation-tag-unknown]" not in checked.output
    for key in ("doi:10/bm8dnf", "doi:10.1038/sdata.2016.18"):  # the tag's work
        assert f"'{key}'" in checked.output and "run `whitepaper cite resolve` [citation-unresolved]" in checked.output


def test_unreadable_sources_are_located_errors(tmp_path: Path) -> None:
    source = _manubot(
        tmp_path / "repo",
        {
            "content/metadata.yaml": "title: [unclosed\n",
            "content/manual-references.json": '[{"id": "x",}]',
            "content/01.a.md": "## A\n",
        },
    )
    result = run_cli("import", "manubot", source, tmp_path / "paper")
    assert result.exit_code == 1 and not (tmp_path / "paper").exists()
    assert (
        "content/metadata.yaml:2:1: error: invalid YAML" in result.output and "[import-source-invalid]" in result.output
    )
    assert "content/manual-references.json:1:13: error: invalid JSON: Expecting property name" in result.output
    missing = run_cli("import", "manubot", tmp_path, tmp_path / "paper")
    assert missing.exit_code == 2 and "is not a Manubot manuscript" in missing.output


@needs_corpus
def test_cite_resolve_finds_nothing_to_look_up(kg: Imported, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store holds what Manubot's build looked up: resolving changes nothing and asks no one
    (every service points at a closed port on loopback, which would fail a lookup)."""
    for service in ("DOI", "PUBMED", "ARXIV", "ISBN"):
        monkeypatch.setenv(f"WHITEPAPER_CITE_{service}", "http://127.0.0.1:9")
    store = kg.project / "bibliography" / "resolved.json"
    before = store.read_bytes()
    result = run_cli("cite", "resolve", kg.project)
    assert result.exit_code == 0, result.output
    assert "bibliography/resolved.json unchanged: 0 looked up, 196 in the store already" in result.output
    assert store.read_bytes() == before
