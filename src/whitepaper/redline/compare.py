"""Comparing two resolved papers: chapters matched, blocks aligned, words compared.

Both sides are compared after resolving, with every cross-reference reduced to
the id it points at and every citation to its keys, so renumbering ("Figure 3"
becoming "Figure 4", [12] becoming [13]) is never a change, while pointing at
a different figure or work is. The result is the NEW side's blocks, with
deletions and insertions marked as pandoc spans of class `deletion` and
`insertion` (which pandoc's Word writer turns into tracked changes).
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..pandoc import nodes
from ..resolve import Document, ResolvedChapter

NUMBER_CLASSES = {"section-number", "caption-label", "block-label", "equation-number"}
SIMILAR = 0.45  # blocks at least this alike are compared word by word; less alike, replaced whole
MOVED_MIN = 20  # characters a block needs before an identical one elsewhere counts as moved
# The classes of the divs that mark a change around a block (each carries a bar in the margin).
CHANGE_CLASSES = frozenset({"changed-block", "inserted-block", "deleted-block", "moved-block", "replaced-block"})


@dataclass
class Marks:
    """Who made the change and when: the attributes of tracked changes."""

    author: str
    date: str

    def span(self, kind: str, inlines: list[Any]) -> dict[str, Any]:
        return {"t": "Span", "c": [nodes.attr("", [kind], {"author": self.author, "date": self.date}), inlines]}


@dataclass
class ChapterChange:
    old: ResolvedChapter | None
    new: ResolvedChapter | None
    status: str  # unchanged, changed, added, removed
    renamed_from: str | None = None
    words_added: int = 0
    words_removed: int = 0
    blocks: list[Any] = field(default_factory=list)

    @property
    def file(self) -> str:
        return (self.new or self.old).source.rel  # type: ignore[union-attr]

    @property
    def title(self) -> str:
        return (self.new or self.old).title  # type: ignore[union-attr]


@dataclass
class BlockChanges:
    added: list[tuple[str, str]] = field(default_factory=list)  # (number, title)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Redline:
    chapters: list[ChapterChange]
    metadata: list[str]
    blocks: dict[str, BlockChanges]


# Keys: what a block or an inline means, numbers left out -----------------------------------


def key(value: Any) -> str:
    """A block's or inlines' content with cross-references as ids and citations as keys."""
    out: list[str] = []
    _key(value, out)
    return "".join(out)


def _key(value: Any, out: list[str]) -> None:
    if isinstance(value, list):
        for item in value:
            _key(item, out)
        return
    if not isinstance(value, dict) or "t" not in value:
        return
    kind, content = value["t"], value.get("c")
    if kind == "Str":
        out.append(content)
    elif kind in ("Space", "SoftBreak", "LineBreak"):
        out.append(" ")
    elif kind == "Cite":
        out.append("[" + ";".join("@" + c["citationId"] for c in content[0]) + "]")
    elif kind in ("Math", "Code", "RawInline"):
        out.append(f"<{content[1]}>")
    elif kind == "Image":
        out.append(f"![{content[2][0]}]")
        _key(content[1], out)
    elif kind == "Span":
        classes = content[0][1]
        if NUMBER_CLASSES & set(classes):
            return
        if "xref" in classes:
            out.append("@" + " @".join(n["c"][2][0][1:] for n in nodes.walk(content[1]) if n["t"] == "Link"))
            return
        _key(content[1], out)
    elif kind == "Link":
        _key(content[1], out)
        out.append(f"<{content[2][0]}>")
    elif kind == "Div":
        if "block-title" in content[0][1]:
            _key(content[1], out)
            return
        out.append(f"<div {content[0][0]} {' '.join(content[0][1])}>")
        _key(content[1], out)
    elif kind == "Header":
        out.append(f"<h{content[0]}>")
        _key(content[2], out)
    else:
        out.append(f"<{kind}>")
        if isinstance(content, (list, dict)):
            _key(content, out)


def _words(value: Any) -> int:
    """Words of prose: the literal text of citations is not counted."""
    return len(key(value).replace("[@", " [@").split()) - key(value).count("[@")


# Comparing --------------------------------------------------------------------------------


class Comparer:
    def __init__(self, old: Document, new: Document, old_folder: Path, new_folder: Path, marks: Marks):
        self.old, self.new = old, new
        self.old_folder, self.new_folder = old_folder, new_folder
        self.marks = marks
        self.added = self.removed = self.changes = 0
        self.moved_keys: set[str] = set()

    def compare(self, block_kinds: list[str]) -> Redline:
        pairs = _match_chapters(self.old.chapters, self.new.chapters)
        self.moved_keys = _moved(pairs)
        changes = []
        for old, new in pairs:
            self.added = self.removed = self.changes = 0
            if old is None:
                assert new is not None
                blocks = [new.blocks[0], *self._insert_all(new.blocks[1:])]
                status = "added"
            elif new is None:
                blocks = [old.blocks[0], *self._delete_all(old.blocks[1:])]
                status = "removed"
            else:
                blocks = [self._chapter_heading(old.blocks[0], new.blocks[0]), *self._blocks(old.blocks[1:], new.blocks[1:])]
                status = "changed" if self.changes else "unchanged"
            renamed = old.source.rel if old and new and old.source.rel != new.source.rel else None
            if renamed and status == "unchanged":
                status = "renamed"
            changes.append(ChapterChange(old, new, status, renamed, self.added, self.removed, blocks))
        return Redline(changes, [], _block_changes(self.old, self.new, block_kinds))

    def _chapter_heading(self, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        """A retitled chapter's heading, word by word (its number is not part of its title)."""
        return new if key(old) == key(new) else self._pair(old, new)

    # Block lists: aligned, then each pair compared ------------------------------------------------

    def _blocks(self, old: list[Any], new: list[Any]) -> list[Any]:
        old_keys, new_keys = [key(b) for b in old], [key(b) for b in new]
        out: list[Any] = []
        matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":  # the same text; a figure may still show another picture
                for old_block, new_block in zip(old[i1:i2], new[j1:j2], strict=True):
                    out.append(_changed(self._figure(old_block, new_block)) if self._image_changed(old_block, new_block) else new_block)
            elif op == "insert":
                out += self._insert_all(new[j1:j2])
            elif op == "delete":
                out += self._delete_all(old[i1:i2])
            else:
                out += self._replace(old[i1:i2], new[j1:j2])
        return out

    def _replace(self, old: list[Any], new: list[Any]) -> list[Any]:
        """Pair blocks that are alike (in order), compare those; the rest are deleted or inserted."""
        out: list[Any] = []
        start = 0
        for new_block in new:
            best, best_ratio = None, SIMILAR
            for index in range(start, len(old)):
                if old[index]["t"] != new_block["t"]:
                    continue
                ratio = difflib.SequenceMatcher(None, key(old[index]), key(new_block), autojunk=False).ratio()
                if ratio > best_ratio:
                    best, best_ratio = index, ratio
            if best is None:
                out += self._insert_all([new_block])
                continue
            out += self._delete_all(old[start:best])
            out.append(self._pair(old[best], new_block))
            start = best + 1
        out += self._delete_all(old[start:])
        return out

    def _pair(self, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        kind = new["t"]
        if kind in ("Para", "Plain"):
            return _changed({"t": kind, "c": self._inlines(old["c"], new["c"])})
        if kind == "Header":
            content = list(new["c"])
            content[2] = self._inlines(old["c"][2], new["c"][2])
            return _changed({"t": kind, "c": content})
        if kind == "Div" and old["c"][0][1] == new["c"][0][1]:
            return _changed({"t": "Div", "c": [new["c"][0], self._blocks(old["c"][1], new["c"][1])]})
        if kind == "BlockQuote":
            return _changed({"t": kind, "c": self._blocks(old["c"], new["c"])})
        if kind in ("BulletList", "OrderedList"):
            return _changed(self._list(old, new))
        if kind == "Table":
            return _changed(self._table(old, new))
        if kind == "Figure":
            return _changed(self._figure(old, new))
        return _changed({"t": "Div", "c": [nodes.attr("", ["replaced-block"]), [*self._delete_all([old]), *self._insert_all([new])]]})

    def _list(self, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        ordered = new["t"] == "OrderedList"
        old_items = old["c"][1] if old["t"] == "OrderedList" else old["c"]
        new_items = new["c"][1] if ordered else new["c"]
        items: list[Any] = []
        matcher = difflib.SequenceMatcher(None, [key(i) for i in old_items], [key(i) for i in new_items], autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                items += new_items[j1:j2]
            elif op == "insert":
                items += [self._insert_all(item) for item in new_items[j1:j2]]
            elif op == "delete":
                items += [self._delete_all(item) for item in old_items[i1:i2]]
            else:
                pairs = list(zip(old_items[i1:i2], new_items[j1:j2]))
                items += [self._blocks(o, n) for o, n in pairs]
                items += [self._delete_all(item) for item in old_items[i1 + len(pairs) : i2]]
                items += [self._insert_all(item) for item in new_items[j1 + len(pairs) : j2]]
        return {"t": new["t"], "c": [new["c"][0], items] if ordered else items}

    def _table(self, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        """Tables of the same shape are compared cell by cell; otherwise the old one is replaced."""
        old_cells, new_cells = _cells(old), _cells(new)
        if len(old_cells) != len(new_cells):
            return {"t": "Div", "c": [nodes.attr("", ["replaced-block"]), [*self._delete_all([old]), *self._insert_all([new])]]}
        for old_cell, new_cell in zip(old_cells, new_cells, strict=True):
            if key(old_cell[4]) != key(new_cell[4]):
                new_cell[4] = self._blocks(old_cell[4], new_cell[4])
        caption = new["c"][1][1]
        if caption and old["c"][1][1] and key(old["c"][1][1]) != key(caption):
            new["c"][1][1] = self._blocks(old["c"][1][1], caption)
        return new

    def _image_changed(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        if new["t"] != "Figure" or old["t"] != "Figure":
            return False
        old_image, new_image = _image_target(old), _image_target(new)
        return bool(old_image and new_image) and _digest(self.old_folder / old_image) != _digest(self.new_folder / new_image)  # type: ignore[operator]

    def _figure(self, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        """The caption word by word; a changed image is shown beside the new one."""
        content = list(new["c"])
        if key(old["c"][1][1]) != key(new["c"][1][1]):
            content[1] = [new["c"][1][0], self._blocks(old["c"][1][1], new["c"][1][1])]
        old_image = _image_target(old)
        if self._image_changed(old, new):
            self.changes += 1
            before = nodes.div("", ["image-before"], [nodes.para([
                {"t": "Image", "c": [nodes.attr(), nodes.text_inlines("Before"), [_data_uri(self.old_folder / old_image), ""]]},
            ])])  # fmt: skip
            note = nodes.para([self.marks.span("insertion", nodes.text_inlines("Image changed: before (left) and after (right)."))])
            content[2] = [nodes.div("", ["image-changed"], [before, nodes.div("", ["image-after"], content[2])]), note]
        return {"t": "Figure", "c": content}

    # Inlines: atoms aligned, deletions and insertions wrapped -------------------------------------

    def _inlines(self, old: list[Any], new: list[Any]) -> list[Any]:
        old_keys, new_keys = [key(i) for i in old], [key(i) for i in new]
        out: list[Any] = []
        matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                out += new[j1:j2]
                continue
            if i2 > i1 and any(k.strip() for k in old_keys[i1:i2]):
                self.changes += 1
                self.removed += _words(old[i1:i2])
                out.append(self.marks.span("deletion", _plain(old[i1:i2])))
            if j2 > j1 and any(k.strip() for k in new_keys[j1:j2]):
                self.changes += 1
                self.added += _words(new[j1:j2])
                out.append(self.marks.span("insertion", new[j1:j2]))
            elif j2 > j1:
                out += new[j1:j2]
        return out

    def _insert_all(self, blocks: list[Any]) -> list[Any]:
        out = []
        for block in blocks:
            self.changes += 1
            if key(block) in self.moved_keys:
                out.append(nodes.div("", ["moved-block"], [block]))
                continue
            self.added += _words(block)
            out.append(_wrap_block(block, lambda inlines: self.marks.span("insertion", inlines), "inserted-block"))
        return out

    def _delete_all(self, blocks: list[Any]) -> list[Any]:
        out = []
        for block in blocks:
            self.changes += 1
            if key(block) in self.moved_keys:
                continue  # shown where it moved to
            self.removed += _words(block)
            out.append(_wrap_block(_plain_block(block), lambda inlines: self.marks.span("deletion", inlines), "deleted-block"))
        return out


def _wrap_block(block: dict[str, Any], wrap: Any, css_class: str) -> dict[str, Any]:
    """A whole block inserted or deleted: its text wrapped (tracked in Word), the block marked."""
    kind = block["t"]
    if kind in ("Para", "Plain"):
        return nodes.div("", [css_class], [{"t": kind, "c": [wrap(block["c"])]}])
    if kind == "Header":
        content = list(block["c"])
        content[2] = [wrap(content[2])]
        return nodes.div("", [css_class], [{"t": kind, "c": content}])
    inner = [n for n in nodes.walk(block) if n["t"] in ("Para", "Plain")]
    for para in inner:
        para["c"] = [wrap(para["c"])]
    return nodes.div("", [css_class], [block])


def _plain(inlines: list[Any]) -> list[Any]:
    """Deleted inlines as they read: citations and cross-references of the old side become text
    (they would otherwise be numbered, or point at things that are gone)."""
    out = []
    for inline in inlines:
        if inline["t"] == "Cite":
            out += inline["c"][1] or nodes.text_inlines("[" + "; ".join("@" + c["citationId"] for c in inline["c"][0]) + "]")
        elif inline["t"] == "Span" and "xref" in inline["c"][0][1]:
            out += nodes.text_inlines(nodes.stringify(inline["c"][1]))
        else:
            out.append(inline)
    return out


def _plain_block(block: dict[str, Any]) -> dict[str, Any]:
    for node in nodes.walk(block):
        if node["t"] in ("Para", "Plain"):
            node["c"] = _plain(node["c"])
    return block


def _changed(block: dict[str, Any]) -> dict[str, Any]:
    """A block with changes inside carries a bar in the margin."""
    return nodes.div("", ["changed-block"], [block])


def _cells(table: dict[str, Any]) -> list[list[Any]]:
    cells = []
    head, bodies, foot = table["c"][3], table["c"][4], table["c"][5]
    for row in head[1]:
        cells += row[1]
    for body in bodies:
        for row in body[2] + body[3]:
            cells += row[1]
    for row in foot[1]:
        cells += row[1]
    return cells


def _image_target(figure: dict[str, Any]) -> str | None:
    return next((n["c"][2][0] for n in nodes.walk(figure["c"][2]) if n["t"] == "Image"), None)


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    try:
        return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
    except OSError:
        return ""


def _match_chapters(old: list[ResolvedChapter], new: list[ResolvedChapter]) -> list[tuple[ResolvedChapter | None, ResolvedChapter | None]]:
    """Chapters matched by file, then the rest by content (a renamed or moved file is the same chapter)."""
    pairs: dict[int, ResolvedChapter | None] = {}
    by_file = {c.source.rel: c for c in old}
    used: set[int] = set()
    for index, chapter in enumerate(new):
        match = by_file.get(chapter.source.rel)
        if match is not None:
            pairs[index] = match
            used.add(id(match))
    for index, chapter in enumerate(new):
        if index in pairs:
            continue
        words = key(chapter.blocks[1:]).split()
        best, best_ratio = None, 0.6
        for candidate in old:
            if id(candidate) in used:
                continue
            ratio = difflib.SequenceMatcher(None, key(candidate.blocks[1:]).split(), words, autojunk=False).ratio()
            if ratio > best_ratio:
                best, best_ratio = candidate, ratio
        pairs[index] = best
        if best is not None:
            used.add(id(best))
    result: list[tuple[ResolvedChapter | None, ResolvedChapter | None]] = []
    removed = [c for c in old if id(c) not in used]
    for index, chapter in enumerate(new):
        result.append((pairs[index], chapter))
    # removed chapters are shown where they stood among the old chapters' order
    for chapter in removed:
        position = old.index(chapter)
        before = next((i for i, (o, _) in enumerate(result) if o is not None and old.index(o) > position), len(result))
        result.insert(before, (chapter, None))
    return result


def _moved(pairs: list[tuple[ResolvedChapter | None, ResolvedChapter | None]]) -> set[str]:
    """Blocks the alignment deletes in one place and inserts unchanged in another: moves."""
    old_keys = [key(b) for o, _ in pairs if o for b in o.blocks[1:]]
    new_keys = [key(b) for _, n in pairs if n for b in n.blocks[1:]]
    deleted, inserted = set(), set()
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("delete", "replace"):
            deleted.update(old_keys[i1:i2])
        if op in ("insert", "replace"):
            inserted.update(new_keys[j1:j2])
    unique = {k for k in deleted & inserted if old_keys.count(k) == new_keys.count(k) == 1}
    return {k for k in unique if len(k) >= MOVED_MIN}


def _block_changes(old: Document, new: Document, kinds: list[str]) -> dict[str, BlockChanges]:
    changes = {}
    for kind in kinds:
        before = {t.id: t for t in old.targets.of_kind(kind)}
        after = {t.id: t for t in new.targets.of_kind(kind)}
        result = BlockChanges()
        for identifier, target in after.items():
            if identifier not in before:
                result.added.append((target.number, target.title))
        for identifier, target in before.items():
            if identifier not in after:
                result.removed.append((target.number, target.title))
        changes[kind] = result
    return changes
