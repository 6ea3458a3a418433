"""Bad and hostile input, concurrent and interrupted builds, reproducible outputs."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import run_cli, write_project

GOOD = "---\ntitle: Fine\n---\n\nFine text [@topol2019; @wilkinson2016fair].\n"
CONFIG = "title: Bad inputs\nbibliography: bibliography/references.bib\n"


@dataclass
class Case:
    name: str
    files: dict[str, str | bytes]  # project-relative path -> content; the config and a good chapter exist unless replaced
    rule: str
    where: str  # "path:line:col", "path:line" or "path" of the expected diagnostic
    code: int = 1


def case(name: str, rule: str, where: str, code: int = 1, **files: str | bytes) -> Case:
    return Case(name, {k.replace("__", "/").replace("_dot_", "."): v for k, v in files.items()}, rule, where, code)


CH = "chapters__01-fine_dot_md"
YAML = "whitepaper_dot_yaml"
BIBF = "bibliography__references_dot_bib"
CASES = [
    case("yaml tab indent", "config-syntax", "whitepaper.yaml:3:1", **{YAML: "title: T\nauthors:\n\t- name: A\n"}),
    case("yaml duplicate key", "config-syntax", "whitepaper.yaml:2:1", **{YAML: "title: T\ntitle: U\n"}),
    case("yaml unclosed bracket", "config-syntax", "whitepaper.yaml:3:1", **{YAML: "title: T\nkeywords: [a, b\n"}),
    case("yaml not a mapping", "config-type", "whitepaper.yaml:1:1", **{YAML: "- just\n- a list\n"}),
    case("config wrong type", "config-type", "whitepaper.yaml:3:12", **{YAML: CONFIG + "toc-depth: deep\n"}),
    case("config list where a map belongs", "config-type", "whitepaper.yaml:3:10", **{YAML: CONFIG + "outputs: [html]\n"}),
    case("config map where a list belongs", "config-type", "whitepaper.yaml:3:10", **{YAML: CONFIG + "authors: {name: A}\n"}),
    case("config missing title", "config-missing", "whitepaper.yaml:1:1", **{YAML: "subtitle: S\n"}),
    case("config bad orcid", "config-type", "whitepaper.yaml:5:12", **{YAML: CONFIG + "authors:\n  - name: A\n    orcid: 1234\n"}),
    case("config unknown affiliation", "config-unknown-affiliation", "whitepaper.yaml:5:20", **{YAML: CONFIG + "authors:\n  - name: A\n    affiliations: [x]\n"}),
    case("config unknown key", "config-unknown-key", "whitepaper.yaml:3:1", code=0, **{YAML: CONFIG + "colour: red\n"}),
    case("config not utf-8", "config-encoding", "whitepaper.yaml:1:1", **{YAML: b"title: Caf\xe9\n"}),
    case("config with a BOM", "citation-unknown", "chapters/01-fine.md:5:2", **{YAML: "\ufeff" + CONFIG, CH: "# A\n\nText\n\n[@nobody].\n"}),
    case("chapter path escapes with ..", "chapter-outside", "whitepaper.yaml:3:12", **{YAML: CONFIG + "chapters: [../x.md]\n"}),
    case("chapter path absolute", "chapter-outside", "whitepaper.yaml:3:12", **{YAML: CONFIG + "chapters: [/etc/passwd]\n"}),
    case("chapter missing", "chapter-missing", "whitepaper.yaml:3:12", **{YAML: CONFIG + "chapters: [chapters/nope.md]\n"}),
    case("no chapters at all", "chapter-none", "whitepaper.yaml", **{CH: None}),  # type: ignore[arg-type]
    case("empty chapter", "chapter-empty", "chapters/01-fine.md:4:1", code=0, **{CH: "---\ntitle: Empty\n---\n"}),
    case("chapter with NUL bytes", "chapter-encoding", "chapters/01-fine.md:3:1", **{CH: "# A\n\nbad\x00byte\n"}),
    case("chapter invalid utf-8", "chapter-encoding", "chapters/01-fine.md:2:4", **{CH: b"# A\nCaf\xe9\n"}),
    case("chapter latin-1 quotes", "chapter-encoding", "chapters/01-fine.md:1:3", **{CH: b"# \x93A\x94\n"}),
    case("chapter with a BOM", "citation-unknown", "chapters/01-fine.md:3:2", **{CH: "\ufeff# A\n\n[@nobody]\n"}),
    case("chapter CRLF lines", "citation-unknown", "chapters/01-fine.md:4:6", **{CH: "# A\r\n\r\nText.\r\nSee [@nobody].\r\n"}),
    case("chapter CR-only lines", "citation-unknown", "chapters/01-fine.md:3:2", **{CH: "# A\r\r[@nobody]\r"}),
    case("front matter unclosed", "front-matter-syntax", "chapters/01-fine.md:1:1", **{CH: "---\ntitle: A\n\nText\n"}),
    case("front matter tab", "front-matter-syntax", "chapters/01-fine.md:3:1", **{CH: "---\ntitle: A\n\towners: [x]\n---\n\nText\n"}),
    case("front matter duplicate key", "front-matter-syntax", "chapters/01-fine.md:3:1", **{CH: "---\ntitle: A\ntitle: B\n---\n\nText\n"}),
    case("front matter wrong type", "front-matter-type", "chapters/01-fine.md:3:9", **{CH: "---\ntitle: A\nowners: 7\n---\n\nText\n"}),
    case("front matter a list", "front-matter-type", "chapters/01-fine.md:2:1", **{CH: "---\n- a\n- b\n---\n\nText\n"}),
    case("front matter bad status", "front-matter-type", "chapters/01-fine.md:3:9", **{CH: "---\ntitle: A\nstatus: done\n---\n\nText\n"}),
    case("bibtex unclosed brace", "bibliography-syntax", "bibliography/references.bib", **{BIBF: "@article{a, title={x, year=2000}\n@book{b, title={y}}\n"}),
    case("csl json not a list", "bibliography-syntax", "bibliography/refs.json:1:1",
         **{YAML: "title: T\nbibliography: bibliography/refs.json\n", "bibliography__refs_dot_json": '{"id": "a"}'}),  # fmt: skip
    case("csl json broken", "bibliography-syntax", "bibliography/refs.json:1:9",
         **{YAML: "title: T\nbibliography: bibliography/refs.json\n", "bibliography__refs_dot_json": '[{"id": }]'}),  # fmt: skip
    case("bibliography missing", "bibliography-missing", "whitepaper.yaml:2:15", **{YAML: "title: T\nbibliography: nope.bib\n"}),
    case("csl style unparsable", "csl-invalid", "styles/bad.csl:2:",
         **{YAML: CONFIG + "csl: styles/bad.csl\n", "styles__bad_dot_csl": "<?xml version='1.0'?>\n<style><info></style>\n"}),  # fmt: skip
    case("csl style unknown", "csl-unknown", "whitepaper.yaml:3:6", **{YAML: CONFIG + "csl: no-such-style-at-all\n"}),
    case("unknown citation", "citation-unknown", "chapters/01-fine.md:3:6", **{CH: "# A\n\nSee [@ghost2020].\n"}),
    case("unknown cross-reference", "xref-unknown", "chapters/01-fine.md:3:5", **{CH: "# A\n\nSee @fig-ghost.\n"}),
    case("duplicate id", "duplicate-id", "chapters/01-fine.md:5:7", **{CH: "# A\n\n## B {#sec-b}\n\n## C {#sec-b}\n"}),
    case("missing image", "image-missing", "chapters/01-fine.md:3:6", **{CH: "# A\n\n![x](figures/none.png)\n"}),
    case("image not what its name says", "image-unreadable", "chapters/01-fine.md:3:6", **{CH: "# A\n\n![x](figures/a.png)\n", "figures__a_dot_png": "GIF89a not a png"}),
    case("svg with external entity", "image-svg-external", "chapters/01-fine.md:3:6",
         **{CH: "# A\n\n![x](figures/e.svg) see @fig-e\n", "figures__e_dot_svg": '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'}),  # fmt: skip
    case("svg with remote reference", "image-svg-external", "chapters/01-fine.md:3:6",
         **{CH: "# A\n\n![x](figures/r.svg)\n", "figures__r_dot_svg": '<svg xmlns="http://www.w3.org/2000/svg"><image href="http://127.0.0.1:9/x.png"/></svg>'}),  # fmt: skip
    case("image outside the project", "image-outside", "chapters/01-fine.md:3:6", **{CH: "# A\n\n![x](/etc/hostname)\n"}),
    case("script in a chapter", "html-unsafe", "chapters/01-fine.md:3:1", code=0, **{CH: "# A\n\n<script>alert(1)</script>\n\nText.\n"}),
    case("javascript link", "html-unsafe", "chapters/01-fine.md:3:9", code=0, **{CH: "# A\n\n[click](javascript:alert(1))\n"}),
    case("javascript link in capitals", "html-unsafe", "chapters/01-fine.md:3:9", code=0, **{CH: "# A\n\n[click](JavaScript:alert(1))\n"}),
    case("javascript link behind a character reference", "html-unsafe", "chapters/01-fine.md:3:9", code=0,
         **{CH: "# A\n\n[click](&#106;avascript:alert(1))\n"}),  # fmt: skip
    case("undeclared block", "block-undeclared", "chapters/01-fine.md:3:6", **{CH: '# A\n\n::: {#x-1 .finding title="F"}\nText.\n:::\n'}),
    case("a 6 MB chapter", "chapter-too-large", "chapters/01-fine.md", **{CH: "# A\n\n" + "word " * 1_300_000}),
]


def setup(root: Path, case_: Case) -> Path:
    project = write_project(root, {"01-fine.md": GOOD}, CONFIG)
    for path, content in case_.files.items():
        target = project / path
        if content is None:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return project


def test_at_least_forty_bad_inputs() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case_", CASES, ids=[c.name for c in CASES])
def test_bad_input(case_: Case, tmp_path: Path) -> None:
    project = setup(tmp_path / "p", case_)
    result = run_cli("check", project, "--format", "json")
    assert result.exit_code == case_.code, result.output
    items = json.loads(result.output)
    found = [f"{i['path']}:{i['line']}:{i['col']}" for i in items if i["rule"] == case_.rule]
    assert any(f.startswith(case_.where) for f in found), (case_.rule, found, [(i["rule"], i["path"], i["line"]) for i in items])
    assert "Traceback" not in result.output
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file() and "build" not in p.relative_to(project).parts}
    built = run_cli("build", project, "--html")
    assert built.exit_code == (1 if case_.code else 0)
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file() and "build" not in p.relative_to(project).parts} == before  # nothing of the author's touched


def test_symlink_to_a_file_outside(tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n\nNot part of the paper.\n")
    project = write_project(tmp_path / "p", {"01-fine.md": GOOD}, CONFIG)
    (project / "chapters" / "02-link.md").symlink_to(secret)
    result = run_cli("check", project, "--format", "json")
    assert result.exit_code == 1
    assert [(i["rule"], i["path"]) for i in json.loads(result.output) if i["severity"] == "error"] == [("chapter-outside", "chapters/02-link.md")]


def test_scripts_are_removed_unless_allowed(tmp_path: Path) -> None:
    chapter = '# A\n\n<script>alert("x")</script>\n\n<p onclick="steal()">Para</p>\n\n[go](javascript:alert(2)) <iframe src="http://127.0.0.1:9/"></iframe>\n'
    project = write_project(tmp_path / "p", {"01-a.md": chapter}, "title: T\noutputs: {formats: [html]}\n")
    result = run_cli("build", project)
    assert result.exit_code == 0 and result.output.count("[html-unsafe]") == 4
    page = (project / "build" / "paper.html").read_text()
    body = page.split('<article class="content">')[1].split("</article>")[0]
    assert "alert" not in body and "onclick" not in body and "javascript:" not in body and "<iframe" not in body
    (project / "whitepaper.yaml").write_text("title: T\nallow-scripts: true\noutputs: {formats: [html]}\n")
    assert run_cli("build", project).exit_code == 0
    body = (project / "build" / "paper.html").read_text().split('<article class="content">')[1]
    assert 'alert("x")' in body and "onclick" in body


def test_project_css_cannot_fetch(tmp_path: Path) -> None:
    import http.server
    import threading

    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        project = write_project(tmp_path / "p", {"01-a.md": "# A\n\nText.\n"}, "title: T\ncss: style.css\n")
        (project / "style.css").write_text(f'@import url("{url}/evil.css");\nbody {{ background: url("file:///etc/passwd"); }}\n')
        result = run_cli("build", project, "--pdf")
        assert result.exit_code == 1
        assert f"style.css:1:14: error: the stylesheet refers to '{url}/evil.css'" in result.output
        assert "style.css:2:25: error: the stylesheet refers to 'file:///etc/passwd'" in result.output
        assert requests == []
    finally:
        server.shutdown()


def test_two_builds_at_once_take_turns(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"01-a.md": GOOD})
    command = [sys.executable, "-m", "whitepaper", "build", "--no-cache", "--quiet", str(project)]
    first, second = subprocess.Popen(command), subprocess.Popen(command)
    assert first.wait(timeout=120) == 0 and second.wait(timeout=120) == 0
    assert len(PdfReader(project / "build" / "paper.pdf").pages) >= 3
    assert (project / "build" / "paper.html").read_text().rstrip().endswith("</html>")


def test_a_build_killed_at_any_moment_leaves_whole_outputs(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"01-a.md": GOOD})
    assert run_cli("build", project, "--quiet").exit_code == 0
    old = {name: (project / "build" / name).read_bytes() for name in ("paper.html", "paper.pdf")}
    rng = random.Random(11)
    chapter = project / "chapters" / "01-a.md"
    for attempt in range(6):
        chapter.write_text(GOOD + f"\nEdit number {attempt}.\n")
        process = subprocess.Popen([sys.executable, "-m", "whitepaper", "build", "--no-cache", "--quiet", str(project)])
        time.sleep(rng.uniform(0.2, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        for name, data in old.items():
            now = (project / "build" / name).read_bytes()
            if now != data:  # the new output, complete
                if name.endswith(".pdf"):
                    assert len(PdfReader(project / "build" / name).pages) >= 3
                else:
                    assert now.rstrip().endswith(b"</html>")
                old[name] = now
    assert not [p for p in (project / "build").iterdir() if p.name.endswith(".tmp")]


def test_reproducible_outputs_and_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    first = write_project(tmp_path / "a", {"01-a.md": GOOD}, "title: Same\nbibliography: bibliography/references.bib\n")
    second = write_project(tmp_path / "b", {"01-a.md": GOOD}, "title: Same\nbibliography: bibliography/references.bib\n")
    for project in (first, second, first):
        assert run_cli("build", project, "--no-cache", "--quiet").exit_code == 0
        if project is first:
            outputs = {n: (project / "build" / n).read_bytes() for n in ("paper.html", "paper.pdf")}
    for name, data in outputs.items():
        assert (first / "build" / name).read_bytes() == data, f"{name} differs between two builds"
        assert (second / "build" / name).read_bytes() == data, f"{name} differs between two projects"
    manifest = json.loads((first / "build" / "manifest.json").read_text())
    assert manifest["source_date_epoch"] == "1767225600" and manifest["tools"]["pandoc"]
    paths = {i["path"] for i in manifest["inputs"]}
    assert {"whitepaper.yaml", "chapters/01-a.md", "bibliography/references.bib"} <= paths
    assert {o["path"] for o in manifest["outputs"]} == {"build/paper.html", "build/paper.pdf"}
    assert "1 January 2026" in PdfReader(first / "build" / "paper.pdf").pages[0].extract_text()


def test_a_collect_killed_at_any_moment_leaves_a_whole_register(tmp_path: Path) -> None:
    import yaml
    from pypdf import PdfWriter
    from pypdf.annotations import Text

    from test_review import make

    project = make(tmp_path / "r")
    assert run_cli("review", "start", "r1", "-C", project, "--quiet").exit_code == 0
    packet = project / "review" / "r1" / "r1-02-sam-second.pdf"
    register = project / "review" / "r1" / "comments.yaml"
    rng = random.Random(5)
    previous = None
    for attempt in range(5):
        writer = PdfWriter(clone_from=packet)
        for index in range(20):
            writer.add_annotation(page_number=1, annotation=Text(rect=(300, 300 + index, 320, 320 + index), text=f"Note {attempt}-{index}"))
        returned = tmp_path / f"returned-{attempt}.pdf"
        writer.write(returned)
        process = subprocess.Popen([sys.executable, "-m", "whitepaper", "review", "collect", "r1", str(returned), "-C", str(project)])
        time.sleep(rng.uniform(0.1, 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if register.exists():
            data = yaml.safe_load(register.read_text())  # whole: it parses, and holds all of a collection or none of it
            notes = [c for c in data["comments"] if c["comment"].startswith(f"Note {attempt}-")]
            assert len(notes) in (0, 20)
            if previous is not None:
                assert len(data["comments"]) >= previous
            previous = len(data["comments"])
    # A kill between writing the temporary file and renaming it leaves that file behind; the next
    # collect that runs to the end removes what is old enough to be abandoned.
    for leftover in register.parent.glob(".*.tmp"):
        os.utime(leftover, (time.time() - 3600, time.time() - 3600))
    assert run_cli("review", "collect", "r1", str(returned), "-C", project).exit_code == 0
    assert register.exists()
    assert not [p for p in register.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_missing_font_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from whitepaper.checks import fonts

    monkeypatch.setattr(fonts, "installed_families", lambda: frozenset({"DejaVu Serif", "DejaVu Sans"}))
    project = write_project(tmp_path / "p", {"01-a.md": GOOD})
    from whitepaper.pipeline import check

    found = [d for d in check(project, use_cache=False).diagnostics if d.rule == "font-missing"]
    assert [d.message.split("'")[1] for d in found] == ["Noto Serif", "Noto Sans"]
    assert all(str(d.location) == "whitepaper.yaml" and d.severity.value == "warning" for d in found)


def test_a_write_removes_what_a_killed_writer_left_and_nothing_younger(tmp_path: Path) -> None:
    from whitepaper.write import write_atomic

    target = tmp_path / "comments.yaml"
    abandoned, young = tmp_path / ".comments.yaml.abc123.tmp", tmp_path / ".comments.yaml.def456.tmp"
    other = tmp_path / ".report.html.abc123.tmp"
    for leftover in (abandoned, young, other):
        leftover.write_text("half")
    os.utime(abandoned, (time.time() - 3600, time.time() - 3600))
    os.utime(other, (time.time() - 3600, time.time() - 3600))
    write_atomic(target, b"whole")
    assert target.read_bytes() == b"whole"
    assert not abandoned.exists()
    assert young.exists() and other.exists()  # a writer may still be at work; another file's are not ours
