#!/usr/bin/env python3
"""What each feature of the print style costs WeasyPrint's layout, one feature at a time.

    python bench/layout_cost.py [--size p150|p600|large|small] [--runs 3] [--keep DIR]

On a generated paper (bench/generate.py, with a warning per chapter), the print HTML
whitepaper lays out (`--keep-print-html`) is laid out by a single WeasyPrint process as it
is, then once per feature with that feature turned off by a stylesheet (or an edit of the
HTML) added to a copy; print.css itself is never changed. Plain layout, pandoc's own
standalone HTML of the same chapters, is the baseline the target compares with
(styled / plain <= 1.3). Each variant runs `--runs` times, alternately, in fresh
processes; the table shows medians of CPU seconds (and of wall seconds), each
variant's saving against the styled page, and its pages (a feature that changes
the page count changes what is laid out).

The features:
  hyphenation      `hyphens: auto` on paragraphs and list items
  justification    `text-align: justify` on paragraphs
  font fallback    every family list cut to its first font (Noto Serif, Sans, Sans Mono)
  target-counter   page numbers of the contents, summary tables, "on page N", glossary
  running elements the running head (string-set) and "Page X of Y" margin boxes
  decorations      borders, backgrounds, shadows and rounded corners of boxes and tables
  DOM size         spans unwrapped (the elements only the screen page or the tagging use)
  all of the above at once
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypandoc
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate

from whitepaper.diagnostics import Diagnostics, Location
from whitepaper.pipeline import BuildOptions, build
from whitepaper.project import Project
from whitepaper.sources.styles import resolve_style

# Runs a command and prints its CPU seconds (user + system) and peak memory: on a shared
# machine CPU time varies far less than wall time.
PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
    "u = resource.getrusage(resource.RUSAGE_CHILDREN); print(u.ru_utime + u.ru_stime, u.ru_maxrss)"
)

# Each feature off, as a stylesheet added last (so it wins) to a copy of the print HTML.
FEATURES: dict[str, str] = {
    "hyphenation": "p, li, * { hyphens: manual !important; }",
    "justification": "p, li { text-align: left !important; }",
    "font fallback": (
        'html, body, p, li, td, th, blockquote { font-family: "Noto Serif" !important; }\n'
        "h1, h2, h3, h4, h5, h6, .title-block, .toc, figcaption, caption, table, table *, .block-title, .block-title *, "
        '.keywords, .caption-label, .listing-caption { font-family: "Noto Sans" !important; }\n'
        'code, pre, code *, pre * { font-family: "Noto Sans Mono" !important; }'
    ),
    "target-counter": (
        ".toc a::after, table.summary td.page a::after, .glossary-first::after { content: none !important; }\n"
        ".xref-page::before { content: none !important; }"
    ),
    "running elements": (
        "h1, h2, .toc h2, .abstract h2, .title-page h1 { string-set: none !important; }\n"
        "@page { @top-left { content: none } @top-right { content: none } @bottom-center { content: none } }"
    ),
    "decorations": (
        "* { box-shadow: none !important; border-radius: 0 !important; background: none !important; }\n"
        "table, th, td, tr, thead, tbody, div, aside, section, h1, blockquote, figure, pre { border: 0 !important; }"
    ),
}
DOM = "DOM size"
ALL = "all of the above"
SPAN = re.compile(r"<span\b[^>]*>|</span>")


def variant(print_html: str, feature: str) -> str:
    """The print HTML with `feature` off."""
    if feature == DOM:
        return _body_without_spans(print_html)
    if feature == ALL:
        css = "\n".join(FEATURES.values())
        return _with_style(_body_without_spans(print_html), css)
    return _with_style(print_html, FEATURES[feature])


def _with_style(html: str, css: str) -> str:
    return html.replace("</head>", f"<style>\n{css}\n</style>\n</head>", 1)


def _body_without_spans(html: str) -> str:
    head, body = html.split("<body", 1)
    return head + "<body" + SPAN.sub("", body)


def run(command: list[str], cwd: Path) -> tuple[float, float]:
    """CPU seconds and wall seconds of a command in a fresh process."""
    started = time.perf_counter()
    output = subprocess.run([sys.executable, "-c", PEAK, *command], cwd=cwd, check=True, capture_output=True, text=True)
    cpu, _peak = output.stdout.split()
    return float(cpu), time.perf_counter() - started


def plain_html(project: Path, out: Path) -> Path:
    """Pandoc's own standalone HTML of the chapters, with citeproc: the plain layout's input."""
    chapters = sorted(str(p) for p in (project / "chapters").glob("*.md"))
    csl = resolve_style("vancouver", Project(project), Location("whitepaper.yaml"), Diagnostics())
    command = [pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "html5", "--standalone", "--citeproc", "--csl", str(csl),
               "--metadata", "title=Plain", "--bibliography", str(project / "bibliography" / "references.bib"), "-o", str(out), *chapters]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="p600", help="a size of bench/generate.py (default p600, about 600 pages)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="leave the variants' HTML and PDFs in DIR, to look at")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        project = generate(work / "paper", args.size, warnings=True)
        build(project, BuildOptions(formats=("html",), keep_print_html=True))
        styled = (project / "build" / "paper.print.html").read_text(encoding="utf-8")
        pages: dict[str, Path] = {"styled (as built)": project / "build" / "paper.print.html"}
        for feature in [*FEATURES, DOM, ALL]:
            path = project / "build" / f"off-{feature.replace(' ', '-')}.print.html"
            path.write_text(variant(styled, feature), encoding="utf-8")
            pages[f"without {feature}"] = path
        pages["plain (pandoc's HTML)"] = plain_html(project, project / "build" / "plain.html")
        times: dict[str, list[float]] = {name: [] for name in pages}
        walls: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(args.runs):
            for name, path in pages.items():
                cpu, wall = run([sys.executable, "-m", "weasyprint", str(path), str(path.with_suffix(".pdf"))], project)
                times[name].append(cpu)
                walls[name].append(wall)
        counts = {name: len(PdfReader(path.with_suffix(".pdf")).pages) for name, path in pages.items()}
        spans = len(SPAN.findall(styled)) // 2
        if args.keep:
            shutil.copytree(project / "build", args.keep, dirs_exist_ok=True)

    median = {name: statistics.median(t) for name, t in times.items()}
    base = median["styled (as built)"]
    plain = median["plain (pandoc's HTML)"]
    print(
        f"{args.size} paper, {args.runs} runs, medians of one WeasyPrint process each "
        f"(CPU seconds, user + system); {spans:,} spans in the print HTML"
    )
    print("| layout of | CPU s | wall s | saving against styled | / plain | pages |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, seconds in median.items():
        saving = "" if name.startswith(("styled", "plain")) else f"{(base - seconds) / base:+.1%}"
        wall = statistics.median(walls[name])
        print(f"| {name} | {seconds:.2f} | {wall:.2f} | {saving} | {seconds / plain:.2f} | {counts[name]} |")
    print(f"styled / plain layout: {base / plain:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
