#!/usr/bin/env python3
"""Builds against the toolchain floor on a generated paper: cold, nothing changed, one word edited.

    python bench/speed.py [--size large|small] [--runs 3]

In one go, on the same generated project (bench/generate.py): the floor (one
pandoc call with citeproc to HTML, then one WeasyPrint pass over the HTML
whitepaper makes for print), then `whitepaper build` cold (empty cache),
again with nothing changed, and after a one-word edit in one chapter (HTML
only, then HTML and PDF), each a new process; then the same edit saved while
`whitepaper watch` runs, timed until the HTML draft is replaced. Prints
medians, each process's peak memory, and the ratios the project aims for:

  cold build <= 0.6 x floor; nothing changed <= 0.05 x floor;
  one-word edit: HTML <= 0.15 x the floor's pandoc step, PDF <= 0.3 x floor;
  peak memory <= 1.3 x the floor's largest process.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypandoc

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate  # noqa: E402

from whitepaper.pipeline import BuildOptions, build  # noqa: E402

PEAK = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def run(command: list[str], cwd: Path) -> tuple[float, int]:
    """Seconds and peak resident memory (kB) of a command."""
    started = time.perf_counter()
    output = subprocess.run([sys.executable, "-c", PEAK, *command], cwd=cwd, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, int(output.stdout.strip() or 0)


def watched_edits(project: Path, target: Path, original: str, runs: int) -> list[float]:
    """Seconds from saving a one-word edit to the HTML draft being replaced, while
    `whitepaper watch` runs (the editor's loop: no start-up, nothing imported again)."""
    html = project / "build" / "paper.html"
    watcher = subprocess.Popen([sys.executable, "-m", "whitepaper", "watch", str(project)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)  # its first build: the drafts are up to date
        seconds = []
        for run_number in range(runs):
            before = html.stat().st_mtime_ns
            started = time.perf_counter()
            target.write_text(original.replace("data", f"watched{run_number}", 1))
            while html.stat().st_mtime_ns == before and time.perf_counter() - started < 60:
                time.sleep(0.002)
            seconds.append(time.perf_counter() - started)
            time.sleep(1)  # the rest of that build (manifest, state) before the next edit
        return seconds
    finally:
        watcher.terminate()
        watcher.wait()
        target.write_text(original)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=["small", "large"], default="large")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, int]]] = {k: [] for k in ("pandoc", "weasyprint", "cold", "warm", "edit-html", "edit-pdf")}
    with tempfile.TemporaryDirectory() as tmp:
        project = generate(Path(tmp) / "paper", args.size)
        chapters = sorted(str(p) for p in (project / "chapters").glob("*.md"))
        build(project, BuildOptions(formats=("html",), keep_print_html=True))
        print_html = project / "build" / "paper.print.html"
        shutil.copy(print_html, Path(tmp) / "floor.print.html")
        csl = subprocess.run([sys.executable, "-c", "from whitepaper.sources.styles import resolve_style; from whitepaper.diagnostics import *; "
                              "from whitepaper.project import Project; print(resolve_style('vancouver', Project.at('.'), Location('x'), Diagnostics()))"],
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        pandoc_cmd = [pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "html5", "--standalone", "--citeproc", "--csl", csl,
                      "--bibliography", str(project / "bibliography" / "references.bib"), "-o", str(Path(tmp) / "floor.html"), *chapters]  # fmt: skip
        weasy_cmd = [sys.executable, "-m", "weasyprint", str(Path(tmp) / "floor.print.html"), str(Path(tmp) / "floor.pdf")]
        wp = [sys.executable, "-m", "whitepaper", "build", "--quiet", str(project)]
        target = project / "chapters" / "07-part.md"
        original = target.read_text()
        for run_number in range(args.runs):
            results["pandoc"].append(run(pandoc_cmd, project))
            results["weasyprint"].append(run(weasy_cmd, project))
            shutil.rmtree(project / "build", ignore_errors=True)
            results["cold"].append(run(wp, project))
            results["warm"].append(run(wp, project))
            target.write_text(original.replace("data", f"dataset{run_number}", 1))
            results["edit-html"].append(run([*wp, "--html"], project))
            target.write_text(original.replace("data", f"datum{run_number}", 1))
            results["edit-pdf"].append(run(wp, project))
            target.write_text(original)
        build(project, BuildOptions(formats=("html",)))
        watched = watched_edits(project, target, original, max(args.runs, 3))

    def median(name: str) -> float:
        return statistics.median(t for t, _ in results[name])

    def peak(name: str) -> int:
        return max(m for _, m in results[name])

    floor = median("pandoc") + median("weasyprint")
    floor_memory = max(peak("pandoc"), peak("weasyprint"))
    print(f"{args.size} project, {args.runs} runs, medians; peak memory of any process in MB")
    print(f"floor: pandoc {median('pandoc'):.2f} s + weasyprint {median('weasyprint'):.2f} s = {floor:.2f} s; peak {floor_memory / 1024:.0f} MB")
    rows = [
        ("cold build", median("cold"), floor, 0.6, "cold"),
        ("nothing changed", median("warm"), floor, 0.05, "warm"),
        ("one-word edit, HTML", median("edit-html"), median("pandoc"), 0.15, "edit-html"),
        ("one-word edit, HTML + PDF", median("edit-pdf"), floor, 0.3, "edit-pdf"),
    ]
    for label, seconds, base, target_ratio, name in rows:
        print(f"{label:28} {seconds:7.2f} s  ratio {seconds / base:5.2f} (target <= {target_ratio})  peak {peak(name) / 1024:.0f} MB")
    seconds = statistics.median(watched)
    label = "one-word edit, HTML, watch"
    print(f"{label:28} {seconds:7.2f} s  ratio {seconds / median('pandoc'):5.2f} (target <= 0.15)  (save to HTML replaced)")
    ours = max(peak(n) for n in ("cold", "warm", "edit-html", "edit-pdf"))
    print(f"peak memory ratio: {ours / floor_memory:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
