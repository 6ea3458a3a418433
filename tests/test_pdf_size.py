"""The PDF laid out in parallel is about as small as the single pass's: each font embedded
once (pdf/fonts.py) and its objects packed (pdf/packing.py), with the same pages."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from conftest import copy_sample
from whitepaper.pipeline import BuildOptions, build


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample's PDF from a single pass and from the parallel engine."""
    root = tmp_path_factory.mktemp("size")
    project = copy_sample(root / "sample", review=False)
    build(project, BuildOptions(formats=("pdf",), jobs=1, use_cache=False))
    (pdf,) = (project / "build").glob("*.pdf")
    single = shutil.copy(pdf, root / "single.pdf")
    result = build(project, BuildOptions(formats=("pdf",), jobs=2))
    assert result.parts_laid_out > 2
    return Path(single), pdf


def font_programs(pdf: Path) -> Counter[str]:
    """How many TrueType programs each font (by name, less its subset tag) has in the file."""
    reader = PdfReader(pdf)
    programs: dict[str, set[int]] = {}
    for page in reader.pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            for descendant in font.get_object().get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                name = str(descriptor["/FontName"]).split("+", 1)[-1]
                programs.setdefault(name, set()).add(descriptor.raw_get("/FontFile2").idnum)
    return Counter({name: len(ids) for name, ids in programs.items()})


def test_the_parallel_pdf_is_about_as_small_as_one_pass(both: tuple[Path, Path]) -> None:
    single, parallel = both
    ratio = parallel.stat().st_size / single.stat().st_size
    assert ratio <= 1.15, f"parallel / single-pass size: {ratio:.2f}"


def test_each_font_is_embedded_once(both: tuple[Path, Path]) -> None:
    single, parallel = both
    assert set(font_programs(parallel)) == set(font_programs(single))
    assert all(count == 1 for count in font_programs(parallel).values()), font_programs(parallel)


def test_the_pages_look_and_read_the_same(both: tuple[Path, Path], tmp_path: Path) -> None:
    """Every glyph a part drew is still there: the pages as pictures, and their text."""
    single, parallel = both
    texts = [[page.extract_text() for page in PdfReader(pdf).pages] for pdf in (single, parallel)]
    assert texts[0] == texts[1]
    for name, pdf in (("s", single), ("p", parallel)):
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / name)], check=True)
    pictures = sorted(tmp_path.glob("s-*.png"))
    assert len(pictures) == len(texts[0])
    for picture in pictures:
        one, other = (Image.open(p).convert("L") for p in (picture, tmp_path / picture.name.replace("s-", "p-", 1)))
        assert ImageChops.difference(one, other).getbbox() is None, picture.name
