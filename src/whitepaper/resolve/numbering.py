"""Numbering: every section, figure, table, equation and custom block gets its number.

One walk over the assembled document, in reading order, registers each
target (its id, kind, number and where the author wrote it) and writes the
number into the document (section numbers, caption labels, block labels).
Cross-references are resolved afterwards against this registry.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any

from .. import rules
from ..config.schema import BlockKind, Config
from ..diagnostics import Diagnostics, Location
from ..pandoc import nodes
from ..sources.chapters import Chapter

_EQUATION_ID = re.compile(r"^\{#([^\s}]+)\}(.*)$")


@dataclass
class Target:
    """Something a cross-reference can point at."""

    id: str
    kind: str  # "chapter", "section", "figure", "table", "equation", or a block kind
    label: str  # "Figure", "Section", "Recommendation", ...
    plural: str
    number: str  # "3", "2.1", "R4", "A"; empty when unnumbered
    title: str
    chapter_id: str
    location: Location
    referenced: bool = False
    automatic: bool = False  # an id the tool made up (the author gave none)

    @property
    def text(self) -> str:
        """How a reference names it: "Figure 3", or the title when it has no number."""
        return f"{self.label} {self.number}" if self.number else self.title


@dataclass(frozen=True)
class Heading:
    """A heading as the table of contents shows it."""

    level: int
    id: str
    number: str
    text: str
    chapter: str


@dataclass
class Targets:
    by_id: dict[str, Target] = field(default_factory=dict)
    chapter_labels: dict[str, str] = field(default_factory=dict)  # chapter id -> "3", "A" or ""
    headings: list[Heading] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Target]:
        return [t for t in self.by_id.values() if t.kind == kind]

    def find(self, key: str) -> tuple[Target | None, bool]:
        """The target a reference key names, and whether the key was capitalised (`@Fig-x`).

        Both `fig-x` (Quarto) and `fig:x` (pandoc-crossref, Manubot) name a
        target written with either separator.
        """
        for candidate, capital in ((key, False), (key[:1].lower() + key[1:], True)):
            for variant in (candidate, candidate.replace(":", "-", 1), candidate.replace("-", ":", 1)):
                if variant in self.by_id:
                    return self.by_id[variant], capital and candidate != key
        return None, False


FIXED_KINDS = {
    "figure": ("Figure", "Figures"),
    "table": ("Table", "Tables"),
    "equation": ("Equation", "Equations"),
    "section": ("Section", "Sections"),
    "chapter": ("Chapter", "Chapters"),
    "appendix": ("Appendix", "Appendices"),
}


@dataclass
class Counters:
    """Where numbering stands: what the next chapter, section and numbered block will be."""

    chapter_main: int = 0
    chapter_appendix: int = 0
    sections: list[int] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)


class Numbering:
    """Numbers a document chapter by chapter; `targets` holds the result."""

    def __init__(self, config: Config, diagnostics: Diagnostics):
        self.config = config
        self.diagnostics = diagnostics
        self.targets = Targets()
        self.counters = Counters()
        self.seen_ids: dict[str, Location] = {}

    # Chapters ---------------------------------------------------------------

    def chapter(self, chapter: Chapter, chapter_id: str, title: str, blocks: list[Any]) -> None:
        label = self._chapter_label(chapter.meta.role)
        self.targets.chapter_labels[chapter_id] = label
        self.counters.sections = []
        if self.config.numbering == "chapter":
            self.counters.kinds = {}
        kind = "appendix" if chapter.meta.role == "appendix" else "chapter"
        number = label if self.config.number_sections or chapter.meta.role == "appendix" else ""
        self._register(chapter_id, kind, number, title, chapter_id, Location(chapter.rel, chapter.body_line, 1))
        heading = blocks[0]
        if number:
            _prefix_number(heading["c"][2], label)
        self.targets.headings.append(Heading(1, chapter_id, number, title, chapter_id))
        for node in nodes.walk_blocks(blocks[1:]):  # inlines hold no numbered things: skip them, they are most nodes
            self._node(node, chapter, chapter_id, label)

    def _chapter_label(self, role: str) -> str:
        if role == "main":
            self.counters.chapter_main += 1
            return str(self.counters.chapter_main)
        if role == "appendix":
            self.counters.chapter_appendix += 1
            return _letters(self.counters.chapter_appendix)
        return ""

    # Elements ---------------------------------------------------------------

    def _node(self, node: dict[str, Any], chapter: Chapter, chapter_id: str, label: str) -> None:
        kind = node["t"]
        if kind == "Header":
            self._section(node, chapter, chapter_id, label)
        elif kind == "Figure":
            self._captioned(node, "figure", node["c"][1][1], chapter, chapter_id, label)
        elif kind == "Table":
            self._captioned(node, "table", node["c"][1][1], chapter, chapter_id, label)
        elif kind == "Para":
            self._equation(node, chapter, chapter_id, label)
        elif kind == "Div":
            self._block(node, chapter, chapter_id, label)

    def _section(self, node: dict[str, Any], chapter: Chapter, chapter_id: str, chapter_label: str) -> None:
        level, attributes, inlines = node["c"]
        identifier = attributes[0]
        if identifier in self.seen_ids and not _written(identifier, chapter):
            # pandoc's automatic ids repeat across chapters ("background"): qualify by chapter
            base, count = f"{chapter_id}-{identifier}", 2
            identifier = base
            while identifier in self.seen_ids:
                identifier, count = f"{base}-{count}", count + 1
            attributes[0] = identifier
        numbered = self.config.number_sections and chapter_label and "unnumbered" not in attributes[1]
        number = ""
        if numbered and level >= 2:
            depth = level - 1
            sections = self.counters.sections
            sections[:] = sections[:depth] + [0] * max(0, depth - len(sections))
            sections[depth - 1] += 1
            number = ".".join([chapter_label, *map(str, sections[:depth])])
            _prefix_number(inlines, number)
        title = nodes.stringify(inlines[2:] if number else inlines)
        if identifier:
            self._register(identifier, "section", number, title, chapter_id, self._where(identifier, chapter))
            self.targets.headings.append(Heading(level, identifier, number, title, chapter_id))

    def _captioned(self, node: dict[str, Any], kind: str, caption: list[Any], chapter: Chapter, chapter_id: str, label: str) -> None:
        identifier = node["c"][0][0]
        number = self._next(kind, label)
        name = FIXED_KINDS[kind][0]
        title = nodes.stringify(caption)
        label_span = {"t": "Span", "c": [nodes.attr("", ["caption-label"]), nodes.text_inlines(f"{name} {number}.")]}
        if caption and caption[0]["t"] in ("Plain", "Para"):
            caption[0]["c"][:0] = [label_span, {"t": "Space"}]
        else:
            caption.insert(0, {"t": "Plain", "c": [label_span]})
        if identifier:
            self._register(identifier, kind, number, title, chapter_id, self._where(identifier, chapter))
        else:  # listed and counted; an id of ours lets the lists link to it, but authors cannot refer to it
            images = [n["c"][2][0] for n in nodes.walk(node["c"][2]) if n["t"] == "Image"]
            where = chapter.locate(images[0]) if images else self._where("", chapter)
            identifier = node["c"][0][0] = f"wp-{kind}-{number}"
            self.targets.by_id[identifier] = Target(
                identifier, kind, name, FIXED_KINDS[kind][1], number, title, chapter_id, where, automatic=True
            )

    def _equation(self, node: dict[str, Any], chapter: Chapter, chapter_id: str, label: str) -> None:
        """`$$ ... $$ {#eq-x}`: pandoc leaves the id as text after the math; make it a numbered equation."""
        inlines = node["c"]
        if not inlines or inlines[0]["t"] != "Math" or inlines[0]["c"][0]["t"] != "DisplayMath":
            return
        rest = [i for i in inlines[1:] if i["t"] not in ("Space", "SoftBreak")]
        match = _EQUATION_ID.match(rest[0]["c"]) if len(rest) == 1 and rest[0]["t"] == "Str" else None
        if not match:
            return
        identifier = match.group(1)
        number = self._next("equation", label)
        number_span = {"t": "Span", "c": [nodes.attr("", ["equation-number"]), [{"t": "Str", "c": f"({number})"}]]}
        node["t"] = "Div"
        node["c"] = [nodes.attr(identifier, ["equation"]), [nodes.para([inlines[0], number_span])]]
        tex = inlines[0]["c"][1].strip()
        self._register(identifier, "equation", number, tex, chapter_id, self._where(identifier, chapter))

    def _block(self, node: dict[str, Any], chapter: Chapter, chapter_id: str, label: str) -> None:
        attributes, content = node["c"]
        identifier, classes, pairs = attributes
        kinds = [c for c in classes if c in self.config.blocks]
        title = next((v for k, v in pairs if k == "title"), None)
        if "summary-of" in classes:
            self._summary(node, chapter, chapter_id, label)
            return
        if not kinds:
            if title is not None and classes:
                self.diagnostics.add(
                    rules.BLOCK_UNDECLARED,
                    self._where(identifier or classes[0], chapter, fallback="." + classes[0]),
                    f"block of undeclared kind '{classes[0]}': declare it under `blocks:` in whitepaper.yaml",
                )
            elif identifier:
                self._note_id(identifier, chapter)
            return
        kind = kinds[0]
        spec: BlockKind = self.config.blocks[kind]
        number = spec.prefix + self._next(kind, label)
        attributes[2] = [[k, v] for k, v in pairs if k != "title"]
        heading = [
            {"t": "Span", "c": [nodes.attr("", ["block-label"]), nodes.text_inlines(f"{spec.label} {number}")]},
        ]
        if title:
            heading += [{"t": "Space"}, {"t": "Span", "c": [nodes.attr("", ["block-title-text"]), nodes.text_inlines(title)]}]
        content.insert(0, nodes.div("", ["block-title"], [nodes.para(heading)]))
        if "block" not in classes:
            classes.append("block")
        fallback = f'title="{title}"' if title else "." + kind
        where = self._where(identifier, chapter, fallback=fallback)
        if not identifier:
            identifier = f"{kind}-{number}".lower()
            attributes[0] = identifier
            self.diagnostics.add(rules.BLOCK_NO_ID, where, f"{spec.label} {number} has no id, so it cannot be referenced")
        self._register(identifier, kind, number, title or "", chapter_id, where)

    def _summary(self, node: dict[str, Any], chapter: Chapter, chapter_id: str, label: str) -> None:
        """A summary table is a numbered table like any other; rendering fills in its rows."""
        attributes = node["c"][0]
        kind = dict(attributes[2]).get("kind", "")
        number = self._next("table", label)
        spec = self.config.blocks.get(kind)
        title = f"Summary of {spec.plural_label.lower()}" if spec else "Summary"
        attributes[2].append(["data-number", number])
        where = self._where(attributes[0], chapter, fallback="summary-of")
        if attributes[0]:
            self._register(attributes[0], "table", number, title, chapter_id, where)
        else:
            attributes[0] = f"wp-table-{number}"
            self.targets.by_id[attributes[0]] = Target(
                attributes[0], "table", "Table", "Tables", number, title, chapter_id, where, automatic=True
            )
        if attributes[0] in self.targets.by_id:
            self.targets.by_id[attributes[0]].referenced = True  # made by the tool: nothing to mention

    # Helpers ----------------------------------------------------------------

    def _next(self, kind: str, chapter_label: str) -> str:
        count = self.counters.kinds.get(kind, 0) + 1
        self.counters.kinds[kind] = count
        if self.config.numbering == "chapter" and chapter_label:
            return f"{chapter_label}.{count}"
        return str(count)

    def _register(self, identifier: str, kind: str, number: str, title: str, chapter_id: str, where: Location) -> None:
        if not self._note_id(identifier, None, where):
            return
        if kind in self.config.blocks:
            spec = self.config.blocks[kind]
            label, plural = spec.label, spec.plural_label
        else:
            label, plural = FIXED_KINDS[kind]
        self.targets.by_id[identifier] = Target(identifier, kind, label, plural, number, title, chapter_id, where)

    def _note_id(self, identifier: str, chapter: Chapter | None, where: Location | None = None) -> bool:
        """Remember an id; a second use anywhere in the paper is an error naming both places."""
        where = where or (self._where(identifier, chapter) if chapter else Location(""))
        if identifier in self.seen_ids:
            first = self.seen_ids[identifier]
            if first != where:
                duplicate_id(self.diagnostics, where, identifier, first)
            return False
        self.seen_ids[identifier] = where
        return True

    def _where(self, identifier: str, chapter: Chapter, fallback: str = "") -> Location:
        """Where the author wrote `#identifier` (the n-th time, for the n-th use in this chapter)."""
        if identifier:
            pattern = re.compile(r"#" + re.escape(identifier) + r"(?=[\s}])")
            found = chapter.locate_all(pattern)
            seen = sum(1 for loc in self.seen_ids.values() if loc.path == chapter.rel and loc in found)
            if found:
                return found[min(seen, len(found) - 1)]
        if fallback:
            return chapter.locate(fallback)
        return Location(chapter.rel, chapter.body_line, 1)


def duplicate_id(diagnostics: Diagnostics, where: Location, identifier: str, first: Location) -> None:
    """An id used a second time, anywhere in the paper (blocks or inline spans), naming both places."""
    diagnostics.add(rules.DUPLICATE_ID, where, f"duplicate id '{identifier}' (first used at {first})")


def _written(identifier: str, chapter: Chapter) -> bool:
    """Whether the author wrote this id (`{#id}`), rather than pandoc making it from the text."""
    return re.search(r"\{[^}\n]*#" + re.escape(identifier) + r"[\s}]", chapter.text) is not None


def _prefix_number(inlines: list[Any], number: str) -> None:
    inlines[:0] = [{"t": "Span", "c": [nodes.attr("", ["section-number"]), [{"t": "Str", "c": number}]]}, {"t": "Space"}]


def _letters(count: int) -> str:
    letters = ""
    while count:
        count, remainder = divmod(count - 1, 26)
        letters = string.ascii_uppercase[remainder] + letters
    return letters
