"""Summary tables: each `summary-of` div of the paper filled with the table of every numbered
box of its kind: number, title (a link to it), chapter, and in the PDF its page (the print
stylesheet fills that in with target-counter, so it is right after layout). The table is
the template `_summary_table.html`.
"""

from __future__ import annotations

from typing import Any

from ..config.schema import Config
from ..pandoc import nodes
from ..project import Project
from ..resolve.numbering import Targets
from .environment import environment


class SummaryTables:
    def __init__(self, project: Project, targets: Targets, config: Config):
        self.targets = targets
        self.config = config
        self.template = environment(project).get_template("_summary_table.html")

    def fill(self, blocks: list[Any]) -> None:
        """Every summary div under `blocks` (of a declared kind) holds its table, in place."""
        for node in nodes.walk_blocks(blocks):
            if node["t"] == "Div" and "summary-of" in node["c"][0][1]:
                pairs = dict(node["c"][0][2])
                if pairs.get("kind", "") in self.config.blocks:
                    node["c"][1] = [nodes.raw_html(self.table(pairs["kind"], pairs.get("data-number", "")))]

    def table(self, kind: str, number: str) -> str:
        spec = self.config.blocks[kind]
        chapters = {t.id: t for t in self.targets.by_id.values() if t.kind in ("chapter", "appendix")}
        rows = []
        for target in self.targets.of_kind(kind):
            chapter = chapters.get(target.chapter_id)
            rows.append({"id": target.id, "number": target.number, "title": target.title,
                         "chapter": f"{chapter.number} {chapter.title}".strip() if chapter else ""})  # fmt: skip
        return self.template.render(kind=kind, number=number, label=spec.label, plural=spec.plural_label.lower(), rows=rows)
