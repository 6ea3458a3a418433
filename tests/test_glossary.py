"""The glossary: abbreviations recognised as written and spelled out on first use, terms marked,
the lists in HTML and PDF, the checks with their locations, `glossary suggest`, and rebuilds that
write what a full build writes."""

from __future__ import annotations

import io
import re
import shutil
import textwrap
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import copy_sample, pdf_pages, run_cli, write_project
from test_build import parse_html
from whitepaper.pandoc import nodes
from whitepaper.pipeline import BuildOptions, analyse, build, check
from whitepaper.pipeline.publish import publish_docx
from whitepaper.resolve.collation import sort_key
from whitepaper.resolve.glossary import initials_match

GLOSSARY = """\
abbreviations:
  GDPR: General Data Protection Regulation
  TRE: {long: trusted research environment, plural: trusted research environments, description: A secure place to analyse sensitive data.}
  WLCG: Worldwide LHC Computing Grid
  LHC: Large Hadron Collider
  CERN: {long: European Organization for Nuclear Research, expand: false}
  ÅSA: Ålands sjöfartsadministration
  DICOM: Digital Imaging and Communications in Medicine
terms:
  federated analysis: Analysis in which the code travels to the data and only results come back.
"""

CHAPTERS = {
    "01-one.md": """\
        # One

        The GDPR applies here. The GDPR again, GDPR-compliant and GDPR's scope.
        Code `GDPR`, math $GDPR$, a link [GDPR](https://gdpr.eu), a URL www.example.org/GDPR and a citation [GDPR, see @topol2019].
        The Worldwide LHC Computing Grid (WLCG) serves the LHC at CERN and the ÅSA.

        Mostly TREs run [federated analysis]{.term} at scale [@wilkinson2016fair].

        ## GDPR and more {#sec-gdpr}

        The end of one.
        """,
    "02-two.md": """\
        # Two

        Trusted research environments (TREs) hold data; a TRE is audited. The GDPR applies here too.
        """,
    "03-three.md": """\
        # Three

        The LHC is large. DICOM is a standard.

        ## Abbreviations

        ::: {#abbreviations}
        :::
        """,
}


def make(root: Path, glossary: str = GLOSSARY, chapters: dict[str, str] = CHAPTERS, extra: str = "") -> Path:
    config = (
        f"title: Glossary fixture\ndate: 2026-01-15\nlang: en-GB\nbibliography: bibliography/references.bib\n{extra}"
    )
    project = write_project(root, chapters, config)
    (project / "glossary.yaml").write_text(textwrap.dedent(glossary), encoding="utf-8")
    return project


def texts(project: Path) -> list[str]:
    """Each chapter's text as resolved: expansions in, links and abbreviations as their words."""
    analysis = analyse(project, use_cache=False)
    assert analysis.document is not None
    return [" ".join(nodes.stringify(chapter.blocks).split()) for chapter in analysis.document.chapters]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make(tmp_path_factory.mktemp("glossary") / "p")
    result = run_cli("build", project)
    assert result.exit_code == 0 and "; no warnings" in result.output, result.output
    return project


def chapter_html(project: Path, chapter: str) -> str:
    html = (project / "build" / "paper.html").read_text(encoding="utf-8")
    return html.split(f'id="chapter-sec-{chapter}"', 1)[1].split('<div id="chapter-', 1)[0]


GDPR_ABBR = '<abbr title="General Data Protection Regulation">GDPR</abbr>'


def test_abbreviations_are_recognised_in_prose_only(built: Path) -> None:
    one = chapter_html(built, "one")
    assert (
        one.count(GDPR_ABBR) == 4
    )  # applies, again, -compliant, 's; not in code, math, links, URLs, citations or headings
    assert "<code>GDPR</code>" in one and '<a href="https://gdpr.eu">GDPR</a>' in one
    assert "a URL www.example.org/GDPR and" in one
    assert re.search(r'<h2 id="sec-gdpr">(<span class="section-number">[\d.]+</span> ?)?GDPR and more', one)
    assert "GDPR</abbr></a>-compliant" in one and "GDPR</abbr></a>’s scope" in one
    assert "<math" in one and "GDPR, see" in one  # math and the citation's prefix untouched


def test_first_use_in_each_chapter_is_spelled_out(built: Path) -> None:
    one, two, three = texts(built)
    assert one.count("General Data Protection Regulation") == 1
    assert "The General Data Protection Regulation (GDPR) applies here. The GDPR again, GDPR-compliant" in one
    assert "Mostly trusted research environments (TREs) run" in one  # plural, capital at a sentence's start
    assert "at CERN and the Ålands sjöfartsadministration (ÅSA)." in one  # CERN: `expand: false`
    assert (
        "Trusted research environments (TREs) hold data; a TRE is audited. The General Data Protection Regulation (GDPR) applies"
        in two
    )
    assert "The Large Hadron Collider (LHC) is large." in three


def test_hand_written_expansions_are_respected(built: Path) -> None:
    one, two, _ = texts(built)
    assert (
        "The Worldwide LHC Computing Grid (WLCG) serves the Large Hadron Collider (LHC) at" in one
    )  # LHC inside WLCG's: not there
    assert two.count("rusted research environment") == 1


def test_expansion_per_paper_and_never(tmp_path: Path) -> None:
    paper = make(tmp_path / "paper", extra="glossary: {expand: paper}\n")
    one, two, three = texts(paper)
    assert "The General Data Protection Regulation (GDPR) applies" in one and "Protection" not in two
    assert "The Large Hadron Collider (LHC) is large." not in three  # spelled out in chapter one already
    never = make(tmp_path / "never", extra="glossary: {expand: never}\n")
    assert not any("Protection" in text for text in texts(never)[:2])  # (chapter three has the list)


def test_lists_in_html(built: Path) -> None:
    html = (built / "build" / "paper.html").read_text(encoding="utf-8")
    three = chapter_html(built, "three")
    placed = re.findall(r'<span id="abbr-([^"]+)" class="glossary-key">', three)
    assert placed == ["ÅSA", "CERN", "DICOM", "GDPR", "LHC", "TRE", "WLCG"]  # sorted as English sorts (Å with the A's)
    assert '<h1 id="abbreviations">' not in html  # the chapter placed it
    assert (
        '<h1 id="glossary">Glossary</h1>' in html
        and '<span id="term-federated-analysis" class="glossary-key">federated analysis</span>' in html
    )
    assert '<a href="#glossary">Glossary</a>' in html  # in the contents
    assert "A secure place to analyse sensitive data." in three


def test_uses_are_abbr_elements_linking_to_their_entries(built: Path) -> None:
    html = (built / "build" / "paper.html").read_text(encoding="utf-8")
    page = parse_html(built / "build" / "paper.html")
    assert [f for f in page.fragments if f not in page.ids] == []  # every link lands, uses and first uses alike
    uses = re.findall(
        r'<a class="glossary-ref" role="doc-glossref" href="#([^"]+)"[^>]*data-definition="([^"]*)">', html
    )
    assert {target for target, _ in uses} == {
        "abbr-GDPR",
        "abbr-TRE",
        "abbr-WLCG",
        "abbr-LHC",
        "abbr-CERN",
        "abbr-ÅSA",
        "abbr-DICOM",
        "term-federated-analysis",
    }
    assert ("abbr-TRE", "trusted research environment: A secure place to analyse sensitive data.") in uses
    assert html.count('id="use-abbr-GDPR"') == 1 and 'href="#use-abbr-GDPR"' in html
    assert 'title="Analysis in which the code travels to the data and only results come back."' in html
    assert "a.glossary-ref:focus-visible::after" in html  # the definition on keyboard focus


def test_lists_in_pdf_with_the_page_of_first_use(built: Path) -> None:
    pages = pdf_pages(built / "build" / "paper.pdf")
    first = next(n for n, text in enumerate(pages, 1) if "Regulation (GDPR) applies here" in " ".join(text.split()))
    lhc = next(n for n, text in enumerate(pages, 1) if "Large Hadron Collider (LHC) at" in " ".join(text.split()))
    listed = " ".join(" ".join(page.split()) for page in pages if "ÅSA Ålands" in " ".join(page.split()))
    for short, long, page in [
        ("GDPR", "General Data Protection Regulation", first),
        ("LHC", "Large Hadron Collider", lhc),
        ("TRE", "trusted research environment", first),
    ]:
        assert re.search(rf"{short} {long}(?: \.)+ ?{page}\b", listed), (short, listed)
    assert "first use" not in listed  # the page number stands for it


def test_lists_in_pdf_laid_out_in_parts_as_in_one_pass(built: Path, tmp_path: Path) -> None:
    """The parallel engine lays the lists out apart from the chapters of first use: the pages still come."""
    project = tmp_path / "p"
    shutil.copytree(built, project, ignore=shutil.ignore_patterns("build"))
    assert build(project, BuildOptions(formats=("pdf",), jobs=2, use_cache=False)).parts_laid_out > 0

    def above_foot(pdf: Path) -> list[str]:  # (the foot's page numbers are the engine's own stamp)
        return [" ".join(page.split()).split(" Glossary fixture ·")[0] for page in pdf_pages(pdf)]

    single, parts = above_foot(built / "build" / "paper.pdf"), above_foot(project / "build" / "paper.pdf")
    lists = [n for n, text in enumerate(single) if "ÅSA Ålands" in text or "Glossary federated analysis" in text]
    assert len(lists) == 2 and [parts[n] for n in lists] == [single[n] for n in lists]
    assert re.search(r"come back\.(?: \.)+ ?3\b", parts[lists[1]])


def test_word_gets_the_expansions_without_markup(built: Path) -> None:
    analysis = analyse(built)
    assert analysis.document is not None and analysis.loaded is not None
    data = publish_docx(analysis, analysis.loaded.config, analysis.document.chapters)
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        text = docx.read("word/document.xml").decode()
    words = re.sub(r"<[^>]+>", "", text)
    assert "The General Data Protection Regulation (GDPR) applies here." in words and "abbr" not in words


def test_collation_follows_the_language() -> None:
    words = ["Zon", "Äpple", "apa", "Ørsted", "Øl", "data set", "database", "ñu", "nube", "chata", "hrad"]
    assert sorted(words, key=sort_key("en-GB")) == [
        "apa",
        "Äpple",
        "chata",
        "data set",
        "database",
        "hrad",
        "ñu",
        "nube",
        "Øl",
        "Ørsted",
        "Zon",
    ]
    assert sorted(words, key=sort_key("sv")) == [
        "apa",
        "chata",
        "data set",
        "database",
        "hrad",
        "ñu",
        "nube",
        "Zon",
        "Äpple",
        "Øl",
        "Ørsted",
    ]
    assert sorted(words, key=sort_key("da"))[-4:] == ["Zon", "Äpple", "Øl", "Ørsted"]
    assert sorted(words, key=sort_key("es")).index("nube") < sorted(words, key=sort_key("es")).index("ñu")
    assert sorted(words, key=sort_key("cs")).index("chata") > sorted(words, key=sort_key("cs")).index("hrad")
    assert initials_match("DICOM", ["digital", "imaging", "and", "communications", "in", "medicine"])
    assert not initials_match("GDPR", ["general", "data", "rules"])


# The checks, each with its location -----------------------------------------------------------


def diagnostics_of(project: Path) -> list[str]:
    return [str(d) for d in check(project, use_cache=False).diagnostics if d.rule != "unused-reference"]


def test_every_check_with_its_location(tmp_path: Path) -> None:
    glossary = """\
        abbreviations:
          GDPR: General Data Protection Regulation
          EHDS: European Health Data Space
          OMOP: Observational Medical Outcomes Partnership
        terms:
          federated analysis: Code travels, data stays.
        """
    chapters = {
        "01-a.md": "# A\n\nThe General Data Privacy Regulation (GDPR) applies. ABC and XYZ.\n\nThe European Health Data Space\nis coming.\n",
        "02-b.md": "# B\n\nMore ABC here, and [federatd analysis]{.term}; the USA and the EU, chapter II.\n",
        "03-c.md": "# C\n\nABC again; the USA, the EU and II once more; XYZ too. [Zorp]{.term}.\n",
    }
    project = make(tmp_path / "p", glossary, chapters)
    assert diagnostics_of(project) == [
        "chapters/01-a.md:3:5: warning: GDPR is spelled out here as 'General Data Privacy Regulation', but glossary.yaml defines it as 'General Data Protection Regulation' [abbreviation-mismatch]",
        "chapters/01-a.md:3:53: warning: 'ABC' is used in 3 chapters (3 times) but glossary.yaml does not define it; define it (`whitepaper glossary suggest` drafts entries) or, if it needs no definition, add it to `glossary: ignore:` [abbreviation-undefined]",
        "chapters/01-a.md:3:61: warning: 'XYZ' is used in 2 chapters (2 times) but glossary.yaml does not define it; define it (`whitepaper glossary suggest` drafts entries) or, if it needs no definition, add it to `glossary: ignore:` [abbreviation-undefined]",
        "chapters/01-a.md:5:5: warning: 'European Health Data Space' is written out, but its abbreviation EHDS (glossary.yaml:3:3) is never used: write EHDS (it is spelled out where a reader first meets it), or remove it from glossary.yaml [abbreviation-spelled-out]",
        "chapters/02-b.md:3:21: warning: 'federatd analysis' is marked as a term, but glossary.yaml has no such term; did you mean 'federated analysis'? [term-unknown]",
        "chapters/03-c.md:3:56: warning: 'Zorp' is marked as a term, but glossary.yaml has no such term: define it under `terms:` in glossary.yaml, or say which with `term=\"…\"` [term-unknown]",
        "glossary.yaml:4:3: warning: abbreviation OMOP is never used in the text; remove it [glossary-unused]",
        "glossary.yaml:6:3: warning: term 'federated analysis' is never marked in the text (`[federated analysis]{.term}`); mark a use or remove it [glossary-unused]",
    ]
    config = project / "whitepaper.yaml"  # exceptions: configured, or units, country codes, Roman numerals
    config.write_text(config.read_text() + "glossary: {ignore: [ABC, XYZ]}\n")
    assert not [d for d in diagnostics_of(project) if "abbreviation-undefined" in d]


@pytest.mark.parametrize(
    ("glossary", "expected"),
    [
        (
            "abbreviations:\n  GDPR: General\n  GDPR: Again\n",
            "glossary.yaml:3:3: error: duplicate key 'GDPR' (first given at line 2) [glossary-syntax]",
        ),
        (
            "abbreviations:\n  GDPR:\n",
            "glossary.yaml:2:3: error: abbreviation GDPR is empty: give its long form [glossary-invalid]",
        ),
        (
            "abbreviations:\n  GDPR: ''\n",
            "glossary.yaml:2:3: error: abbreviation GDPR is empty: give its long form [glossary-invalid]",
        ),
        (
            "abbreviations: [GDPR]\n",
            "glossary.yaml:1:16: error: `abbreviations:` must be a mapping of each abbreviation to its definition [glossary-invalid]",
        ),
        (
            "- GDPR\n",
            "glossary.yaml:1:1: error: glossary.yaml must be a mapping with the sections `abbreviations:` and `terms:` [glossary-invalid]",
        ),
        (
            "abreviations:\n  GDPR: x\n",
            "glossary.yaml:1:1: error: unknown section 'abreviations': did you mean 'abbreviations'? [glossary-invalid]",
        ),
        (
            "abbreviations:\n  GDPR: {lnog: x}\n",
            "glossary.yaml:2:10: error: abbreviation GDPR: unknown key 'lnog'; did you mean 'long'? [glossary-invalid]",
        ),
        (
            "abbreviations:\n  GDPR: [x]\n",
            "glossary.yaml:2:9: error: abbreviation GDPR must be text (its long form) or a mapping with `long:`; write text in quotes [glossary-invalid]",
        ),
        (
            "abbreviations:\n  data set: x\n",
            "glossary.yaml:2:3: error: 'data set' is not one word: an abbreviation is recognised as written; put phrases under `terms:` [glossary-invalid]",
        ),
        (
            "terms:\n  Data Set: x\n  data  set: y\n",
            "glossary.yaml:3:3: error: term 'data  set' is defined twice (first as 'Data Set' at line 2) [glossary-invalid]",
        ),
        (
            "terms:\n  data set: {plural: data sets}\n",
            "glossary.yaml:2:3: error: term 'data set' is empty: give its definition as `definition:` [glossary-invalid]",
        ),
        (
            "abbreviations:\n  GDPR: [\n",
            "glossary.yaml:3:1: error: invalid YAML: expected the node content, but found '<stream end>' [glossary-syntax]",
        ),
    ],
)
def test_glossary_file_problems_are_located(tmp_path: Path, glossary: str, expected: str) -> None:
    project = make(tmp_path / "p", glossary, {"01-a.md": "# A\n\nText.\n"})
    found = [
        str(d)
        for d in analyse(project, use_cache=False).diagnostics
        if d.location.path == "glossary.yaml" and d.rule != "glossary-unused"
    ]
    assert found == [expected]


def test_yaml_words_stay_words_and_a_named_file_must_exist(tmp_path: Path) -> None:
    project = make(tmp_path / "p", "abbreviations:\n  NO: Norway\n", {"01-a.md": "# A\n\nNO and NO.\n"})
    assert "Norway (NO) and NO." in texts(project)[0]  # YAML would read `NO:` as false
    config = project / "whitepaper.yaml"
    config.write_text(config.read_text() + "glossary: {file: terms/glossary.yaml}\n")
    assert [str(d) for d in analyse(project, use_cache=False).diagnostics if d.rule == "glossary-missing"] == [
        "whitepaper.yaml:5:18: error: glossary file 'terms/glossary.yaml' does not exist [glossary-missing]"
    ]


# `glossary suggest` on the sample ---------------------------------------------------------------


def test_suggest_on_the_sample(tmp_path: Path) -> None:
    project = copy_sample(tmp_path / "sample", review=False)
    shipped = run_cli("glossary", "suggest", project)
    assert shipped.exit_code == 0
    listed = yaml.safe_load(shipped.output)["abbreviations"]
    assert set(listed) == {"ATLAS", "ROOT"}  # the names the sample's glossary leaves out
    (project / "glossary.yaml").unlink()
    result = run_cli("glossary", "suggest", project)
    assert result.exit_code == 0, result.output
    suggested = yaml.safe_load(result.output)["abbreviations"]
    assert suggested["GDPR"] == "General Data Protection Regulation"
    assert suggested["HEP"] == "high-energy physics" and suggested["WLCG"] == "Worldwide LHC Computing Grid"
    assert suggested["AI"] == "" and "US" not in suggested  # a country code
    lines = {line.split(":")[0].strip(): line for line in result.output.splitlines() if line.startswith("  ")}
    assert re.search(
        r"# 3 uses in 2 chapters; spelled out at chapters/02-introduction\.md:\d+:\d+: \".*General Data Protection Regulation \(GDPR\)",
        lines["GDPR"],
    )
    assert re.search(r"# \d+ uses in 5 chapters; first used at chapters/\S+\.md:\d+:\d+: \".*AI", lines["AI"])


def test_suggest_drafts_entries_as_the_glossary_wants_them(tmp_path: Path) -> None:
    project = make(tmp_path / "p", "abbreviations:\n  GDPR: General Data Protection Regulation\n")
    result = run_cli("glossary", "suggest", project)
    assert result.exit_code == 0, result.output
    suggested = yaml.safe_load(result.output)["abbreviations"]
    # "Trusted research environments (TREs)" starts a sentence: singular, in lower case
    assert suggested["TRE"] == "trusted research environment"
    assert suggested["WLCG"] == "Worldwide LHC Computing Grid" and "GDPR" not in suggested
    (project / "glossary.yaml").write_text("abbreviations:\n  GDPR: [\n", encoding="utf-8")
    broken = run_cli("glossary", "suggest", project)  # else every abbreviation would be suggested again
    assert broken.exit_code == 1 and "abbreviations:" not in broken.output
    assert "glossary.yaml:3:1: error: invalid YAML" in broken.output


# Rebuilds ------------------------------------------------------------------------------------------


HTML = BuildOptions(formats=("html",))


def same_as_full_build(project: Path, tmp_path: Path, name: str) -> bool:
    full = tmp_path / name
    shutil.copytree(project, full, ignore=shutil.ignore_patterns("build"))
    build(full, BuildOptions(formats=("html",), use_cache=False))
    return (project / "build" / "paper.html").read_bytes() == (full / "build" / "paper.html").read_bytes()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_rebuilds_write_what_a_full_build_writes(tmp_path: Path) -> None:
    project = make(tmp_path / "p", extra="glossary: {expand: paper}\n")
    build(project, HTML)
    edit(project / "glossary.yaml", "General Data Protection Regulation", "General Data Protection Rules")
    assert build(project, HTML).edited_chapters == 0  # not a chapter: the full path
    assert "General Data Protection Rules (" in (project / "build" / "paper.html").read_text(encoding="utf-8")
    assert same_as_full_build(project, tmp_path, "full-1")
    edit(project / "chapters" / "03-three.md", "is large", "is very large")  # prose: only that chapter again
    assert build(project, HTML).edited_chapters == 1
    assert same_as_full_build(project, tmp_path, "full-2")
    one = project / "chapters" / "01-one.md"
    edit(one, "The end of one.", "The end of one, with a TRE.")
    edit(one, "Mostly TREs run", "Mostly they run")  # TRE's first use now later in chapter one
    assert build(project, HTML).edited_chapters == 1  # the same entries used and spelled out
    assert same_as_full_build(project, tmp_path, "full-3")
    # A first use added to an earlier chapter: the later one no longer spells it out.
    assert "Digital Imaging and Communications in Medicine (" in chapter_html(project, "three")
    edit(project / "chapters" / "02-two.md", "a TRE is audited", "a TRE is audited by DICOM")
    assert build(project, HTML).edited_chapters == 0  # chapter two's entries changed: the full path
    assert "Communications in Medicine (" not in chapter_html(project, "three")
    assert same_as_full_build(project, tmp_path, "full-4")
