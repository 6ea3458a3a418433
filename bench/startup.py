#!/usr/bin/env python3
"""How long `whitepaper --help` takes, against Python starting and doing nothing.

    python bench/startup.py [--runs 21]

Runs the two alternately, several times, and prints medians. The target: `whitepaper
--help` within 0.15 s on a 2-core machine; it imports no command and none of jinja2,
pydantic, WeasyPrint or pypdf (tests/test_architecture.py checks that part).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET = 0.15  # seconds


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    whitepaper = str(Path(sys.executable).parent / "whitepaper")
    bare, help_ = [], []
    for _ in range(args.runs):
        bare.append(timed([sys.executable, "-c", "pass"]))
        help_.append(timed([whitepaper, "--help"]))
    b, h = statistics.median(bare), statistics.median(help_)
    print(f"python -c pass:        {b:6.3f} s")
    print(f"whitepaper --help:     {h:6.3f} s   (target <= {TARGET:.2f} s: {'met' if h <= TARGET else 'NOT met'}; {h - b:.3f} s over a bare Python)")


if __name__ == "__main__":
    main()
