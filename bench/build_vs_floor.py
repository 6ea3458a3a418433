#!/usr/bin/env python3
"""Build time of a paper project against the toolchain floor on the same content.

The floor is what the toolchain alone needs: one pandoc call (Markdown with
citeproc to standalone HTML) and one WeasyPrint pass over the same content. Both sides run as fresh processes, alternately, several
times; medians are compared, since the machines are shared and noisy.

    python bench/build_vs_floor.py [PROJECT] [--runs 5]

PROJECT defaults to the sample paper at the repository root.
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

from whitepaper.config import load_config
from whitepaper.diagnostics import Diagnostics
from whitepaper.pipeline import BuildOptions, build
from whitepaper.project import Project
from whitepaper.sources.chapters import chapter_paths
from whitepaper.sources.styles import resolve_style

REPO = Path(__file__).resolve().parent.parent


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def floor_commands(project: Path, out: Path) -> tuple[list[str], list[str]]:
    """The floor's two commands: pandoc with citeproc on the chapters, WeasyPrint on the print HTML.

    WeasyPrint lays out the very HTML whitepaper makes for its PDF (written once
    with --keep-print-html), so both sides lay out the same content in the same
    styles; pandoc's own standalone page, with its default CSS, lays out much
    slower and would flatter us.
    """
    diagnostics = Diagnostics()
    paper = Project(project)
    loaded = load_config(paper, diagnostics)
    config = loaded.config
    chapters = [str(p) for p in chapter_paths(paper, loaded, diagnostics)]
    csl = resolve_style(config.csl, paper, loaded.location("csl"), diagnostics)
    pandoc = [pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "html5", "--standalone", "--citeproc",
              "--csl", str(csl), "--metadata", f"title={config.title}", "-o", str(out / "floor.html")]  # fmt: skip
    for bib in config.bibliography:
        pandoc += ["--bibliography", str(project / bib)]
    build(project, BuildOptions(formats=("html",), keep_print_html=True))
    print_html = project / "build" / f"{config.outputs.name}.print.html"
    weasy = [sys.executable, "-m", "weasyprint", str(print_html), str(out / "floor.pdf")]
    return pandoc + chapters, weasy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("project", nargs="?", type=Path, default=REPO)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "project"
        shutil.copytree(args.project, work, ignore=shutil.ignore_patterns("build", ".git", ".venv", "src", "tests"))
        out = Path(tmp) / "floor"
        out.mkdir()
        pandoc_cmd, weasy_cmd = floor_commands(work, out)
        whitepaper_cmd = [sys.executable, "-m", "whitepaper", "build", "--quiet", "--no-cache", str(work)]
        pdf_cmd = [sys.executable, "-m", "whitepaper", "build", "--quiet", "--no-cache", "--pdf", str(work)]
        review_cmd = [sys.executable, "-m", "whitepaper", "build", "--quiet", "--no-cache", "--review", str(work)]
        pandoc_t, weasy_t, build_t, pdf_t, review_t = [], [], [], [], []
        for _ in range(args.runs):
            pandoc_t.append(timed(pandoc_cmd, work))
            weasy_t.append(timed(weasy_cmd, work))
            build_t.append(timed(whitepaper_cmd, work))
            pdf_t.append(timed(pdf_cmd, work))
            review_t.append(timed(review_cmd, work))
        stages = build(work).timings  # one in-process build, for where the time goes

    floor = statistics.median(p + w for p, w in zip(pandoc_t, weasy_t))
    ours = statistics.median(build_t)
    print(f"project: {args.project}  runs: {args.runs} (medians)")
    print(f"floor pandoc (markdown + citeproc -> html): {statistics.median(pandoc_t):6.2f} s")
    print(f"floor weasyprint (html -> pdf):             {statistics.median(weasy_t):6.2f} s")
    print(f"floor total:                                {floor:6.2f} s")
    print(f"whitepaper build (html + pdf):              {ours:6.2f} s")
    print("  stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
    print(f"ratio build / floor: {ours / floor:.2f}  (target <= 1.30)")
    pdf, review = statistics.median(pdf_t), statistics.median(review_t)
    print(f"whitepaper build --pdf: {pdf:6.2f} s   --review: {review:6.2f} s   ratio {review / pdf:.2f}  (target <= 1.20)")
    resolve_share = stages.get("resolve", 0.0) / sum(stages.values())
    print(f"resolve (numbering, cross-references) share of the build: {resolve_share:.1%}  (target <= 10%)")


if __name__ == "__main__":
    main()
