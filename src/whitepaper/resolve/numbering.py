"""Numbering: every section, figure, table, equation, listing and custom block gets its number.

One walk over the assembled document, in reading order, registers each
target (its id, kind, number and where the author wrote it) and writes the
number into the document (section numbers, caption labels, block labels).
Cross-references are resolved afterwards against this registry.

pandoc-crossref's forms are numbered as it numbers them: equations labelled inside
paragraphs (equations.py), subfigures (subfigures.py), code listings (listings.py), tables
in a `tbl:` div, `label="…"` shown instead of a number (the count still goes on), and
with `autoSectionLabels` every heading referable as `sec:` + its id (style.py). With
`number-unlabelled: false` a figure or table without an id is left unnumbered, as there.
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
from . import equations, listings, subfigures
from .sourcemap import SourceMap
from .style import Style, style_of


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
    parent: str = ""  # a subfigure's figure

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
    # Keyed by id; a chapter may also be under the `sec:` + id of its heading (autoSectionLabels).
    by_id: dict[str, Target] = field(default_factory=dict)
    chapter_labels: dict[str, str] = field(default_factory=dict)  # chapter id -> "3", "A" or ""
    headings: list[Heading] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Target]:
        return [t for key, t in self.by_id.items() if t.kind == kind and key == t.id]

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
    "listing": ("Listing", "Listings"),
    "subfigure": ("Figure", "Figures"),
}

# pandoc-crossref's commands for its lists, and the `lists-of:` entry that makes each here.
LIST_COMMANDS = {r"\listoffigures": "figures", r"\listoftables": "tables", r"\listoflistings": "listings"}


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
        self.style = Style()  # the chapter's pandoc-crossref options
        self._section_labels: list[str] = []  # `label="…"` of the headings above, by depth
        self._display_math = False  # whether the chapter has any (most have none: no paragraph need be read)
        self._sources: SourceMap | None = None  # the chapter's block lines, to place what has no id

    # Chapters ---------------------------------------------------------------

    def chapter(
        self, chapter: Chapter, chapter_id: str, title: str, blocks: list[Any], heading_id: str = "", sources: SourceMap | None = None
    ) -> None:
        """Number one chapter; `heading_id` is the id of the `#` heading that titled it, if any;
        `sources` the lines its blocks start on."""
        self.style = style_of(self.config, chapter.meta)
        self._sources = sources
        self._display_math = "$$" in chapter.body
        if "lst" in chapter.body:
            listings.gather(blocks)
        override = _take_label(blocks[0]["c"][1])
        label = self._chapter_label(chapter.meta.role)  # a chapter with a `label="…"` still counts
        label = override if override and label else label
        self.targets.chapter_labels[chapter_id] = label
        self.counters.sections, self._section_labels = [], []
        if self.config.numbering == "chapter":
            self.counters.kinds = {}
        kind = "appendix" if chapter.meta.role == "appendix" else "chapter"
        number = label if self.config.number_sections or chapter.meta.role == "appendix" else ""
        target = self._register(chapter_id, kind, number, title, chapter_id, Location(chapter.rel, chapter.body_line, 1))
        if target is not None and heading_id and self.style.auto_section_labels:
            self._alias(_section_label(heading_id), target)
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
        elif kind == "Figure" and "subfigure" not in node["c"][0][1]:  # a subfigure is lettered with its figure
            self._captioned(node, "figure", node["c"][1][1], chapter, chapter_id, label)
        elif kind == "Table":
            self._captioned(node, "table", node["c"][1][1], chapter, chapter_id, label)
        elif kind in ("Para", "Plain") and self._display_math:
            self._equations(node, chapter, chapter_id, label)
        elif kind == "Div":
            self._div(node, chapter, chapter_id, label)
        elif kind == "RawBlock":
            self._list_command(node, chapter)

    def _div(self, node: dict[str, Any], chapter: Chapter, chapter_id: str, label: str) -> None:
        if subfigures.is_subfigure_div(node):
            self._subfigures(node, chapter, chapter_id, label)
        elif listings.is_listing(node):
            self._listing(node, chapter, chapter_id, label)
        elif _is_table_div(node):
            _unwrap_table(node)
            self._captioned(node, "table", node["c"][1][1], chapter, chapter_id, label)
        else:
            self._block(node, chapter, chapter_id, label)

    def _section(self, node: dict[str, Any], chapter: Chapter, chapter_id: str, chapter_label: str) -> None:
        level, attributes, inlines = node["c"]
        if self.style.auto_section_labels and attributes[0]:
            attributes[0] = _section_label(attributes[0])
        identifier = attributes[0]
        if identifier in self.seen_ids and not _written(identifier, chapter):
            # pandoc's automatic ids repeat across chapters ("background"): qualify by chapter
            base, count = f"{chapter_id}-{identifier}", 2
            identifier = base
            while identifier in self.seen_ids:
                identifier, count = f"{base}-{count}", count + 1
            attributes[0] = identifier
        override = _take_label(attributes)
        numbered = self.config.number_sections and chapter_label and "unnumbered" not in attributes[1]
        number = ""
        if numbered and level >= 2:
            depth = level - 1
            sections, labels = self.counters.sections, self._section_labels
            sections[:] = sections[:depth] + [0] * max(0, depth - len(sections))
            sections[depth - 1] += 1
            labels[:] = labels[:depth - 1] + [""] * max(0, depth - 1 - len(labels)) + [override]
            number = ".".join([chapter_label, *(label or str(n) for n, label in zip(sections, labels))])
            _prefix_number(inlines, number)
        title = nodes.stringify(inlines[2:] if number else inlines)
        if identifier:
            self._register(identifier, "section", number, title, chapter_id, self._where(identifier, chapter))
            self.targets.headings.append(Heading(level, identifier, number, title, chapter_id))

    def _captioned(self, node: dict[str, Any], kind: str, caption: list[Any], chapter: Chapter, chapter_id: str, label: str) -> str:
        """Number a figure or table and label its caption; its number ("" when it has none)."""
        identifier = node["c"][0][0]
        if not identifier and not self.config.number_unlabelled:
            return ""  # `number-unlabelled: false`: only what has an id is numbered, as in pandoc-crossref
        number = self._number(kind, label, _override(node))
        name = FIXED_KINDS[kind][0]
        title = nodes.stringify(caption)
        _label_caption(caption, f"{name} {number}.")
        if identifier:
            self._register(identifier, kind, number, title, chapter_id, self._where(identifier, chapter, fallback=identifier))
        else:  # listed and counted; an id of ours lets the lists link to it, but authors cannot refer to it
            where = self._block_where(node, chapter)
            identifier = node["c"][0][0] = f"wp-{kind}-{number}"
            self.targets.by_id[identifier] = Target(
                identifier, kind, name, FIXED_KINDS[kind][1], number, title, chapter_id, where, automatic=True
            )
        return number

    def _subfigures(self, node: dict[str, Any], chapter: Chapter, chapter_id: str, label: str) -> None:
        """A subfigure div: one figure ("Figure 2"), its images lettered ("Figure 2b")."""
        parts = subfigures.make_figure(node)
        number = self._captioned(node, "figure", node["c"][1][1], chapter, chapter_id, label)
        for part in parts:
            part.caption[:0] = [_label_span(f"({part.letter})"), {"t": "Space"}]
            if part.identifier:
                where = self._where(part.identifier, chapter, fallback=part.identifier)
                target = self._register(part.identifier, "subfigure", number + part.letter, nodes.stringify(part.caption[2:]), chapter_id, where)
                if target is not None:
                    target.parent = node["c"][0][0]

    def _listing(self, node: dict[str, Any], chapter: Chapter, chapter_id: str, label: str) -> None:
        attributes = node["c"][0]
        number = self._number("listing", label, _take_label(attributes))
        caption = listings.caption_of(node)
        title = nodes.stringify(caption)
        caption[:0] = [_label_span(f"Listing {number}."), {"t": "Space"}]
        self._register(attributes[0], "listing", number, title, chapter_id, self._where(attributes[0], chapter, fallback=attributes[0]))

    def _equations(self, node: dict[str, Any], chapter: Chapter, chapter_id: str, label: str) -> None:
        """Labelled display equations: `$$ ... $$ {#eq:x}`, alone or inside a paragraph (see equations.py)."""
        for equation in equations.labelled(node):
            number = self._number("equation", label, equation.label)
            equation.inlines.append({"t": "Span", "c": [nodes.attr("", ["equation-number"]), [{"t": "Str", "c": f"({number})"}]]})
            self._register(equation.identifier, "equation", number, equation.tex, chapter_id, self._where(equation.identifier, chapter))

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

    def _list_command(self, node: dict[str, Any], chapter: Chapter) -> None:
        """pandoc-crossref's `\\listoffigures` (and of tables, listings) puts the list where it is
        written; here the lists follow the table of contents, as `lists-of:` says."""
        form, text = node["c"]
        kind = LIST_COMMANDS.get(text.strip()) if form in ("tex", "latex") else None
        if kind is None or kind in self.config.lists_of:
            return
        line = self._sources.line_of(node) if self._sources is not None else None
        where = Location(chapter.rel, line, 1) if line is not None else chapter.locate(text.strip())
        self.diagnostics.add(
            rules.CROSSREF_UNSUPPORTED, where,
            f"`{text.strip()}` places no list here: add `{kind}` to `lists-of:` in whitepaper.yaml (the lists follow the contents)",
        )  # fmt: skip

    # Helpers ----------------------------------------------------------------

    def _number(self, kind: str, chapter_label: str, override: str) -> str:
        """The next number of `kind`, or the `label="…"` shown instead (which still counts, as in pandoc-crossref)."""
        number = self._next(kind, chapter_label)
        if not override:
            return number
        return f"{chapter_label}.{override}" if self.config.numbering == "chapter" and chapter_label else override

    def _next(self, kind: str, chapter_label: str) -> str:
        count = self.counters.kinds.get(kind, 0) + 1
        self.counters.kinds[kind] = count
        if self.config.numbering == "chapter" and chapter_label:
            return f"{chapter_label}.{count}"
        return str(count)

    def _register(self, identifier: str, kind: str, number: str, title: str, chapter_id: str, where: Location) -> Target | None:
        if not self._note_id(identifier, None, where):
            return None
        if kind in self.config.blocks:
            spec = self.config.blocks[kind]
            label, plural = spec.label, spec.plural_label
        else:
            label, plural = FIXED_KINDS[kind]
        target = self.targets.by_id[identifier] = Target(identifier, kind, label, plural, number, title, chapter_id, where)
        return target

    def _alias(self, alias: str, target: Target) -> None:
        """Another name for a chapter: the `sec:` + id of its own heading, unless something has it."""
        if alias != target.id and alias not in self.seen_ids and alias not in self.targets.by_id:
            self.targets.by_id[alias] = target

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

    def _block_where(self, node: dict[str, Any], chapter: Chapter) -> Location:
        """Where a figure or table without an id is: its image's path (from the block's own line on,
        as the same image may be shown twice), else the line the block starts on."""
        line = self._sources.line_of(node) if self._sources is not None else None
        images = [n["c"][2][0] for n in nodes.walk(node["c"][2]) if n["t"] == "Image"]
        if images:
            return chapter.locate(images[0], start_line=line or 1)
        return Location(chapter.rel, line, 1) if line is not None else self._where("", chapter)

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


def _section_label(identifier: str) -> str:
    """A heading's id as autoSectionLabels makes it: `sec:` before it (not before `sec:x` or Quarto's `sec-x`)."""
    return identifier if identifier.startswith(("sec:", "sec-")) else f"sec:{identifier}"


def _take_label(attributes: list[Any]) -> str:
    """The `label="…"` of an element (pandoc-crossref's number override), removed from it."""
    label = next((value for key, value in attributes[2] if key == "label"), "")
    attributes[2] = [pair for pair in attributes[2] if pair[0] != "label"]
    return str(label)


def _override(node: dict[str, Any]) -> str:
    """A figure's or table's `label="…"`: on it, or (where pandoc leaves it) on a figure's image."""
    label = _take_label(node["c"][0])
    if label or node["t"] != "Figure" or "subfigures" in node["c"][0][1]:
        return label
    images = [n for n in nodes.walk(node["c"][2]) if n["t"] == "Image"]
    return _take_label(images[0]["c"][0]) if len(images) == 1 else ""


def _is_table_div(node: dict[str, Any]) -> bool:
    """pandoc-crossref's `::: {#tbl:x label="…"}` around a table without an id of its own."""
    attributes, blocks = node["c"]
    return attributes[0].startswith(("tbl:", "tbl-")) and len(blocks) == 1 and blocks[0]["t"] == "Table" and not blocks[0]["c"][0][0]


def _unwrap_table(node: dict[str, Any]) -> None:
    """The div (see _is_table_div) becomes its table, in place, with the div's id and attributes."""
    attributes, blocks = node["c"]
    table = blocks[0]["c"]
    table[0] = [attributes[0], table[0][1] + attributes[1], table[0][2] + attributes[2]]
    node["t"], node["c"] = "Table", table


def _label_span(text: str) -> dict[str, Any]:
    return {"t": "Span", "c": [nodes.attr("", ["caption-label"]), nodes.text_inlines(text)]}


def _label_caption(caption: list[Any], text: str) -> None:
    """Put "Figure 3." before a caption's text."""
    if caption and caption[0]["t"] in ("Plain", "Para"):
        caption[0]["c"][:0] = [_label_span(text), {"t": "Space"}]
    else:
        caption.insert(0, {"t": "Plain", "c": [_label_span(text)]})


def _prefix_number(inlines: list[Any], number: str) -> None:
    inlines[:0] = [{"t": "Span", "c": [nodes.attr("", ["section-number"]), [{"t": "Str", "c": number}]]}, {"t": "Space"}]


def _letters(count: int) -> str:
    letters = ""
    while count:
        count, remainder = divmod(count - 1, 26)
        letters = string.ascii_uppercase[remainder] + letters
    return letters
