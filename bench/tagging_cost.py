#!/usr/bin/env python3
"""What tagging costs: PDF layout time and file size of a paper, tagged (PDF/UA-1, as every
build makes it) against untagged, side by side.

    python bench/tagging_cost.py [--paper sample|small|large] [--runs 3] [--ways "one pass,build"]

`sample` is the shipped sample paper; `small` and `large` are generated (generate.py). Two
ways of laying out, each timed in a fresh process, the two kinds alternately, medians
compared:

- one pass: WeasyPrint on the print HTML whitepaper makes, as `-j 1` (and the sample) lays it out;
- the build: `whitepaper build --pdf --no-cache`'s pdf stage, which for a long paper is the
  parallel engine (parts laid out by worker processes, their structure trees joined).

Each run reports wall-clock seconds and CPU seconds (of the layout; for the build, of the
process and its workers): on a shared, busy machine the CPU time is the one to compare. The project
aims for tagged <= 1.35 x untagged on the large paper.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate  # noqa: E402

from whitepaper.pdf import UA, PdfOptions  # noqa: E402
from whitepaper.pipeline import BuildOptions, build  # noqa: E402
from whitepaper.project import Project  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
KINDS = {"untagged": PdfOptions(tags=False), "tagged": PdfOptions(variant=UA)}
TARGET = 1.35


def one_pass(project: Path, kind: str) -> tuple[float, float | None, int]:
    """Seconds (wall, CPU) WeasyPrint takes to lay out the print HTML in one pass, and the PDF's size."""
    from whitepaper.pdf.weasy import write_pdf

    html = next((project / "build").glob("*.print.html")).read_text(encoding="utf-8").replace('<base href="../">', "")
    started, cpu = time.perf_counter(), time.process_time()
    data = write_pdf(html, project, KINDS[kind]).data
    return time.perf_counter() - started, time.process_time() - cpu, len(data)


def in_build(project: Path, kind: str) -> tuple[float, float | None, int]:
    """Seconds of a cold build's pdf stage (the parallel engine, for a long paper; its CPU time is
    the whole process's, workers included), and the PDF's size."""
    result = build(project, BuildOptions(formats=("pdf",), use_cache=False, pdf=KINDS[kind]))
    return result.timings["pdf"], None, sum(p.stat().st_size for p in (project / "build").glob("*.pdf"))


WAYS = {"one pass": one_pass, "build": in_build}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(project: Path, way: str, kind: str) -> dict[str, float]:
    """One measurement, in a fresh process: wall and CPU seconds of the step (for the build, the
    CPU seconds of the whole process and its workers, start-up included), and the PDF's size."""
    before = _cpu()
    output = subprocess.run([sys.executable, __file__, "--one", way, kind, str(project)], check=True, capture_output=True, text=True)
    seconds, cpu, size = json.loads(output.stdout.strip().splitlines()[-1])
    return {"wall": seconds, "cpu": _cpu() - before if cpu is None else cpu, "bytes": size}


def paper(kind: str, folder: Path) -> Path:
    if kind == "sample":
        return Project(REPO).copy_paper(folder / "paper").root
    return generate(folder / "paper", kind)


def report(name: str, way: str, runs: dict[str, list[dict[str, float]]]) -> str:
    median = {kind: {key: statistics.median(r[key] for r in values) for key in ("wall", "cpu", "bytes")} for kind, values in runs.items()}
    tagged, untagged = median["tagged"], median["untagged"]
    cpu = tagged["cpu"] / untagged["cpu"]
    verdict = "ok" if cpu <= TARGET else f"over {TARGET}"
    each = "; ".join(f"{kind} " + " ".join(f"{r['cpu']:.1f}" for r in values) for kind, values in runs.items())
    return (
        f"{name} paper, {way}: CPU untagged {untagged['cpu']:.1f} s, tagged {tagged['cpu']:.1f} s, {cpu:.2f}x ({verdict}); "
        f"wall {untagged['wall']:.1f} s / {tagged['wall']:.1f} s, {tagged['wall'] / untagged['wall']:.2f}x; "
        f"size {untagged['bytes'] / 1e3:.0f} kB / {tagged['bytes'] / 1e3:.0f} kB, {tagged['bytes'] / untagged['bytes']:.2f}x "
        f"(CPU s per run: {each})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paper", "--size", choices=("sample", "small", "large"), default="large")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ways", default="one pass,build", help="which to time: 'one pass', 'build' or both")
    parser.add_argument("--one", nargs=3, metavar=("WAY", "KIND", "PROJECT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        way, kind, project = args.one
        print(json.dumps(WAYS[way](Path(project), kind)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        project = paper(args.paper, Path(tmp))
        build(project, BuildOptions(formats=("pdf",), keep_print_html=True))  # the print HTML, and a warm font cache
        for way in args.ways.split(","):
            runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in KINDS}
            for _ in range(args.runs):
                for kind in KINDS:
                    runs[kind].append(measure(project, way, kind))
            print(report(args.paper, way, runs), flush=True)


if __name__ == "__main__":
    main()
