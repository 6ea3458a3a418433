"""The glossary: abbreviations and terms defined once, in `glossary.yaml` (or the file
`glossary: {file: …}` names), for the chapters to use.

```yaml
abbreviations:
  GDPR: General Data Protection Regulation
  TRE: {long: trusted research environment, plural: trusted research environments}
  CERN: {long: European Organization for Nuclear Research, expand: false}
terms:
  federated analysis: Analysis in which the code travels to the data and only results come back.
```

Two sections, because an abbreviation is recognised as written (one word, case-sensitive)
while a term is marked by the author (`[federated analysis]{.term}`): whether a key is one
or the other must not be guessed from its shape. Every problem is reported where it is
written, all at once.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from .. import rules
from ..config import LoadedConfig
from ..config.yamlpos import LocatedYaml, load_located
from ..diagnostics import Diagnostics, Location
from ..project import Project

SECTIONS = ("abbreviations", "terms")
ABBREVIATION_KEYS = ("long", "plural", "description", "expand")
TERM_KEYS = ("definition", "plural")
# What YAML 1.1 reads as true, false or null: `NO: Norway` must stay the word NO.
_YAML_WORDS = {"True", "False", "None"}


@dataclass(frozen=True)
class Abbreviation:
    """An abbreviation: its short form as written in the text, and what it stands for."""

    short: str
    long: str
    plural: str | None = None  # the long form's plural, for "TREs"; default: the long form and "s"
    description: str | None = None  # a sentence or two for the list of abbreviations
    expand: bool = True  # False: known by its short form (CERN), listed and marked but never spelled out
    location: Location = field(default_factory=lambda: Location(""))

    @property
    def id(self) -> str:
        return "abbr-" + anchor(self.short)

    def long_form(self, plural: bool = False) -> str:
        return (self.plural or f"{self.long}s") if plural else self.long

    @property
    def definition(self) -> str:
        """What a reader is shown on hovering over a use."""
        return f"{self.long}: {self.description}" if self.description else self.long


@dataclass(frozen=True)
class Term:
    """A term the author marks where it is used (`[federated analysis]{.term}`)."""

    name: str
    definition: str
    plural: str | None = None
    location: Location = field(default_factory=lambda: Location(""))

    @property
    def id(self) -> str:
        return "term-" + anchor(self.name)


@dataclass
class Glossary:
    """Every definition of the paper's glossary; empty when the project has none."""

    file: str = ""  # project-relative
    abbreviations: dict[str, Abbreviation] = field(default_factory=dict)  # by short form
    terms: dict[str, Term] = field(default_factory=dict)  # by folded name

    def __bool__(self) -> bool:
        return bool(self.abbreviations or self.terms)

    def term(self, text: str) -> Term | None:
        """The term `text` names, in any case, singular or plural."""
        wanted = fold(text)
        if wanted in self.terms:
            return self.terms[wanted]
        return next((t for t in self.terms.values() if t.plural and fold(t.plural) == wanted), None)


def anchor(text: str) -> str:
    """An id made of `text`: letters and digits kept (case too: ids are case-sensitive), the rest a hyphen."""
    return re.sub(r"[^\w]+|_", "-", text).strip("-") or "x"


def fold(text: str) -> str:
    """A term or a long form as compared: case, hyphens and runs of spaces do not matter."""
    return " ".join(re.sub(r"[-‐‑–/]", " ", text).casefold().split())


def load_glossary(project: Project, loaded: LoadedConfig, diagnostics: Diagnostics) -> Glossary:
    """The project's glossary; an empty one when there is no file (unless `glossary: {file:}` names one)."""
    settings = loaded.config.glossary
    path = project.path(settings.file)
    named = "file" in settings.model_fields_set
    if not project.contains(path):
        diagnostics.add(
            rules.GLOSSARY_MISSING,
            loaded.location("glossary", "file"),
            f"glossary '{settings.file}' is outside the project folder",
        )
        return Glossary()
    if not path.is_file():
        if named:
            diagnostics.add(
                rules.GLOSSARY_MISSING,
                loaded.location("glossary", "file"),
                f"glossary file '{settings.file}' does not exist",
            )
        return Glossary()
    rel = project.rel(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        diagnostics.add(rules.GLOSSARY_SYNTAX, Location(rel, 1, 1), f"not valid UTF-8 ({exc.reason})")
        return Glossary(rel)
    located = load_located(text, rel, diagnostics, rule=rules.GLOSSARY_SYNTAX)
    if located is None or located.data is None:
        return Glossary(rel)
    return _Reader(located, text.split("\n"), diagnostics).glossary()


class _Reader:
    """Reads the located YAML into a Glossary, reporting each problem where it is written."""

    def __init__(self, located: LocatedYaml, lines: list[str], diagnostics: Diagnostics):
        self.located, self.lines, self.diagnostics = located, lines, diagnostics
        self.result = Glossary(located.path)

    def problem(self, keys: tuple[str, ...], message: str, *, of_key: bool = False) -> None:
        self.diagnostics.add(rules.GLOSSARY_INVALID, self.located.location(keys, of_key=of_key), message)

    def glossary(self) -> Glossary:
        data = self.located.data
        if not isinstance(data, dict):
            self.problem((), "glossary.yaml must be a mapping with the sections `abbreviations:` and `terms:`")
            return self.result
        for section, entries in data.items():
            if section not in SECTIONS:
                close = difflib.get_close_matches(section, SECTIONS, n=1)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else "the glossary has two sections, `abbreviations:` and `terms:`"
                )
                self.problem((section,), f"unknown section '{section}': {hint}", of_key=True)
            elif entries is None:
                continue
            elif not isinstance(entries, dict):
                self.problem((section,), f"`{section}:` must be a mapping of each {section[:-1]} to its definition")
            else:
                for key, value in entries.items():
                    read = self.abbreviation if section == "abbreviations" else self.term
                    read(self.written(section, key), key, value)
        return self.result

    def written(self, section: str, key: str) -> str:
        """The key as written: YAML reads `NO:` (Norway) as false, and `ON:` as true."""
        if key not in _YAML_WORDS:
            return key
        line, col = self.located.key_positions.get((section, key), (0, 0))
        raw = self.lines[line - 1][col - 1 :] if 0 < line <= len(self.lines) else ""
        match = re.match(r"""["']?([^"':#]+?)["']?\s*:""", raw)
        return match.group(1) if match else key

    def abbreviation(self, short: str, key: str, value: Any) -> None:
        keys = ("abbreviations", key)
        if not short.strip() or re.search(r"\s", short):
            self.problem(
                keys,
                f"'{short}' is not one word: an abbreviation is recognised as written; put phrases under `terms:`",
                of_key=True,
            )
            return
        if not re.search(r"[A-Z]", short):
            self.problem(
                keys,
                f"'{short}' has no capital letter: abbreviations are recognised as written, so lower-case words would match ordinary prose",
                of_key=True,
            )
            return
        fields = self.fields(keys, value, "long", ABBREVIATION_KEYS, f"abbreviation {short}", "its long form")
        if fields is None:
            return
        expand = fields.get("expand", True)
        if not isinstance(expand, bool):
            self.problem(keys + ("expand",), "`expand:` is true or false")
            return
        location = self.located.location(keys, of_key=True)
        self.result.abbreviations[short] = Abbreviation(
            short, fields["long"], fields.get("plural"), fields.get("description"), expand, location
        )  # fmt: skip

    def term(self, name: str, key: str, value: Any) -> None:
        keys = ("terms", key)
        fields = self.fields(keys, value, "definition", TERM_KEYS, f"term '{name}'", "its definition")
        if fields is None:
            return
        folded = fold(name)
        if folded in self.result.terms:
            first = self.result.terms[folded].location
            self.problem(
                keys,
                f"term '{name}' is defined twice (first as '{self.result.terms[folded].name}' at line {first.line})",
                of_key=True,
            )
            return
        location = self.located.location(keys, of_key=True)
        self.result.terms[folded] = Term(name, fields["definition"], fields.get("plural"), location)

    def fields(
        self, keys: tuple[str, ...], value: Any, main: str, known: tuple[str, ...], what: str, needs: str
    ) -> dict[str, Any] | None:
        """An entry's fields, from text (its `main` field alone) or a mapping; None after a problem."""
        if isinstance(value, str) and value.strip():
            value = {main: value}
        elif value is None or isinstance(value, str):
            self.problem(keys, f"{what} is empty: give {needs}", of_key=True)
            return None
        elif not isinstance(value, dict):
            self.problem(keys, f"{what} must be text ({needs}) or a mapping with `{main}:`; write text in quotes")
            return None
        problems = False
        for name in value:
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f" (it may have {', '.join(known)})"
                self.problem(keys + (name,), f"{what}: unknown key '{name}'{hint}", of_key=True)
                problems = True
        for name in known:
            if name in value and name != "expand" and (not isinstance(value[name], str) or not value[name].strip()):
                self.problem(keys + (name,), f"{what}: `{name}:` must be text, not empty")
                problems = True
        if main not in value and not problems:
            self.problem(keys, f"{what} is empty: give {needs}" + (f" as `{main}:`" if value else ""), of_key=True)
            return None
        return None if problems else {k: v.strip() if isinstance(v, str) else v for k, v in value.items()}
