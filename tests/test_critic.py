"""CriticMarkup suggestions: read around code, reported by `check` with their ids, shown in the
HTML and the PDFs with their roles, accepted or rejected in the source, and rebuilt as a full
build builds them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from conftest import pdf_pages, run_cli, write_project
from whitepaper import DiagnosticError
from whitepaper.diagnostics import EnvironmentProblem, UsageProblem
from whitepaper.parse.critic import to_pandoc
from whitepaper.pipeline import BuildOptions, BuildResult, build, check
from whitepaper.review.critic import decide, suggestion_markup
from whitepaper.review.edition import parse_destination
from whitepaper.sources.critic import scan

SUGGESTED = """\
    ---
    title: Suggestions
    owners: [Ada Example]
    ---

    Data should be findable [@wilkinson2016fair] and {++easily ++}reusable by
    {--every--} researchers, as {~~many people~>most funders~~} now require.
    Medicine {==changes fast==}{>>Cite a second source here.<<} says @topol2019.

    {>>Ada: this paragraph needs a figure.<<} A second paragraph {++that runs
    over two lines++} ends here.

    {++## A new section

    A whole new paragraph, proposed by a co-author.++}

    ```
    {++this stays code++}
    ```

    Some `{--code span--}` text, and the last line.
    """

# (line, col, message) of every suggestion in SUGGESTED, as `check` reports them.
PENDING = [
    (6, 50, "suggestion 6:50 awaits a decision: insert 'easily'"),
    (7, 1, "suggestion 7:1 awaits a decision: delete 'every'"),
    (7, 29, "suggestion 7:29 awaits a decision: replace 'many people' with 'most funders'"),
    (8, 10, "suggestion 8:10 awaits a decision: highlight 'changes fast', comment 'Cite a second source here.'"),
    (10, 1, "suggestion 10:1 awaits a decision: comment 'Ada: this paragraph needs a figure.'"),
    (10, 62, "suggestion 10:62 awaits a decision: insert 'that runs over two lines'"),
    (13, 1, "suggestion 13:1 awaits a decision: insert '## A new section A whole new paragraph, proposed by a co-au…'"),
]


def suggested_project(root: Path, config: str | None = None) -> Path:
    return write_project(root, {"01-suggested.md": SUGGESTED, "02-plain.md": "# Plain\n\nNothing suggested [@topol2019].\n"}, config)


def chapter(project: Path) -> Path:
    return project / "chapters" / "01-suggested.md"


def flat(text: str) -> str:
    """Text on one line, words hyphenated at a line end joined again."""
    return re.sub(r"(\w)[-\u2010] (\w)", r"\1\2", " ".join(text.split()))


# Reading the marks ---------------------------------------------------------------------


def test_marks_are_read_around_code_and_keep_every_line_where_it_was() -> None:
    text = (
        "A {++new++} word, `{++a code span++}`, ``{--two ` ticks--}``, and {~~a~>b~~}.\n"
        "\n"
        "~~~ {.python}\n"
        "x = '{--fenced--}'\n"
        "~~~\n"
        "\n"
        "    {++indented code++}\n"
        "\n"
        "- an item\n"
        "\n"
        "    {--its second paragraph--}\n"
        "\n"
        "[^1]: A note.\n"
        "\n"
        "    {==its second paragraph==}{>>a comment\n"
        "    over two lines<<}\n"
        "\n"
        "\\{++escaped++} and {++spans\n"
        "\n"
        "two paragraphs++}\n"
    )
    found = scan(text)
    assert [(m.id, m.kind, found.part(m.old), found.part(m.new), found.part(m.comment)) for m in found.marks] == [
        ("1:3", "insertion", "", "new", ""),
        ("1:67", "substitution", "a", "b", ""),
        ("11:5", "deletion", "its second paragraph", "", ""),
        ("15:5", "highlight", "its second paragraph", "", "a comment\n    over two lines"),
        ("18:20", "insertion", "", "spans\n\ntwo paragraphs", ""),
    ]
    assert found.unclosed == []
    read = to_pandoc(text)
    assert read.count("\n") == text.count("\n")  # diagnostics and source lines stay on the author's lines
    for code in ("`{++a code span++}`", "``{--two ` ticks--}``", "x = '{--fenced--}'", "    {++indented code++}", "\\{++escaped++}"):
        assert code in read
    assert '<span class="critic-ins" data-critic="18:20" title="suggestion 18:20"><span class="critic-text">spans</span></span>\n\n' in read
    assert '\n<span class="critic-ins" data-critic="18:20" title="suggestion 18:20"><span class="critic-text">two paragraphs</span></span>\n' in read


def test_a_suggested_block_keeps_its_marker_outside_the_span() -> None:
    read = to_pandoc("{++## New heading\n\n- first item\n- second item++}\n")
    assert read.splitlines() == [
        '## <span class="critic-ins" data-critic="1:1" title="suggestion 1:1"><span class="critic-text">New heading</span></span>',
        "",
        '- <span class="critic-ins" data-critic="1:1" title="suggestion 1:1"><span class="critic-text">first item</span></span>',
        '- <span class="critic-ins" data-critic="1:1" title="suggestion 1:1"><span class="critic-text">second item</span></span>',
    ]


# check ---------------------------------------------------------------------------------


def test_check_reports_each_pending_suggestion_with_its_id(tmp_path: Path) -> None:
    project = suggested_project(tmp_path / "p")
    found = [(d.location.path, d.location.line, d.location.col, d.severity.value, d.message, d.rule) for d in check(project).diagnostics]
    assert found == [("chapters/01-suggested.md", line, col, "warning", message, "suggestion-pending") for line, col, message in PENDING]
    # The id is where the mark opens in the file, so a person finds it in an editor too.
    lines = chapter(project).read_text().split("\n")
    assert all(lines[line - 1][col - 1] == "{" for line, col, _ in PENDING)
    text = run_cli("check", project)
    assert text.exit_code == 0 and "chapters/01-suggested.md:7:29: warning: suggestion 7:29 awaits" in text.output


def test_an_unclosed_mark_is_an_error_where_it_opens(tmp_path: Path) -> None:
    chapters = {
        "01-open.md": """\
            # Open

            A {++forgotten closing, then {--a closed one--}.
            A {~~substitution without its arrow~~} here.
            Last {>>comment never closed
            """
    }
    project = write_project(tmp_path / "p", chapters)
    found = [(d.location.line, d.location.col, d.rule, d.message) for d in check(project).diagnostics if d.rule != "unused-reference"]
    assert found == [
        (3, 3, "criticmarkup-unclosed", "'{++' is not closed: add '++}' where the suggestion ends"),
        (3, 30, "suggestion-pending", "suggestion 3:30 awaits a decision: delete 'a closed one'"),
        (4, 3, "criticmarkup-unclosed", "'{~~' has no '~>' between the old and the new text"),
        (5, 6, "criticmarkup-unclosed", "'{>>' is not closed: add '<<}' where the suggestion ends"),
    ]
    with pytest.raises(DiagnosticError):
        build(project)
    assert not (project / "build" / "paper.html").exists()
    output = run_cli("check", project).output
    assert "chapters/01-open.md:3:3: error: '{++' is not closed" in output


def test_later_diagnostics_keep_their_lines(tmp_path: Path) -> None:
    """Marks over several lines change no line number: a later problem is on its own line."""
    text = SUGGESTED.replace("the last line.", "the last line [@nokey]. TODO: finish.")
    project = write_project(tmp_path / "p", {"01-suggested.md": text})
    lines = chapter(project).read_text().split("\n")
    problems = {d.rule: d.location for d in check(project).diagnostics if d.rule != "suggestion-pending"}
    last = next(number for number, line in enumerate(lines, 1) if "[@nokey]" in line)
    assert problems["citation-unknown"].line == last == 21
    assert problems["todo-marker"].line == last
    assert problems["todo-marker"].col == lines[last - 1].index("TODO") + 1


# The drafts ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = suggested_project(tmp_path_factory.mktemp("critic") / "p")
    build(project)
    review = run_cli("build", "--review", project)
    assert review.exit_code == 0, review.output
    return project


def test_the_html_draft_marks_each_role(drafts: Path) -> None:
    html = (drafts / "build" / "paper.html").read_text()
    spans = re.findall(r'<span class="(critic-[\w -]+)" data-critic="([\d:]+)"[^>]*><span class="critic-text">(.*?)</span></span>', html, re.S)
    assert [(classes, ident, " ".join(text.split())) for classes, ident, text in spans] == [
        ("critic-ins", "6:50", "easily"),
        ("critic-del", "7:1", "every"),
        ("critic-del critic-sub", "7:29", "many people"),
        ("critic-ins critic-sub", "7:29", "most funders"),
        ("critic-mark", "8:10", "changes fast"),
        ("critic-comment", "8:10", "Cite a second source here."),
        ("critic-comment", "10:1", "Ada: this paragraph needs a figure."),
        ("critic-ins", "10:62", "that runs over two lines"),
        ("critic-ins", "13:1", "A new section"),
        ("critic-ins", "13:1", "A whole new paragraph, proposed by a co-author."),
    ]
    assert re.search(r"<h2[^>]*>.*A new section.*</h2>", html)  # a suggested heading is a heading
    assert "{++this stays code++}" in html and "<code>{--code span--}</code>" in html
    # Not by colour alone: a line through or under the words, and a label.
    for rule in (
        ".critic-ins > .critic-text { text-decoration: underline;",
        ".critic-del > .critic-text { text-decoration: line-through;",
        '.critic-ins::before { content: "inserted:"; }',
        '.critic-del::before { content: "deleted:"; }',
    ):
        assert rule in html


@pytest.mark.parametrize("name", ["paper.pdf", "paper.review.pdf"])
def test_the_pdfs_show_both_sides_of_a_suggestion_with_their_roles(drafts: Path, name: str) -> None:
    pages = pdf_pages(drafts / "build" / name)
    text = flat(" ".join(page for page in pages if "Suggestions" in page and "findable" in page))
    draft = name == "paper.pdf"  # comments are notes at the foot of the page, called by a letter
    for shown in (
        "findable (1) and inserted: easily reusable by deleted: every researchers,",
        "as deleted: many people inserted: most funders now require.",
        "Medicine changes fasta says (2)." if draft else "Medicine changes fast says (2).",
        "b A second paragraph inserted: that runs over two lines ends here." if draft else "A second paragraph inserted: that runs",
        "a. comment: Cite a second source here. b. comment: Ada: this paragraph needs a figure." if draft else "comment: Cite a second",
        "inserted: A whole new paragraph, proposed by a co-author.",
        "{++this stays code++}",
        "Some {--code span--} text",
    ):
        assert shown in text, shown
    assert "{~~" not in text and "{==" not in text and "{>>" not in text


@pytest.mark.parametrize("name", ["paper.pdf", "paper.review.pdf"])
def test_a_suggestions_comment_stands_apart_from_the_text(drafts: Path, name: str) -> None:
    """Inline, a comment would stretch its justified line: the draft puts it at the foot of
    the page, the review edition in its right margin beside its line."""
    with pdfplumber.open(drafts / "build" / name) as pdf:
        page = next(p for p in pdf.pages if "findable" in (p.extract_text() or ""))
        words = page.extract_words()
        body = [w for w in words if w["text"] in ("findable", "researchers,", "require.")]
        note = next(w for w in words if w["text"].endswith("Cite"))  # "comment:Cite": the label has no space
        fast = next(w for w in words if w["text"].startswith("fast"))
        if name == "paper.pdf":
            assert note["top"] > page.height * 0.75 and note["x0"] < max(w["x1"] for w in body)
        else:
            assert note["x0"] > max(w["x1"] for w in body) + 5  # in the margin, right of the text
            assert abs(note["top"] - fast["top"]) < 12  # beside the line it comments on


def test_the_review_edition_still_names_the_authors_lines(drafts: Path) -> None:
    reader = PdfReader(drafts / "build" / "paper.review.pdf")
    lines = {parsed[1] for name in reader.named_destinations if (parsed := parse_destination(name)) and parsed[0] == "chapters/01-suggested.md"}
    assert {6, 10, 13, 15, 17, 21} <= lines  # the paragraphs, the suggested heading and paragraph, the code, the last line
    assert lines <= {2, 6, 10, 13, 15, 17, 21}


# Deciding in the source ----------------------------------------------------------------

DECIDED = (
    "\ufeff---\r\n"
    "title: Kept {++as it is++}\r\n"  # front matter is not the text: never a suggestion
    "---\r\n"
    "\r\n"
    "Some {++new ++}words and {--old--} ones.\r\n"
    "A {~~bad\r\nphrase~>good one~~} here, {==this==}{>>why?<<} too.\r\n"
    "{>>A lone note.<<} Start {--gone--}.\r\n"
    "```\r\n"
    "{++code++}\r\n"
    "```\r\n"
)


def decided_project(root: Path) -> tuple[Path, Path]:
    project = write_project(root, {})
    path = project / "chapters" / "01-decided.md"
    path.write_bytes(DECIDED.encode())
    path.chmod(0o644)
    return project, path


def test_accept_and_reject_by_id_change_only_the_marks(tmp_path: Path) -> None:
    project, path = decided_project(tmp_path / "p")
    result = decide(project, "chapters/01-decided.md", accept=["5:6", "6:3"], reject=["5:26"])
    assert result.written and result.unknown == [] and result.pending == ["7:27", "8:1", "8:26"]
    assert [(d.id, d.kind, d.accepted, d.before, d.after) for d in result.decided] == [
        ("5:6", "insertion", True, "{++new ++}", "new "),
        ("5:26", "deletion", False, "{--old--}", "old"),
        ("6:3", "substitution", True, "{~~bad\r\nphrase~>good one~~}", "good one"),
    ]
    assert path.read_bytes().decode() == DECIDED.replace("{++new ++}", "new ").replace("{--old--}", "old").replace(
        "{~~bad\r\nphrase~>good one~~}", "good one"
    )
    assert path.stat().st_mode & 0o777 == 0o644
    # The ids of the marks left are those `check` gives now.
    pending = [f"{d.location.line}:{d.location.col}" for d in check(project).diagnostics if d.rule == "suggestion-pending"]
    assert pending == ["6:18", "7:1", "7:26"]  # moved: the file changed above and before them

    result = decide(project, path, reject=["6:18", "7:1"])  # an absolute path works too
    assert [d.after for d in result.decided] == ["this", ""]
    assert path.read_bytes().decode() == (
        "\ufeff---\r\ntitle: Kept {++as it is++}\r\n---\r\n\r\n"
        "Some new words and old ones.\r\n"
        "A good one here, this too.\r\n"
        "Start {--gone--}.\r\n"  # a mark that leaves nothing takes a space beside it along
        "```\r\n{++code++}\r\n```\r\n"
    )
    assert decide(project, path, accept=["7:7"]).decided[0].after == ""
    assert path.read_bytes().decode().endswith("Start.\r\n```\r\n{++code++}\r\n```\r\n")
    assert [d.rule for d in check(project).diagnostics if d.location.path == "chapters/01-decided.md"] == []


def test_decide_everything(tmp_path: Path) -> None:
    project, path = decided_project(tmp_path / "p")
    assert not decide(project, path, everything="accept", reject=["8:26"], dry_run=True).written
    assert path.read_bytes() == DECIDED.encode()  # a dry run writes nothing
    result = decide(project, path, everything="accept", reject=["8:26"])
    assert [(d.id, d.accepted) for d in result.decided] == [("5:6", True), ("5:26", True), ("6:3", True), ("7:27", True), ("8:1", True), ("8:26", False)]
    body = path.read_bytes().decode().split("---\r\n")[2]
    assert body == "\r\nSome new words and ones.\r\nA good one here, this too.\r\nStart gone.\r\n```\r\n{++code++}\r\n```\r\n"

    project, path = decided_project(tmp_path / "q")
    decide(project, path, everything="reject")
    body = path.read_bytes().decode().split("---\r\n")[2]
    assert body == "\r\nSome words and old ones.\r\nA bad\r\nphrase here, this too.\r\nStart gone.\r\n```\r\n{++code++}\r\n```\r\n"


def test_unknown_or_contradictory_ids_change_nothing(tmp_path: Path) -> None:
    project, path = decided_project(tmp_path / "p")
    result = decide(project, path, accept=["5:6", "5:7", " 99:1 "])
    assert (result.unknown, result.decided, result.written) == (["5:7", "99:1"], [], False)
    assert result.pending == ["5:6", "5:26", "6:3", "7:27", "8:1", "8:26"]
    assert path.read_bytes() == DECIDED.encode()
    with pytest.raises(UsageProblem, match="5:6"):
        decide(project, path, accept=["5:6"], reject=["5:6"])
    (tmp_path / "outside.md").write_text("{++x++}\n")
    with pytest.raises(EnvironmentProblem, match="outside the project"):
        decide(project, "../outside.md", everything="accept")
    assert path.read_bytes() == DECIDED.encode() and (tmp_path / "outside.md").read_text() == "{++x++}\n"


@pytest.mark.parametrize(
    ("old", "new", "markup"),
    [
        ("the quick fox", "the slow fox", "the {~~quick~>slow~~} fox"),
        ("reusable", "reusable and open", "reusable{++ and open++}"),  # an insertion takes a word beside it as its old text
        ("a very big", "a big", "a {--very --}big"),
        ("old", "new", "{~~old~>new~~}"),
        ("a ~> b", "c", "{--a ~> b--}{++c++}"),  # the arrow would end the old text: two marks instead
    ],
)
def test_a_suggestion_written_as_criticmarkup_reads_back(tmp_path: Path, old: str, new: str, markup: str) -> None:
    assert suggestion_markup(old, new) == markup
    for verdict, expected in (("accept", new), ("reject", old)):
        project = write_project(tmp_path / verdict, {"01-a.md": f"Before {markup} after.\n"})
        decide(project, "chapters/01-a.md", everything=verdict)  # type: ignore[arg-type]
        assert (project / "chapters" / "01-a.md").read_text() == f"Before {expected} after.\n"


def test_a_suggestion_criticmarkup_cannot_carry_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot carry"):
        suggestion_markup("x ~> --}", "y")  # the arrow ends a substitution's old text, --} a deletion


# Rebuilds ------------------------------------------------------------------------------


def full_build(project: Path, tmp_path: Path) -> tuple[Path, BuildResult]:
    copy = tmp_path / f"full-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("build"))
    return copy, build(copy, BuildOptions(use_cache=False))


def edit(project: Path, old: str, new: str) -> BuildResult:
    text = chapter(project).read_text()
    assert old in text
    chapter(project).write_text(text.replace(old, new, 1))
    return build(project)


def same_drafts(one: Path, other: Path) -> bool:
    html = (one / "build" / "paper.html").read_bytes() == (other / "build" / "paper.html").read_bytes()
    return html and pdf_pages(one / "build" / "paper.pdf") == pdf_pages(other / "build" / "paper.pdf")


CONFIG_IGNORING = """\
    title: Fixture Paper
    date: 2026-01-15
    bibliography: bibliography/references.bib
    rules: {suggestion-pending: ignore}
    """


def test_a_rebuild_after_editing_a_chapter_with_marks_writes_what_a_full_build_writes(tmp_path: Path) -> None:
    # Suggestions not reported: an edit among them is redone alone.
    project = suggested_project(tmp_path / "ignoring", CONFIG_IGNORING)
    assert build(project).diagnostics.items == []
    result = edit(project, "as {~~many people~>most funders~~} now", "as {~~many people~>all funders~~} now")
    assert result.edited_chapters == 1
    assert same_drafts(project, full_build(project, tmp_path)[0])
    result = edit(project, "A second paragraph {++that", "A second paragraph\n{++that")  # a line more: every id below moves
    assert result.edited_chapters == 1
    assert 'data-critic="14:1"' in (project / "build" / "paper.html").read_text()
    assert same_drafts(project, full_build(project, tmp_path)[0])

    # Reported (the default): the chapter's warnings are found again on the fast path, the same as a full build's.
    project = suggested_project(tmp_path / "reporting")
    build(project)
    result = edit(project, "{--every--} researchers", "{--every--} scientists")
    assert result.edited_chapters == 1
    full, full_result = full_build(project, tmp_path)
    assert same_drafts(project, full)
    assert [str(d) for d in result.diagnostics] == [str(d) for d in full_result.diagnostics]
    assert len(result.diagnostics) == len(PENDING)

    # A mark left open is an error on a rebuild as on a full build; the last good drafts stay.
    html = (project / "build" / "paper.html").read_bytes()
    with pytest.raises(DiagnosticError) as raised:
        edit(project, "{--every--}", "{--every")
    assert [(d.rule, d.location.line, d.location.col) for d in raised.value.diagnostics.errors] == [("criticmarkup-unclosed", 7, 1)]
    assert (project / "build" / "paper.html").read_bytes() == html


def test_review_apply_source_decides_from_the_command_line(tmp_path: Path) -> None:
    project, path = decided_project(tmp_path / "p")
    dry = run_cli("review", "apply", "--source", "chapters/01-decided.md", "--accept", "5:6", "--dry-run", "-C", project)
    assert dry.exit_code == 0, dry.output
    assert "+Some new words and {--old--} ones." in dry.output.replace("\r", "") and path.read_bytes() == DECIDED.encode()
    unknown = run_cli("review", "apply", "--source", "chapters/01-decided.md", "--accept", "5:6", "--reject", "5:9", "-C", project)
    assert unknown.exit_code == 1 and path.read_bytes() == DECIDED.encode()
    assert "chapters/01-decided.md:5:9: error: no suggestion starts at 5:9; nothing was written" in unknown.output
    assert "[suggestion-unknown]" in unknown.output and "Traceback" not in unknown.output
    done = run_cli("review", "apply", "--source", "chapters/01-decided.md", "--reject", "5:6", "--all", "-C", project)
    assert done.exit_code == 0, done.output
    assert "decided 6 suggestions in chapters/01-decided.md (5 accepted, 1 rejected); 0 left" in done.output
    assert "Some words and ones." in path.read_text()
    for wrong in (["r1", "--source", "chapters/01-decided.md", "--all"], ["--source", "chapters/01-decided.md"], ["r1", "--accept", "5:6"]):
        refused = run_cli("review", "apply", *wrong, "-C", project)
        assert refused.exit_code == 2 and "Traceback" not in refused.output, refused.output
