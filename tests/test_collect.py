"""Collecting reviewers' comments from annotated PDFs, the way PDF readers write annotations."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pymupdf
import pytest
import yaml
from pypdf import PdfWriter
from pypdf.annotations import FreeText, Highlight, Link, Text
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject, TextStringObject

from conftest import run_cli
from test_review import TRICKY, make

# Where each annotated run of words starts its block in TRICKY (see test_review.EXPECTED).
LINES = {"Opening paragraph after": 9, "second item with": 15, "Quoted paragraph two.": 28, "Inner text.": 34,
         "Closing paragraph": 46, "Loose two": 23}  # fmt: skip


def line_of(file: str, words: str) -> int:
    return LINES[words]


def word_boxes(path: Path, page: int, words: str) -> list[tuple[float, float, float, float]]:
    """Boxes of a run of words on a page in PDF coordinates, found by PyMuPDF (not by the collector)."""
    document = pymupdf.open(path)
    height = document[page].rect.height
    found = document[page].get_text("words")
    wanted = words.split()
    for index in range(len(found) - len(wanted) + 1):
        if [w[4] for w in found[index : index + len(wanted)]] == wanted:
            return [(w[0], height - w[3], w[2], height - w[1]) for w in found[index : index + len(wanted)]]
    raise AssertionError(f"{words!r} not on page {page}")


def page_with(path: Path, words: str) -> int:
    document = pymupdf.open(path)
    wanted = words.split()
    for number, page in enumerate(document):
        found = [w[4] for w in page.get_text("words")]
        if any(found[i : i + len(wanted)] == wanted for i in range(len(found))):
            return number
    raise AssertionError(f"{words!r} not in {path.name}")


def quad_points(boxes: list[tuple[float, float, float, float]]) -> ArrayObject:
    values: list[float] = []
    for x0, y0, x1, y1 in boxes:
        values += [x0, y1, x1, y1, x0, y0, x1, y0]  # upper left, upper right, lower left, lower right
    return ArrayObject([FloatObject(v) for v in values])


def markup(subtype: str, boxes: list[tuple[float, float, float, float]], contents: str, author: str) -> DictionaryObject:
    rect = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    if subtype == "/Highlight":
        annotation = Highlight(rect=rect, quad_points=quad_points(boxes))
    else:  # pypdf has no class for these; a reader writes the same dictionary
        annotation = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject(subtype),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in rect]), NameObject("/QuadPoints"): quad_points(boxes),
        })  # fmt: skip
    annotation[NameObject("/Contents")] = TextStringObject(contents)
    annotation[NameObject("/T")] = TextStringObject(author)
    annotation[NameObject("/M")] = TextStringObject("D:20260320101500Z")
    return annotation


@pytest.fixture(scope="module")
def round_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make(tmp_path_factory.mktemp("collect"))
    result = run_cli("review", "start", "r1", "-C", project, "--quiet")
    assert result.exit_code == 0, result.output
    return project


def annotate_with_pypdf(project: Path, out: Path) -> dict[str, tuple[str, str, str]]:
    """Sam's packet (chapter 1), annotated with pypdf; returns comment text -> (kind, file:line, quote)."""
    packet = project / "review" / "r1" / "r1-02-sam-second.pdf"
    writer = PdfWriter(clone_from=packet)
    expected = {}
    plan = [
        ("/Highlight", "highlight", "Opening paragraph after", "Cite the survey here."),
        ("/Underline", "underline", "second item with", "Reword this item."),
        ("/StrikeOut", "strike-out", "Quoted paragraph two.", "Drop this sentence."),
        ("/Squiggly", "squiggly", "Inner text.", "Typo?"),
        ("/Highlight", "highlight", "Closing paragraph", "Good ending."),
    ]
    refs = {}
    for subtype, kind, words, text in plan:
        page = page_with(packet, words)
        boxes = word_boxes(packet, page, words)
        writer.add_annotation(page_number=page, annotation=markup(subtype, boxes, text, "S. Second"))
        refs[text] = writer.pages[page]["/Annots"][-1]  # the indirect reference, as readers point replies at
        expected[text] = (kind, f"chapters/01-tricky.md:{line_of('chapters/01-tricky.md', words)}", words)
    page = page_with(packet, "Loose two")
    x0, y0, x1, y1 = word_boxes(packet, page, "Loose two")[0]
    note = Text(rect=(x1 + 4, y1 - 20, x1 + 24, y1 + 2), text="Why loose here?")
    note[NameObject("/T")] = TextStringObject("S. Second")
    writer.add_annotation(page_number=page, annotation=note)
    expected["Why loose here?"] = ("note", f"chapters/01-tricky.md:{line_of('chapters/01-tricky.md', 'Loose two')}", "")
    reply = Text(rect=(x1 + 30, y0, x1 + 50, y1), text="Agreed with myself.")
    reply[NameObject("/IRT")] = refs["Cite the survey here."]
    reply[NameObject("/T")] = TextStringObject("S. Second")
    writer.add_annotation(page_number=page_with(packet, "Opening paragraph after"), annotation=reply)
    expected["Agreed with myself."] = ("reply", expected["Cite the survey here."][1], "")
    box = word_boxes(packet, page_with(packet, "Outer text."), "Outer text.")[0]
    typed = FreeText(text="Typewriter remark.", rect=(box[0], box[1] - 30, box[0] + 150, box[1] - 10))
    typed[NameObject("/T")] = TextStringObject("S. Second")
    writer.add_annotation(page_number=page_with(packet, "Outer text."), annotation=typed)
    expected["Typewriter remark."] = ("free-text", None, "")  # type: ignore[assignment]
    ink = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Ink"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (box[0], box[1] - 5, box[0] + 40, box[1] + 5)]),
        NameObject("/InkList"): ArrayObject([ArrayObject([FloatObject(box[0]), FloatObject(box[1]), FloatObject(box[0] + 40), FloatObject(box[1] + 3)])]),
        NameObject("/Contents"): TextStringObject("circled"), NameObject("/T"): TextStringObject("S. Second"),
        NameObject("/F"): NumberObject(4),
    })  # fmt: skip
    writer.add_annotation(page_number=page_with(packet, "Outer text."), annotation=ink)
    writer.add_annotation(page_number=0, annotation=Link(rect=(10, 10, 50, 50), url="https://example.org"))
    writer.write(out)
    return expected


def test_pypdf_annotations_land_on_the_right_lines(round_project: Path, tmp_path: Path) -> None:
    returned = tmp_path / "sam-returned.pdf"
    expected = annotate_with_pypdf(round_project, returned)
    result = run_cli("review", "collect", "r1", returned, "-C", round_project)
    assert result.exit_code == 0, result.output
    register = yaml.safe_load((round_project / "review" / "r1" / "comments.yaml").read_text())["comments"]
    by_text = {c["comment"]: c for c in register if c["packet"].endswith("sam-returned.pdf")}
    assert by_text.keys() == {*expected, "[drawing on page %d] circled" % next(c["page"] for c in register if "circled" in c["comment"])}
    for text, (kind, where, quote) in expected.items():
        comment = by_text[text]
        assert comment["kind"] == kind, text
        assert comment["reviewer"] == "Sam Second" and comment["author"] == "S. Second"
        if where:
            assert f"{comment['file']}:{comment['line']}" == where, text
            line = int(where.rsplit(":", 1)[1])
            assert comment["source"].split("\n")[0] == TRICKY.split("\n")[line - 1]
        assert comment["quote"] == quote, text
        assert comment["status"] == "open" and comment["response"] == "" and comment["assignee"] == "Ann Author"
    assert by_text["Agreed with myself."]["in_reply_to"] == by_text["Cite the survey here."]["id"]
    assert by_text["Cite the survey here."]["date"] == "2026-03-20T10:15"
    assert by_text["Typewriter remark."]["file"] == "chapters/01-tricky.md"


def test_pymupdf_annotations(round_project: Path, tmp_path: Path) -> None:
    packet = round_project / "review" / "r1" / "r1-01-rita-reviewer.pdf"
    document = pymupdf.open(packet)
    page_number = page_with(packet, "More text.")
    page = document[page_number]
    highlight = page.add_highlight_annot(page.search_for("More text.")[0])
    highlight.set_info(content="Say more.", title="Rita R.")
    highlight.update()
    note = page.add_text_annot((450, 300), "General remark on the part.")
    note.set_info(title="Rita R.")
    note.update()
    returned = tmp_path / "rita-returned.pdf"
    document.save(returned)
    result = run_cli("review", "collect", "r1", returned, "-C", round_project)
    assert result.exit_code == 0, result.output
    register = yaml.safe_load((round_project / "review" / "r1" / "comments.yaml").read_text())["comments"]
    mine = {c["comment"]: c for c in register if c["reviewer"] == "Rita Reviewer"}
    assert mine["Say more."]["quote"] == "More text."
    assert (mine["Say more."]["file"], mine["Say more."]["line"]) == ("chapters/02-second.md", 9)
    assert mine["Say more."]["kind"] == "highlight" and mine["Say more."]["organisation"] == "Example Hospital"
    assert mine["General remark on the part."]["kind"] == "note"


def test_collecting_again_adds_nothing_and_keeps_triage(round_project: Path, tmp_path: Path) -> None:
    returned = tmp_path / "again.pdf"
    annotate_with_pypdf(round_project, returned)
    run_cli("review", "collect", "r1", returned, "-C", round_project)
    path = round_project / "review" / "r1" / "comments.yaml"
    data = yaml.safe_load(path.read_text())
    data["comments"][0].update(status="done", response="Fixed in 2.1.", assignee="Bo Editor", priority="high")
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    count = len(data["comments"])
    result = run_cli("review", "collect", "r1", returned, "-C", round_project)
    assert result.exit_code == 0 and result.output.startswith("0 new comments")
    after = yaml.safe_load(path.read_text())["comments"]
    assert len(after) == count
    assert (after[0]["status"], after[0]["response"], after[0]["assignee"], after[0]["priority"]) == ("done", "Fixed in 2.1.", "Bo Editor", "high")
    # A corrected file from the same reviewer: only its new comment is added.
    writer = PdfWriter(clone_from=returned)
    note = Text(rect=(300, 300, 320, 320), text="One more thought.")
    writer.add_annotation(page_number=2, annotation=note)
    corrected = tmp_path / "corrected.pdf"
    writer.write(corrected)
    result = run_cli("review", "collect", "r1", corrected, "-C", round_project)
    assert result.output.startswith("1 new comments")


def test_comment_sheet(round_project: Path, tmp_path: Path) -> None:
    full = round_project / "review" / "r1" / "r1-00-full-paper.pdf"
    page = page_with(full, "Text of the second chapter") + 1
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "reviewer,location,comment\n"
        "Rita Reviewer,02-second.md:9,Sheet comment by line.\n"
        f"Rita Reviewer,page {page},Sheet comment by page.\n"
        "Sam Second,1.1,Sheet comment by section.\n"
        "Sam Second,,General sheet comment.\n"
    )
    result = run_cli("review", "collect", "r1", sheet, "-C", round_project)
    assert result.exit_code == 0, result.output
    register = {c["comment"]: c for c in yaml.safe_load((round_project / "review" / "r1" / "comments.yaml").read_text())["comments"]}
    assert (register["Sheet comment by line."]["file"], register["Sheet comment by line."]["line"]) == ("chapters/02-second.md", 9)
    assert register["Sheet comment by page."]["file"] == "chapters/02-second.md" and register["Sheet comment by page."]["page"] == page
    assert (register["Sheet comment by section."]["file"], register["Sheet comment by section."]["line"]) == ("chapters/01-tricky.md", 12)
    assert register["General sheet comment."]["file"] is None and register["Sheet comment by line."]["kind"] == "sheet"


def test_unknown_and_corrupt_pdfs(round_project: Path, tmp_path: Path) -> None:
    path = round_project / "review" / "r1" / "comments.yaml"
    before = path.read_bytes() if path.exists() else b""
    stranger = tmp_path / "stranger.pdf"
    writer = PdfWriter(clone_from=round_project / "build" / "paper.review.pdf") if (round_project / "build" / "paper.review.pdf").exists() else None
    if writer is None:
        assert run_cli("build", round_project, "--review", "--quiet").exit_code == 0
        writer = PdfWriter(clone_from=round_project / "build" / "paper.review.pdf")
    note = Text(rect=(300, 300, 320, 320), text="From someone else.")
    note[NameObject("/T")] = TextStringObject("Visitor V.")
    writer.add_annotation(page_number=3, annotation=note)
    writer.write(stranger)
    result = run_cli("review", "collect", "r1", stranger, "-C", round_project)
    assert result.exit_code == 0
    assert "warning: not one of this round's packets; comments are kept under their annotations' author [collect-unknown-packet]" in result.output
    register = yaml.safe_load(path.read_text())["comments"]
    assert any(c["reviewer"] == "Visitor V." for c in register)
    before = path.read_bytes()
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n this is not really a PDF")
    result = run_cli("review", "collect", "r1", corrupt, "-C", round_project)
    assert result.exit_code == 1 and "[collect-unreadable-pdf]" in result.output and "Traceback" not in result.output
    assert path.read_bytes() == before


def test_a_register_broken_by_hand_is_reported_not_overwritten(round_project: Path, tmp_path: Path) -> None:
    path = round_project / "review" / "r1" / "comments.yaml"
    original = path.read_bytes()
    broken = original.replace(b"comments:\n", b"comments:\n  - id: [unclosed\n", 1)
    path.write_bytes(broken)
    try:
        result = run_cli("review", "collect", "r1", round_project / "review" / "r1" / "r1-02-sam-second.pdf", "-C", round_project)
        assert result.exit_code == 1
        assert re.search(r"review/r1/comments\.yaml:\d+:\d+: error: invalid YAML.*\[register-syntax\]", result.output)
        assert path.read_bytes() == broken
    finally:
        path.write_bytes(original)


def test_report_and_moved_lines(round_project: Path, tmp_path: Path) -> None:
    project = tmp_path / "moved"
    shutil.copytree(round_project, project)
    # Comments of its own (the other tests' may be in the register or not: tests run in any order)
    annotate_with_pypdf(project, tmp_path / "sam-returned.pdf")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("reviewer,location,comment\nRita Reviewer,02-second.md:9,Sheet comment by line.\n")
    assert run_cli("review", "collect", "r1", tmp_path / "sam-returned.pdf", sheet, "-C", project).exit_code == 0
    run_cli("review", "collect", "r1", project / "review" / "r1", "-C", project)  # the untouched packets add nothing
    chapter = project / "chapters" / "01-tricky.md"
    text = chapter.read_text()
    text = text.replace("Opening paragraph after blank lines,", "An inserted paragraph.\n\nAnother one.\n\nOpening paragraph after blank lines,")
    text = text.replace("Closing paragraph [@wilkinson2016fair].", "A completely different ending.")
    chapter.write_text(text)
    output = run_cli("review", "locate", "r1", "-C", project).output
    assert re.search(r"chapters/01-tricky\.md:9\s+chapters/01-tricky\.md:13\n", output)
    assert re.search(r"chapters/01-tricky\.md:46\s+chapters/01-tricky\.md: text gone \(was line 46\)", output)
    result = run_cli("review", "report", "r1", "-C", project)
    assert result.exit_code == 0, result.output
    folder = project / "review" / "r1"
    for name in ("report.html", "report.pdf", "responses.html", "responses.pdf", "responses.docx"):
        assert (folder / name).stat().st_size > 1000, name
    report = pymupdf.open(folder / "report.pdf")
    text = " ".join(page.get_text() for page in report)
    assert "Cite the survey here." in text and "was line 9" in text and "text gone" in text
    assert "Sam Second" in text and "Rita Reviewer" in text
    status = run_cli("status", project, "--format", "json").output
    assert '"open_comments"' in status


SAMPLE_COMMENTS = {
    # reviewer packet -> (words to highlight, comment)
    "r1-01-dr-miriam-achterberg.pdf": [
        ("Removing identifiers", "Clinicians will ask how this applies to pseudonymised registries."),
        ("A model trained on data", "Add an example from radiology."),
    ],
    "r1-02-jonas-pelletier.pdf": [
        ("Research funders should require", "Who pays for the stewardship this requires?"),
        ("Public institutions that hold", "Name the competition-law constraints."),
    ],
    "r1-03-dr-keiko-ishida.pdf": [
        ("Federated learning trains", "Mention secure aggregation explicitly."),
        ("tiered model", "The tier analogy is looser than the figure suggests."),
    ],
}


def test_sample_round_with_three_returned_packets(tmp_path: Path) -> None:
    from conftest import copy_sample

    project = copy_sample(tmp_path / "sample", review=False)  # a round r1 of its own
    assert run_cli("review", "start", "r1", "-C", project, "--quiet").exit_code == 0
    returned = tmp_path / "returned"
    returned.mkdir()
    for packet_name, comments in SAMPLE_COMMENTS.items():
        packet = project / "review" / "r1" / packet_name
        writer = PdfWriter(clone_from=packet)
        for words, text in comments:
            page = page_with(packet, words)
            writer.add_annotation(page_number=page, annotation=markup("/Highlight", word_boxes(packet, page, words), text, "reviewer"))
        writer.write(returned / packet_name)
    result = run_cli("review", "collect", "r1", returned, "-C", project)
    assert result.exit_code == 0 and result.output.startswith("6 new comments"), result.output
    register = yaml.safe_load((project / "review" / "r1" / "comments.yaml").read_text())["comments"]
    for comment in register:
        assert comment["file"].startswith("chapters/") and comment["line"] and comment["quote"]
        words = next(w for c in SAMPLE_COMMENTS.values() for w, t in c if t == comment["comment"])
        assert comment["quote"] == words
        source = (project / comment["file"]).read_text().split("\n")
        block = " ".join(source[comment["line"] - 1 : comment["line"] + 6])
        assert words.split()[0] in block  # the line named is where the marked words' block starts
    assert run_cli("review", "report", "r1", "-C", project).exit_code == 0
    text = " ".join(page.get_text() for page in pymupdf.open(project / "review" / "r1" / "report.pdf"))
    for reviewer in ("Dr Miriam Achterberg", "Jonas Pelletier", "Dr Keiko Ishida"):
        assert reviewer in text


def caret(box: tuple[float, float, float, float], x: float, contents: str) -> DictionaryObject:
    """An insertion mark at `x` on the line of a word's box, as PDF readers draw one."""
    return DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Caret"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (x - 2.5, box[1], x + 2.5, box[1] + 6)]),
        NameObject("/Contents"): TextStringObject(contents), NameObject("/T"): TextStringObject("S. Second"),
        NameObject("/M"): TextStringObject("D:20260320101600Z"),
    })  # fmt: skip


def test_edit_marks_in_a_pdf_become_suggestions(round_project: Path, tmp_path: Path) -> None:
    """Struck-out words, "replace with:" notes, carets and Acrobat's replace-text become
    suggestions placed in the Markdown, which `review apply` then makes."""
    project = tmp_path / "p"
    shutil.copytree(round_project, project)
    (project / "review" / "r1" / "comments.yaml").unlink(missing_ok=True)  # what other tests collected
    packet = project / "review" / "r1" / "r1-02-sam-second.pdf"
    writer = PdfWriter(clone_from=packet)

    def mark(subtype: str, words: str, contents: str, within: str | None = None) -> Any:
        page = page_with(packet, within or words)
        boxes = word_boxes(packet, page, within or words)
        if within:  # the words inside a longer run, found by their place in it
            start = (within.split()).index(words.split()[0])
            boxes = boxes[start : start + len(words.split())]
        writer.add_annotation(page_number=page, annotation=markup(subtype, boxes, contents, "S. Second"))
        return page, boxes, writer.pages[page]["/Annots"][-1]

    mark("/StrikeOut", "blank", "", within="Opening paragraph after blank lines,")
    mark("/StrikeOut", "first", "Replace with: first-level", within="first item")
    mark("/Highlight", "Closing paragraph", "replace with: Final paragraph")
    mark("/StrikeOut", "of loose one.", "Say which one.", within="Second paragraph of loose one.")
    page = page_with(packet, "Outer text.")
    outer, text = word_boxes(packet, page, "Outer text.")
    writer.add_annotation(page_number=page, annotation=caret(outer, (outer[2] + text[0]) / 2, "very"))
    page, boxes, struck = mark("/StrikeOut", "Loose two", "")  # Acrobat's "replace text": a strike-out and a caret, grouped
    grouped = caret(boxes[-1], boxes[-1][2] + 1, "Loose 2")
    grouped[NameObject("/IRT")], grouped[NameObject("/RT")] = struck, NameObject("/Group")
    writer.add_annotation(page_number=page, annotation=grouped)
    returned = tmp_path / "sam-edits.pdf"
    writer.write(returned)

    result = run_cli("review", "collect", "r1", returned, "-C", project)
    assert result.exit_code == 0 and "6 new comments" in result.output and "warning" not in result.output, result.output
    entries = yaml.safe_load((project / "review" / "r1" / "comments.yaml").read_text())["comments"]
    found = {(e["kind"], e["comment"]): (e["line"], e.get("suggestion", {}).get("old"), e.get("suggestion", {}).get("new")) for e in entries}
    assert found == {
        ("strike-out", 'delete "blank"'): (9, " blank", ""),
        ("strike-out", 'replace "first" with "first-level"'): (14, "first", "first-level"),
        ("highlight", 'replace "Closing paragraph" with "Final paragraph"'): (46, "Closing paragraph", "Final paragraph"),
        ("strike-out", "Say which one."): (21, " of loose one.", ""),  # a deletion; the note says why
        ("insertion", 'insert "very"'): (31, "Outer", "Outer very"),
        ("strike-out", 'replace "Loose two" with "Loose 2"'): (23, "Loose two", "Loose 2"),
    }
    chapter = project / "chapters" / "01-tricky.md"
    before = chapter.read_text()
    assert run_cli("review", "apply", "r1", *[e["id"] for e in entries], "-C", project).exit_code == 0
    assert chapter.read_text() == (
        before.replace("after blank lines", "after lines").replace("- first item", "- first-level item")
        .replace("Closing paragraph", "Final paragraph").replace("Second paragraph of loose one.", "Second paragraph")
        .replace("Outer text.", "Outer very text.").replace("2. Loose two", "2. Loose 2")
    )  # fmt: skip
