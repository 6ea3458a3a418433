"""Word packets and what reviewers send back from them: comments, replies and tracked changes,
made with python-docx (as Word writes them) and in a real LibreOffice, collected to the
Markdown line they were made on."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import time
import zipfile
from collections.abc import Callable, Iterator
from copy import deepcopy
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.run import Run
from lxml import etree

from conftest import run_cli
from test_review import EXPECTED, TRICKY, make

CHAPTER = "chapters/01-tricky.md"
SAM, RITA = "r1-02-sam-second.docx", "r1-01-rita-reviewer.docx"  # Sam reviews the tricky chapter, Rita the second
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
WORD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")  # what Word accepts as a bookmark name


@pytest.fixture(scope="module")
def word_round(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make(tmp_path_factory.mktemp("word"))
    result = run_cli("review", "start", "r1", "-C", project, "--docx", "--quiet")
    assert result.exit_code == 0, result.output
    return project


def fresh(project: Path, tmp_path: Path) -> Path:
    """A copy of the round's project, so each test collects into a register of its own."""
    return Path(shutil.copytree(project, tmp_path / "project"))


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(path: Path, changed: dict[str, bytes | None]) -> None:
    """Rewrite some parts of a Word file (None removes one)."""
    files = parts(path) | changed
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            if data is not None:
                archive.writestr(name, data)


def register(project: Path) -> list[dict[str, Any]]:
    return yaml.safe_load((project / "review" / "r1" / "comments.yaml").read_text())["comments"]


def source_col(line: int, words: str) -> int:
    return TRICKY.split("\n")[line - 1].index(words) + 1


# The packet -------------------------------------------------------------------------------------


def test_packet_anchors_every_block_with_a_word_bookmark(word_round: Path) -> None:
    packet = parts(word_round / "review" / "r1" / SAM)
    body = etree.fromstring(packet["word/document.xml"])
    names = [b.get(f"{{{W}}}name") for b in body.iter(f"{{{W}}}bookmarkStart")]
    anchors = [n for n in names if n.startswith("wp_")]
    assert len(set(names)) == len(names) and all(WORD_NAME.fullmatch(n) for n in anchors)
    assert sorted(int(n.removeprefix("wp_c1_l")) for n in anchors if n != "wp_c0_l0") == sorted(EXPECTED)
    for start in body.iter(f"{{{W}}}bookmarkStart"):  # inside a paragraph, where LibreOffice keeps it
        name, text = start.get(f"{{{W}}}name"), "".join(start.getparent().itertext())
        if name.startswith("wp_"):
            assert etree.QName(start.getparent()).localname == "p"
        if name.startswith("wp_c1_l") and int(name[7:]) not in (30, 33, 40):  # the fences of boxes and the table
            assert EXPECTED[int(name[7:])].lower() in text.lower().replace(" ", ""), (name, text)  # have no text of their own
        if name == "wp_c0_l0":  # the references are marked as in no chapter
            assert text == "References"
    properties = {p.get("name"): "".join(p.itertext()) for p in etree.fromstring(packet["docProps/custom.xml"])}
    assert properties == {"WhitepaperRound": "r1", "WhitepaperReviewer": "Sam Second", "WhitepaperChapter1": CHAPTER}
    rita = parts(word_round / "review" / "r1" / RITA)
    assert b'w:name="wp_c2_l' in rita["word/document.xml"] and b"WhitepaperChapter2" in rita["docProps/custom.xml"]
    everything = b"".join(packet.values())
    assert str(word_round).encode() not in everything and b".venv" not in everything  # no machine paths


def test_packet_styles_stamp_and_line_numbers(word_round: Path, tmp_path: Path) -> None:
    packet = parts(word_round / "review" / "r1" / SAM)
    commit = subprocess.run(["git", "-C", str(word_round), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    header = "".join(etree.fromstring(packet["word/header-review.xml"]).itertext())
    assert header.startswith(f"Review r1 · version 2.0 · 1 March 2026 · commit {commit} · page")
    section = etree.fromstring(packet["word/document.xml"]).find(f".//{{{W}}}body/{{{W}}}sectPr")
    assert section.find(f"{{{W}}}lnNumType") is not None and section.find(f"{{{W}}}headerReference") is not None
    styles = packet["word/styles.xml"].decode()
    assert 'w:ascii="Cambria"' in styles and 'w:ascii="Calibri"' in styles
    document = docx.Document(str(word_round / "review" / "r1" / SAM))  # python-docx reads it as Word would
    assert document.paragraphs[0].text == "Review fixture" and document.styles["Heading 1"].font.bold
    # A project's own reference document is the base: its styles, with the stamp and line numbers.
    project = fresh(word_round, tmp_path)
    (project / "templates").mkdir()
    own = docx.Document()
    own.styles["Normal"].font.name = "Atkinson Hyperlegible"
    own.save(str(project / "templates" / "reference.docx"))
    assert run_cli("review", "start", "r2", "-C", project, "--docx", "--allow-dirty", "--quiet").exit_code == 0
    packet = parts(project / "review" / "r2" / SAM.replace("r1-", "r2-"))
    assert b"Atkinson Hyperlegible" in packet["word/styles.xml"] and b"Cambria" not in packet["word/styles.xml"]
    assert b"Review r2" in packet["word/header-review.xml"] and b"lnNumType" in packet["word/document.xml"]


# Returned files made with python-docx, as Word writes them --------------------------------------


def isolate(paragraph: Any, words: str) -> Run:
    """The run holding exactly `words` in a paragraph, its run split where needed."""
    for run in paragraph.runs:
        if words in run.text:
            start = run.text.index(words)
            pieces = [p for p in (run.text[:start], words, run.text[start + len(words) :]) if p]
            made = []
            for piece in pieces:
                copy = deepcopy(run._r)  # python-docx's own element class, which its comments API needs
                for t in copy.findall(qn("w:t")):
                    copy.remove(t)
                t = OxmlElement("w:t")
                t.text = piece
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                copy.append(t)
                run._r.addprevious(copy)
                made.append(copy)
            run._r.getparent().remove(run._r)
            return Run(made[pieces.index(words)], paragraph)
    raise AssertionError(f"{words!r} is not within one run of {paragraph.text!r}")


def paragraph_with(document: Any, words: str) -> Any:
    cells = [p for t in document.tables for row in t.rows for cell in row.cells for p in cell.paragraphs]
    return next(p for p in [*document.paragraphs, *cells] if words in p.text)


def revision(kind: str, run: Any, author: str, date: str) -> Any:
    """`run` wrapped in a w:ins or w:del, as Word records a change."""
    wrapper = OxmlElement(f"w:{kind}")
    wrapper.set(qn("w:id"), str(800 + len(list(run.getroottree().iter(qn("w:ins"), qn("w:del"))))))
    wrapper.set(qn("w:author"), author)
    wrapper.set(qn("w:date"), date)
    run.addprevious(wrapper)
    wrapper.append(run)
    return wrapper


def delete(run: Run, replacement: str = "", author: str = "Sam S.", date: str = "2026-03-21T09:30:00Z") -> None:
    """A tracked deletion of a run; with `replacement`, followed by its tracked insertion."""
    inserted = deepcopy(run._r)
    for t in run._r.findall(qn("w:t")):
        t.tag = qn("w:delText")
    deleted = revision("del", run._r, author, date)
    if replacement:
        inserted.find(qn("w:t")).text = replacement
        deleted.addnext(inserted)
        revision("ins", inserted, author, date)


def insert_before(run: Run, text: str, author: str = "Sam S.", date: str = "2026-03-21T09:31:00Z") -> None:
    inserted = deepcopy(run._r)
    inserted.find(qn("w:t")).text = text
    run._r.addprevious(inserted)
    revision("ins", inserted, author, date)


# comment text -> (kind, line, quote); every one is on Sam's packet, chapter 1
PYTHON_DOCX_COMMENTS = {
    "Cite a newer survey.": ("comment", 46, "Closing paragraph"),
    "On second thought, it is fine.": ("reply", 46, "Closing paragraph"),
    "Is this nesting needed?": ("comment", 34, "Inner text."),
    "Done: reworded.": ("comment", 15, "second item with"),
    "Say what the values are.": ("comment", 40, "Val"),
}


OUTSIDE_CHAPTERS = "Is this the right edition?"  # on the references, which are in no chapter


def returned_with_python_docx(packet: Path, out: Path) -> None:
    """Sam's packet with comments, a reply, a resolved comment and tracked changes."""
    document = docx.Document(str(packet))
    stamps = {}
    for text, (kind, line, quote) in PYTHON_DOCX_COMMENTS.items():
        paragraph = paragraph_with(document, quote)
        runs = isolate(paragraph, quote) if kind != "reply" else stamps["Cite a newer survey."][1]
        comment = document.add_comment(runs, text=text, author="Sam S.", initials="SS")
        comment._comment_elm.set(qn("w:date"), f"2026-03-20T10:{15 + len(stamps):02d}:00Z")
        stamps[text] = (comment, runs)
    on_reference = isolate(paragraph_with(document, "Wilkinson MD"), "Wilkinson MD")
    document.add_comment(on_reference, text=OUTSIDE_CHAPTERS, author="Sam S.")._comment_elm.set(qn("w:date"), "2026-03-20T11:00:00Z")
    delete(isolate(paragraph_with(document, "Opening paragraph"), "blank"), "empty")
    delete(isolate(paragraph_with(document, "Quoted paragraph two."), " two"))
    insert_before(isolate(paragraph_with(document, "Outer text."), "text."), "very ")
    delete(isolate(paragraph_with(document, "Lists"), "1.1"), "2.1")  # a section number: not in the Markdown
    # Word's threads and resolved state live in commentsExtended.xml, keyed by each comment's last paragraph.
    para_ids = {}
    for index, (text, (comment, _)) in enumerate(stamps.items()):
        para_ids[text] = f"{0x10000000 + index:08X}"
        comment._comment_elm.findall(qn("w:p"))[-1].set(f"{{{W14}}}paraId", para_ids[text])
    document.save(str(out))
    extended = etree.Element(f"{{{W15}}}commentsEx", nsmap={"w15": W15})
    for text, para_id in para_ids.items():
        entry = etree.SubElement(extended, f"{{{W15}}}commentEx")
        entry.set(f"{{{W15}}}paraId", para_id)
        if text == "On second thought, it is fine.":
            entry.set(f"{{{W15}}}paraIdParent", para_ids["Cite a newer survey."])
        entry.set(f"{{{W15}}}done", "1" if text == "Done: reworded." else "0")
    files = parts(out)
    rels = files["word/_rels/document.xml.rels"].replace(b"</Relationships>", EXTENDED_REL + b"</Relationships>")
    types = files["[Content_Types].xml"].replace(b"</Types>", EXTENDED_TYPE + b"</Types>")
    extended_xml = etree.tostring(extended)
    rezip(out, {"word/commentsExtended.xml": extended_xml, "word/_rels/document.xml.rels": rels, "[Content_Types].xml": types})


EXTENDED_REL = (
    b'<Relationship Id="rIdExt" Target="commentsExtended.xml" '
    b'Type="http://schemas.microsoft.com/office/2011/relationships/commentsExtended"/>'
)
EXTENDED_TYPE = (
    b'<Override PartName="/word/commentsExtended.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"/>'
)


@pytest.fixture(scope="module")
def python_docx_returned(word_round: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("returned") / "sam-returned.docx"
    returned_with_python_docx(word_round / "review" / "r1" / SAM, out)
    return out


def check_python_docx_comments(project: Path, packet: str, author: str = "Sam S.") -> dict[str, dict[str, Any]]:
    """The register entries of a returned copy of Sam's packet, checked against what was done to it."""
    entries = {c["comment"]: c for c in register(project) if c["packet"].endswith(packet)}
    for text, (kind, line, quote) in PYTHON_DOCX_COMMENTS.items():
        entry = entries[text]
        assert (entry["kind"], entry["file"], entry["line"], entry["quote"]) == (kind, CHAPTER, line, quote), text
        assert entry["reviewer"] == "Sam Second" and entry["author"] == author and entry["organisation"] is None
        assert entry["source"].split("\n")[0] == TRICKY.split("\n")[line - 1] and entry["assignee"] == "Ann Author"
    outside = entries[OUTSIDE_CHAPTERS]
    assert (outside["file"], outside["line"], outside["source"], outside["quote"]) == (None, None, "", "Wilkinson MD")
    reply, parent = entries["On second thought, it is fine."], entries["Cite a newer survey."]
    assert reply["in_reply_to"] == parent["id"] and parent.get("in_reply_to") is None
    assert entries["Done: reworded."].get("resolved") is True and not parent.get("resolved")
    assert parent["date"] == "2026-03-20T10:15" and parent["col"] == source_col(46, "Closing paragraph")
    changes = {c["comment"]: c for c in entries.values() if c["kind"] in ("insertion", "deletion", "replacement")}
    assert set(changes) == {'replace "blank" with "empty"', 'delete "two"', 'insert "very"', 'replace "1.1" with "2.1"'}
    blank = changes['replace "blank" with "empty"']
    assert (blank["kind"], blank["line"], blank["quote"], blank["author"], blank["date"]) == ("replacement", 9, "blank", author, "2026-03-21T09:30")
    assert blank["suggestion"] == {"old": "blank", "new": "empty", "file": CHAPTER, "line": 9, "col": source_col(9, "blank")}
    two = changes['delete "two"']
    assert (two["kind"], two["line"]) == ("deletion", 28)
    assert two["suggestion"] == {"old": " two", "new": "", "file": CHAPTER, "line": 28, "col": source_col(28, " two")}
    very = changes['insert "very"']
    assert (very["kind"], very["line"], very["quote"]) == ("insertion", 31, "")
    assert very["suggestion"] == {"old": "Outer", "new": "Outer very", "file": CHAPTER, "line": 31, "col": 1}
    assert "suggestion" not in changes['replace "1.1" with "2.1"'] and changes['replace "1.1" with "2.1"']["line"] == 12
    return entries


def test_python_docx_comments_replies_and_changes_land_on_their_lines(word_round: Path, python_docx_returned: Path, tmp_path: Path) -> None:
    project = fresh(word_round, tmp_path)
    result = run_cli("review", "collect", "r1", python_docx_returned, "-C", project)
    assert result.exit_code == 0, result.output
    assert "10 new comments from 1 files" in result.output, result.output
    assert "warning: Sam S.'s edit (replace \"1.1\" with \"2.1\") is not in chapters/01-tricky.md:12 as written" in result.output
    assert "[collect-suggestion-unplaced]" in result.output and "[collect-no-anchors]" not in result.output
    check_python_docx_comments(project, "sam-returned.docx")
    # Collecting it again adds nothing; editors' triage is kept.
    path = project / "review" / "r1" / "comments.yaml"
    data = yaml.safe_load(path.read_text())
    data["comments"][0].update(status="accepted", response="Will do.")
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    again = run_cli("review", "collect", "r1", python_docx_returned, "-C", project)
    assert again.exit_code == 0 and "0 new comments" in again.output, again.output
    after = register(project)
    assert len(after) == 10 and (after[0]["status"], after[0]["response"]) == ("accepted", "Will do.")
    # Rita's packet: her chapter, and her organisation from the round.
    document = docx.Document(str(project / "review" / "r1" / RITA))
    document.add_comment(isolate(paragraph_with(document, "More text."), "More text."), text="Say more.", author="Rita R.")
    document.save(str(tmp_path / "rita.docx"))
    assert run_cli("review", "collect", "r1", tmp_path / "rita.docx", "-C", project).exit_code == 0
    rita = next(c for c in register(project) if c["comment"] == "Say more.")
    assert (rita["reviewer"], rita["organisation"], rita["author"]) == ("Rita Reviewer", "Example Hospital", "Rita R.")
    assert (rita["file"], rita["line"], rita["quote"], rita["col"], rita["assignee"]) == ("chapters/02-second.md", 9, "More text.", 1, None)


def test_a_file_without_anchors_keeps_its_comments_unplaced(word_round: Path, python_docx_returned: Path, tmp_path: Path) -> None:
    project = fresh(word_round, tmp_path)
    stripped = tmp_path / "stripped.docx"
    shutil.copy(python_docx_returned, stripped)
    body = etree.fromstring(parts(stripped)["word/document.xml"])
    for bookmark in [*body.iter(f"{{{W}}}bookmarkStart"), *body.iter(f"{{{W}}}bookmarkEnd")]:
        bookmark.getparent().remove(bookmark)
    rezip(stripped, {"word/document.xml": etree.tostring(body)})
    result = run_cli("review", "collect", "r1", stripped, "-C", project)
    assert result.exit_code == 0, result.output
    assert "stripped.docx: warning: this Word file lost its block bookmarks; its comments are kept without file and line [collect-no-anchors]" in result.output
    entries = register(project)
    assert len(entries) == 10 and all(c["file"] is None and c["line"] is None and "suggestion" not in c for c in entries)
    assert {c["quote"] for c in entries if c["comment"] == "Cite a newer survey."} == {"Closing paragraph"}
    # Without the custom properties the bookmarks name no file: the same, said so.
    unnamed = tmp_path / "unnamed.docx"
    shutil.copy(python_docx_returned, unnamed)
    rezip(unnamed, {"docProps/custom.xml": None})
    result = run_cli("review", "collect", "r1", unnamed, "-C", project)
    assert "lost the custom properties that name its chapters" in result.output and "[collect-unknown-packet]" in result.output


def test_other_rounds_strangers_and_broken_files(word_round: Path, python_docx_returned: Path, tmp_path: Path) -> None:
    project = fresh(word_round, tmp_path)
    other = tmp_path / "other.docx"
    shutil.copy(python_docx_returned, other)
    custom = parts(other)["docProps/custom.xml"].replace(b">r1<", b">r0<")
    rezip(other, {"docProps/custom.xml": custom})
    result = run_cli("review", "collect", "r1", other, "-C", project)
    assert result.exit_code == 0 and "other.docx: warning: this packet belongs to round 'r0', not 'r1' [collect-other-round]" in result.output
    stranger = tmp_path / "stranger.docx"
    document = docx.Document()
    paragraph = document.add_paragraph("A document of someone else's.")
    document.add_comment(paragraph.runs, text="Visiting remark.", author="Vera Visitor")
    document.save(str(stranger))
    result = run_cli("review", "collect", "r1", stranger, "-C", project)
    assert result.exit_code == 0 and "[collect-unknown-packet]" in result.output and "[collect-no-anchors]" in result.output
    visitor = next(c for c in register(project) if c["comment"] == "Visiting remark.")
    assert (visitor["reviewer"], visitor["file"], visitor["quote"]) == ("Vera Visitor", None, "A document of someone else's.")
    before = (project / "review" / "r1" / "comments.yaml").read_bytes()
    for name, data in (("broken.docx", b"PK\x03\x04 not really a zip"), ("empty.docx", _zip({"hello.txt": b"hi"}))):
        (tmp_path / name).write_bytes(data)
        result = run_cli("review", "collect", "r1", tmp_path / name, "-C", project)
        assert result.exit_code == 1 and f"{name}: error: cannot read this Word file" in result.output, result.output
        assert "[collect-unreadable-docx]" in result.output and "Traceback" not in result.output
    assert (project / "review" / "r1" / "comments.yaml").read_bytes() == before


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


# A real LibreOffice -----------------------------------------------------------------------------

# Run by the system Python, which has LibreOffice's UNO bridge (the project's venv has not).
UNO_SCRIPT = r'''
import json, sys, time
import uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name, p.Value = name, value
    return p

pipe, command = sys.argv[1], sys.argv[2]
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
for attempt in range(300):
    try:
        ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        break
    except Exception:
        time.sleep(0.1)
else:
    sys.exit("soffice did not answer")
smgr = ctx.ServiceManager
if command == "quit":
    try:
        smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx).terminate()
    except Exception:
        pass  # it quits while answering
    sys.exit(0)
source, target, plan = sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
config = smgr.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
user = config.createInstanceWithArguments(
    "com.sun.star.configuration.ConfigurationUpdateAccess", (prop("nodepath", "/org.openoffice.UserProfile/Data"),))
user.setPropertyValue("givenname", plan["user"][0])
user.setPropertyValue("sn", plan["user"][1])
user.commitChanges()
# A document with no view: this LibreOffice has no windows to show comments in.
doc = smgr.createInstanceWithContext("com.sun.star.text.TextDocument", ctx)
doc.load((prop("URL", uno.systemPathToFileUrl(source)), prop("FilterName", "MS Word 2007 XML")))

def find(text):
    # LibreOffice's own search needs a layout, which a document with no view has not
    paragraphs = doc.Text.createEnumeration()
    while paragraphs.hasMoreElements():
        paragraph = paragraphs.nextElement()
        if paragraph.supportsService("com.sun.star.text.Paragraph") and text in paragraph.String:
            cursor = doc.Text.createTextCursorByRange(paragraph.Start)
            cursor.goRight(paragraph.String.index(text), False)
            cursor.goRight(len(text), True)
            return cursor
    sys.exit(f"not found: {text}")

try:
    for step in plan["steps"]:
        if step["op"] == "comment":
            found = find(step["find"])
            note = doc.createInstance("com.sun.star.text.textfield.Annotation")
            note.Author, note.Initials, note.Content = step["author"], step["initials"], step["text"]
            when = uno.createUnoStruct("com.sun.star.util.DateTime")
            when.Year, when.Month, when.Day, when.Hours, when.Minutes = step["date"]
            note.DateTimeValue = when
            found.getText().insertTextContent(found, note, True)
        elif step["op"] == "replace":
            doc.RecordChanges = True
            find(step["find"]).setString(step["with"])
            doc.RecordChanges = False
    doc.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", "MS Word 2007 XML"),))
finally:
    doc.close(True)
'''

SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's python3-uno is for the system Python


@pytest.fixture(scope="module")
def libreoffice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path, Path, dict[str, Any]], None]]:
    """One headless LibreOffice for the module, with a fresh profile; yields `edit(source, target, plan)`."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = tmp_path_factory.mktemp("libreoffice-profile")
    pipe = f"whitepaper_test_{os.getpid()}"
    process = subprocess.Popen(
        [soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
         f"-env:UserInstallation={profile.as_uri()}", f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip

    def edit(source: Path, target: Path, plan: dict[str, Any]) -> None:
        plan = {"user": ["Lou", "Office"], "steps": [], **plan}
        command = [SYSTEM_PYTHON, "-c", UNO_SCRIPT, pipe, "edit", str(source), str(target), json.dumps(plan)]
        for _ in range(3):
            done = subprocess.run(command, capture_output=True, text=True, timeout=120)
            if done.returncode >= 0:
                break
            # The UNO bridge's client has been seen to crash (SIGSEGV) while a busy machine's
            # soffice was still starting; the office itself is unharmed, so it is asked again.
            time.sleep(2)
        assert done.returncode == 0 and target.is_file(), f"{done.returncode}: {done.stderr}"

    try:
        yield edit
    finally:
        subprocess.run([SYSTEM_PYTHON, "-c", UNO_SCRIPT, pipe, "quit"], capture_output=True, timeout=60)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the session soffice was started in: its own processes only
            process.wait()


LIBREOFFICE_PLAN = {
    "steps": [
        {"op": "comment", "find": "Closing paragraph", "text": "Made in LibreOffice.", "author": "Sam S.", "initials": "SS", "date": [2026, 3, 22, 8, 5]},
        {"op": "comment", "find": "Inner text.", "text": "Nested box?", "author": "Sam S.", "initials": "SS", "date": [2026, 3, 22, 8, 6]},
        {"op": "replace", "find": "with", "with": "including"},
        {"op": "replace", "find": "Loose two", "with": "Loose 2"},
    ]
}


def test_libreoffice_comments_and_changes_land_on_their_lines(word_round: Path, libreoffice: Callable[..., None], tmp_path: Path) -> None:
    project = fresh(word_round, tmp_path)
    returned = tmp_path / "sam-libreoffice.docx"
    libreoffice(project / "review" / "r1" / SAM, returned, LIBREOFFICE_PLAN)
    assert b"LibreOffice" in parts(returned)["docProps/app.xml"]  # really written by LibreOffice
    result = run_cli("review", "collect", "r1", returned, "-C", project)
    assert result.exit_code == 0, result.output
    assert "4 new comments" in result.output and "warning" not in result.output, result.output
    entries = {c["comment"]: c for c in register(project)}
    made = entries["Made in LibreOffice."]
    assert (made["kind"], made["file"], made["line"], made["quote"]) == ("comment", CHAPTER, 46, "Closing paragraph")
    assert (made["reviewer"], made["author"], made["date"], made["col"]) == ("Sam Second", "Sam S.", "2026-03-22T08:05", 1)
    nested = entries["Nested box?"]
    assert (nested["line"], nested["quote"]) == (34, "Inner text.")
    including = entries['replace "with" with "including"']
    assert (including["kind"], including["line"], including["author"]) == ("replacement", 15, "Lou Office")
    assert including["suggestion"] == {"old": "with", "new": "including", "file": CHAPTER, "line": 15, "col": source_col(15, "with")}
    two = entries['replace "Loose two" with "Loose 2"']
    assert two["line"] == 23 and two["suggestion"] == {"old": "Loose two", "new": "Loose 2", "file": CHAPTER, "line": 23, "col": source_col(23, "Loose")}
    again = run_cli("review", "collect", "r1", returned, "-C", project)
    assert "0 new comments" in again.output, again.output


def test_libreoffice_resave_keeps_threads_resolved_state_and_ids(
    word_round: Path, python_docx_returned: Path, libreoffice: Callable[..., None], tmp_path: Path
) -> None:
    """LibreOffice drops the reply's link to its comment; the thread is recovered from their common text."""
    resaved = tmp_path / "sam-resaved.docx"
    libreoffice(python_docx_returned, resaved, {})
    extended = parts(resaved)["word/commentsExtended.xml"]  # LibreOffice keeps the resolved state there,
    assert b"w15:done=\"1\"" in extended and b"paraIdParent" not in extended  # but not the reply's link
    project = fresh(word_round, tmp_path)
    result = run_cli("review", "collect", "r1", resaved, "-C", project)
    assert result.exit_code == 0 and "10 new comments from 1 files" in result.output, result.output
    resaved_entries = check_python_docx_comments(project, "sam-resaved.docx")
    # The same comments as the file LibreOffice was given: collecting that one too adds nothing.
    again = run_cli("review", "collect", "r1", python_docx_returned, "-C", project)
    assert "0 new comments" in again.output, again.output
    assert len(resaved_entries) == 10
