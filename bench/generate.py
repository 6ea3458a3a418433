#!/usr/bin/env python3
"""A deterministic generator of synthetic paper projects, for benchmarks.

    python bench/generate.py OUT [--size small|large] [--seed 1]

small: 10 chapters x 1,500 words, 100 references; large: 60 chapters x 3,000
words, 600 references (about 180,000 words). The growth sizes, by their pages in the
PDF: p150 (16 x 3,100 words, about 50,000), p600 (64 x 3,100, about 200,000) and p1200
(128 x 3,100, about 400,000). `--warnings` gives each chapter a table nobody refers to,
as drafts in progress have. Chapters hold realistic-looking
prose with citations, sections, lists, a table and a cross-reference each; the
bibliography is BibTeX. The same seed always gives the same files.
"""

from __future__ import annotations

import argparse
import random
import textwrap
from pathlib import Path

SIZES = {"small": (10, 1500, 100), "large": (60, 3000, 600), "p150": (16, 3100, 200), "p600": (64, 3100, 600), "p1200": (128, 3100, 1000)}

WORDS = (
    "data analysis patient hospital model federated privacy consent cohort registry imaging genome "
    "infrastructure computing grid storage network standard interoperability clinical trial outcome "
    "evidence bias validation governance collaboration funding preservation metadata software workflow "
    "detector simulation calibration uncertainty reproducibility access security audit platform service "
    "training career community policy regulation ethics algorithm learning prediction sample signal "
    "record vocabulary ontology catalogue archive provenance quality research public trust benefit risk"
).split()
VERBS = "supports requires improves limits shapes enables reduces informs constrains reveals".split()
JOIN = "and or but while because although so yet".split()
TITLES = "Context Methods Evidence Infrastructure Governance Outlook Practice Risks Costs Lessons".split()


def sentence(rng: random.Random, cite: str | None) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 9))]
    words.insert(rng.randint(1, 3), rng.choice(VERBS))
    if rng.random() < 0.4:
        words.insert(rng.randint(4, len(words)), rng.choice(JOIN))
    text = " ".join(words)
    text = text[0].upper() + text[1:]
    return f"{text} [@{cite}]." if cite else f"{text}."


def chapter(rng: random.Random, number: int, words: int, refs: int, warning: bool = False) -> str:
    parts = [f"---\ntitle: {rng.choice(TITLES)} {number}\nstatus: draft\nowners: [Author {number % 7}]\n---\n"]
    written, section = 0, 0
    table_id = f"tbl-costs-{number}"
    parts.append(f"The figures for this part are in @{table_id}.\n")
    while written < words:
        if written >= section * words // 4:
            section += 1
            parts.append(f"## {rng.choice(TITLES)} {number}.{section} {{#sec-c{number}-s{section}}}\n")
        if rng.random() < 0.1:
            items = [f"- {sentence(rng, None)}" for _ in range(rng.randint(3, 5))]
            parts.append("\n".join(items) + "\n")
            written += 8 * len(items)
            continue
        sentences = []
        for _ in range(rng.randint(3, 6)):
            cite = f"ref{rng.randrange(refs):04d}" if rng.random() < 0.45 else None
            sentences.append(sentence(rng, cite))
        paragraph = " ".join(sentences)
        written += len(paragraph.split())
        parts.append(textwrap.fill(paragraph, 100) + "\n")
    rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 900)} | {rng.choice(WORDS)} |" for _ in range(6))
    parts.append(f"| Item | Cost | Note |\n|------|-----:|------|\n{rows}\n\n: Costs of part {number}. {{#{table_id}}}\n")
    if warning:  # a table nobody refers to (table-unreferenced)
        parts.append(f"| Item | Count |\n|------|-----:|\n| {rng.choice(WORDS)} | {rng.randint(1, 99)} |\n\n: Counts of part {number}. {{#tbl-counts-{number}}}\n")
    return "\n".join(parts)


def bibliography(rng: random.Random, refs: int) -> str:
    entries = []
    for index in range(refs):
        authors = " and ".join(f"{rng.choice(WORDS).capitalize()}, {chr(65 + rng.randrange(26))}." for _ in range(rng.randint(1, 4)))
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))).capitalize()
        entries.append(
            f"@article{{ref{index:04d},\n  author = {{{authors}}},\n  title = {{{title}}},\n"
            f"  journal = {{Journal of {rng.choice(WORDS).capitalize()}}},\n  year = {{{rng.randint(1990, 2025)}}},\n"
            f"  volume = {{{rng.randint(1, 60)}}},\n  pages = {{{rng.randint(1, 400)}--{rng.randint(401, 900)}}},\n"
            f"  doi = {{10.5555/bench.{index:05d}}}\n}}\n"
        )
    return "\n".join(entries)


def generate(out: Path, size: str = "small", seed: int = 1, warnings: bool = False) -> Path:
    chapters, words, refs = SIZES[size]
    rng = random.Random(seed)
    (out / "chapters").mkdir(parents=True, exist_ok=True)
    (out / "bibliography").mkdir(exist_ok=True)
    for number in range(1, chapters + 1):
        width = 3 if chapters >= 100 else 2  # files sort in chapter order
        (out / "chapters" / f"{number:0{width}d}-part.md").write_text(chapter(rng, number, words, refs, warnings), encoding="utf-8")
    (out / "bibliography" / "references.bib").write_text(bibliography(rng, refs), encoding="utf-8")
    (out / "whitepaper.yaml").write_text(
        f"title: Synthetic paper ({size})\nversion: bench\ndate: 2026-01-01\n"
        "bibliography: bibliography/references.bib\ncsl: vancouver\n"
        "rules: {unused-reference: ignore}\n",
        encoding="utf-8",
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warnings", action="store_true", help="a table nobody refers to in each chapter")
    args = parser.parse_args()
    generate(args.out, args.size, args.seed, args.warnings)
    print(f"wrote a {args.size} paper project to {args.out}")


if __name__ == "__main__":
    main()
