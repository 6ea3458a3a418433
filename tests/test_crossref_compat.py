"""Manuscripts written for pandoc-crossref build unchanged: its forms of equations, subfigures,
listings, section labels and label overrides, and its options, each referred to and read back
from the HTML and the PDF with the numbers pandoc-crossref gives them.

The fixtures are our own (pandoc-crossref's demo is GPL); what it accepts and how it numbers
is as its documentation and demo (lierdakil/pandoc-crossref, docs/index.md, docs/demo/demo.md)
say: a `label="…"` is shown instead of a number but still counts; subfigures are lettered
within their figure; every heading's id becomes `sec:` + id under autoSectionLabels; only
figures and tables with an id are numbered (`number-unlabelled: false` here); references in
a group are sorted.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import Run, pdf_pages, run_cli, write_project
from whitepaper.pipeline import BuildOptions, build

CONFIG = """\
    title: Crossref Compatibility
    date: 2026-01-15
    lists-of: [figures, tables, listings]
    number-unlabelled: false
    eqnPrefix: [eq., eqns.]
    subfigGrid: true
    codeBlockCaptions: true
    figureTitle: Fig.
    """

CHAPTERS = {
    "01-equations.md": """\
        ---
        title: Equations
        ---

        The probability of a trajectory is:
        $$ p(\\tau) = \\prod_t \\pi(a_t \\mid s_t) $$ {#eq:traj}

        Some equations sit inside text, $$ a x^2 + b x + c = 0 $${#eq:quad} like this one.

        Two in one paragraph, $$ x = 1 $$ {#eq:one} and $$ y = 2 $${#eq:two}, then prose.

        - A list item: $$ z = 3 $$ {#eq:item}

        > A quote: $$ w = 4 $$ {#eq:quote}

        [$$ v = 5 $$]{#eq:named label="E"}

        $$ E = mc^2 $$ {#eq:alone}

        Read @eq:traj, @eq:quad, [@eq:one; @eq:two], @eq:item, @eq:quote, @eq:named and @Eq:alone.
        """,
    "02-figures.md": """\
        ---
        title: Figures
        figPrefix: [fig., figs.]
        nameInLink: false
        ---

        ![A single figure.](figures/blue.svg){#fig:first}

        ![Not numbered: it has no id.](figures/red.svg)

        <div id="fig:panels">
        ![Before](figures/blue.svg){#fig:before width=30%}
        ![After](figures/red.svg){#fig:after width=30%}

        ![Detail](figures/red.svg)

        The cells before and after treatment.
        </div>

        ::: {#fig:pair}
        ![Left](figures/blue.svg){#fig:left}

        ![Right](figures/red.svg){#fig:right}

        \\: Two panels on two rows.
        :::

        ![A custom label.](figures/blue.svg){#fig:custom label="C"}

        See @fig:first, @fig:panels, @fig:after, [@fig:before; @fig:after], @fig:right, @fig:custom and @Fig:panels.
        Sorted as pandoc-crossref sorts them: [@fig:right; @Fig:first; @fig:panels].
        """,
    "03-code.md": """\
        ---
        title: Code
        linkReferences: false
        lstPrefix: lst.
        chapters: true
        ---

        Listing: Loading the cohort {#lst:load}

        ```python
        cohort = load("cohort.csv")
        ```

        ```{#lst:clean .python caption="Cleaning the records"}
        records = clean(cohort)
        ```

        Listing: Fitting the model

        ```{#lst:fit .r}
        fit <- glm(y ~ x)
        ```

        ```python
        print(fit)
        ```

        : Printing the fit {#lst:print}

        ```{#lst-quarto .sql lst-cap="In Quarto's words" label="Q"}
        select * from cohort;
        ```

        ::: {#lst:wrapped .listing}
        Wrapped in a div

        ```python
        done = True
        ```
        :::

        Unlinked: @lst:load, @lst:clean, [@lst:fit; @lst:print], @lst-quarto, @lst:wrapped.
        """,
    "04-methods.md": """\
        ---
        autoSectionLabels: true
        ---

        # Methods and materials

        ## Data sources

        ### Registries

        #### Deep level

        ##### Deeper still

        ## Custom numbered {#sec:custom label="X"}

        ### Under the custom

        #### Labelled too {label="Y"}

        ## Notes {-}

        Grouped as pandoc-crossref groups them: [@sec:notes; @sec:data-sources; @sec:registries], [-@sec:custom; @sec:custom].

        Sections: @sec:data-sources, @sec:registries, @sec:deep-level, @sec:deeper-still,
        @sec:custom, @sec:under-the-custom, @sec:labelled-too and @sec:methods-and-materials.
        """,
    "05-tables.md": """\
        ---
        role: appendix
        tblPrefix: [tab., tabs.]
        secPrefix: sec.
        ---

        # Supplementary tables {label="S"}

        | a | b |
        |---|---|
        | 1 | 2 |

        : Costs {#tbl:costs}

        ::: {#tbl:wrapped label="T"}
        | c | d |
        |---|---|
        | 3 | 4 |

        : Wrapped
        :::

        | e |
        |---|
        | 5 |

        : Labelled {#tbl:inline label="L"}

        | g |
        |---|
        | 7 |

        | f |
        |---|
        | 6 |

        : After the labels {#tbl:after}

        Tables @tbl:costs, @tbl:wrapped, @tbl:inline and @tbl:after ([@tbl:after; @tbl:costs]); elsewhere @fig:after,
        @sec:registries, @sec:custom and @sec-tables.
        """,
}


def svg(colour: str) -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 30" width="160" height="120"><rect width="40" height="30" fill="{colour}"/></svg>'


def make(root: Path) -> Path:
    project = write_project(root, CHAPTERS, textwrap.dedent(CONFIG))
    (project / "figures").mkdir(exist_ok=True)
    (project / "figures" / "blue.svg").write_text(svg("#2b5d8a"))
    (project / "figures" / "red.svg").write_text(svg("#b0413e"))
    return project


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    project = make(tmp_path_factory.mktemp("crossref") / "p")
    return project, run_cli("build", project)


def html(project: Path) -> str:
    return (project / "build" / "paper.html").read_text(encoding="utf-8")


def visible(page: str) -> str:
    text = page.split("<article", 1)[-1]
    text = re.sub(r"<math.*?</math>", " [math] ", text, flags=re.S)
    text = re.sub(r"<(script|style).*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(text.split())


def links(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="#([^"]+)" class="xref"[^>]*>([^<]+)</a>', page)


def test_builds_with_only_the_unsupported_options_reported(built: tuple[Path, Run]) -> None:
    _, result = built
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if ": warning: " in line]
    assert warnings == [
        (
            "chapters/03-code.md:5:1: warning: pandoc-crossref option 'chapters' is not supported: "
            "use `numbering: chapter` in whitepaper.yaml [crossref-unsupported]"
        ),
        (
            "whitepaper.yaml:8:1: warning: pandoc-crossref option 'figureTitle' is not supported: "
            "captions say Figure, Table and Listing [crossref-unsupported]"
        ),
    ]


def test_equations_in_paragraphs_lists_and_quotes(built: tuple[Path, Run]) -> None:
    project, _ = built
    text = visible(html(project))
    # Numbered in reading order; `label="E"` shows instead of 7, which still counts (as in pandoc-crossref).
    assert "trajectory is: [math] (1) Some equations sit inside text, [math] (2) like this one." in text
    assert "Two in one paragraph, [math] (3) and [math] (4), then prose." in text
    assert "A list item: [math] (5)" in text and "A quote: [math] (6)" in text
    assert "[math] (E) [math] (8)" in text
    assert "Read eq. 1, eq. 2, eqns. 3 and 4, eq. 5, eq. 6, eq. E and Eq. 8." in text
    assert "{#eq" not in text
    found = links(html(project))
    assert ("eq:traj", "eq. 1") in found and ("eq:two", "4") in found and ("eq:alone", "Eq. 8") in found
    ids = set(re.findall(r'id="([^"]+)"', html(project)))
    assert {"eq:traj", "eq:quad", "eq:one", "eq:two", "eq:item", "eq:quote", "eq:named", "eq:alone"} <= ids


def test_subfigures_numbered_as_one_figure_and_lettered(built: tuple[Path, Run]) -> None:
    project, _ = built
    page = html(project)
    text = visible(page)
    assert "(a) Before (b) After (c) Detail Figure 2. The cells before and after treatment." in text
    assert "(a) Left (b) Right Figure 3. Two panels on two rows." in text
    assert "Figure C. A custom label." in text
    # `number-unlabelled: false`: a figure without an id is not numbered, as in pandoc-crossref.
    assert "Figure 1. A single figure. Not numbered: it has no id. (a) Before" in text
    # figPrefix and nameInLink in the chapter's front matter: the name outside the link.
    assert "See fig. 1, fig. 2, fig. 2b, figs. 2a and 2b, fig. 3b, fig. C and Fig. 2." in text
    assert "Sorted as pandoc-crossref sorts them: figs. 1, 2 and 3b." in text  # the first written is not capitalised
    found = links(page)
    assert ("fig:after", "2b") in found and ("fig:panels", "2") in found and ("fig:custom", "C") in found
    # Another chapter's references follow the paper's style: the whole name in the link.
    assert ("fig:after", "Figure 2b") in found
    # Rows as the blank lines say; the first row's columns as wide as their `width` (30% each, centred).
    rows = re.findall(r'<div class="subfigure-row"[^>]*>(.*?)</div>', page, flags=re.S)
    assert [len(re.findall(r"<figure", row)) for row in rows] == [2, 1, 1, 1]
    assert '<div class="subfigure-row" style="width:60%">' in page
    assert '<figure id="fig:before" class="subfigure" style="width:50%">' in page


def test_listings_in_each_form(built: tuple[Path, Run]) -> None:
    project, _ = built
    page = html(project)
    text = visible(page)
    for caption in (
        "Listing 1. Loading the cohort", "Listing 2. Cleaning the records", "Listing 3. Fitting the model",
        "Listing 4. Printing the fit", "Listing Q. In Quarto's words", "Listing 6. Wrapped in a div",
    ):  # fmt: skip
        assert caption in text, caption
    assert "Listing:" not in text and "{#lst" not in text
    # linkReferences: false and lstPrefix (one word for one and several) in the chapter: plain text, no links.
    assert "Unlinked: lst. 1, lst. 2, lst. 3 and 4, lst. Q, lst. 6." in text
    assert not [target for target, _ in links(page) if target.startswith("lst:")]
    assert re.search(r'<div id="lst:clean" class="listing">\s*<div class="listing-caption">', page)
    assert page.count('class="listing"') == 6


def test_auto_section_labels_and_label_overrides(built: tuple[Path, Run]) -> None:
    project, _ = built
    text = visible(html(project))
    assert (
        "Sections: Section 4.1, Section 4.1.1, Section 4.1.1.1, Section 4.1.1.1.1, Section 4.X, Section 4.X.1, "
        "Section 4.X.1.Y and Chapter 4." in text
    )
    # Tables: `label` on the caption or on a wrapping div shows instead of the number, which still counts.
    assert "Grouped as pandoc-crossref groups them: “Notes” and Sections 4.1 and 4.1.1, 4.X and Section 4.X." in text
    assert (
        "Table 1. Costs" in text
        and "Table T. Wrapped" in text
        and "Table L. Labelled" in text
        and "Table 4. After the labels" in text
    )
    assert (
        "Tables tab. 1, tab. T, tab. L and tab. 4 (tabs. 1 and 4); elsewhere Figure 2b, sec. 4.1.1, sec. 4.X and sec. S."
        in text
    )
    assert "S Supplementary tables" in text


def test_pdf_numbers_and_lists(built: tuple[Path, Run]) -> None:
    project, _ = built
    pages = pdf_pages(project / "build" / "paper.pdf")
    flat = " ".join(" ".join(pages).split())
    for phrase in (
        "Read eq. 1, eq. 2, eqns. 3 and 4, eq. 5, eq. 6, eq. E and Eq. 8.",
        "Figure 2. The cells before and after treatment.",
        "(b) After",
        "Listing 1. Loading the cohort",
        "Unlinked: lst. 1, lst. 2, lst. 3 and 4, lst. Q, lst. 6.",
        "Section 4.X.1.Y and Chapter 4.",
    ):
        assert phrase in flat, phrase
    listings = next(p for p in pages if "List of listings" in p)
    assert re.search(r"^1 Loading the cohort (\. )+\d+$", listings, re.M)
    assert re.search(r"^4 Printing the fit (\. )+\d+$", listings, re.M)
    assert re.search(r"^6 Wrapped in a div (\. )+\d+$", listings, re.M)
    figures = next(p for p in pages if "List of figures" in p)
    assert re.search(r"^2 The cells before and after treatment (\. )+\d+$", figures, re.M)
    assert re.search(r"^C A custom label (\. )+\d+$", figures, re.M)
    assert "Before" not in figures and "Not numbered" not in figures  # subfigures and figures without an id are not listed


def test_an_edited_word_redoes_one_chapter_and_a_relabelled_subfigure_the_paper(
    built: tuple[Path, Run], tmp_path: Path
) -> None:
    """The new forms' targets are in the chapters' signatures: prose edits stay incremental,
    a subfigure's new label does not (another chapter refers to it)."""
    source, _ = built
    project = tmp_path / "p"
    shutil.copytree(source, project, ignore=shutil.ignore_patterns("build"))
    html_only = BuildOptions(formats=("html",))
    build(project, html_only)
    figures = project / "chapters" / "02-figures.md"
    figures.write_text(figures.read_text().replace("See @fig:first,", "Look at @fig:first,"))
    assert build(project, html_only).edited_chapters == 1
    assert "Look at fig. 1, fig. 2, fig. 2b," in visible(html(project))
    figures.write_text(figures.read_text().replace("{#fig:after width=30%}", "{#fig:after width=30% label=z}"))
    assert build(project, html_only).edited_chapters == 0
    assert "elsewhere Figure 2z, sec. 4.1.1" in visible(html(project))


def test_options_and_list_commands_not_followed_are_explained(tmp_path: Path) -> None:
    chapters = {"01-a.md": "# A\n\nText.\n"}
    clash = run_cli("check", write_project(tmp_path / "a", chapters, "title: A\nchapters: true\n"))
    assert clash.exit_code == 1
    assert (
        "whitepaper.yaml:2:11: error: chapters: a list of chapter files is expected; "
        "pandoc-crossref's `chapters: true` is `numbering: chapter` here [config-value]"
    ) in clash.output
    typo = run_cli("check", write_project(tmp_path / "b", chapters, "title: B\nfigprefix: fig.\nFigPrefix: Fig.\n"))
    assert typo.exit_code == 0
    assert "whitepaper.yaml:2:1: warning: unknown key 'figprefix'; did you mean 'figPrefix'? [config-unknown-key]" in typo.output
    assert (
        "whitepaper.yaml:3:1: warning: pandoc-crossref option 'FigPrefix' is not supported: "
        "a capitalised reference (`@Fig:x`) capitalises figPrefix [crossref-unsupported]"
    ) in typo.output
    listed = {"01-a.md": "# A\n\nText.\n\n\\listoffigures\n\n\\listoftables\n\n| A |\n|---|\n| 1 |\n"}
    lists = run_cli("check", write_project(tmp_path / "c", listed, "title: C\nlists-of: [tables]\n"))
    assert lists.exit_code == 0
    assert [line for line in lists.output.splitlines() if ": warning: " in line] == [
        (
            "chapters/01-a.md:5:1: warning: `\\listoffigures` places no list here: add `figures` to `lists-of:` "
            "in whitepaper.yaml (the lists follow the contents) [crossref-unsupported]"
        ),
        # numbered, as `number-unlabelled` is true by default, and placed on its own line
        (
            "chapters/01-a.md:9:1: warning: Table 1 is never referenced in the text "
            "(give it an id, such as {#tbl-name}, to refer to it) [table-unreferenced]"
        ),
    ]  # `\listoftables` is in `lists-of:`: nothing to say
