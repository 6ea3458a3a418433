"""Every user mistake: a located diagnostic, exit 1, no traceback, the last good outputs kept."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import run_cli, write_project

GOOD = {"01-intro.md": "---\ntitle: Intro\n---\n\nFine text [@topol2019].\n"}


def built_then_broken(tmp_path: Path, chapters: dict[str, str], config: str | None = None) -> tuple[Path, dict[str, bytes]]:
    """A project that built once; then its files are replaced by broken ones."""
    project = write_project(tmp_path / "p", GOOD)
    assert run_cli("build", project, "--quiet").exit_code == 0
    outputs = {p.name: p.read_bytes() for p in (project / "build").glob("paper.*")}
    assert set(outputs) == {"paper.html", "paper.pdf"}
    for name in GOOD:
        (project / "chapters" / name).unlink()
    write_project(project, chapters, config)
    return project, outputs


def assert_fails_with(project: Path, outputs: dict[str, bytes], expected: list[str]) -> str:
    result = run_cli("build", project)
    assert result.exit_code == 1, result.output
    for line in expected:
        assert line in result.output, result.output
    assert "Traceback" not in result.output
    for name, data in outputs.items():
        assert (project / "build" / name).read_bytes() == data, f"{name} was touched by a failed build"
    return result.output


def test_unknown_citation_key_points_at_each_use(tmp_path: Path) -> None:
    project, outputs = built_then_broken(
        tmp_path, {"01-intro.md": "---\ntitle: Intro\n---\n\nKnown [@topol2019].\n\nSee [@topol2019; @nosuch2020] and\nalso @nosuch2020.\n"}
    )
    assert_fails_with(
        project,
        outputs,
        [
            "chapters/01-intro.md:7:18: error: unknown citation key 'nosuch2020': not in the bibliography [citation-unknown]",
            "chapters/01-intro.md:8:6: error: unknown citation key 'nosuch2020'",
        ],
    )


def test_missing_chapter_file_points_into_the_config(tmp_path: Path) -> None:
    config = "title: T\nbibliography: bibliography/references.bib\nchapters:\n  - chapters/01-intro.md\n  - chapters/02-gone.md\n"
    project, outputs = built_then_broken(tmp_path, GOOD, config)
    assert_fails_with(project, outputs, ["whitepaper.yaml:5:5: error: chapter file 'chapters/02-gone.md' does not exist [chapter-missing]"])


def test_chapter_path_outside_the_project(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.md").write_text("# Outside\n")
    config = "title: T\nchapters: [../elsewhere.md]\n"
    project, outputs = built_then_broken(tmp_path, GOOD, config)
    assert_fails_with(project, outputs, ["whitepaper.yaml:2:12: error: chapter '../elsewhere.md' is outside the project folder [chapter-outside]"])


def test_missing_image(tmp_path: Path) -> None:
    project, outputs = built_then_broken(
        tmp_path, {"01-intro.md": "# Intro\n\nText.\n\n![Lost figure.](figures/lost.png)\n"}
    )
    assert_fails_with(project, outputs, ["chapters/01-intro.md:5:17: error: image file 'figures/lost.png' does not exist [image-missing]"])


def test_chapter_not_utf8(tmp_path: Path) -> None:
    project, outputs = built_then_broken(tmp_path, {})
    (project / "chapters" / "01-intro.md").write_bytes("# Intro\n\nCaf\xe9 latin-1.\n".encode("latin-1"))
    assert_fails_with(project, outputs, ["chapters/01-intro.md:3:4: error: not valid UTF-8 (byte 0xe9); save the file as UTF-8 [chapter-encoding]"])


def test_malformed_front_matter(tmp_path: Path) -> None:
    project, outputs = built_then_broken(tmp_path, {"01-intro.md": "---\ntitle: Intro\nowners: [a, b\n---\n\nText.\n"})
    output = assert_fails_with(project, outputs, ["chapters/01-intro.md:4:1: error: invalid YAML"])
    assert "[front-matter-syntax]" in output


def test_unclosed_front_matter(tmp_path: Path) -> None:
    project, outputs = built_then_broken(tmp_path, {"01-intro.md": "---\ntitle: Intro\n\nText.\n"})
    assert_fails_with(project, outputs, ["chapters/01-intro.md:1:1: error: front matter is not closed"])


def test_front_matter_wrong_status_and_unknown_key(tmp_path: Path) -> None:
    project, outputs = built_then_broken(
        tmp_path, {"01-intro.md": "---\ntitle: Intro\nstatus: finished\n---\n\nText.\n"}
    )
    assert_fails_with(project, outputs, ["chapters/01-intro.md:3:9: error: status: Input should be 'draft', 'in-review' or 'approved' [front-matter-type]"])
    (project / "chapters" / "01-intro.md").write_text("---\ntitle: Intro\nowner: [Ada]\n---\n\nText.\n")
    result = run_cli("build", project)
    assert result.exit_code == 0
    assert "chapters/01-intro.md:3:1: warning: unknown key 'owner'; did you mean 'owners'? [front-matter-unknown-key]" in result.output


def test_config_syntax_error(tmp_path: Path) -> None:
    project, outputs = built_then_broken(tmp_path, GOOD, "title: T\nauthors:\n  - name: A\n   bad: indent\n")
    output = assert_fails_with(project, outputs, ["whitepaper.yaml:4:"])
    assert "[config-syntax]" in output


def test_config_errors_are_all_reported_at_once(tmp_path: Path) -> None:
    config = (
        "title: T\n"
        "paper-size: a5\n"
        "authors:\n"
        "  - name: A\n"
        "    orcid: 0000-0002-1825-0098\n"
        "    affiliations: [nowhere]\n"
        "toc-depth: many\n"
        "colour: blue\n"
    )
    project, outputs = built_then_broken(tmp_path, GOOD, config)
    output = assert_fails_with(
        project,
        outputs,
        [
            "whitepaper.yaml:2:13: error: paper-size: Input should be 'a4' or 'letter' [config-type]",
            "whitepaper.yaml:5:12: error: authors.0.orcid: '0000-0002-1825-0098' is not a valid ORCID iD (checksum or form) [config-value]",
            "whitepaper.yaml:7:12: error: toc-depth: Input should be a valid integer",
        ],
    )
    assert output.count(": error:") == 3


def test_config_missing_title_and_unknown_affiliation(tmp_path: Path) -> None:
    project, outputs = built_then_broken(tmp_path, GOOD, "subtitle: S\n")
    assert_fails_with(project, outputs, ["whitepaper.yaml:1:1: error: missing required key 'title' [config-missing]"])
    (project / "whitepaper.yaml").write_text("title: T\nauthors:\n  - name: A\n    affiliations: [cerm]\naffiliations:\n  - {id: cern, name: CERN}\n")
    assert_fails_with(project, outputs, ["whitepaper.yaml:4:20: error: author 'A' names unknown affiliation 'cerm'; did you mean 'cern'? [config-unknown-affiliation]"])


def test_duplicate_config_key(tmp_path: Path) -> None:
    project, outputs = built_then_broken(tmp_path, GOOD, "title: T\ntitle: U\n")
    assert_fails_with(project, outputs, ["whitepaper.yaml:2:1: error: duplicate key 'title' (first given at line 1) [config-syntax]"])


def test_unknown_csl_style_suggests(tmp_path: Path) -> None:
    project, outputs = built_then_broken(tmp_path, GOOD, "title: T\nbibliography: bibliography/references.bib\ncsl: vancuver\n")
    output = assert_fails_with(project, outputs, ["whitepaper.yaml:3:6: error: unknown citation style 'vancuver'; did you mean"])
    assert "'vancouver'" in output


def test_bibtex_that_does_not_parse(tmp_path: Path) -> None:
    project, outputs = built_then_broken(tmp_path, GOOD)
    (project / "bibliography" / "references.bib").write_text("@article{a, title={x}, year=2000}\n\n@article{b, title={unclosed, year=2001}\n")
    output = assert_fails_with(project, outputs, ["bibliography/references.bib:", "error: bibliography does not parse"])
    assert "[bibliography-syntax]" in output


def test_not_a_paper_project(tmp_path: Path) -> None:
    result = run_cli("build", tmp_path)
    assert result.exit_code == 1
    assert "whitepaper.yaml: error: no whitepaper.yaml here: not a paper project [config-missing]" in result.output


def test_image_outside_the_project(tmp_path: Path) -> None:
    project, outputs = built_then_broken(tmp_path, {"01-intro.md": "# Intro\n\n![x](/etc/passwd)\n\n![y](../../secret.png)\n"})
    assert_fails_with(
        project,
        outputs,
        [
            "chapters/01-intro.md:3:6: error: image '/etc/passwd' must be a path inside the project [image-outside]",
            "chapters/01-intro.md:5:6: error: image file '../../secret.png' does not exist [image-missing]",
        ],
    )


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> tuple[str, list[str]]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.requests
    server.shutdown()


def test_pdf_fetches_nothing_outside_the_project(tmp_path: Path, recorder: tuple[str, list[str]]) -> None:
    base, requests = recorder
    chapter = f'# Intro\n\nText.\n\n<img src="file:///etc/passwd">\n\n<img src="{base}/tracker.png">\n'
    project, outputs = built_then_broken(tmp_path, {"01-intro.md": chapter})
    assert_fails_with(
        project,
        outputs,
        [
            "chapters/01-intro.md:5:11: error: refused to fetch 'file:///etc/passwd': only files inside the project are read [fetch-refused]",
            f"chapters/01-intro.md:7:11: error: refused to fetch '{base}/tracker.png'",
        ],
    )
    assert requests == []


def test_no_traceback_from_the_real_process(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"01-intro.md": "# I\n\n[@missing]\n"})
    process = subprocess.run(
        [sys.executable, "-m", "whitepaper", "build", str(project)], capture_output=True, text=True, check=False
    )
    assert process.returncode == 1
    assert "chapters/01-intro.md:3:2: error: unknown citation key 'missing'" in process.stderr
    assert "Traceback" not in process.stderr + process.stdout
    assert not (project / "build" / "paper.pdf").exists()
