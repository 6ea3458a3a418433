"""The parallel, incremental PDF engine gives the same PDF as a single WeasyPrint pass."""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib.resources import files
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import copy_sample, toc_entries
from whitepaper import build
from whitepaper.pipeline import BuildOptions


def reading(pdf: Path) -> dict[str, object]:
    """What a reader gets from a PDF: pages, text per page, where links lead, the outline."""
    reader = PdfReader(pdf)
    texts = [sorted(" ".join(line.split()) for line in (page.extract_text() or "").splitlines() if line.strip()) for page in reader.pages]
    links = []
    for number, page in enumerate(reader.pages):
        for reference in page.get("/Annots") or []:
            annotation = reference.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            if "/Dest" in annotation:
                links.append((number, _target(reader, annotation["/Dest"])))
            elif action is not None and "/D" in action:
                links.append((number, _target(reader, action["/D"])))
            elif action is not None and "/URI" in action:
                links.append((number, str(action["/URI"])))
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    return {"pages": len(reader.pages), "texts": texts, "links": sorted(links, key=str), "outline": outline}


def structure(pdf: Path) -> list[tuple[int, str, str]]:
    """The structure tree, depth first: each element's depth, role and language."""
    found: list[tuple[int, str, str]] = []

    def walk(node: pikepdf.Object, depth: int) -> None:
        found.append((depth, str(node.S), str(node.get("/Lang", ""))))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid, depth + 1)

    with pikepdf.open(pdf) as document:
        walk(document.Root.StructTreeRoot.K[0], 0)
    return found


def _target(reader: PdfReader, dest: object) -> int | None:
    """The page (0-based) a link leads to, for named and explicit destinations."""
    dest = dest.get_object() if hasattr(dest, "get_object") else dest  # type: ignore[union-attr]
    if isinstance(dest, str):
        named = reader.named_destinations.get(dest)
        return reader.get_destination_page_number(named) if named is not None else None
    page = dest[0] if isinstance(dest, list) else None
    return next((i for i, p in enumerate(reader.pages) if p.indirect_reference == page), None)


def toc_numbers(pdf: Path) -> list[tuple[str, int]]:
    return toc_entries([page.extract_text() or "" for page in PdfReader(pdf).pages])


@pytest.fixture(scope="module")
def sample_both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    project = copy_sample(tmp_path_factory.mktemp("parallel"))
    build(project, BuildOptions(formats=("pdf",), jobs=1, use_cache=False))
    single = project / "single.pdf"
    shutil.copy(project / "build" / "whitepaper.pdf", single)
    result = build(project, BuildOptions(formats=("pdf",), jobs=2, use_cache=True))
    assert result.parts_laid_out > 0
    parallel = project / "parallel.pdf"
    shutil.copy(project / "build" / "whitepaper.pdf", parallel)
    return project, single, parallel


def test_parallel_equals_single_pass(sample_both: tuple[Path, Path, Path]) -> None:
    _, single, parallel = sample_both
    a, b = reading(single), reading(parallel)
    assert a["pages"] == b["pages"]
    for number, (left, right) in enumerate(zip(a["texts"], b["texts"], strict=True), start=1):  # type: ignore[call-overload]
        assert left == right, f"page {number} differs"
    assert toc_numbers(single) == toc_numbers(parallel)
    assert a["links"] == b["links"]
    assert a["outline"] == b["outline"]
    assert PdfReader(parallel).metadata.title == PdfReader(single).metadata.title
    # Tagged alike: the parts' structure trees, joined, are the tree of a single pass
    assert structure(parallel) == structure(single) and len(structure(single)) > 1000


def test_an_edit_that_changes_page_counts(sample_both: tuple[Path, Path, Path]) -> None:
    project, _, _ = sample_both
    chapter = project / "chapters" / "02-introduction.md"
    chapter.write_text(chapter.read_text() + "\n\n" + "\n\n".join(f"Added paragraph {n}, long enough to fill lines. " * 6 for n in range(30)))
    result = build(project, BuildOptions(formats=("pdf",), jobs=2))
    # the edited chapter, the parts that show page numbers (contents, the summary) and the footers
    assert 1 <= result.parts_laid_out <= 6
    parallel = project / "edited-parallel.pdf"
    shutil.copy(project / "build" / "whitepaper.pdf", parallel)
    build(project, BuildOptions(formats=("pdf",), jobs=1, use_cache=False))
    a, b = reading(project / "build" / "whitepaper.pdf"), reading(parallel)
    assert a["pages"] == b["pages"] > reading(sample_both[1])["pages"]  # type: ignore[operator]
    assert a["texts"] == b["texts"]
    assert toc_numbers(project / "build" / "whitepaper.pdf") == toc_numbers(parallel)
    assert a["links"] == b["links"]
    assert re.search(r"Page \d+ of \d+", " ".join(b["texts"][5]))  # type: ignore[index]


def test_a_project_print_page_is_laid_out_in_parts_as_in_one_pass(tmp_path: Path) -> None:
    """A project's own print.html sets the look; the engine lays it out in parts all the same."""
    project = copy_sample(tmp_path / "p")
    own = (files("whitepaper.render") / "templates" / "print.html").read_text(encoding="utf-8")
    own = own.replace('{% include "css/print.css" %}', """{% include "css/print.css" %}
@page { @bottom-center { content: none; } @bottom-right { content: "p. " counter(page) " / " counter(pages); font: 8pt var(--sans); } }
@page :first { @bottom-right { content: none; } }""").replace(
        '{% include "_titleblock.html" %}', '{% include "_titleblock.html" %}\n<p class="prepared">Prepared for the consortium</p>'
    ).replace("· Version", "· Consortium draft")
    (project / "templates").mkdir()
    (project / "templates" / "print.html").write_text(own, encoding="utf-8")
    build(project, BuildOptions(formats=("pdf",), jobs=1, use_cache=False))
    single = tmp_path / "single.pdf"
    shutil.copy(project / "build" / "whitepaper.pdf", single)
    assert build(project, BuildOptions(formats=("pdf",), jobs=2)).parts_laid_out > 0
    parallel = project / "build" / "whitepaper.pdf"
    a, b = reading(single), reading(parallel)
    assert a["texts"] == b["texts"] and a["links"] == b["links"] and a["outline"] == b["outline"]
    texts = [" ".join(lines) for lines in b["texts"]]  # type: ignore[union-attr]
    assert "Prepared for the consortium" in texts[0] and "p. 1" not in texts[0]
    assert f"p. 2 / {b['pages']}" in texts[1] and "Consortium draft" in texts[1]
    assert not any(re.search(r"Page \d+ of", text) for text in texts)
    assert same_pictures(single, parallel, tmp_path)


def same_pictures(one: Path, other: Path, tmp_path: Path) -> bool:
    """Whether two PDFs look the same, page by page, as pdftoppm draws them."""
    pictures = []
    for pdf in (one, other):
        folder = tmp_path / pdf.stem
        folder.mkdir()
        subprocess.run(["pdftoppm", "-r", "40", "-gray", str(pdf), str(folder / "page")], check=True)
        pictures.append([page.read_bytes() for page in sorted(folder.glob("*.pgm"))])
    return pictures[0] == pictures[1]


def test_an_edit_lays_out_only_the_edited_chapter(tmp_path: Path) -> None:
    """Chapters are laid out a few to a part; after an edit, the other chapters of its part are
    taken from the part as it was laid out, and only the edited chapter is laid out (store.py)."""
    project = copy_sample(tmp_path / "p", review=False)
    config = project / "whitepaper.yaml"
    extra = [f"chapters/{n:02d}-note.md" for n in range(8, 18)]  # 17 chapters and the references: 3 to a part on 2 jobs
    for number, name in enumerate(extra, start=8):
        paragraphs = "\n\n".join(f"Note {number} paragraph {p}: the consortium's data stewards agreed on shared terms. " * 5 for p in range(6))
        (project / name).write_text(f"---\ntitle: Note {number}\n---\n\n## Terms of note {number}\n\n{paragraphs}\n", encoding="utf-8")
    text = config.read_text(encoding="utf-8").replace("  - chapters/07-conclusion.md\n", "  - chapters/07-conclusion.md\n" + "".join(f"  - {n}\n" for n in extra))
    config.write_text(text, encoding="utf-8")
    assert build(project, BuildOptions(formats=("pdf",), jobs=2)).parts_laid_out > 0
    edited = project / "chapters" / "11-note.md"  # the middle chapter of its part
    edited.write_text(edited.read_text(encoding="utf-8").replace("shared terms", "common terms", 1), encoding="utf-8")
    result = build(project, BuildOptions(formats=("pdf",), jobs=2))
    assert result.parts_laid_out == 1  # the edited chapter: its neighbours, the contents and the footers kept
    newest = max((project / "build" / ".cache" / "pdf-parts").glob("*/*.pdf"), key=lambda p: p.stat().st_mtime_ns)
    laid_out = " ".join(page.extract_text() or "" for page in PdfReader(newest).pages)
    assert "Note 11" in laid_out and "Note 10" not in laid_out and "Note 12" not in laid_out  # laid out alone
    pieced = tmp_path / "pieced.pdf"
    shutil.copy(project / "build" / "whitepaper.pdf", pieced)
    build(project, BuildOptions(formats=("pdf",), jobs=2, use_cache=False))
    whole = project / "build" / "whitepaper.pdf"
    a, b = reading(whole), reading(pieced)
    assert any("common terms" in line for page in b["texts"] for line in page)  # type: ignore[union-attr]
    assert a == b
    assert structure(pieced) == structure(whole)
    assert same_pictures(whole, pieced, tmp_path)
