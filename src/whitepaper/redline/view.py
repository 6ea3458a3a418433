"""What a redline shows: the whole paper (`--full`), or only what changed.

Collapsed (the default), a redline shows the chapters that changed and, in each, only
the changed blocks with CONTEXT unchanged blocks either side: hunks. Where blocks are
left out a marker says how many paragraphs; above each hunk stands the path of its
headings ("2 Challenges › 2.1 Privacy"), since the headings themselves are left out.
The first mention of a section in a path carries the section's id, so the contents
lead to the page where that section's changes begin.

Citations keep the numbers they have in the full paper: the citations of what is left
out stay in the document, in reading order, in hidden divs, so that citeproc numbers
the shown ones as it does in the paper; hidden, they are laid out nowhere. The
stylesheet (css/redline.css) then lists only the works the shown text cites.

Each run of adjacent changed blocks is one change, numbered through the redline
(`change-1`, `change-2`, ...): the summary counts them per chapter and links to the
first, and the HTML's previous/next navigation steps through them.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import Any

from ..pandoc import nodes
from ..resolve import Document
from ..resolve.numbering import Heading
from .compare import CHANGE_CLASSES, ChapterChange, Redline

CONTEXT = 1  # unchanged blocks shown before and after a change (fewer where a heading comes first)
HIDDEN = "redline-hidden"  # the class of the divs that hold left-out citations, for numbering only
SUMMARY_ID = "redline-summary"


@dataclass
class ChapterView:
    change: ChapterChange
    blocks: list[Any]  # the blocks shown; none when the chapter is left out
    changes: int  # runs of changed blocks
    first_change: str  # the id of the first run, or ""

    @property
    def shown(self) -> bool:
        return bool(self.blocks)

    @property
    def id(self) -> str:
        return (self.change.new or self.change.old).id  # type: ignore[union-attr]


def chapter_views(redline: Redline, old: Document, new: Document, full: bool) -> tuple[list[ChapterView], list[Any]]:
    """Each chapter as the redline shows it, and the hidden citations of chapters left out before
    the first one shown (they go after the summary, to keep reading order)."""
    views: list[ChapterView] = []
    lead: list[Any] = []
    tail = lead  # where the citations of a chapter left out go: after the part shown before it
    numbered = 0
    for change in redline.chapters:
        blocks, count = mark_changes(change.blocks, numbered)
        first = f"change-{numbered + 1}" if count else ""
        numbered += count
        if not (full or count or change.status in ("added", "removed")):  # unchanged, or only renamed
            tail.extend(hidden_citations(blocks))
            views.append(ChapterView(change, [], 0, ""))
            continue
        if not full:
            side = new if change.new else old
            blocks = collapse(blocks, {h.id: h for h in side.headings})
        views.append(ChapterView(change, blocks, count, first))
        tail = blocks
    return views, lead


def is_change(block: dict[str, Any]) -> bool:
    return block["t"] == "Div" and not CHANGE_CLASSES.isdisjoint(block["c"][0][1])


def mark_changes(blocks: list[Any], before: int) -> tuple[list[Any], int]:
    """The blocks, the first of each run of changed blocks marked as a change numbered after
    `before` (a copy of its div: the Word file gets the blocks unmarked), and how many runs."""
    out: list[Any] = []
    count, previous = 0, False
    for block in blocks:
        changed = is_change(block)
        if changed and not previous:
            count += 1
            _, classes, pairs = block["c"][0]
            block = {"t": "Div", "c": [[f"change-{before + count}", [*classes, "change"], pairs], block["c"][1]]}
        out.append(block)
        previous = changed
    return out, count


# Collapsing a chapter to its hunks ----------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A heading in the path above a hunk."""

    heading: Heading
    left_out: bool  # not shown itself, so the path stands for it


def collapse(blocks: list[Any], headings: dict[str, Heading]) -> list[Any]:
    """A chapter's heading, then each hunk under the path of its headings, with what stands for
    the blocks left out between them."""
    head, body = blocks[0], blocks[1:]
    out = [head]
    anchored: set[str] = set()  # sections a path already carries the id of
    start = 0
    for first, last in hunks(body):
        out += left_out(body[start:first])
        if first > 0:  # at the very top the path would only repeat the chapter heading
            out.append(_path_block(path_at(head, body[:first], headings), anchored))
        out += body[first : last + 1]
        start = last + 1
    return out + left_out(body[start:])


def hunks(body: list[Any]) -> list[tuple[int, int]]:
    """(first, last) index of each run of blocks shown: the changes and their context."""
    shown = {index for index, block in enumerate(body) if is_change(block)}
    for index in sorted(shown):
        shown |= _context(body, index)
    # One paragraph between two hunks is shown: its marker and the path above the next hunk
    # would take more room than it does.
    gaps = {i for i in range(1, len(body) - 1) if {i - 1, i + 1} <= shown and body[i]["t"] != "Header"}
    return _runs(sorted(shown | gaps))


def _context(body: list[Any], index: int) -> set[int]:
    """Up to CONTEXT blocks either side of a change, not across a heading (the path names it)."""
    near = set()
    for step in (-1, 1):
        other = index + step
        while 0 <= other < len(body) and abs(other - index) <= CONTEXT and body[other]["t"] != "Header":
            near.add(other)
            other += step
    return near


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for index in indices:
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def left_out(blocks: list[Any]) -> list[Any]:
    """What stands for blocks left out: a marker counting the paragraphs (the headings are named
    by the paths), and their citations, hidden."""
    count = sum(1 for block in blocks if block["t"] != "Header")
    if not count:
        return hidden_citations(blocks)
    text = f"⋯ {count} unchanged {'paragraph' if count == 1 else 'paragraphs'}"
    return [nodes.div("", ["redline-skip"], [nodes.para(nodes.text_inlines(text))]), *hidden_citations(blocks)]


def hidden_citations(blocks: list[Any]) -> list[Any]:
    """The citations of blocks left out, in a hidden div: citeproc still meets them in reading
    order, so the citations shown keep the numbers they have in the full paper."""
    inlines: list[Any] = []
    for cite in nodes.cites(blocks):
        inlines += [copy.deepcopy(cite), {"t": "Space"}]
    if not inlines:
        return []
    return [nodes.div("", [HIDDEN], [nodes.para(inlines)], {"hidden": "hidden", "aria-hidden": "true"})]


def path_at(head: dict[str, Any], before: list[Any], headings: dict[str, Heading]) -> list[Step]:
    """The headings in force after the blocks `before`: the chapter's, then each level's latest."""
    path = [Step(_heading(_header_in(head) or head, headings), False)]
    for block in before:
        header = _header_in(block)
        if header is not None:
            step = Step(_heading(header, headings), block["t"] == "Header")
            path = [p for p in path if p.heading.level < step.heading.level] + [step]
    return path


def _header_in(block: dict[str, Any]) -> dict[str, Any] | None:
    """The heading a block is, or that a change holds (a deleted heading is no longer one)."""
    if block["t"] == "Header":
        return block
    if is_change(block) and "deleted-block" not in block["c"][0][1] and len(block["c"][1]) == 1:
        return _header_in(block["c"][1][0])
    return None


def _heading(header: dict[str, Any], headings: dict[str, Heading]) -> Heading:
    level, (identifier, _, _), inlines = header["c"]
    return headings.get(identifier) or Heading(level, identifier, "", nodes.stringify(inlines), "")


def _path_block(path: list[Step], anchored: set[str]) -> dict[str, Any]:
    """The path as a line: the first mention of a heading left out carries its id (the contents
    and the PDF's outline lead there)."""
    inlines: list[Any] = []
    for step in path:
        if inlines:
            inlines += [{"t": "Space"}, {"t": "Str", "c": "›"}, {"t": "Space"}]
        heading = step.heading
        identifier = heading.id if step.left_out and heading.id not in anchored else ""
        if identifier:
            anchored.add(identifier)
        text = nodes.text_inlines(f"{heading.number} {heading.text}")
        inlines.append({"t": "Span", "c": [nodes.attr(identifier, ["redline-step", f"level-{heading.level}"]), text]})
    return nodes.div("", ["redline-path"], [{"t": "Plain", "c": inlines}])


# What the rest of the redline needs to know of what is shown ------------------------------------


def ids(blocks: list[Any]) -> set[str]:
    return {identifier for node in nodes.walk(blocks) if (identifier := nodes.node_id(node))}


def unlink(blocks: list[Any], left_out: set[str]) -> None:
    """Links to what the redline leaves out become their text, in place ("Section 3" that leads
    nowhere); a page reference to it is dropped."""
    for node in nodes.walk(blocks):
        if node["t"] == "Link" and _fragment(node["c"][2][0]) in left_out:
            node["t"], node["c"] = "Span", [node["c"][0], node["c"][1]]
        elif node["t"] == "Span" and "xref-page" in node["c"][0][1]:
            if _fragment(dict(node["c"][0][2]).get("data-target", "")) in left_out:
                node["c"][0] = nodes.attr()


def _fragment(url: str) -> str:
    return url[1:] if url.startswith("#") else ""


def cited(blocks: list[Any]) -> set[str]:
    """The works the shown blocks cite (not the hidden citations)."""
    shown = [block for block in blocks if not (block["t"] == "Div" and HIDDEN in block["c"][0][1])]
    return {c["citationId"] for cite in nodes.cites(shown) for c in cite["c"][0]}


def contents(views: list[ChapterView], old: Document, new: Document) -> list[Heading]:
    """The headings the contents list: the summary's, then those of the chapters shown whose ids
    the shown blocks carry (a removed chapter's own heading only)."""
    listed = [Heading(1, SUMMARY_ID, "", "Summary of changes", SUMMARY_ID)]
    for view in views:
        if not view.shown:
            continue
        present = ids(view.blocks)
        side = new if view.change.new else old
        for heading in side.headings:
            if heading.chapter != view.id or heading.id not in present:
                continue
            if view.change.new is None:
                if heading.level == 1:
                    listed.append(dataclasses.replace(heading, text=f"{heading.text} (removed)"))
            else:
                listed.append(heading)
    return listed
