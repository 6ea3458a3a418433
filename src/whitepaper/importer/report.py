"""What an import did: each file converted, each thing left out and why, and what is left to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ImportReport:
    source: Path
    target: Path
    converted: list[str] = field(default_factory=list)  # "content/02.introduction.md → chapters/02-introduction.md"
    dropped: list[str] = field(default_factory=list)  # "what: why"
    todo: list[str] = field(default_factory=list)  # what an editor should look at
    counts: dict[str, int] = field(default_factory=dict)  # chapters, references, figures

    def convert(self, source: str, target: str, how: str = "") -> None:
        self.converted.append(f"{source} → {target}" + (f" ({how})" if how else ""))

    def drop(self, what: str, why: str) -> None:
        self.dropped.append(f"{what}: {why}")

    def lines(self) -> list[str]:
        """The report as the command prints it."""
        summary = ", ".join(f"{count} {name}" for name, count in self.counts.items())
        out = [f"imported {self.source} into {self.target}: {summary}", "converted:"]
        out += [f"  {line}" for line in self.converted]
        if self.dropped:
            out += ["dropped:"] + [f"  {line}" for line in self.dropped]
        if self.todo:
            out += ["to look at:"] + [f"  {line}" for line in self.todo]
        return out
