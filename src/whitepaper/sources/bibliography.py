"""The bibliography: every file read once into CSL JSON, with where each key is defined.

Pandoc parses BibTeX; we hand citeproc the combined CSL JSON, so the
bibliography is read once per build and unknown keys can be reported before
rendering.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import KeysView
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import pandoc, rules
from ..cache import Cache, digest
from ..config import LoadedConfig
from ..diagnostics import Diagnostics, Location
from ..project import Project

_BIB_ENTRY = re.compile(r"@\s*([A-Za-z]+)\s*[{(]\s*([^,\s]+)\s*,")
_PANDOC_POSITION = re.compile(r"line (\d+), column (\d+)")


@dataclass
class Bibliography:
    items: list[dict[str, Any]] = field(default_factory=list)
    locations: dict[str, Location] = field(default_factory=dict)
    complete: bool = True  # False when a file failed to load: unknown keys are then not reported
    sources: dict[str, list[str]] = field(default_factory=dict)  # file -> its lines, for locating fields

    @property
    def keys(self) -> KeysView[str]:
        return self.locations.keys()

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.items, sort_keys=True).encode()).hexdigest()[:16]


def load_bibliography(project: Project, loaded: LoadedConfig, diagnostics: Diagnostics, cache: Cache) -> Bibliography:
    bibliography = Bibliography()
    for index, entry in enumerate(loaded.config.bibliography):
        where = loaded.location("bibliography", index)
        path = project.path(entry)
        if not path.is_file():
            diagnostics.add(rules.BIBLIOGRAPHY_MISSING, where, f"bibliography file '{entry}' does not exist")
            continue
        if path.suffix not in (".bib", ".json", ".yaml", ".yml"):
            diagnostics.add(rules.BIBLIOGRAPHY_TYPE, where, f"'{entry}': use a .bib, .json (CSL JSON) or .yaml bibliography")
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            diagnostics.add(rules.BIBLIOGRAPHY_ENCODING, Location(entry, 1, 1), "bibliography is not valid UTF-8")
            continue
        bibliography.sources[entry] = text.split("\n")
        errors_before = len(diagnostics.errors)
        items = _read_items(path, entry, text, diagnostics, cache)
        bibliography.complete = bibliography.complete and len(diagnostics.errors) == errors_before
        _add_items(bibliography, items, entry, text, diagnostics)
    return bibliography


def _read_items(path: Path, rel: str, text: str, diagnostics: Diagnostics, cache: Cache) -> list[dict[str, Any]]:
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            diagnostics.add(rules.BIBLIOGRAPHY_SYNTAX, Location(rel, exc.lineno, exc.colno), f"invalid JSON: {exc.msg}")
            return []
        if not isinstance(data, list) or not all(isinstance(i, dict) and "id" in i for i in data):
            diagnostics.add(rules.BIBLIOGRAPHY_SYNTAX, Location(rel, 1, 1), "CSL JSON must be a list of items, each with an 'id'")
            return []
        for item in data:
            item["id"] = str(item["id"])
        return data
    key = digest(pandoc.pandoc_version(), path.suffix, text)
    cached = cache.get("bibliography", key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    try:
        items = pandoc.bibliography_to_csl(str(path))
        cache.put("bibliography", key, items)
        return items
    except pandoc.PandocFailed as exc:
        match = _PANDOC_POSITION.search(str(exc))
        line, col = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
        detail = str(exc).split("failed:", 1)[-1].strip().splitlines()
        reason = next((d for d in detail[1:] if d.strip() and not d.startswith("^")), "cannot parse")
        diagnostics.add(rules.BIBLIOGRAPHY_SYNTAX, Location(rel, line, col), f"bibliography does not parse: {reason.strip()}")
        return []


def _add_items(bibliography: Bibliography, items: list[dict[str, Any]], rel: str, text: str, diagnostics: Diagnostics) -> None:
    lines = _key_lines(text)
    for item in items:
        key = item["id"]
        line = lines.get(key, 0)
        location = Location(rel, line, 1 if line else 0)
        if key in bibliography.locations:
            first = bibliography.locations[key]
            diagnostics.add(rules.BIBLIOGRAPHY_DUPLICATE_KEY, location, f"duplicate citation key '{key}' (first defined at {first}); the first is used")
            continue
        bibliography.locations[key] = location
        bibliography.items.append(item)


def _key_lines(text: str) -> dict[str, int]:
    """Line of each entry key, for BibTeX (`@article{key,`) and JSON/YAML (`id: key`)."""
    found: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        match = _BIB_ENTRY.search(line)
        if match:
            found.setdefault(match.group(2), number)
            continue
        match = re.search(r"""["']?id["']?\s*:\s*["']?([^"',}\s]+)""", line)
        if match:
            found.setdefault(match.group(1), number)
    return found


def write_csl_json(bibliography: Bibliography, cache: Path) -> Path:
    """The combined bibliography as one CSL JSON file, content-addressed in the cache."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"bibliography-{bibliography.digest()}.json"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(bibliography.items, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    return path
