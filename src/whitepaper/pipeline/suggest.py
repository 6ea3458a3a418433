"""`whitepaper glossary suggest`: the abbreviations a paper uses that its glossary lacks, as
entries ready to paste into glossary.yaml.

Candidates are the words the glossary walk noted in the chapters' prose (a capital, then
capitals or digits: GDPR, HL7, GA4GH; not units, country codes or `ignore:`). For each, the
chapters are searched for an expansion the author wrote, "Long Form (LF)" or "LF (Long
Form)", whose initials spell it; that long form is the suggestion, else it is left empty
for the author to fill in (glossary.yaml reports an empty one).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import rules
from ..diagnostics import DiagnosticError, Diagnostics, Location
from ..project import Project
from ..resolve.collation import sort_key
from ..resolve.glossary import initials_match, plain
from ..sources.chapters import Chapter
from .analyse import analyse

CONTEXT = 50  # characters of text shown on either side of a use
_SENTENCE_START = re.compile(r"(?:^|[.!?:]['’\")\]]*)\s*$")  # what stands before a sentence's first word
GLOSSARY_READ = {rule.id for rule in (rules.GLOSSARY_MISSING, rules.GLOSSARY_SYNTAX, rules.GLOSSARY_INVALID)}


@dataclass(frozen=True)
class Suggestion:
    word: str
    uses: int
    chapters: int
    long: str  # as the author spelled it out, or "" when they never did
    location: Location  # where they spelled it out, else its first use
    context: str  # the text around that place

    def yaml_line(self) -> str:
        """`WORD: Long Form  # counts; where: "context"`, valid YAML whatever the words."""
        where = "spelled out at" if self.long else "first used at"
        counts = f"{self.uses} use{'s' if self.uses != 1 else ''} in {self.chapters} chapter{'s' if self.chapters != 1 else ''}"
        return f"  {_scalar(self.word)}: {_scalar(self.long)}  # {counts}; {where} {self.location}: {self.context}"


def suggest(project: Project | Path | str) -> list[Suggestion]:
    """The paper's candidate abbreviations, sorted as its language sorts. Raises DiagnosticError
    when the paper cannot be read that far (a broken config)."""
    analysis = analyse(project)
    if analysis.document is None or analysis.loaded is None:
        raise DiagnosticError(analysis.diagnostics)
    # A glossary that cannot be read would have every abbreviation suggested again: its errors first.
    unread = [d for d in analysis.diagnostics.errors if d.rule in GLOSSARY_READ]
    if unread:
        raise DiagnosticError(Diagnostics(unread))
    chapters = [resolved.source for resolved in analysis.document.chapters]
    counts: dict[str, list[int]] = {}  # word -> uses, chapters
    first: dict[str, Location] = {}
    for resolved in analysis.document.chapters:
        for word, candidate in resolved.survey.glossary.candidates.items():
            total = counts.setdefault(word, [0, 0])
            total[0] += candidate.count
            total[1] += 1
            first.setdefault(word, candidate.location)
    suggestions = []
    for word, (uses, in_chapters) in counts.items():
        long, where = spelled_out(word, chapters) or ("", first[word])
        suggestions.append(Suggestion(word, uses, in_chapters, long, where, context(chapters, where)))
    order = sort_key(analysis.loaded.config.lang)
    return sorted(suggestions, key=lambda s: order(s.word))


def spelled_out(word: str, chapters: list[Chapter]) -> tuple[str, Location] | None:
    """The first expansion of `word` the chapters write, with where it starts."""
    bracketed = re.compile(rf"\({re.escape(word)}s?\)")  # "Long Form (LF)"
    leading = re.compile(rf"(?<![^\W_]){re.escape(word)}s?[ \t]+\(([^()\n]+)\)")  # "LF (Long Form)"
    for chapter in chapters:
        text = chapter.text
        for match in bracketed.finditer(text, _offset(chapter)):
            paragraph = text.rfind("\n\n", 0, match.start()) + 1
            found = _expansion(word, text[max(paragraph, match.start() - 200) : match.start()], whole=False)
            if found is not None:
                start = text.rfind(found.split()[0], 0, match.start())
                starts = _SENTENCE_START.search(text[paragraph:start]) is not None
                return _entry(found, match.group().endswith("s)"), starts), _where(chapter, start)
        for match in leading.finditer(text, _offset(chapter)):
            found = _expansion(word, match.group(1), whole=True)
            if found is not None:
                plural = text[match.start() + len(word)] == "s"
                return _entry(found, plural, False), _where(chapter, match.start(1))
    return None


def _entry(long: str, plural: bool, starts_sentence: bool) -> str:
    """A long form as the glossary wants it: singular where the text wrote the plural ("… (TREs)"),
    and in lower case where only the start of a sentence capitalised it ("Trusted research environments")."""
    words = long.split()
    if plural and words[-1].endswith("s"):
        words[-1] = words[-1][:-1]
    if starts_sentence and len(words) > 1 and words[0][1:].islower() and all(w.islower() for w in words[1:]):
        words[0] = words[0][:1].lower() + words[0][1:]
    return " ".join(words)


def _expansion(word: str, words_text: str, whole: bool) -> str | None:
    """The words (all of them, or the fewest at the end) whose initials spell `word`."""
    words = words_text.split()
    sizes = [len(words)] if whole else range(2, min(len(words), len(word) + 6) + 1)
    for size in sizes:
        chosen = words[-size:]
        if initials_match(word, [token for w in chosen for token in plain(w)]):
            return " ".join(chosen).strip(",;:")
    return None


def _where(chapter: Chapter, offset: int) -> Location:
    text = chapter.text
    return Location(chapter.rel, text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def context(chapters: list[Chapter], location: Location) -> str:
    """The line around a place, quoted: what an author needs to recognise it."""
    chapter = next(c for c in chapters if c.rel == location.path)
    line = chapter.lines[location.line - 1] if 0 < location.line <= len(chapter.lines) else ""
    start, end = max(0, location.col - 1 - CONTEXT), location.col - 1 + CONTEXT
    text = ("…" if start else "") + line[start:end].strip() + ("…" if end < len(line) else "")
    return json.dumps(" ".join(text.split()), ensure_ascii=False)


def _offset(chapter: Chapter) -> int:
    return sum(len(line) + 1 for line in chapter.lines[: chapter.body_line - 1])


def _scalar(text: str) -> str:
    """Text as a YAML scalar: plain when YAML reads it back as the same text, else quoted."""
    try:
        if text and yaml.safe_load(f"k: {text}") == {"k": text}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)
