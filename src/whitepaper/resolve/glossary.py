"""Abbreviations and terms in a chapter: each use linked to its entry, the first spelled out.

Authors write "GDPR" and nothing else: an abbreviation of the glossary is recognised as
written (a whole word, case-sensitive, its plural "TREs" too) in the chapter's prose, never
in code, math, raw HTML, links and URLs, citations, headings or their ids. A term is
marked by the author, `[federated analysis]{.term}` (or `[analyses]{.term term="federated
analysis"}` for another form), since a plain word may mean something else. Each use
becomes `<a role="doc-glossref" href="#abbr-GDPR"><abbr title="…">GDPR</abbr></a>`; the
first use in the paper carries the id that the lists' page numbers point at.

The first use of an abbreviation in each chapter (or in the paper, or never: `glossary:
{expand: …}`) is spelled out, "General Data Protection Regulation (GDPR)", unless the author
did so: "… Regulation (GDPR)" or "GDPR (General … Regulation)" written by hand, or the long
form written earlier in the chapter. A hand-written expansion whose initials spell the
abbreviation but whose words differ from the definition is noted for the checks
(abbreviation-mismatch). Uses inside compounds ("GDPR-compliant", "GDPR's") and in box
titles are linked but never spelled out: the expansion would break the word.

What the walk finds (`Found`) stays with the chapter's survey: the checks, the lists and
rebuilds read it there, never the blocks.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from typing import Any

from ..config.schema import Config
from ..diagnostics import Location
from ..pandoc import nodes
from ..sources.chapters import Chapter
from ..sources.glossary import Abbreviation, Glossary
from .sourcemap import SourceMap

NO_GLOSSARY = "no-glossary"  # a span or div the glossary leaves alone
PLACES = ("abbreviations", "glossary")  # `::: {#abbreviations}`: where a chapter puts a list
# Words that may be abbreviations the glossary lacks: a capital, then capitals or digits, 2 to 8 in
# all, with at least two capitals; a plural "s" is not part of the word.
CANDIDATE = re.compile(r"(?<![^\W_])([A-Z][A-Z0-9]{1,7})s?(?![^\W_])")
CHECKED = re.compile(r"[A-Z]{2,6}")  # what abbreviation-undefined looks at: capitals only
# All-capitals words that are not abbreviations to define: units, country codes, markers.
UNITS = "KB MB GB TB PB EB ZB YB KW MW GW TW HZ KHZ MHZ GHZ THZ DPI PPI PPM PPB RPM BPM MPH KPH AM PM BC AD BCE CE UTC GMT CET CEST"
COUNTRIES = "EU EEA UK GB US USA UAE BE BG CH CY CZ DE DK EE ES FI FR GR HR HU IE LI LT LU LV NL PL RO SI SK AU BR CN JP KR MX NZ RU ZA"
OTHERS = "TODO FIXME XXX OK ID"
IGNORED = frozenset(f"{UNITS} {COUNTRIES} {OTHERS}".split())
ROMAN = re.compile(r"(?=[IVX]{2})X{0,3}(IX|IV|V?I{0,3})")  # II, IV, XII: numbers, not abbreviations
STOPWORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "de", "der", "des", "di", "du", "for", "in", "of", "on", "or", "the", "to", "und", "van", "von", "with"}
)  # fmt: skip

_OPENING = re.compile(r"[(\[{“‘\"'«¡¿]*")
_CLOSING = re.compile(r"[)\]}”’\"'».,;:!?…]*")
_NOT_WORD = re.compile(r"[^\w]+|_")
_URLISH = re.compile(r"://|^www\.|@|\.[a-z]{2,}/")
_SENTENCE_END = re.compile(r"[.!?:;]['’\")\]]*$")
_FULL_STOP = re.compile(r"[.!?]['’\"”)\]]*$")
_INLINE_CONTAINERS = {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"}
_SKIPPED_BLOCKS = {"CodeBlock", "RawBlock", "Header", "HorizontalRule"}
_MARK = "glossary-ref"


@dataclass(frozen=True)
class Candidate:
    """An all-capitals word the glossary does not define: how often the chapter uses it, and where first."""

    count: int
    location: Location


@dataclass(frozen=True)
class Mismatch:
    location: Location
    short: str
    written: str  # the author's expansion
    defined: str  # the glossary's


@dataclass
class Found:
    """What the glossary walk found in one chapter."""

    uses: dict[str, int] = field(default_factory=dict)  # entry id -> uses, in the order of their first use
    expanded: set[str] = field(default_factory=set)  # entries spelled out in the chapter, by the tool or the author
    candidates: dict[str, Candidate] = field(default_factory=dict)  # words that may be abbreviations to define
    mismatches: list[Mismatch] = field(default_factory=list)
    unknown_terms: list[tuple[Location, str]] = field(default_factory=list)

    def shared(self) -> list[list[str]]:
        """What other chapters see of it (a rebuild's signature): which entries it uses first, or spells out."""
        return [sorted(self.uses), sorted(self.expanded)]


@dataclass(frozen=True)
class Before:
    """The glossary's state before a chapter: what earlier chapters used and spelled out."""

    used: frozenset[str] = frozenset()
    expanded: frozenset[str] = frozenset()

    @classmethod
    def of(cls, earlier: list[Found]) -> Before:
        return cls(frozenset(k for f in earlier for k in f.uses), frozenset(k for f in earlier for k in f.expanded))


def ignored(word: str, config: Config) -> bool:
    """Whether an all-capitals word needs no definition (units, country codes, Roman numerals, `ignore:`)."""
    return word in IGNORED or word in config.glossary.ignore or bool(ROMAN.fullmatch(word))


def mark(
    blocks: list[Any], chapter: Chapter, sources: SourceMap | None, glossary: Glossary, config: Config, before: Before
) -> Found:
    """Link every use of the glossary in a chapter's blocks and spell out first uses (in place)."""
    marker = _Marker(chapter, sources, glossary, config, before)
    marker.blocks(blocks)
    return marker.found


@functools.lru_cache(maxsize=8)
def _pattern(shorts: tuple[str, ...]) -> re.Pattern[str] | None:
    """The glossary's abbreviations as written: whole words (a hyphen or an apostrophe ends one), plural "s" allowed."""
    if not shorts:
        return None
    alternatives = "|".join(re.escape(s) for s in sorted(shorts, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?P<short>{alternatives})(?P<plural>s)?(?![^\W_])")


def plain(text: str) -> list[str]:
    """Words as compared: case, punctuation and hyphens do not matter."""
    return _NOT_WORD.sub(" ", text.casefold()).split()


def initials_match(short: str, words: list[str]) -> bool:
    """Whether `words` (plain) spell `short`: each word gives the next letters of it from its start
    (at least the first word and the last; small words like "of" may give none): "Digital Imaging
    and COmmunications in Medicine" spells DICOM."""
    letters = "".join(c for c in short.casefold() if c.isalnum())
    if len(words) < 2 or not letters or not words[0].startswith(letters[0]):
        return False

    @functools.cache
    def spells(done: int, word: int) -> bool:
        if word == len(words):
            return done == len(letters)
        token = words[word]
        if token in STOPWORDS and word not in (0, len(words) - 1) and spells(done, word + 1):
            return True
        length = 0
        while done + length < len(letters) and length < len(token) and token[length] == letters[done + length]:
            length += 1
            if spells(done + length, word + 1):
                return True
        return False

    return spells(0, 0)


class _Marker:
    """One walk over a chapter's blocks, in reading order (the order its first uses are met)."""

    def __init__(self, chapter: Chapter, sources: SourceMap | None, glossary: Glossary, config: Config, before: Before):
        self.chapter, self.sources, self.glossary, self.config, self.before = chapter, sources, glossary, config, before
        self.mode = config.glossary.expand
        self.pattern = _pattern(tuple(glossary.abbreviations))
        # a word of small letters alone is nothing to find unless an abbreviation is written so
        self.lower_words_plain = not any(short.islower() for short in glossary.abbreviations)
        self.found = Found()
        self.line = chapter.body_line
        self.titles = 0  # inside a box's title: uses are linked, never spelled out
        self.prose: list[str] = []  # the chapter's words so far, as written: has the author spelled a long form out?
        self.protected: dict[int, Any] = {}  # words of hand-written expansions (by id; the node kept alive)
        self.by_hand: dict[int, Any] = {}  # uses the author spelled out themselves
        self._offsets: list[int] | None = None

    # Blocks -----------------------------------------------------------------------------------

    def blocks(self, value: Any) -> None:
        if type(value) is list:
            if value and type(value[0]) is dict and value[0].get("t") in INLINE_KINDS:
                self.inlines(value)
                return
            for item in value:
                self.blocks(item)
            return
        if type(value) is not dict or "t" not in value:
            return
        kind, content = value["t"], value.get("c")  # type: str, Any
        line = self.sources.line_of(value) if self.sources is not None else None
        if line:
            self.line = line
        if kind in _SKIPPED_BLOCKS:
            return
        if kind == "Div":
            identifier, classes = content[0][0], content[0][1]
            if identifier in PLACES or NO_GLOSSARY in classes:
                return
            title = "block-title" in classes
            self.titles += title
            self.blocks(content[1])
            self.titles -= title
            return
        if kind == "LineBlock":
            for line_inlines in content:
                self.inlines(line_inlines)
            return
        self.blocks(content)

    # Inlines ----------------------------------------------------------------------------------

    def inlines(self, items: list[Any], sentence: bool = True) -> None:
        """`sentence`: the inlines start a sentence (a long form spelled out there starts with a capital)."""
        self._by_hand(items)
        index = 0
        while index < len(items):
            node = items[index]
            kind = node.get("t")
            if kind not in ("Space", "SoftBreak", "LineBreak"):
                starts, sentence = sentence, kind == "Str" and bool(_FULL_STOP.search(node["c"]))
            if kind == "Str":
                replacement = self._text(node, starts, items, index)
                if replacement is not None:
                    items[index : index + 1] = replacement
                    index += len(replacement)
                    continue
            elif kind in _INLINE_CONTAINERS:
                self.inlines(node["c"], starts)
            elif kind == "Quoted":
                self.inlines(node["c"][1], starts)
            elif kind == "Note":
                self.blocks(node["c"])
            elif kind == "Span":
                replacement = self._span(node, starts)
                if replacement is not None:
                    items[index : index + 1] = replacement
                    index += len(replacement)
                    continue
            # Code, Math, RawInline, Cite, Link, Image: not prose the glossary reads
            index += 1

    def _span(self, node: dict[str, Any], starts: bool) -> list[Any] | None:
        attr, content = node["c"]
        classes = attr[1]
        if "term" in classes:
            return self._term(node)
        if NO_GLOSSARY not in classes and "xref" not in classes:
            self.inlines(content, starts)
        return None

    def _term(self, node: dict[str, Any]) -> list[Any] | None:
        attr, content = node["c"]
        written = nodes.stringify(content)
        name = {k: v for k, v in attr[2]}.get("term") or written
        term = self.glossary.term(name)
        if term is None:
            words = plain(written)
            self.found.unknown_terms.append((self._locate(_words_pattern(words)), name))
            return None
        first = self._use(term.id)
        self.prose.append(written)
        return [*_first(term.id, first), _raw(_opening(term.id, term.definition)), node, _raw("</a>")]

    def _text(self, node: dict[str, Any], starts: bool, items: list[Any], index: int) -> list[Any] | None:
        """A word of prose (`items[index]`): noted, and split around the uses of abbreviations in it.
        A use is spelled out only where it stands alone: not inside a compound ("GDPR-compliant"), a
        name ("the AI Act"), a box's title, or after the long form's own first word ("the large LHC")."""
        text = node["c"]
        if self.lower_words_plain and text.isalpha() and text.islower():  # most words: only noted
            self.prose.append(text)
            return None
        if _URLISH.search(text):
            return None
        self._candidates(text)
        matches = list(self.pattern.finditer(text)) if self.pattern is not None else []
        self.prose.append(text)
        if not matches:
            return None
        before, name_after = _word_before(items, index), _name_after(items, index)
        alone = (
            len(matches) == 1
            and _OPENING.fullmatch(text[: matches[0].start()]) is not None
            and _CLOSING.fullmatch(text[matches[0].end() :]) is not None
            and id(node) not in self.protected
            and not self.titles
            and not (name_after and matches[0].end() == len(text))
            and not (before and plain(self.glossary.abbreviations[matches[0].group("short")].long)[:1] == [before])
        )
        pieces: list[Any] = []
        cursor = 0
        for match in matches:
            entry = self.glossary.abbreviations[match.group("short")]
            pieces += self._abbreviation(
                entry,
                bool(match.group("plural")),
                text[cursor : match.start()],
                alone,
                id(node) in self.by_hand,
                starts,
            )
            cursor = match.end()
        if cursor < len(text):
            pieces.append({"t": "Str", "c": text[cursor:]})
        return _joined(pieces)

    def _abbreviation(
        self, entry: Abbreviation, plural: bool, before: str, alone: bool, by_hand: bool, starts: bool
    ) -> list[Any]:
        """A use: linked; spelled out when it is the first (as `expand:` counts) and nothing says otherwise."""
        key = entry.id
        first = self._use(key)
        written = entry.short + ("s" if plural else "")
        marked = [
            *_first(key, first), _raw(_opening(key, entry.definition, entry.long_form(plural))), {"t": "Str", "c": written}, _raw("</abbr></a>")
        ]  # fmt: skip
        spell = alone and not by_hand and self._to_spell(entry)
        if by_hand or spell:
            self.found.expanded.add(key)
        if not spell:
            return ([{"t": "Str", "c": before}] if before else []) + marked
        words = entry.long_form(plural).split()
        if starts:
            words[0] = words[0][:1].upper() + words[0][1:]
        if before.endswith("("):  # already in brackets: "(General Data Protection Regulation, GDPR)"
            return _words(before, words[:-1] + [words[-1] + ","]) + [{"t": "Space"}, *marked]
        return _words(before, words) + [{"t": "Space"}, {"t": "Str", "c": "("}, *marked, {"t": "Str", "c": ")"}]

    def _to_spell(self, entry: Abbreviation) -> bool:
        key = entry.id
        if not entry.expand or self.mode == "never" or key in self.found.expanded:
            return False
        if self.mode == "paper" and key in self.before.expanded:
            return False
        if self._spelled_before(entry):  # "findable, accessible, … and reusable data, the FAIR principles"
            self.found.expanded.add(key)
            return False
        return True

    def _spelled_before(self, entry: Abbreviation) -> bool:
        prose = " " + " ".join(plain(" ".join(self.prose))) + " "
        return any(f" {' '.join(plain(form))} " in prose for form in (entry.long, entry.long_form(True)))

    def _use(self, key: str) -> bool:
        """Count a use of an entry; whether it is the paper's first."""
        first = key not in self.before.used and key not in self.found.uses
        self.found.uses[key] = self.found.uses.get(key, 0) + 1
        return first

    # Hand-written expansions ----------------------------------------------------------------------

    def _by_hand(self, items: list[Any]) -> None:
        """Find the expansions the author wrote in these inlines, before any is changed:
        "Long Form (LF)" and "LF (Long Form)". Their words are never spelled out again."""
        if self.pattern is None:
            return
        for index, node in enumerate(items):
            if node.get("t") != "Str":
                continue
            match = self.pattern.search(node["c"])
            if match is None:
                continue
            entry = self.glossary.abbreviations[match.group("short")]
            plural = bool(match.group("plural"))
            text = node["c"]
            if text[: match.start()] == "(" and text[match.end() :].startswith(")"):
                words = _words_before(items, index)
                self._expansion(node, entry, plural, words, whole=False)
            elif match.start() == 0 and _CLOSING.fullmatch(text[match.end() :]) and match.end() == len(text):
                words = _bracketed_after(items, index)
                if words:
                    self._expansion(node, entry, plural, words, whole=True)

    def _expansion(
        self, node: dict[str, Any], entry: Abbreviation, plural: bool, words: list[tuple[str, Any]], whole: bool
    ) -> None:
        """Whether `words` (with their nodes; those before a use, nearest last) spell `entry` out, as
        defined or otherwise; `whole`: all of them must (the words in brackets after a use)."""
        tokens = [(token, owner) for text, owner in words for token in plain(text)]
        plain_tokens = [t for t, _ in tokens]
        for form in (entry.long_form(plural), entry.long):
            wanted = plain(form)
            if (
                (plain_tokens == wanted)
                if whole
                else (plain_tokens[-len(wanted) :] == wanted and len(plain_tokens) >= len(wanted))
            ):
                self._protect(node, [owner for _, owner in (tokens if whole else tokens[-len(wanted) :])])
                return
        spans = [len(tokens)] if whole else range(2, min(len(tokens), len(entry.short) + 4) + 1)
        for size in spans:
            if initials_match(entry.short, plain_tokens[-size:]):
                owners = [owner for _, owner in tokens[-size:]]
                written = " ".join(text for text, owner in words if any(owner is o for o in owners)).strip("()[],;:")
                location = self._locate(_words_pattern(plain_tokens[-size:]))
                self.found.mismatches.append(Mismatch(location, entry.short, written, entry.long_form(plural)))
                self._protect(node, owners)
                return

    def _protect(self, use: dict[str, Any], words: list[Any]) -> None:
        self.by_hand[id(use)] = use
        for node in words:
            self.protected[id(node)] = node

    # Candidates and locations -------------------------------------------------------------------

    def _candidates(self, text: str) -> None:
        """All-capitals words the glossary does not define, for abbreviation-undefined and `glossary suggest`."""
        for match in CANDIDATE.finditer(text):
            word = match.group(1)
            if sum(c.isupper() for c in word) < 2 or word in self.glossary.abbreviations or ignored(word, self.config):
                continue
            seen = self.found.candidates.get(word)
            if seen is None:
                where = self._locate(re.compile(rf"(?<![^\W_]){re.escape(word)}(?![A-Z0-9])"))
                self.found.candidates[word] = Candidate(1, where)
            else:
                self.found.candidates[word] = Candidate(seen.count + 1, seen.location)

    def _locate(self, pattern: re.Pattern[str]) -> Location:
        """Where `pattern` is first written from the current block's line on (else anywhere in the body)."""
        text = self.chapter.text
        if self._offsets is None:
            self._offsets = [0]
            for text_line in self.chapter.lines:
                self._offsets.append(self._offsets[-1] + len(text_line) + 1)
        start = self._offsets[min(self.line, len(self._offsets)) - 1]
        body = self._offsets[self.chapter.body_line - 1]
        match = pattern.search(text, start) or pattern.search(text, body)
        if match is None:
            return Location(self.chapter.rel, self.line, 1)
        line = text.count("\n", 0, match.start()) + 1
        return Location(self.chapter.rel, line, match.start() - self._offsets[line - 1] + 1)


INLINE_KINDS = {
    "Str", "Space", "SoftBreak", "LineBreak", "Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript",
    "SmallCaps", "Quoted", "Cite", "Code", "Math", "RawInline", "Link", "Image", "Note", "Span",
}  # fmt: skip


def _word_before(items: list[Any], index: int) -> str:
    """The word before `items[index]` in the same inlines, plain ("" at their start or after other inlines)."""
    if index >= 2 and items[index - 1].get("t") in ("Space", "SoftBreak") and items[index - 2].get("t") == "Str":
        words = plain(items[index - 2]["c"])
        return words[-1] if words else ""
    return ""


def _name_after(items: list[Any], index: int) -> bool:
    """Whether a capitalised word follows `items[index]`, as in a name: "AI Act", "CERN Open Data"."""
    following = (
        items[index + 2] if index + 2 < len(items) and items[index + 1].get("t") in ("Space", "SoftBreak") else None
    )
    return following is not None and following.get("t") == "Str" and following["c"][:1].isupper()


def _words_before(items: list[Any], index: int) -> list[tuple[str, Any]]:
    """The words before `items[index]` in its sentence (at most 16), with their nodes, in order."""
    words: list[tuple[str, Any]] = []
    for node in reversed(items[:index]):
        kind = node.get("t")
        if kind in ("Space", "SoftBreak"):
            continue
        if kind != "Str" or _SENTENCE_END.search(node["c"]) or len(words) == 16:
            break
        words.append((node["c"], node))
    return list(reversed(words))


def _bracketed_after(items: list[Any], index: int) -> list[tuple[str, Any]]:
    """The words in brackets right after `items[index]`: "GDPR (General … Regulation)"."""
    if index + 2 >= len(items) or items[index + 1].get("t") != "Space" or items[index + 2].get("t") != "Str":
        return []
    words: list[tuple[str, Any]] = []
    if not items[index + 2]["c"].startswith("("):
        return []
    for node in items[index + 2 :]:
        kind = node.get("t")
        if kind in ("Space", "SoftBreak"):
            continue
        if kind != "Str" or len(words) == 16:
            return []
        words.append((node["c"], node))
        if ")" in node["c"]:
            return words
    return []


def _words_pattern(words: list[str]) -> re.Pattern[str]:
    """Plain words as the Markdown may write them: any punctuation, markup or line break between."""
    return re.compile(r"[\W_]+".join(re.escape(w) for w in words), re.IGNORECASE) if words else re.compile(r"(?!)")


def _words(before: str, words: list[str]) -> list[Any]:
    """A long form as inlines, after what stood before the use in its word ("(", "“")."""
    out: list[Any] = []
    for index, word in enumerate(words):
        if index:
            out.append({"t": "Space"})
        out.append({"t": "Str", "c": (before if index == 0 else "") + word})
    return out


def _joined(pieces: list[Any]) -> list[Any]:
    """Neighbouring words joined, as pandoc would have read them."""
    out: list[Any] = []
    for piece in pieces:
        if piece["t"] == "Str" and out and out[-1]["t"] == "Str":
            out[-1] = {"t": "Str", "c": out[-1]["c"] + piece["c"]}
        else:
            out.append(piece)
    return out


def _raw(markup: str) -> dict[str, Any]:
    return {"t": "RawInline", "c": ["html", markup]}


def _first(key: str, first: bool) -> list[Any]:
    """The anchor of the paper's first use, which the lists' page numbers point at: an empty span
    of its own, so that a redline sees no change where only the first use moved."""
    return [{"t": "Span", "c": [nodes.attr(f"use-{key}"), []]}] if first else []


def _opening(key: str, definition: str, long: str | None = None) -> str:
    """The link to an entry; for an abbreviation, its <abbr> too. The definition goes in
    `data-definition`, which the HTML draft shows on keyboard focus; `title` is what browsers
    show on hover (for an abbreviation, its expansion)."""
    title = "" if long is not None else f' title="{html.escape(definition)}"'
    opening = (
        f'<a class="{_MARK}" role="doc-glossref" href="#{key}"{title} data-definition="{html.escape(definition)}">'
    )
    return opening + (f'<abbr title="{html.escape(long)}">' if long is not None else "")
