#!/usr/bin/env python3
"""Collecting 300 annotations from 10 returned packets of the sample paper.

    python bench/collect_speed.py [--runs 3]

Starts a round of the sample paper with ten reviewers (in a temporary copy),
annotates each packet with 30 highlights and notes (pypdf, as a PDF reader
would), then times `whitepaper review collect` over the folder of returned
files, with an empty register each run. Target: under 5 seconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Highlight, Text
from pypdf.generic import ArrayObject, FloatObject, NameObject, TextStringObject

from whitepaper.project import Project

REPO = Path(__file__).resolve().parent.parent

PER_PACKET = 30


def run(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "whitepaper", *args], check=True, capture_output=True)


def annotate(packet: Path, out: Path, rng: random.Random) -> None:
    reader = PdfReader(packet)
    writer = PdfWriter(clone_from=packet)
    pages = list(range(1, len(reader.pages)))
    for index in range(PER_PACKET):
        page = rng.choice(pages)
        box = reader.pages[page].mediabox
        x, y = rng.uniform(100, float(box.width) - 200), rng.uniform(100, float(box.height) - 100)
        if index % 2:
            quads = ArrayObject([FloatObject(v) for v in (x, y + 12, x + 80, y + 12, x, y, x + 80, y)])
            annotation = Highlight(rect=(x, y, x + 80, y + 12), quad_points=quads)
        else:
            annotation = Text(rect=(x, y, x + 20, y + 20), text="")
        annotation[NameObject("/Contents")] = TextStringObject(f"Comment {index} on page {page + 1}.")
        writer.add_annotation(page_number=page, annotation=annotation)
    writer.write(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        project = Project(REPO).copy_paper(Path(tmp) / "paper").root
        config = yaml.safe_load((project / "whitepaper.yaml").read_text())
        chapters = config["chapters"]
        config["reviewers"] = [{"name": f"Reviewer {n:02d}", "chapters": rng.sample(chapters, 3)} for n in range(10)]
        (project / "whitepaper.yaml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
        run("review", "start", "r1", "-C", str(project), "--quiet")
        returned = Path(tmp) / "returned"
        returned.mkdir()
        for packet in sorted((project / "review" / "r1").glob("r1-[0-9][0-9]-reviewer-*.pdf")):
            annotate(packet, returned / packet.name, rng)
        times = []
        for _ in range(args.runs):
            (project / "review" / "r1" / "comments.yaml").unlink(missing_ok=True)
            started = time.perf_counter()
            run("review", "collect", "r1", str(returned), "-C", str(project))
            times.append(time.perf_counter() - started)
        comments = yaml.safe_load((project / "review" / "r1" / "comments.yaml").read_text())["comments"]
    median = statistics.median(times)
    print(f"collected {len(comments)} comments from 10 packets")
    print(f"review collect: {median:.2f} s median of {args.runs} runs  (target < 5 s)")


if __name__ == "__main__":
    main()
