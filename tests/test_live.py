"""`serve` and `watch` in a real browser: pages reload after edits, failed builds show an overlay."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import CHROMIUM, CHROMIUM_FLAGS, write_project

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
LONG = "\n\n".join(f"Filler paragraph {n} of some length, written to make the page scroll a long way." * 3 for n in range(40))
CHAPTER = "---\ntitle: Live\n---\n\nThe original sentence [@topol2019; @wilkinson2016fair].\n\n" + LONG + "\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str, subprocess.Popen[str]]]:
    project = write_project(tmp_path / "p", {"01-live.md": CHAPTER})
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "whitepaper", "serve", str(project), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if urllib.request.urlopen(f"{url}/__whitepaper/state", timeout=1).status == 200 and (project / "build" / "paper.html").exists():
                break
        except OSError:
            pass
        time.sleep(0.1)
    yield project, url, process
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def page():  # type: ignore[no-untyped-def]
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser.new_page()
        browser.close()


def edit(project: Path, old: str, new: str) -> None:
    path = project / "chapters" / "01-live.md"
    path.write_text(path.read_text().replace(old, new))


def test_page_reloads_with_new_text_and_keeps_its_place(served, page) -> None:  # type: ignore[no-untyped-def]
    project, url, _ = served
    page.goto(f"{url}/paper.html")
    assert "The original sentence" in page.inner_text("body")
    page.evaluate("window.scrollTo(0, 1500)")
    time.sleep(0.3)
    started = time.perf_counter()
    edit(project, "The original sentence", "An edited sentence")
    page.wait_for_function("document.body.innerText.includes('An edited sentence')", timeout=3000)
    assert time.perf_counter() - started < 3.0
    page.wait_for_function("window.scrollY > 1000", timeout=2000)


def test_a_broken_citation_shows_an_overlay_until_fixed(served, page) -> None:  # type: ignore[no-untyped-def]
    project, url, _ = served
    page.goto(f"{url}/paper.html")
    edit(project, "@topol2019;", "@topol2091;")
    overlay = page.wait_for_selector("#whitepaper-overlay", timeout=5000)
    text = overlay.inner_text()
    assert "chapters/01-live.md:5:24: error: unknown citation key 'topol2091'" in text
    assert "The original sentence" in page.inner_text("body")  # the previous draft stays, marked out of date
    edit(project, "@topol2091;", "@topol2019;")
    page.wait_for_function("!document.getElementById('whitepaper-overlay')", timeout=5000)


def test_nothing_outside_build_is_served(served) -> None:  # type: ignore[no-untyped-def]
    _, url, _ = served
    for path in ("/../whitepaper.yaml", "/%2e%2e/whitepaper.yaml", "/..%2fwhitepaper.yaml", "/%252e%252e%252fwhitepaper.yaml",
                 "/.cache/last-build.json", "/..\\whitepaper.yaml", "/chapters/01-live.md"):  # fmt: skip
        request = urllib.request.Request(url + path)
        host, port = url.split("//")[1].split(":")
        with socket.create_connection((host, int(port))) as raw:  # send the path as is, undecoded
            raw.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            response = b""
            while chunk := raw.recv(65536):
                response += chunk
        assert response.startswith(b"HTTP/1.0 404") or response.startswith(b"HTTP/1.1 404"), (path, response[:40])
        assert b"title:" not in response
        assert request  # the same path through urllib's own normalisation is tried below
    assert urllib.request.urlopen(f"{url}/paper.html").status == 200


def test_watch_reports_errors_and_fixes_and_stops_cleanly(tmp_path: Path) -> None:
    project = write_project(tmp_path / "w", {"01-live.md": CHAPTER})
    log = tmp_path / "watch.log"
    with log.open("w") as sink:
        process = subprocess.Popen([sys.executable, "-m", "whitepaper", "watch", str(project)], stdout=sink, stderr=subprocess.STDOUT)

    def wait_for(text: str) -> None:
        deadline = time.time() + 10
        while text not in log.read_text() and time.time() < deadline:
            time.sleep(0.1)
        assert text in log.read_text(), log.read_text()

    wait_for("built paper.html")
    edit(project, "@topol2019;", "@nowhere;")
    wait_for("chapters/01-live.md:5:24: error: unknown citation key 'nowhere'")
    wait_for("build failed after chapters/01-live.md: 1 error")
    edit(project, "@nowhere;", "@topol2019;")
    wait_for("fixed; built paper.html")
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    wait_for("stopped")
