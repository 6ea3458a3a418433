#!/usr/bin/env python3
"""A redline of the sample paper against a build of one side.

    python bench/diff_speed.py [--runs 3]

In a temporary git repository holding the sample paper, commits an edit (a
changed recommendation, an inserted paragraph, a new citation), then times
`whitepaper build` of the new side and `whitepaper diff HEAD~1 HEAD`, both with
empty caches, alternately. Target: the diff within 2.5 times the build.
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

from whitepaper.project import Project

REPO = Path(__file__).resolve().parent.parent



def git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(project), "-c", "user.email=bench@example.org", "-c", "user.name=bench", *args], check=True, capture_output=True)


def timed(project: Path, *args: str) -> float:
    shutil.rmtree(project / "build", ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "whitepaper", *args], cwd=project, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Project(REPO).copy_paper(Path(tmp) / "paper").root
        git(project, "init", "-q")
        git(project, "add", "-A")
        git(project, "commit", "-qm", "before")
        chapter = project / "chapters" / "06-recommendations.md"
        text = chapter.read_text()
        text = text.replace("Funders should budget explicitly", "Funders should budget explicitly, from the first year,", 1)
        text = text.replace("## Infrastructure", "Costs are discussed with the technology map [@wilkinson2016fair].\n\n## Infrastructure", 1)
        chapter.write_text(text)
        git(project, "commit", "-qam", "after")
        builds, diffs = [], []
        for _ in range(args.runs):
            builds.append(timed(project, "build", "--quiet", "--no-cache"))
            diffs.append(timed(project, "diff", "HEAD~1", "HEAD", "--quiet"))
    build, redline = statistics.median(builds), statistics.median(diffs)
    print(f"build of one side: {build:.2f} s   diff: {redline:.2f} s   ratio {redline / build:.2f}  (target <= 2.50)")


if __name__ == "__main__":
    main()
