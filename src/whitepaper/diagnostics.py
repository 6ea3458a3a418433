"""Diagnostics: every problem the tool finds in a user's files.

A diagnostic always points into a file the user edits (never into a temporary
merged file), names a rule of the catalogue (rules.py), and has that rule's severity.
The library collects them; the CLI decides how to show them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a user's file; line and column count from 1, 0 means unknown."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line and self.col:
            return f"{self.path}:{self.line}:{self.col}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path


@dataclass(frozen=True)
class Rule:
    """A kind of problem, declared once in the catalogue (rules.py)."""

    id: str  # what diagnostics print and `rules:` in whitepaper.yaml names
    severity: Severity  # unless `rules:` says otherwise
    stage: str  # the stage that finds it: config, sources, resolve, checks, render, pdf, review, redline
    summary: str  # one line, for `whitepaper rules`

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True)
class Diagnostic:
    location: Location
    severity: Severity
    message: str
    rule: str

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value}: {self.message} [{self.rule}]"

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Diagnostic:
        location = Location(str(data["path"]), int(data["line"]), int(data["col"]))  # type: ignore[call-overload]
        return cls(location, Severity(data["severity"]), str(data["message"]), str(data["rule"]))

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.location.path,
            "line": self.location.line,
            "col": self.location.col,
            "severity": self.severity.value,
            "message": self.message,
            "rule": self.rule,
        }


@dataclass
class Diagnostics:
    """An ordered collection of diagnostics with helpers to add them."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, rule: Rule, location: Location, message: str) -> None:
        """A problem of kind `rule` at `location`, with the rule's severity (once, however often it is found)."""
        diagnostic = Diagnostic(location, rule.severity, message, rule.id)
        if diagnostic not in self.items:
            self.items.append(diagnostic)

    def extend(self, other: Diagnostics) -> None:
        for diagnostic in other:
            if diagnostic not in self.items:
                self.items.append(diagnostic)

    def sort(self) -> None:
        """In reading order: by file, line and column (the order found is kept within a place)."""
        self.items.sort(key=lambda d: (d.location.path, d.location.line, d.location.col))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def apply_rules(self, rules: Mapping[str, str]) -> None:
        """Severity overrides from the config: a rule may become an error, a warning, or be ignored."""
        kept = []
        for item in self.items:
            override = rules.get(item.rule)
            if override == "ignore":
                continue
            if override in ("error", "warning"):
                item = Diagnostic(item.location, Severity(override), item.message, item.rule)
            kept.append(item)
        self.items = kept

    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class WhitepaperError(Exception):
    """Base of the errors the library raises on purpose."""


class DiagnosticError(WhitepaperError):
    """The user's input has errors; the diagnostics say where."""

    def __init__(self, diagnostics: Diagnostics):
        self.diagnostics = diagnostics
        super().__init__(f"{plural(len(diagnostics.errors), 'error')} in the paper project")


class EnvironmentProblem(WhitepaperError):
    """Something outside the paper project is wrong (a missing tool, a bad path)."""


class UsageProblem(WhitepaperError):
    """The options asked for do not go together."""


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
