"""The HTML draft as a browser sees it: headless Chromium, the DOM after loading."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import CHROMIUM, CHROMIUM_FLAGS, Run

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
FLAGS = ["--headless", *CHROMIUM_FLAGS]


def chromium(*args: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        process = subprocess.run(
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
    return process.stdout


def test_sample_html_in_chromium(sample_build: tuple[Path, Run], tmp_path: Path) -> None:
    project, _ = sample_build
    page = project / "build" / "whitepaper.html"
    dom = chromium("--dump-dom", page.as_uri())
    assert "<title>From Particles to Patients" in dom
    ids = set(re.findall(r'\bid="([^"]+)"', dom))
    fragments = re.findall(r'href="#([^"]+)"', dom)
    assert len(fragments) > 100
    assert [f for f in fragments if f not in ids] == []
    assert len(re.findall(r'class="csl-entry"', dom)) >= 25
    for width, height in ((390, 844), (1400, 1000)):
        shot = tmp_path / f"shot-{width}.png"
        chromium(f"--window-size={width},{height}", "--hide-scrollbars", f"--screenshot={shot}", page.as_uri())
        assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
