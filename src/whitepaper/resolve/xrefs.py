"""Cross-references and citation keys: every `@key` is either a target in the paper or a work in the bibliography.

Pandoc reads `@fig-x` as a citation. Here each such key is looked up among the
numbered targets first; a match becomes a link ("Figure 3"), so citeproc never
sees it. Keys that look like cross-references but match nothing, and citation
keys missing from the bibliography, become located errors.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..pandoc import nodes
from ..project import CONFIG_NAME
from ..sources.bibliography import Bibliography
from ..sources.chapters import Chapter
from ..sources.identifiers import written_key
from .numbering import Target, Targets
from .style import Style, Styles

XREF_PREFIXES = {"sec", "fig", "tbl", "eq", "ch", "app", "lst"}
_KEY_INNER = r"[\w:.#$%&\-+?<>~/]"


@dataclass
class _Ref:
    target: Target
    number_only: bool
    capital: bool
    page: bool
    order: int = 0  # the target's place in reading order: a group reads "Figures 2 and 3" whatever order it is written in


def citation_pattern(key: str) -> re.Pattern[str]:
    """Where `@key` is written: not inside a word or an e-mail, and not a prefix of a longer key."""
    return re.compile(r"(?<![\w@])-?@\{?" + re.escape(key) + r"(?!\w|" + _KEY_INNER + r"\w)")


class References:
    """Replaces cross-references in one chapter's blocks and checks its citation keys."""

    def __init__(
        self, targets: Targets, bibliography: Bibliography, block_kinds: list[str], diagnostics: Diagnostics, styles: Styles | None = None
    ):
        self.targets = targets
        self.styles = styles  # how each chapter's references read (pandoc-crossref's options)
        self.bibliography = bibliography
        self.diagnostics = diagnostics
        self.cited: list[str] = []
        self.cited_in: dict[str, list[Chapter]] = {}  # key -> chapters that cite it, in order
        self.spellings: dict[str, list[str]] = {}  # key -> how the text cites it (`doi:10.1/X`, `tag:x`), to locate it
        self._order = {target.id: index for index, target in enumerate(targets.by_id.values())}
        self.prefixes = XREF_PREFIXES | set(block_kinds) | {_prefix(t.id) for t in targets.by_id.values() if t.kind in block_kinds}

    def run(self, blocks: list[Any], chapter: Chapter | None) -> None:
        """Resolve every citation and cross-reference under `blocks`."""
        for inlines in list(_inline_lists(blocks)):
            self.inlines(inlines, chapter)

    def inlines(self, inlines: list[Any], chapter: Chapter | None) -> None:
        """Resolve the Cite nodes directly in this list of inlines, in place."""
        for node in inlines:  # the survey hands over every list of a chapter: most hold no Cite
            if type(node) is dict and node.get("t") == "Cite":
                break
        else:
            return
        index = 0
        while index < len(inlines):
            node = inlines[index]
            if type(node) is dict and node.get("t") == "Cite":
                index = self._cite(inlines, index, chapter)
            index += 1

    def _cite(self, inlines: list[Any], index: int, chapter: Chapter | None) -> int:
        """Handle the Cite at `index`; return the index of the last inline it now occupies."""
        citations = inlines[index]["c"][0]
        refs: list[_Ref] = []
        works: list[dict[str, Any]] = []
        braced = _braced(inlines, index)
        for citation in citations:
            key = written_key(citation, self.bibliography.keys)
            target, capital = self.targets.find(key)
            if target is not None:
                target.referenced = True
                if target.parent:  # a subfigure referred to refers to its figure too
                    self.targets.by_id[target.parent].referenced = True
                mode = citation["citationMode"]["t"]
                page = nodes.stringify(citation["citationSuffix"]).strip(" ,;").lower() == "page"
                refs.append(_Ref(target, braced or mode == "SuppressAuthor", capital, page, self._order.get(target.id, 0)))
            elif (work := self.bibliography.work(key)) is not None:  # an identifier or a tag: its entry's id
                citation["citationId"] = work
                if key not in self.spellings.setdefault(work, []):
                    self.spellings[work].append(key)
                key = work
                works.append(citation)
                if key not in self.cited:
                    self.cited.append(key)
                if chapter is not None and chapter not in self.cited_in.setdefault(key, []):
                    self.cited_in[key].append(chapter)
            else:
                self._unknown(key, chapter)
        if not refs:
            return index
        if braced:  # pandoc-xnos `{@fig:x}`: drop the braces around the reference
            inlines[index - 1]["c"] = inlines[index - 1]["c"][:-1]
            inlines[index + 1]["c"] = inlines[index + 1]["c"][1:]
        replacement: list[Any] = [{"t": "Span", "c": [nodes.attr("", ["xref"]), render(refs, self._style(chapter))]}]
        if works:
            cite = inlines[index]
            cite["c"][0] = works
            replacement += [{"t": "Space"}, cite]
        inlines[index : index + 1] = replacement
        return index + len(replacement) - 1

    def _style(self, chapter: Chapter | None) -> Style:
        if self.styles is None:
            return Style()
        return self.styles.of(chapter.meta if chapter else None, chapter.rel if chapter else None)

    def _unknown(self, key: str, chapter: Chapter | None) -> None:
        if _prefix(key) in self.prefixes:
            candidates = [t.id for t in self.targets.by_id.values() if not t.automatic]
            message, rule = f"unknown cross-reference target '{key}'", rules.XREF_UNKNOWN
        elif not self.bibliography.complete:
            return  # a bibliography file did not load; that error is reported already
        elif (problem := self.bibliography.problem(key)) is not None:  # an identifier or a tag
            (rule, message), candidates = problem, []
        else:
            candidates = sorted(self.bibliography.keys)
            message, rule = f"unknown citation key '{key}': not in the bibliography", rules.CITATION_UNKNOWN
        close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.75)
        if close:
            message += f"; did you mean '{close[0]}'?"
        if chapter is None:
            self.diagnostics.add(rule, Location(CONFIG_NAME), message)
            return
        for location in chapter.locate_all(citation_pattern(key)) or [Location(chapter.rel)]:
            self.diagnostics.add(rule, location, message)


def render(refs: list[_Ref], style: Style | None = None) -> list[Any]:
    """Inlines for a group: "Figure 3", "Figures 2 and 3", "Figure 2 and Table 1", "3"; names and
    links as the chapter's style says ("fig. 3", "eqns. 1 and 2")."""
    style = style or Style()
    groups: list[list[_Ref]] = []
    for ref in refs:
        if groups and _groups_with(groups[-1][0], ref):
            groups[-1].append(ref)
        else:
            groups.append([ref])
    for group in groups:
        group.sort(key=lambda ref: ref.order)  # as pandoc-crossref sorts them; capitals still follow the first written
    inlines: list[Any] = []
    for position, group in enumerate(groups):
        if position:
            inlines += _separator(position, len(groups))
        inlines += _group(group, style)
    if refs[0].capital:
        _capitalise(inlines)
    return inlines


def _groups_with(first: _Ref, ref: _Ref) -> bool:
    """Whether `ref` joins the group `first` starts: same kind of target, both numbered, both named."""
    numbered = first.target.number and ref.target.number and not first.number_only and not ref.number_only
    return bool(numbered) and first.target.label == ref.target.label


def _group(group: list[_Ref], style: Style) -> list[Any]:
    first, target = group[0], group[0].target
    if len(group) == 1:
        if not target.number:
            return [_link(target, f"“{target.title}”", style), *_page(first)]
        name = "" if first.number_only else _name(style, target, 1)
        if name and style.name_in_link:
            return [_link(target, f"{name} {target.number}", style), *_page(first)]
        named = [*nodes.text_inlines(name), {"t": "Space"}] if name else []
        return [*named, _link(target, target.number, style), *_page(first)]
    name = _name(style, target, len(group))
    inlines: list[Any] = [*nodes.text_inlines(name), {"t": "Space"}] if name else []
    for position, ref in enumerate(group):
        if position:
            inlines += _separator(position, len(group))
        inlines += [_link(ref.target, ref.target.number, style), *_page(ref)]
    return inlines


def _name(style: Style, target: Target, count: int) -> str:
    """What references to `count` targets like this one start with: the style's prefix, else
    the target's own label ("Figure", "Figures")."""
    name = style.name(target.kind, count)
    if name is not None:
        return name
    return target.label if count == 1 else target.plural


def _capitalise(inlines: list[Any]) -> None:
    """`@Fig:x`: the reference's first word starts with a capital."""
    first = next((node for node in nodes.walk(inlines) if node["t"] == "Str"), None)
    if first is not None:
        first["c"] = first["c"][:1].upper() + first["c"][1:]


def _separator(position: int, count: int) -> list[Any]:
    if position == count - 1:
        return [{"t": "Space"}, {"t": "Str", "c": "and"}, {"t": "Space"}]
    return [{"t": "Str", "c": ","}, {"t": "Space"}]


def _link(target: Target, text: str, style: Style) -> dict[str, Any]:
    """A link to the target; plain text where the style says references are not links (linkReferences: false)."""
    if not style.link:
        return {"t": "Span", "c": [nodes.attr("", [], {"data-kind": target.kind}), nodes.text_inlines(text)]}
    return {"t": "Link", "c": [nodes.attr("", ["xref"], {"data-kind": target.kind}), nodes.text_inlines(text), ["#" + target.id, ""]]}


def _page(ref: _Ref) -> list[Any]:
    """"on page N" for print readers: the print stylesheet fills it in with target-counter."""
    if not ref.page:
        return []
    return [{"t": "Span", "c": [nodes.attr("", ["xref-page"], {"data-target": "#" + ref.target.id}), []]}]


def _braced(inlines: list[Any], index: int) -> bool:
    before = inlines[index - 1] if index else None
    after = inlines[index + 1] if index + 1 < len(inlines) else None
    return bool(
        before and after and before.get("t") == "Str" and after.get("t") == "Str"
        and before["c"].endswith("{") and after["c"].startswith("}")
    )  # fmt: skip


def _prefix(key: str) -> str:
    return re.split(r"[-:]", key, maxsplit=1)[0]


def _inline_lists(value: Any) -> Iterator[list[Any]]:
    """Every list in the tree that holds Cite nodes, so they can be replaced in place."""
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is list:
            if any(type(child) is dict and child.get("t") == "Cite" for child in item):
                yield item
            stack.extend(child for child in item if type(child) in (list, dict))
        elif type(item) is dict:
            stack.extend(child for child in item.values() if type(child) in (list, dict))
