"""Cross-references and numbering, read back from the HTML and the PDF as a reader sees them."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from conftest import Run, pdf_pages, run_cli, write_project

CONFIG = """\
    title: Numbering
    bibliography: bibliography/references.bib
    numbering: {numbering}
    lists-of: [figures, tables]
    blocks:
      recommendation: {{label: Recommendation, prefix: R, summary: true}}
      challenge: {{label: Challenge, prefix: C}}
    """

SQUARE = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="60" height="60"><rect width="10" height="10"/></svg>'

CHAPTERS = {
    "00-summary.md": """\
        ---
        title: Summary
        role: front
        ---

        The recommendations are summarised in @tbl-recs.

        ::: {#tbl-recs .summary-of kind=recommendation}
        :::
        """,
    "01-data.md": """\
        ---
        title: Data
        id: sec-data-chapter
        ---

        ## Sources {#sec-sources}

        As @fig-pipeline shows, and [@fig-pipeline; @fig:other] confirm, data flow [@wilkinson2016fair].
        The numbers alone: -@fig-pipeline. @Fig-other starts a sentence.
        Mixed: [@tbl-costs; @topol2019]. In print, [@fig-pipeline, page].

        ![The pipeline.](figures/square.svg){#fig-pipeline}

        ![Another view.](figures/square.svg){#fig:other}

        | Item | Cost |
        |------|------|
        | A    | 1    |

        : Costs. {#tbl-costs}

        $$ E = mc^2 $$ {#eq-energy}

        ::: {#chal-privacy .challenge title="Privacy"}
        Hard.
        :::

        See @eq-energy and @sec-sources, and @chal-privacy.
        """,
    "02-actions.md": """\
        ---
        title: Actions
        ---

        ::: {#rec-open .recommendation title="Open the data"}
        Do it.
        :::

        ::: {#rec-train .recommendation title="Train people"}
        Teach.
        :::

        Figure {@fig:other} (xnos style) and [@rec-open; @rec-train] and @sec-data-chapter.

        ![Third.](figures/square.svg){#fig-third}

        @fig-third is the third figure.
        """,
    "03-appendix.md": """\
        ---
        title: Extra tables
        role: appendix
        ---

        | Z |
        |---|
        | 1 |

        : Appendix table. {#tbl-appendix}

        @tbl-appendix closes the paper; @rec-open came first.
        """,
}


def make(root: Path, numbering: str, chapters: dict[str, str] | None = None) -> Path:
    chapters = dict(chapters or CHAPTERS)
    project = write_project(root, chapters, textwrap.dedent(CONFIG).format(numbering=numbering))
    (project / "figures").mkdir(exist_ok=True)
    (project / "figures" / "square.svg").write_text(SQUARE)
    return project


@pytest.fixture(scope="module")
def global_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    project = make(tmp_path_factory.mktemp("xref-global"), "global")
    return project, run_cli("build", project)


@pytest.fixture(scope="module")
def chapter_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    project = make(tmp_path_factory.mktemp("xref-chapter"), "chapter")
    return project, run_cli("build", project)


def html_text(project: Path) -> str:
    html = (project / "build" / "paper.html").read_text(encoding="utf-8")
    return html


def visible(html: str) -> str:
    text = re.sub(r"<math.*?</math>", " [math] ", html, flags=re.S)
    text = re.sub(r"<script.*?</script>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(text.split())


def test_builds_clean(global_build: tuple[Path, Run]) -> None:
    _, result = global_build
    assert result.exit_code == 0, result.output
    assert "; no warnings" in result.output


def test_global_numbers_and_reference_texts(global_build: tuple[Path, Run]) -> None:
    project, _ = global_build
    text = visible(html_text(project))
    expected = [
        "As Figure 1 shows, and Figures 1 and 2 confirm",
        "The numbers alone: 1. Figure 2 starts a sentence.",
        "Mixed: Table 2 (2).",  # the summary is Table 1; the work cited is reference 2
        "See Equation 1 and Section 1.1, and Challenge C1.",
        "Figure 2 (xnos style) and Recommendations R1 and R2 and Chapter 1.",
        "Figure 3 is the third figure.",
        "Table 3 closes the paper; Recommendation R1 came first.",  # global numbering: the appendix table is Table 3
        "Figure 1. The pipeline.",
        "Figure 2. Another view.",
        "Table 2. Costs.",
        "Recommendation R2 Train people",
        "Challenge C1 Privacy",
        "(1)",
    ]
    for phrase in expected:
        assert phrase in text, phrase
    assert "Figure Figure" not in text and "{" not in visible(html_text(project).split("<article")[1])


def test_links_point_at_their_targets(global_build: tuple[Path, Run]) -> None:
    project, _ = global_build
    html = html_text(project)
    links = re.findall(r'<a href="#([^"]+)" class="xref"[^>]*>([^<]+)</a>', html)
    assert ("fig-pipeline", "Figure 1") in links
    assert ("fig:other", "2") in links  # inside the group "Figures 1 and 2", and the xnos form
    assert ("rec-open", "R1") in links
    assert ("sec-sources", "Section 1.1") in links
    assert ("eq-energy", "Equation 1") in links
    ids = set(re.findall(r'id="([^"]+)"', html))
    assert {target for target, _ in links} <= ids


def test_sections_chapters_and_appendix_are_numbered(global_build: tuple[Path, Run]) -> None:
    project, _ = global_build
    pages = pdf_pages(project / "build" / "paper.pdf")
    contents = next(p for p in pages if p.startswith("Contents"))
    for line in ("Summary", "1 Data", "1.1 Sources", "2 Actions", "A Extra tables", "References"):
        assert re.search(rf"^{re.escape(line)} (\. )+", contents, re.M), line


def test_summary_table_lists_blocks_with_pages(global_build: tuple[Path, Run]) -> None:
    project, _ = global_build
    pages = pdf_pages(project / "build" / "paper.pdf")
    summary = next(p for p in pages if "Summary of recommendations" in p and "Recommendation Title" in p)
    rows = re.findall(r"^(R\d) (.+?) (\d+ \w+) (\d+)$", summary, re.M)
    assert [(r[0], r[1], r[2]) for r in rows] == [("R1", "Open the data", "2 Actions"), ("R2", "Train people", "2 Actions")]
    for number, title, _, page in rows:
        assert f"recommendation {number} {title}".lower() in pages[int(page) - 1].lower()


def test_page_form_for_print_readers(global_build: tuple[Path, Run]) -> None:
    project, _ = global_build
    pages = pdf_pages(project / "build" / "paper.pdf")
    text = " ".join(" ".join(pages).split())
    match = re.search(r"In print, Figure 1 on page (\d+)\.", text)
    assert match
    assert "Figure 1. The pipeline." in " ".join(pages[int(match.group(1)) - 1].split())
    assert "on page" not in visible(html_text(project))  # the HTML has no pages


def test_lists_of_figures_and_tables(global_build: tuple[Path, Run]) -> None:
    project, _ = global_build
    pages = pdf_pages(project / "build" / "paper.pdf")
    lists = next(p for p in pages if "List of figures" in p)
    assert re.search(r"^1 The pipeline (\. )+\d+$", lists, re.M)
    assert re.search(r"^3 Third (\. )+\d+$", lists, re.M)
    assert re.search(r"^1 Summary of recommendations (\. )+\d+$", lists, re.M)


def test_per_chapter_numbering(chapter_build: tuple[Path, Run]) -> None:
    project, result = chapter_build
    assert result.exit_code == 0, result.output
    text = visible(html_text(project))
    for phrase in (
        "As Figure 1.1 shows, and Figures 1.1 and 1.2 confirm",
        "Figure 1.2 (xnos style) and Recommendations R2.1 and R2.2",
        "Figure 2.1 is the third figure.",
        "Table A.1 closes the paper",
        "See Equation 1.1 and Section 1.1, and Challenge C1.1.",
    ):
        assert phrase in text, phrase
    pdf = " ".join(" ".join(pdf_pages(project / "build" / "paper.pdf")).split())
    assert "Figure 2.1. Third." in pdf


def test_math_is_mathml_on_screen_and_svg_in_print(global_build: tuple[Path, Run], tmp_path: Path) -> None:
    project, _ = global_build
    assert '<math display="block"' in html_text(project)
    result = run_cli("build", project, "--pdf", "--keep-print-html", "--quiet")
    assert result.exit_code == 0
    printed = (project / "build" / "paper.print.html").read_text(encoding="utf-8")
    assert "<math" not in printed
    assert 'class="math display"' in printed and "data:image/svg+xml;base64," in printed


# Errors ----------------------------------------------------------------------


def build_with(tmp_path: Path, edits: dict[str, tuple[str, str]], extra_config: str = "") -> Run:
    chapters = {name: textwrap.dedent(text) for name, text in CHAPTERS.items()}
    for name, (old, new) in edits.items():
        assert old in chapters[name], old
        chapters[name] = chapters[name].replace(old, new, 1)
    project = make(tmp_path / "p", "global", chapters)
    if extra_config:
        with (project / "whitepaper.yaml").open("a") as handle:
            handle.write(extra_config)
    return run_cli("build", project)


def test_renamed_figure_leaves_a_dangling_reference(tmp_path: Path) -> None:
    result = build_with(tmp_path, {"02-actions.md": ("{#fig-third}", "{#fig-third-view}")})
    assert result.exit_code == 1
    assert (
        "chapters/02-actions.md:17:1: error: unknown cross-reference target 'fig-third'; did you mean 'fig-third-view'? [xref-unknown]"
        in result.output
    )
    assert "Traceback" not in result.output


def test_duplicate_id_across_chapters_names_both(tmp_path: Path) -> None:
    result = build_with(tmp_path, {"02-actions.md": ("{#fig-third}", "{#fig-pipeline}")})
    assert result.exit_code == 1
    assert (
        "chapters/02-actions.md:15:31: error: duplicate id 'fig-pipeline' (first used at chapters/01-data.md:12:38) [duplicate-id]"
        in result.output
    )


def test_block_of_undeclared_kind(tmp_path: Path) -> None:
    result = build_with(tmp_path, {"02-actions.md": (".recommendation title=\"Train", ".finding title=\"Train")})
    assert result.exit_code == 1
    assert (
        "chapters/02-actions.md:9:6: error: block of undeclared kind 'finding': declare it under `blocks:` in whitepaper.yaml [block-undeclared]"
        in result.output
    )


def test_block_without_id_is_numbered_with_a_warning(tmp_path: Path) -> None:
    result = build_with(tmp_path, {"02-actions.md": ("::: {#rec-train .recommendation", "::: {.recommendation")})
    assert result.exit_code == 1  # the text still refers to @rec-train
    assert "chapters/02-actions.md:9:22: warning: Recommendation R2 has no id, so it cannot be referenced [block-no-id]" in result.output
    assert "error: unknown cross-reference target 'rec-train'" in result.output


def test_unreferenced_figure_warns_and_the_rule_can_be_silenced(tmp_path: Path) -> None:
    edit = {"02-actions.md": ("@fig-third is the third figure.", "The third figure.")}
    result = build_with(tmp_path / "a", edit)
    assert result.exit_code == 0
    assert "chapters/02-actions.md:15:31: warning: Figure 3 is never referenced in the text [figure-unreferenced]" in result.output
    silenced = build_with(tmp_path / "b", edit, "rules: {figure-unreferenced: ignore}\n")
    assert silenced.exit_code == 0 and "; no warnings" in silenced.output


def test_unknown_citation_suggests_a_close_key(tmp_path: Path) -> None:
    result = build_with(tmp_path, {"01-data.md": ("@topol2019]", "@topol2091]")})
    assert result.exit_code == 1
    assert "error: unknown citation key 'topol2091': not in the bibliography; did you mean 'topol2019'? [citation-unknown]" in result.output


def test_summary_of_unknown_kind(tmp_path: Path) -> None:
    result = build_with(tmp_path, {"00-summary.md": ("kind=recommendation", "kind=finding")})
    assert result.exit_code == 1
    assert "chapters/00-summary.md:8:17: error: summary of unknown block kind 'finding'" in result.output
