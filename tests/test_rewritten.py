"""Collecting packets that another program rewrote on saving (Ghostscript, macOS Preview,
"reduce file size"), which loses what normally places their comments.

What a rewrite keeps, as observed with Ghostscript 10.00 (`gs -sDEVICE=pdfwrite
-dPreserveAnnots=true`) on packets annotated with PyMuPDF and with pypdf:
  - gone: the named destinations (`L:<file>:<line>`), the packet's own metadata keys
    (/WhitepaperRound, /WhitepaperReviewer) and so the file's hash, a reply's /IRT (the
    reply comes back as a plain note), a note's link to its pop-up;
  - kept: the title and subject, which name the round and the reviewer; every markup
    annotation with its subtype, /Contents, /T, /M, /NM, /QuadPoints and /Rect (to about
    three decimals); notes, free text and ink; the outline; the text, margin markers
    included, in fonts Ghostscript re-embeds. Their ToUnicode maps a ligature to its
    letters' UTF-16 bytes swapped ("fi" as U+6600 U+6900), which pdftext.py cannot parse
    (it drops every glyph of such a font) and pdfplumber reads as it is written.
A pikepdf re-save with object streams keeps everything but the hash. With the
destinations and the packet's own keys removed by hand it is the worst case short of
losing the text, which `gs -dFILTERTEXT` does too.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import pymupdf
import pytest
import yaml
from pypdf import PdfReader

from conftest import run_cli, write_project
from test_review import TRICKY, git
from whitepaper.review.edition import marker_label

GS = shutil.which("gs")
pytestmark = pytest.mark.skipif(GS is None, reason="Ghostscript is not installed")

GOVERNANCE = "02-data-governance-and-ethics.md"  # long enough for its margin labels to take two lines
LONG = " ".join(f"Sentence {n} of the long paragraph." for n in range(1, 131))  # longer than a page
GOVERNANCE_TEXT = "\n\n".join([
    "---\ntitle: Data governance and ethics\nowners: [Gil Governor]\n---",
    "Governance opens with a short paragraph.",  # line 6
    "## Consent {#sec-consent}",
    "Consent forms rarely anticipate secondary use [@topol2019].",  # line 10
    textwrap.fill(LONG, 72),  # line 12: one paragraph, many source lines
    "A paragraph after the long one.",
]) + "\n"  # fmt: skip
AFTER_LONG = GOVERNANCE_TEXT.split("\n").index("A paragraph after the long one.") + 1
CONFIG = f"""\
title: Review fixture
version: "2.0"
date: 2026-03-01
bibliography: bibliography/references.bib
blocks:
  recommendation: {{label: Recommendation, prefix: R}}
reviewers:
  - name: Rita Reviewer
    organisation: Example Hospital
    chapters: [chapters/{GOVERNANCE}]
  - name: Sam Second
    chapters: [chapters/01-tricky.md]
"""


@dataclass(frozen=True)
class Mark:
    kind: str  # as the register says it; a note sits beside its words
    words: str  # the words marked
    comment: str
    line: int  # where the comment belongs in the reviewer's chapter
    placed: str  # how a rewritten packet places it
    cover: bool = False  # made on the packet's cover page, where no marker is above it
    reach: float = 0  # points the box reaches above its line, as readers that mark whole line boxes do

    @property
    def by_height(self) -> bool:
        """Whether its height alone (the packet's destinations) places it."""
        return not self.cover and not self.reach

    @property
    def quote(self) -> str:
        return "" if self.kind == "note" else self.words


SAM = [
    Mark("highlight", "Opening paragraph after", "Cite the survey here.", 9, "marker+quote"),
    Mark("underline", "second item with", "Reword this item.", 15, "marker+quote"),
    Mark("highlight", "first item", "A ligature in the marked words.", 14, "marker+quote"),
    Mark("strike-out", "Quoted paragraph two.", "Drop this sentence.", 28, "marker+quote"),
    Mark("squiggly", "Inner text.", "Typo?", 34, "marker+quote"),  # its marker and its div's are drawn at one height
    Mark("highlight", "Closing paragraph", "Good ending.", 46, "marker+quote"),
    Mark("note", "Loose two", "Why loose here?", 23, "marker"),
    Mark("highlight", "third item", "Reaches into the item above.", 17, "marker+quote", reach=6),
    Mark("highlight", "Tricky layout", "Rename the chapter.", 2, "quote", cover=True),  # the chapter's title
]
RITA = [
    Mark("highlight", "Governance opens with", "Say who governs.", 6, "marker+quote"),
    Mark("underline", "Consent forms rarely anticipate", "Which forms?", 10, "marker+quote"),
    Mark("highlight", "Sentence 3 of the long paragraph.", "Early in the long one.", 12, "marker+quote"),
    Mark("strike-out", "Sentence 125 of the long paragraph.", "Cut, on the next page.", 12, "marker+quote"),
    Mark("note", "A paragraph after the long one.", "Last words?", AFTER_LONG, "marker"),
]
REPLY = "Replying to myself."  # a reply to each packet's first comment


@dataclass(frozen=True)
class Packet:
    file: str  # in review/r1/
    chapter: str
    text: str
    marks: list[Mark]


PACKETS = {
    "Sam Second": Packet("r1-02-sam-second.pdf", "chapters/01-tricky.md", TRICKY, SAM),
    "Rita Reviewer": Packet("r1-01-rita-reviewer.pdf", f"chapters/{GOVERNANCE}", GOVERNANCE_TEXT, RITA),
}


def annotate(packet: Path, out: Path, marks: list[Mark]) -> None:
    """The packet annotated with PyMuPDF, as MuPDF-based readers write annotations, and a reply
    to the first comment, threaded by /IRT as readers do."""
    document = pymupdf.open(packet)
    adders = {"underline": "add_underline_annot", "strike-out": "add_strikeout_annot", "squiggly": "add_squiggly_annot"}
    first: tuple[int, int, pymupdf.Rect] | None = None
    for mark in marks:
        number, rects = find(document, mark.words, mark.cover)
        rects[0].y0 -= mark.reach  # PyMuPDF's y grows downwards
        page = document[number]
        if mark.kind == "note":
            annotation = page.add_text_annot((rects[0].x1 + 10, rects[0].y0), mark.comment)
        else:
            annotation = getattr(page, adders.get(mark.kind, "add_highlight_annot"))(rects)
            annotation.set_info(content=mark.comment)
        annotation.set_info(title="R. Eviewer")
        annotation.update()
        first = first or (number, annotation.xref, rects[0])
    assert first is not None
    number, parent, rect = first
    reply = document[number].add_text_annot((rect.x0, rect.y0), REPLY)
    reply.set_info(title="R. Eviewer")
    reply.update()
    document.xref_set_key(reply.xref, "IRT", f"{parent} 0 R")
    document.save(out)


def find(document: pymupdf.Document, words: str, cover: bool = False) -> tuple[int, list[pymupdf.Rect]]:
    """The first page after the cover (or the cover itself) showing the words, and their box on
    each line, as a reader marks them. From PyMuPDF's words: its search_for can leave out a
    line's last letter."""
    wanted = words.split()
    for number in [0] if cover else range(1, len(document)):
        found = document[number].get_text("words")  # (x0, y0, x1, y1, word, block, line, number)
        for index in range(len(found) - len(wanted) + 1):
            run = found[index : index + len(wanted)]
            if [w[4] for w in run] == wanted:
                lines: dict[tuple[int, int], pymupdf.Rect] = {}
                for w in run:
                    lines[(w[5], w[6])] = lines.get((w[5], w[6]), pymupdf.Rect(w[:4])) | pymupdf.Rect(w[:4])
                return number, list(lines.values())
    raise AssertionError(f"{words!r} not found")


def ghostscript(source: Path, out: Path, *options: str) -> Path:
    assert GS is not None
    subprocess.run([GS, "-q", "-dSAFER", "-sDEVICE=pdfwrite", "-dPreserveAnnots=true", *options, "-o", str(out), str(source)], check=True)
    return out


def resave(source: Path, out: Path, *, strip: bool) -> Path:
    """A pikepdf re-save with object streams; `strip` also drops the named destinations and the
    packet's own metadata keys, as the worst rewriting program would."""
    with pikepdf.open(source) as pdf:
        if strip:
            del pdf.Root.Names["/Dests"]
            for key in ("/WhitepaperRound", "/WhitepaperReviewer"):
                del pdf.docinfo[key]
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out


@pytest.fixture(scope="module")
def round_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = write_project(tmp_path_factory.mktemp("rewritten"), {"01-tricky.md": TRICKY, GOVERNANCE: GOVERNANCE_TEXT}, CONFIG)
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "-c", "user.email=t@example.org", "-c", "user.name=Test", "commit", "-qm", "fixture")
    result = run_cli("review", "start", "r1", "-C", project, "--quiet")
    assert result.exit_code == 0, result.output
    return project


@pytest.fixture
def project(round_project: Path, tmp_path: Path) -> Path:
    """The round, with a register of its own for each test."""
    return Path(shutil.copytree(round_project, tmp_path / "project"))


@pytest.fixture(scope="module")
def annotated(round_project: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each reviewer's packet, annotated."""
    folder = tmp_path_factory.mktemp("annotated")
    files = {}
    for reviewer, packet in PACKETS.items():
        files[reviewer] = folder / f"{reviewer.split()[0].lower()}.pdf"
        annotate(round_project / "review" / "r1" / packet.file, files[reviewer], packet.marks)
    return files


def collected(project: Path, returned: Path) -> dict[str, dict[str, Any]]:
    """The register's comments from one returned file, by their text."""
    register = yaml.safe_load((project / "review" / "r1" / "comments.yaml").read_text())["comments"]
    return {c["comment"]: c for c in register if c["packet"].endswith(returned.name)}


def assert_placed(comments: dict[str, dict[str, Any]], reviewer: str, rewritten: bool, threaded: bool) -> None:
    """Every comment at its line with its quote, and how it was placed when the file was rewritten.
    The reply is threaded under the first comment when its /IRT survived, else a note placed
    where it sits, by that comment: the same block."""
    packet = PACKETS[reviewer]
    for mark in packet.marks:
        comment = comments[mark.comment]
        assert (comment["reviewer"], comment["author"]) == (reviewer, "R. Eviewer"), mark
        assert (comment["kind"], comment["quote"]) == (mark.kind, mark.quote), mark
        if not rewritten and not mark.by_height:
            continue
        assert (comment["file"], comment["line"], comment.get("placed")) == (packet.chapter, mark.line, mark.placed if rewritten else None), mark
        assert comment["source"].split("\n")[0] == packet.text.split("\n")[mark.line - 1], mark
    first, reply = comments[packet.marks[0].comment], comments[REPLY]
    assert (reply["file"], reply["line"]) == (first["file"], first["line"])
    assert (reply["kind"], reply.get("in_reply_to")) == (("reply", first["id"]) if threaded else ("note", None))


def has_replies(path: Path) -> bool:
    return any("/IRT" in a.get_object() for page in PdfReader(path).pages for a in page.get("/Annots") or [])


def test_the_fixture_is_what_the_tests_need(annotated: dict[str, Path]) -> None:
    assert "\n" in marker_label(GOVERNANCE, 12)  # Rita's labels take two lines in the margin
    rita = pymupdf.open(annotated["Rita Reviewer"])
    first, _ = find(rita, "Sentence 3 of the long paragraph.")
    later, _ = find(rita, "Sentence 125 of the long paragraph.")
    assert later == first + 1  # the long paragraph runs over a page: the later mark has no marker above it
    assert "md:12" not in rita[later].get_text()
    # The box that reaches above its line reaches above its block's start too.
    sam = PdfReader(annotated["Sam Second"])
    tall = next(a.get_object() for page in sam.pages for a in page.get("/Annots") or [] if a.get_object().get("/Contents") == "Reaches into the item above.")
    start = sam.named_destinations["L:chapters/01-tricky.md:17"]
    assert max(float(y) for y in tall["/QuadPoints"][1::2]) > float(start["/Top"]) + 2


def test_what_ghostscript_keeps(annotated: dict[str, Path], tmp_path: Path) -> None:
    source = annotated["Sam Second"]
    before, after = PdfReader(source), PdfReader(ghostscript(source, tmp_path / "sam-gs.pdf"))
    assert before.named_destinations and not after.named_destinations
    assert "/WhitepaperReviewer" in before.metadata and "/WhitepaperReviewer" not in after.metadata
    assert (after.metadata["/Title"], after.metadata["/Subject"]) == (before.metadata["/Title"], before.metadata["/Subject"])

    def marks(reader: PdfReader) -> list[tuple[str, str, str, list[int]]]:
        annotations = [a.get_object() for page in reader.pages for a in page.get("/Annots") or []]
        return sorted(
            (str(a["/Subtype"]), str(a.get("/Contents")), str(a.get("/T")), [round(float(v)) for v in a.get("/QuadPoints", a["/Rect"])])
            for a in annotations
            if a["/Subtype"] not in ("/Link", "/Popup")
        )

    assert marks(after) == marks(before)


def test_ghostscript_rewrite_is_placed_by_markers_and_quotes(project: Path, annotated: dict[str, Path], tmp_path: Path) -> None:
    files = {reviewer: ghostscript(source, tmp_path / f"{source.stem}-gs.pdf") for reviewer, source in annotated.items()}
    result = run_cli("review", "collect", "r1", *files.values(), "-C", project)
    assert result.exit_code == 0, result.output
    assert "collect-unknown-packet" not in result.output and "collect-no-destinations" not in result.output
    for reviewer, path in files.items():
        comments = collected(project, path)
        assert_placed(comments, reviewer, rewritten=True, threaded=has_replies(path))
        ways = [c["placed"] for c in comments.values()]
        how = ", ".join(f"{ways.count(way)} by {name}" for way, name in (("marker+quote", "marker and quote"), ("marker", "marker alone"), ("quote", "quote alone")) if way in ways)
        assert (
            f"{path}: warning: another program rewrote this PDF (its source-line destinations are gone): "
            f"{len(ways)} of {len(ways)} comments placed by its margin markers and the marked text ({how}) [collect-rewritten-pdf]"
        ) in result.output
    again = run_cli("review", "collect", "r1", *files.values(), "-C", project)
    assert again.exit_code == 0 and "\n0 new comments from 2 files" in again.output, again.output


def test_a_rewritten_copy_adds_no_comments_twice(project: Path, annotated: dict[str, Path], tmp_path: Path) -> None:
    """A reviewer who sends the packet as annotated, then a copy their reader rewrote: the same
    comments, as their ids are made of what survives (text, box to the point, marked words)."""
    source = annotated["Sam Second"]
    first = run_cli("review", "collect", "r1", source, "-C", project)
    assert first.exit_code == 0 and first.output.startswith(f"{len(SAM) + 1} new comments"), first.output
    rewritten = run_cli("review", "collect", "r1", ghostscript(source, tmp_path / "sam-gs.pdf"), "-C", project)
    assert rewritten.exit_code == 0 and "\n0 new comments" in rewritten.output, rewritten.output


def test_pikepdf_resave_keeps_the_destinations(project: Path, annotated: dict[str, Path], tmp_path: Path) -> None:
    source = annotated["Sam Second"]
    path = resave(source, tmp_path / "sam-resaved.pdf", strip=False)
    assert path.read_bytes() != source.read_bytes() and PdfReader(path).named_destinations
    result = run_cli("review", "collect", "r1", path, "-C", project)
    assert result.exit_code == 0 and "warning" not in result.output, result.output
    assert_placed(collected(project, path), "Sam Second", rewritten=False, threaded=True)


def test_pikepdf_resave_without_destinations_or_packet_keys(project: Path, annotated: dict[str, Path], tmp_path: Path) -> None:
    for reviewer, source in annotated.items():
        path = resave(source, tmp_path / f"{source.stem}-stripped.pdf", strip=True)
        reader = PdfReader(path)
        assert not reader.named_destinations and "/WhitepaperReviewer" not in reader.metadata
        result = run_cli("review", "collect", "r1", path, "-C", project)
        assert result.exit_code == 0, result.output
        assert "[collect-rewritten-pdf]" in result.output and "collect-unknown-packet" not in result.output
        assert_placed(collected(project, path), reviewer, rewritten=True, threaded=True)  # pikepdf keeps /IRT


def test_a_rewrite_without_text_keeps_its_comments_unplaced(project: Path, annotated: dict[str, Path], tmp_path: Path) -> None:
    path = ghostscript(annotated["Sam Second"], tmp_path / "sam-no-text.pdf", "-dFILTERTEXT")  # the markers go with the text
    result = run_cli("review", "collect", "r1", path, "-C", project)
    assert result.exit_code == 0, result.output
    assert (
        f"{path}: warning: this PDF has neither source-line destinations nor margin markers (another program rewrote it, "
        f"or it is no packet); its {len(SAM) + 1} comments are kept without file and line [collect-no-anchors]"
    ) in result.output
    comments = collected(project, path)
    assert len(comments) == len(SAM) + 1
    assert all(c["reviewer"] == "Sam Second" and c["file"] is None and "placed" not in c for c in comments.values())


def test_a_font_whose_codes_map_to_several_characters() -> None:
    """A ToUnicode range may name a ligature ("fi"): its last character counts up over the
    range, and the font's other codes are read as well (Ghostscript writes such maps)."""
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    from whitepaper.review.pdftext import _Font

    cmap = DecodedStreamObject()
    cmap.set_data(
        b"2 beginbfrange\n<0001> <0002> <00660069>\n<0010> <0012> <0041>\nendbfrange\n"
        b"1 beginbfchar\n<0020> <00660066006C>\nendbfchar\n"
    )
    font = DictionaryObject({NameObject("/Subtype"): NameObject("/Type1"), NameObject("/FirstChar"): NumberObject(0)})
    font[NameObject("/ToUnicode")] = cmap
    read = _Font(font)
    assert [read.char(code) for code in (1, 2, 0x10, 0x11, 0x12, 0x20)] == ["fi", "fj", "A", "B", "C", "ffl"]
