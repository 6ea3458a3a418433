"""The accessibility checks: images without alternative text, tables without a header row, link
text that says nothing, `lang` tags that are not BCP 47, colours of the project's CSS below WCAG
AA contrast; each reported where the author wrote it, and none where the author did it right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli, write_project
from whitepaper.checks.contrast import contrast
from whitepaper.config.schema import language_tag_problem

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
CONFIG = "title: Accessible\nbibliography: bibliography/references.bib\ncss: style/paper.css\n"
CHAPTER = """\
---
title: Access
lang: english
---

An icon ![](figures/x.svg) beside a rule ![](figures/x.svg){alt=""}, a
flourish ![](figures/x.svg){.decorative}, a logo ![Our logo](figures/x.svg)
and a chart ![](figures/x.svg){alt="Bar chart of cohort sizes"}.

![](figures/x.svg)

See @tbl-bare, @tbl-named and [the FAIR principles](https://www.go-fair.org/fair-principles/)
[@wilkinson2016fair; @topol2019].

| | |
|---|---|
| a | b |

: Bare. {#tbl-bare}

| Site | Patients |
|------|----------|
| A    | 10       |

: Cohorts. {#tbl-named}

Read more [here](https://example.org/a), or [click *here*](https://example.org/b);
the data are at <https://example.org/data>, mail <data@example.org>.
Also [Read more.](#sec-access), [this link][portal] and [](https://example.org/empty).

- <https://example.org/listed>

[Bonjour]{lang=fr}, [Grüezi]{lang=de-CH}, [中文]{lang=zh-Hant-TW}, [Hallo]{lang="de_DE"}
and [x]{lang=xx-YY}.

::: {lang=en-GB}
Colour.
:::

## References

- [here](https://example.org/cited)

[portal]: https://example.org/portal
"""
CSS = """\
p { color: #777; }
.fine { color: #767676 }
.night { color: #333; background: #000 }
h1 { color: #888; font-size: 24px }
h2 { color: #888; font-size: 14pt; font-weight: bold }
h3 { color: #888; font: bold 12px/1.4 serif }
.banner { color: #eee; background: url(banner.png) #fff }
.themed { color: var(--ink) }
@media print {
  .faint { color: rgba(0, 0, 0, 0.3) }
}
@page { @top-center { color: #aaa } }
"""

# (rule, path, line, col, severity) of every diagnostic of these rules the fixture must produce.
EXPECTED = {
    ("lang-invalid", "chapters/01-access.md", 3, 7, "error"),
    ("image-alt-missing", "chapters/01-access.md", 6, 9, "warning"),
    ("image-alt-missing", "chapters/01-access.md", 10, 1, "warning"),
    ("table-header-missing", "chapters/01-access.md", 15, 1, "warning"),
    ("link-text-vague", "chapters/01-access.md", 27, 11, "warning"),
    ("link-text-vague", "chapters/01-access.md", 27, 45, "warning"),
    ("link-text-vague", "chapters/01-access.md", 28, 17, "warning"),
    ("link-text-vague", "chapters/01-access.md", 29, 6, "warning"),
    ("link-text-vague", "chapters/01-access.md", 29, 33, "warning"),
    ("link-text-vague", "chapters/01-access.md", 29, 57, "warning"),
    ("lang-invalid", "chapters/01-access.md", 33, 80, "error"),
    ("lang-invalid", "chapters/01-access.md", 34, 14, "error"),
    ("contrast-low", "style/paper.css", 1, 5, "warning"),
    ("contrast-low", "style/paper.css", 3, 10, "warning"),
    ("contrast-low", "style/paper.css", 6, 6, "warning"),
    ("contrast-low", "style/paper.css", 10, 12, "warning"),
    ("contrast-low", "style/paper.css", 12, 23, "warning"),
}
OURS = {rule for rule, *_ in EXPECTED}


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:  # type: ignore[type-arg]
    project = write_project(tmp_path_factory.mktemp("access"), {"01-access.md": CHAPTER}, CONFIG)
    (project / "figures").mkdir()
    (project / "figures" / "x.svg").write_text(SVG)
    (project / "style").mkdir()
    (project / "style" / "paper.css").write_text(CSS)
    result = run_cli("check", project, "--format", "json")
    assert result.exit_code == 1  # the lang tags are errors
    return json.loads(result.output)


def located(items: list[dict]) -> set[tuple]:  # type: ignore[type-arg]
    found = set()
    for item in items:
        for where in [item, *item["also"]]:
            found.add((item["rule"], where["path"], where["line"], where["col"], item["severity"]))
    return found


def messages(items: list[dict], rule: str) -> list[str]:  # type: ignore[type-arg]
    return [item["message"] for item in items if item["rule"] == rule]


def test_each_problem_is_reported_where_it_is_written_and_nothing_else(checked: list[dict]) -> None:  # type: ignore[type-arg]
    assert {found for found in located(checked) if found[0] in OURS} == EXPECTED
    assert [item for item in checked if item["rule"] not in OURS] == []  # the rest of the fixture is clean


def test_images_without_alternative_text(checked: list[dict]) -> None:  # type: ignore[type-arg]
    assert messages(checked, "image-alt-missing") == [
        "image 'figures/x.svg' has no alternative text: describe it in ![…], or mark it decorative with {alt=\"\"} or {.decorative}"
    ]  # once, folded: the two images at 6:9 and 10:1 say the same


def test_tables_without_a_header_row(checked: list[dict]) -> None:  # type: ignore[type-arg]
    assert messages(checked, "table-header-missing") == [
        "table has no header row: give its columns headings (in a pipe table, the row above |---|)"
    ]


def test_link_text_that_says_nothing(checked: list[dict]) -> None:  # type: ignore[type-arg]
    said = messages(checked, "link-text-vague")
    assert said == [
        "link text 'here' says nothing of where the link goes: let its words name what it leads to",
        "link text 'click here' says nothing of where the link goes: let its words name what it leads to",
        "the bare URL 'https://example.org/data' as link text is read out character by character: link words that name what it leads to",
        "link text 'Read more.' says nothing of where the link goes: let its words name what it leads to",
        "link text 'this link' says nothing of where the link goes: let its words name what it leads to",
        "link to 'https://example.org/empty' has no text: a screen reader can only read out its address",
    ]  # not: the FAIR principles, the cross-references, the e-mail address, the URL in a list, the reference list


def test_lang_tags_that_are_not_bcp47(checked: list[dict]) -> None:  # type: ignore[type-arg]
    assert messages(checked, "lang-invalid") == [
        "'english' is not a valid BCP 47 language tag (such as en, en-GB or zh-Hant-TW)",
        "'de_DE' is not a valid BCP 47 language tag: write 'de-DE'",
        "'xx-YY' is not a valid BCP 47 language tag (such as en, en-GB or zh-Hant-TW)",
    ]
    for tag in ("en", "en-GB", "zh-Hant-TW", "de-CH-1901", "sr-Latn-RS", "es-419", "x-private"):
        assert language_tag_problem(tag) == "", tag
    for tag in ("", "english", "en_GB", "en-", "jp", "en GB"):
        assert language_tag_problem(tag), tag


def test_colours_below_aa_contrast(checked: list[dict]) -> None:  # type: ignore[type-arg]
    assert messages(checked, "contrast-low") == [
        "text colour #777 on the white page has a contrast of 4.47:1, below the 4.5:1 WCAG AA asks for normal text",
        "text colour #333 on #000 has a contrast of 1.66:1, below the 4.5:1 WCAG AA asks for normal text",
        # 12px is 9pt: bold, but not large
        "text colour #888 on the white page has a contrast of 3.54:1, below the 4.5:1 WCAG AA asks for normal text",
        "text colour rgba(0, 0, 0, 0.3) on the white page has a contrast of 2.10:1, below the 4.5:1 WCAG AA asks for normal text",
        "text colour #aaa on the white page has a contrast of 2.32:1, below the 4.5:1 WCAG AA asks for normal text",
    ]  # not: #767676 (4.54:1), #888 at 24px or 14pt bold (large: 3:1), text on an image, a variable
    white, black = (1.0, 1.0, 1.0, 1.0), (0.0, 0.0, 0.0, 1.0)
    assert contrast(white, black) == pytest.approx(21.0)
    assert contrast((119 / 255,) * 3 + (1.0,), white) == pytest.approx(
        4.478, abs=0.001
    )  # #777, as WCAG's formula gives


def test_the_papers_lang_is_checked_with_its_config(tmp_path: Path) -> None:
    config = "title: T\nlang: en_GB\nbibliography: bibliography/references.bib\n"
    project = write_project(tmp_path / "p", {"01-a.md": "# A\n\nText [@topol2019; @wilkinson2016fair].\n"}, config)
    result = run_cli("check", project)
    assert result.exit_code == 1
    assert (
        "whitepaper.yaml:2:7: error: lang: 'en_GB' is not a valid BCP 47 language tag: write 'en-GB' [config-value]"
        in result.output
    )
    (project / "whitepaper.yaml").write_text(config.replace("en_GB", "zh-Hant-TW"))
    assert run_cli("check", project, "--strict").exit_code == 0


def test_a_chapters_lang_is_in_the_html_and_a_rebuild_checks_it_too(tmp_path: Path) -> None:
    chapter = "---\ntitle: Survey\nlang: en-GB\n---\n\nData [@topol2019; @wilkinson2016fair] on [the portal](https://example.org).\n"
    project = write_project(tmp_path / "p", {"01-a.md": chapter})
    first = run_cli("build", project, "--html")
    assert first.exit_code == 0 and "; no warnings" in first.output, first.output
    html = (project / "build" / "paper.html").read_text(encoding="utf-8")
    assert (
        '<div id="chapter-sec-a" class="chapter" data-file="chapters/01-a.md" data-status="draft" lang="en-GB">' in html
    )
    (project / "chapters" / "01-a.md").write_text(chapter.replace("the portal", "here"))
    again = run_cli("build", project, "--html")  # prose edited inside a chapter: the rebuild's path
    assert "chapters/01-a.md:6:42: warning: link text 'here'" in again.output


def test_a_release_refuses_an_image_without_alternative_text(tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "p", {"01-a.md": "# A\n\nText [@topol2019; @wilkinson2016fair].\n\n![](figures/x.svg)\n"}
    )
    (project / "figures").mkdir()
    (project / "figures" / "x.svg").write_text(SVG)
    assert run_cli("check", project).exit_code == 0  # a warning in a draft
    assert run_cli("check", project, "--strict").exit_code == 1
    result = run_cli("release", "1.0", "-C", project)
    assert result.exit_code == 1
    assert (
        "chapters/01-a.md:5:1: error: image 'figures/x.svg' has no alternative text" in result.output
    )  # an error for a release
    assert not (project / "releases").exists()


def test_colours_are_judged_against_the_pages_own_background(tmp_path: Path) -> None:
    """A dark theme: text without a background of its own is on the page's colour, not on white."""
    css = "html, body { background: #111; color: #eee }\np { color: #ccc }\n.dim { color: #555 }\n.card { color: #222; background: #fff }\n"
    project = write_project(tmp_path / "p", {"01-a.md": "# A\n\nText [@topol2019; @wilkinson2016fair].\n"}, CONFIG)
    (project / "style").mkdir()
    (project / "style" / "paper.css").write_text(css)
    result = run_cli("check", project, "--format", "json")
    assert result.exit_code == 0, result.output
    assert located(json.loads(result.output)) == {("contrast-low", "style/paper.css", 3, 8, "warning")}
    assert messages(json.loads(result.output), "contrast-low") == [
        "text colour #555 on the page's #111 has a contrast of 2.53:1, below the 4.5:1 WCAG AA asks for normal text"
    ]  # not: #ccc on #111, nor #222 on its own white
