#!/usr/bin/env python3
"""`whitepaper check` against pandoc reading the same Markdown to its AST in one call.

    python bench/check_speed.py [--size large|small] [--runs 5]

Generates a synthetic project (bench/generate.py), then runs, alternately and
several times: pandoc reading all chapters to JSON in one process (the floor),
`whitepaper check` with an empty cache (cold), and `whitepaper check` again with
nothing changed (warm). Prints medians and the ratios the issue sets targets
for: cold <= 1.5 x floor, warm <= 0.25 x cold.
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


def timed(command: list[str], cwd: Path, stdin: bytes | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, input=stdin, check=False, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=["small", "large"], default="large")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = generate(Path(tmp) / "paper", args.size)
        markdown = b"\n\n".join(p.read_bytes() for p in sorted((project / "chapters").glob("*.md")))
        floor_cmd = [pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "json", "-o", "/dev/null"]
        check_cmd = [sys.executable, "-m", "whitepaper", "check", str(project)]
        floor, cold, warm = [], [], []
        for _ in range(args.runs):
            floor.append(timed(floor_cmd, project, markdown))
            shutil.rmtree(project / "build", ignore_errors=True)
            cold.append(timed(check_cmd, project))
            warm.append(timed(check_cmd, project))
    words = len(markdown.split())
    f, c, w = statistics.median(floor), statistics.median(cold), statistics.median(warm)
    print(f"{args.size} project: {words:,} words; {args.runs} runs, medians")
    print(f"floor: pandoc markdown -> AST, one call: {f:6.2f} s")
    print(f"whitepaper check, empty cache:          {c:6.2f} s   ratio to floor {c / f:.2f}  (target <= 1.50)")
    print(f"whitepaper check, nothing changed:      {w:6.2f} s   ratio to cold  {w / c:.2f}  (target <= 0.25)")


if __name__ == "__main__":
    main()
