"""`whitepaper check`: every rule on one fixture, the output formats, exit codes, overrides, folding, cache."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import CORPORA, REPO, run_cli, write_project
from whitepaper.pipeline import analyse, check

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 600
BIB = """\
@article{good2020, author = {Good, Ann}, title = {Good}, journal = {J}, year = {2020}}

@article{nofields, title = {Only a title}}

@article{baddoi, author = {Bad, Bo}, title = {Bad}, journal = {J}, year = {2001},
  doi = {not-a-doi}}

@article{dup2016, author = {Wilkinson, M.}, title = {FAIR}, journal = {Sci Data}, year = {2016},
  doi = {10.1038/sdata.2016.18}}

@article{dup2016b, author = {Wilkinson, M.}, title = {The FAIR principles}, journal = {Sci Data}, year = {2016},
  doi = {https://doi.org/10.1038/SDATA.2016.18}}

@book{unused2000, author = {Nobody, N.}, title = {Never cited}, publisher = {P}, year = {2000}}
"""
MORE_JSON = '[{"id": "good2020", "type": "book", "title": "Again", "author": [{"family": "G"}], "issued": {"date-parts": [[2020]]}}]\n'

CONFIG = """\
title: Every rule
colour: blue
max-image-size: 0.0005
bibliography: [bibliography/references.bib, bibliography/more.json]
blocks:
  recommendation: {label: Recommendation, prefix: R}
"""

CHAPTERS = {
    "01-one.md": """\
        ---
        title: One
        ---

        ## Start {#sec-a}

        Known [@good2020; @baddoi; @nofields; @dup2016] and unknown [@nokey].
        See @fig-nothing and [the end](#nowhere). TODO: finish.
        A claim [citation needed] and the same work again [@dup2016b].

        #### Too deep

        ![Remote.](https://example.org/x.png)

        ![Missing.](figures/missing.png)

        ![Big.](figures/big.png){#fig-big}

        ![Fake.](figures/fake.png){#fig-fake}

        @fig-big and @fig-fake are shown.
        """,
    "02-two.md": """\
        ---
        title: Two
        owner: [Ann]
        ---

        ## Again {#sec-a}

        ::: {#find-1 .finding title="Undeclared"}
        Text.
        :::

        ::: {.recommendation title="No id"}
        Text.
        :::

        | A |
        |---|
        | 1 |

        : Never mentioned. {#tbl-lonely}

        ::: {.summary-of kind=nothing}
        :::

        A [phrase]{#fig-big} with a taken id.
        """,
    "03-empty.md": "---\ntitle: Empty\n---\n",
    "04-status.md": "---\ntitle: Four\nstatus: done\n---\n\nText.\n",
}

# (rule, path, line, col, severity) of every diagnostic the fixture must produce.
EXPECTED = {
    ("config-unknown-key", "whitepaper.yaml", 2, 1, "warning"),
    ("bibliography-duplicate-key", "bibliography/more.json", 1, 1, "warning"),
    ("bibliography-missing-field", "bibliography/references.bib", 3, 1, "warning"),
    ("bibliography-bad-doi", "bibliography/references.bib", 6, 3, "warning"),
    ("bibliography-duplicate-work", "chapters/01-one.md", 9, 52, "warning"),
    ("unused-reference", "bibliography/references.bib", 14, 1, "warning"),
    ("front-matter-unknown-key", "chapters/02-two.md", 3, 1, "warning"),
    ("front-matter-type", "chapters/04-status.md", 3, 9, "error"),
    ("citation-unknown", "chapters/01-one.md", 7, 62, "error"),
    ("xref-unknown", "chapters/01-one.md", 8, 5, "error"),
    ("link-broken", "chapters/01-one.md", 8, 31, "error"),
    ("todo-marker", "chapters/01-one.md", 8, 43, "warning"),
    ("todo-marker", "chapters/01-one.md", 9, 9, "warning"),
    ("heading-skip", "chapters/01-one.md", 11, 1, "warning"),
    ("image-remote", "chapters/01-one.md", 13, 12, "warning"),
    ("image-missing", "chapters/01-one.md", 15, 13, "error"),
    ("image-large", "chapters/01-one.md", 17, 9, "warning"),
    ("image-unreadable", "chapters/01-one.md", 19, 10, "error"),
    ("duplicate-id", "chapters/02-two.md", 6, 11, "error"),
    ("block-undeclared", "chapters/02-two.md", 8, 6, "error"),
    ("duplicate-id", "chapters/02-two.md", 25, 12, "error"),
    ("block-no-id", "chapters/02-two.md", 12, 22, "warning"),
    ("table-unreferenced", "chapters/02-two.md", 20, 21, "warning"),
    ("summary-unknown-kind", "chapters/02-two.md", 22, 7, "error"),
    # Figures without an id cannot be referenced, so they are reported as unreferenced too.
    ("figure-unreferenced", "chapters/01-one.md", 13, 12, "warning"),
    ("figure-unreferenced", "chapters/01-one.md", 15, 13, "warning"),
    ("chapter-empty", "chapters/03-empty.md", 4, 1, "warning"),
}


@pytest.fixture(scope="module")
def every_rule(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = write_project(tmp_path_factory.mktemp("rules"), CHAPTERS, CONFIG, BIB)
    (project / "bibliography" / "more.json").write_text(MORE_JSON)
    (project / "figures").mkdir()
    (project / "figures" / "big.png").write_bytes(PNG)
    (project / "figures" / "fake.png").write_text("this is text, not a PNG")
    return project


def flatten(items: list[dict]) -> set[tuple]:  # type: ignore[type-arg]
    found = set()
    for item in items:
        found.add((item["rule"], item["path"], item["line"], item["col"], item["severity"]))
        for other in item["also"]:
            found.add((item["rule"], other["path"], other["line"], other["col"], item["severity"]))
    return found


def test_every_rule_is_reported_exactly(every_rule: Path) -> None:
    result = run_cli("check", every_rule, "--format", "json")
    assert result.exit_code == 1
    items = json.loads(result.output)
    assert flatten(items) == EXPECTED
    assert not (every_rule / "build" / "paper.html").exists()  # check writes no drafts


def test_text_format_shows_the_line_and_a_caret(every_rule: Path) -> None:
    output = run_cli("check", every_rule).output
    assert (
        "chapters/01-one.md:7:62: error: unknown citation key 'nokey': not in the bibliography [citation-unknown]\n"
        " 7 | Known [@good2020; @baddoi; @nofields; @dup2016] and unknown [@nokey].\n"
        "   |                                                              ^\n"
    ) in output
    assert (
        "chapters/02-two.md:6:11: error: duplicate id 'sec-a' (first used at chapters/01-one.md:5:11) [duplicate-id]\n"
        " 6 | ## Again {#sec-a}\n"
        "   |           ^\n"
    ) in output
    assert "\x1b[" not in output  # no colours when not on a terminal
    assert "10 errors, 17 warnings in 3 chapters" in output


def test_github_annotations(every_rule: Path) -> None:
    lines = run_cli("check", every_rule, "--format", "github").output.splitlines()
    assert "::error file=chapters/01-one.md,line=7,col=62,title=citation-unknown::unknown citation key 'nokey': not in the bibliography" in lines
    assert "::warning file=whitepaper.yaml,line=2,col=1,title=config-unknown-key::unknown key 'colour'" in lines
    assert len([line for line in lines if line.startswith("::")]) == len(EXPECTED)


def test_exit_codes(tmp_path: Path) -> None:
    clean = write_project(tmp_path / "clean", {"01-a.md": "# A\n\nText [@topol2019; @wilkinson2016fair].\n"})
    assert run_cli("check", clean).exit_code == 0
    assert run_cli("check", clean, "--strict").exit_code == 0
    warned = write_project(tmp_path / "warned", {"01-a.md": "# A\n\nText [@topol2019]. TODO\n"})
    assert run_cli("check", warned).exit_code == 0
    assert run_cli("check", warned, "--strict").exit_code == 1
    assert run_cli("check", tmp_path / "nowhere").exit_code == 1  # no whitepaper.yaml: an error in the project
    assert run_cli("check", clean, "--format", "xml").exit_code == 2


def test_rule_overrides(tmp_path: Path) -> None:
    config = "title: T\nbibliography: bibliography/references.bib\nrules: {unused-reference: ignore, todo-marker: error}\n"
    project = write_project(tmp_path / "p", {"01-a.md": "# A\n\nText [@topol2019]. FIXME\n"}, config)
    result = run_cli("check", project, "--format", "json")
    assert result.exit_code == 1
    assert [(i["rule"], i["severity"]) for i in json.loads(result.output)] == [("todo-marker", "error")]


def test_a_mistyped_rule_is_a_located_warning(tmp_path: Path) -> None:
    """A severity set for a rule that does not exist would change nothing, silently."""
    config = "title: T\nbibliography: bibliography/references.bib\nrules:\n  unused-refrence: ignore\n  todo-marker: error\n"
    project = write_project(tmp_path / "p", {"01-a.md": "# A\n\nText [@topol2019]. FIXME\n"}, config)
    result = run_cli("check", project)
    assert result.exit_code == 1  # the override that is spelt right still applies
    assert (
        "whitepaper.yaml:4:3: warning: unknown rule 'unused-refrence'; did you mean 'unused-reference'? [config-unknown-rule]"
        in result.output
    )
    assert "[todo-marker]" in result.output and "error: 'FIXME'" in result.output


def test_diagnostics_come_in_reading_order(every_rule: Path) -> None:
    """By file, then line, then column, however the checks found them (one per line with --format github)."""
    lines = run_cli("check", every_rule, "--format", "github").output.splitlines()
    places = []
    for line in lines:
        fields = dict(part.split("=", 1) for part in line.split("::")[1].split(" ", 1)[1].split(","))
        places.append((fields["file"], int(fields.get("line", 0)), int(fields.get("col", 0))))
    assert len(places) >= len(EXPECTED) and places == sorted(places)
    on_line_8 = [col for path, line, col in places if (path, line) == ("chapters/01-one.md", 8)]
    assert on_line_8 == [5, 31, 43]
    items = analyse(every_rule).diagnostics.items
    assert [(d.location.path, d.location.line, d.location.col) for d in items] == sorted(
        (d.location.path, d.location.line, d.location.col) for d in items
    )


def test_a_table_without_an_id_is_told_how_to_get_one(tmp_path: Path) -> None:
    table = "| A |\n|---|\n| 1 |\n\n: Nameless table.\n\n![Nameless figure.](figures/f.png)\n"
    project = write_project(tmp_path / "p", {"01-a.md": "# A\n\nText [@topol2019; @wilkinson2016fair].\n\n" + table})
    (project / "figures").mkdir()
    (project / "figures" / "f.png").write_bytes(PNG)
    output = run_cli("check", project).output
    assert "Table 1 is never referenced in the text (give it an id, such as {#tbl-name}, to refer to it) [table-unreferenced]" in output
    assert "Figure 1 is never referenced in the text (give it an id, such as {#fig-name}, to refer to it) [figure-unreferenced]" in output


def test_identical_diagnostics_are_folded(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"01-a.md": "# A\n\n[@gone] and [@gone].\n\nAgain @gone.\n"})
    result = run_cli("check", project, "--format", "json")
    items = [i for i in json.loads(result.output) if i["rule"] == "citation-unknown"]
    assert len(items) == 1 and items[0]["count"] == 3
    assert [(a["line"], a["col"]) for a in items[0]["also"]] == [(3, 14), (5, 7)]
    text = run_cli("check", project).output
    assert "(×3: also at chapters/01-a.md:3:14, chapters/01-a.md:5:7)" in text


def test_a_cache_entry_edited_by_hand_is_detected_and_rebuilt(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"01-a.md": "# A\n\nText [@topol2019; @wilkinson2016fair].\n"})
    first = check(project)
    cache = project / "build" / ".cache"
    # The parsed chapters: an edit that still parses as JSON; only the checksum can tell.
    entries = sorted((cache / "ast").rglob("*.json"))
    assert entries
    originals = {p: p.read_bytes() for p in entries}
    for path in entries:
        path.write_bytes(path.read_bytes().replace(b"Text", b"Edited"))
    again = analyse(project)
    assert again.stats == first.stats and again.diagnostics.items == first.diagnostics.items
    assert {p: p.read_bytes() for p in entries} == originals  # rebuilt from the source, not trusted
    entries[0].write_bytes(b"garbage")
    assert analyse(project).stats == first.stats
    # The remembered result of a whole check, edited to hide a problem, is not believed either.
    (memo,) = (cache / "check").rglob("*.json")
    memo.write_bytes(memo.read_bytes().replace(b'"words":', b'"words":1000,"x":'))
    assert check(project).stats == first.stats


def test_sample_paper_checks_clean_with_strict() -> None:
    result = run_cli("check", REPO, "--strict", "--no-cache")
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings in 7 chapters" in result.output


def test_status_table_and_json(tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "p",
        {"01-a.md": "---\ntitle: Alpha\nstatus: in-review\nowners: [Ann]\n---\n\nOne two three [@topol2019; @wilkinson2016fair].\n"},
    )
    data = json.loads(run_cli("status", project, "--format", "json").output)
    assert data == [
        {"file": "chapters/01-a.md", "title": "Alpha", "status": "in-review", "owners": ["Ann"], "words": 4,
         "reading_minutes": 1, "citations": 2, "figures": 0, "tables": 0, "warnings": 0, "errors": 0,
         "approved_by": [], "stale": [], "open_comments": 0}
    ]  # fmt: skip
    table = run_cli("status", project).output
    assert "Alpha" in table and "in-review" in table and "Ann" in table


CORPUS = CORPORA / "knowledge-graph-review"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the knowledge-graph-review corpus is not here")
def test_real_manuscript_corpus(tmp_path: Path) -> None:
    project = tmp_path / "kg"
    shutil.copytree(CORPUS / "content", project / "content")
    shutil.copy(CORPUS / "derived" / "references-by-citekey.json", project / "references.json")
    names = ["01.abstract", "02.introduction", "03.text-mining", "04.network_applications", "05.conclusion", "90.back-matter"]
    (project / "whitepaper.yaml").write_text(
        textwrap.dedent(f"""\
            title: Constructing Knowledge Graphs and Their Biomedical Applications
            chapters: [{", ".join(f"content/{n}.md" for n in names)}]
            bibliography: references.json
            """)
    )
    result = run_cli("check", project, "--format", "json")
    assert result.exit_code == 1
    found = flatten(json.loads(result.output))
    by_rule: dict[str, set[tuple]] = {}  # type: ignore[type-arg]
    for item in found:
        by_rule.setdefault(item[0], set()).add(item[1:3])
    # The one citation without bibliography data, at its file and line: a DOI, which `cite resolve` would look up.
    assert by_rule["citation-unresolved"] == {("content/03.text-mining.md", 170)}
    # eLife.26726 and eLife.26726.001 are one paper under two keys: reported where the second is cited.
    assert ("content/04.network_applications.md", 155) in by_rule["bibliography-duplicate-work"]
    # {@fig:...} and {@tbl:...} resolve to figures and tables instead of being taken for citations.
    assert "xref-unknown" not in by_rule
    assert not any("fig:" in item[0] for item in found)
    assert set(by_rule) <= {"citation-unresolved", "bibliography-duplicate-work", "bibliography-missing-field", "image-remote", "unused-reference"}
    html_result = run_cli("status", project, "--format", "json")
    stats = json.loads(html_result.output)
    assert sum(s["figures"] for s in stats) == 5 and sum(s["tables"] for s in stats) == 3


def test_remembered_check_notices_a_new_file(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"01-a.md": "# A\n\nText [@topol2019; @wilkinson2016fair].\n\n![Plot.](figures/plot.svg)\n"})
    assert [d.rule for d in check(project).diagnostics] == ["image-missing", "figure-unreferenced"]
    (project / "figures").mkdir()
    (project / "figures" / "plot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert [d.rule for d in check(project).diagnostics] == ["figure-unreferenced"]
