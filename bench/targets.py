#!/usr/bin/env python3
"""The speed targets of issue 19 on generated papers with a warning in every chapter, and
the growth of cost from 150 to 600 and 1,200 pages.

    python bench/targets.py [--runs 3] [--sizes p150,p600,p1200]

On the 600-page paper (bench/generate.py p600, about 200,000 words), side by side in one
run, every command a fresh process, medians of `--runs`:

- the plain floor: one pandoc call with citeproc to standalone HTML, then one
  WeasyPrint pass over that HTML;
- the same-output floor: the same pandoc call, then one WeasyPrint pass over the print
  HTML whitepaper makes (`--keep-print-html`);
- `whitepaper build` cold, a one-word edit in a chapter with a warning (`--html`, then
  HTML + PDF; and saved while `whitepaper watch` runs), `whitepaper check` cold and warm
  against pandoc's parse of the chapters, the parallel PDF's size against a single
  pass's (`-j 1`), peak memory against the floor's largest process.

Then a cold build of each size, its time and peak memory, so the slope shows (the 600-page
paper's are the table's cold builds). Every row is printed with its target. Takes about 17
minutes on a quiet 2-core machine with `--runs 3`; `--runs 1 --sizes p150,p600` about 7.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import pypandoc

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate
from speed import run, watched_edits

from whitepaper.diagnostics import Diagnostics, Location
from whitepaper.pipeline import BuildOptions, build
from whitepaper.project import Project
from whitepaper.sources.styles import resolve_style

WP = [sys.executable, "-m", "whitepaper"]
GB = 1024 * 1024  # kB in a GB


class Table:
    """Rows of the issue's table: what, measured, its target, and whether it is met."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, bool]] = []

    def ratio(self, label: str, value: float, target: float, detail: str = "") -> None:
        self.rows.append((label, f"{value:.2f}{detail}", f"<= {target}", value <= target))

    def show(self) -> None:
        print("| on the 600-page paper | measured | target | met |\n| --- | ---: | ---: | --- |")
        for label, value, target, met in self.rows:
            print(f"| {label} | {value} | {target} | {'yes' if met else 'NO'} |")


def pandoc_commands(project: Path, out: Path) -> tuple[list[str], list[str]]:
    """The floor's pandoc call (Markdown with citeproc to standalone HTML) and pandoc's parse alone."""
    chapters = sorted(str(p) for p in (project / "chapters").glob("*.md"))
    csl = resolve_style("vancouver", Project(project), Location("whitepaper.yaml"), Diagnostics())
    pandoc = pypandoc.get_pandoc_path()
    html = [pandoc, "-f", "markdown", "-t", "html5", "--standalone", "--citeproc", "--csl", str(csl), "--metadata", "title=Floor",
            "--bibliography", str(project / "bibliography" / "references.bib"), "-o", str(out), *chapters]  # fmt: skip
    parse = [pandoc, "-f", "markdown", "-t", "json", "-o", "/dev/null", *chapters]
    return html, parse


def median(samples: list[tuple[float, int]]) -> float:
    return statistics.median(t for t, _ in samples)


def peak(samples: list[tuple[float, int]]) -> int:
    return max(m for _, m in samples)


def the_600_pages(work: Path, runs: int, table: Table) -> tuple[float, int, int]:
    """The issue's table on the 600-page paper; returns its cold build as `cold_build` does."""
    project = generate(work / "p600", "p600", warnings=True)
    build(project, BuildOptions(formats=("html",), keep_print_html=True))
    print_html = shutil.copy(project / "build" / "paper.print.html", work / "styled.print.html")
    pandoc_html, pandoc_parse = pandoc_commands(project, work / "plain.html")
    weasy = [sys.executable, "-m", "weasyprint"]
    target = project / "chapters" / "07-part.md"
    original = target.read_text(encoding="utf-8")
    names = (
        "pandoc",
        "plain layout",
        "styled layout",
        "cold",
        "edit html",
        "edit pdf",
        "parse",
        "check cold",
        "check warm",
    )
    samples: dict[str, list[tuple[float, int]]] = {name: [] for name in names}
    for number in range(runs):
        samples["pandoc"].append(run(pandoc_html, work))
        samples["plain layout"].append(run([*weasy, str(work / "plain.html"), str(work / "plain.pdf")], work))
        samples["styled layout"].append(run([*weasy, str(print_html), str(work / "styled.pdf")], work))
        shutil.rmtree(project / "build", ignore_errors=True)
        samples["cold"].append(run([*WP, "build", "--quiet", str(project)], work))
        target.write_text(original.replace("data", f"dataset{number}", 1), encoding="utf-8")
        samples["edit html"].append(run([*WP, "build", "--quiet", "--html", str(project)], work))
        target.write_text(original.replace("data", f"datum{number}", 1), encoding="utf-8")
        samples["edit pdf"].append(run([*WP, "build", "--quiet", str(project)], work))
        target.write_text(original, encoding="utf-8")
        samples["parse"].append(run(pandoc_parse, work))
        samples["check cold"].append(run([*WP, "check", "--no-cache", str(project)], work))
        subprocess.run([*WP, "check", str(project)], capture_output=True, check=False)  # its result kept
        samples["check warm"].append(run([*WP, "check", str(project)], work))
    fast = _takes_the_fast_path(project, target, original)
    build(project, BuildOptions(formats=("html",)))
    watched = watched_edits(project, target, original, max(runs, 3))
    parallel_size = (
        (project / "build" / "paper.pdf").stat().st_size if (project / "build" / "paper.pdf").exists() else 0
    )
    single = subprocess.run(
        [*WP, "build", "--quiet", "--pdf", "-j", "1", "--no-cache", str(project)], capture_output=True, text=True
    )
    if single.returncode:  # say why, and keep the rows measured so far
        print(f"single-pass build failed ({single.returncode}):\n{single.stderr}", file=sys.stderr)
    single_size = (project / "build" / "paper.pdf").stat().st_size

    pandoc = median(samples["pandoc"])
    plain_floor = pandoc + median(samples["plain layout"])
    same_floor = pandoc + median(samples["styled layout"])
    floor_memory = max(peak(samples[n]) for n in ("pandoc", "plain layout", "styled layout"))
    ours_memory = max(peak(samples[n]) for n in ("cold", "edit html", "edit pdf"))
    cold = median(samples["cold"])
    print(f"600 pages: plain floor {plain_floor:.2f} s (pandoc {pandoc:.2f} s), same-output floor {same_floor:.2f} s, "
          f"cold build {cold:.2f} s; the edit took the fast path: {'yes' if fast else 'NO'}")  # fmt: skip
    table.ratio("cold build (HTML + PDF) / plain floor", cold / plain_floor, 0.6)
    table.ratio("cold build / same-output floor", cold / same_floor, 0.45)
    table.ratio(
        "styled layout / plain layout, single process",
        median(samples["styled layout"]) / median(samples["plain layout"]),
        1.3,
    )
    table.ratio(
        "one-word edit (chapter with warnings), `build --html`, new process / floor's pandoc",
        median(samples["edit html"]) / pandoc,
        0.15,
    )
    table.ratio(
        "the same edit, `watch` running, save to HTML replaced / floor's pandoc",
        statistics.median(watched) / pandoc,
        0.08,
    )
    table.ratio("one-word edit, HTML + PDF / plain floor", median(samples["edit pdf"]) / plain_floor, 0.25)
    table.ratio(
        "`check` cold / pandoc's parse of the chapters", median(samples["check cold"]) / median(samples["parse"]), 1.3
    )
    table.ratio("`check` warm / cold", median(samples["check warm"]) / median(samples["check cold"]), 0.2)
    if parallel_size:
        table.ratio("parallel PDF size / single-pass PDF size", parallel_size / single_size, 1.15)
    table.ratio(
        "peak memory / floor's largest process", ours_memory / floor_memory, 1.3, f" ({ours_memory // 1024} MB)"
    )
    from pypdf import PdfReader

    return cold, peak(samples["cold"]), len(PdfReader(project / "build" / "paper.pdf").pages)


def _takes_the_fast_path(project: Path, target: Path, original: str) -> bool:
    """Whether a one-word edit in a chapter with a warning is redone alone (the build says so)."""
    target.write_text(original.replace("data", "datapoint", 1), encoding="utf-8")
    try:
        result = subprocess.run([*WP, "build", "--html", str(project)], capture_output=True, text=True, check=True)
    finally:
        target.write_text(original, encoding="utf-8")
    return "only 1 edited chapter redone" in result.stderr


def cold_build(work: Path, size: str, runs: int) -> tuple[float, int, int]:
    """A cold build of a generated paper: median seconds, peak memory (kB) and its PDF's pages."""
    project = generate(work / size, size, warnings=True)
    samples = []
    for _ in range(runs):
        shutil.rmtree(project / "build", ignore_errors=True)
        samples.append(run([*WP, "build", "--quiet", str(project)], work))
    from pypdf import PdfReader

    return median(samples), peak(samples), len(PdfReader(project / "build" / "paper.pdf").pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="p150,p600,p1200", help="the growth sizes (bench/generate.py); '' for none")
    args = parser.parse_args()
    table = Table()
    growth: dict[str, tuple[float, int, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        p600 = the_600_pages(work, args.runs, table)
        print(f"\n{args.runs} runs, medians\n")
        table.show()
        for size in filter(None, args.sizes.split(",")):
            growth[size] = p600 if size == "p600" else cold_build(work, size, args.runs)  # p600: the table's cold builds
    print("\n| paper | pages | cold build | peak memory |\n| --- | ---: | ---: | ---: |")
    for size, (seconds, kb, pages) in growth.items():
        print(f"| {size} | {pages} | {seconds:.2f} s | {kb // 1024} MB |")
    if "p600" in growth and "p1200" in growth:
        slope = growth["p1200"][0] / growth["p600"][0]
        print(f"time growth from 600 to 1,200 pages: {slope:.2f}x (target <= 2.1)")
        print(f"peak memory at 1,200 pages: {growth['p1200'][1] / GB:.2f} GB (target <= 2)")


if __name__ == "__main__":
    main()
