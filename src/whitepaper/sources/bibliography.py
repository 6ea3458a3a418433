"""The bibliography: every file read once into CSL JSON, with where each key is defined.

Pandoc parses BibTeX; we hand citeproc the combined CSL JSON, so the
bibliography is read once per build and unknown keys can be reported before
rendering.

Besides the files `bibliography:` lists, two are read when they exist: the manual file
(`cite: manual:`, entries editors wrote by hand) and then the reference store (`cite:
resolved:`, what `whitepaper cite resolve` looked up), whose entries give way to any
other entry with their id. Citation tags are gathered here too, so that `work()` can say
which entry any key cites: as written, an identifier however spelt, or a tag's work.
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
from ..diagnostics import Diagnostics, Location, Rule
from ..project import Project
from .chapters import Chapter
from .citetags import PREFIX as TAG_PREFIX
from .citetags import TagDefinition, chapter_definitions, file_definitions, tag_table
from .identifiers import InvalidIdentifier, identify
from .store import canonical_id

_BIB_ENTRY = re.compile(r"@\s*([A-Za-z]+)\s*[{(]\s*([^,\s]+)\s*,")
_PANDOC_POSITION = re.compile(r"line (\d+), column (\d+)")


@dataclass
class Bibliography:
    items: list[dict[str, Any]] = field(default_factory=list)
    locations: dict[str, Location] = field(default_factory=dict)
    complete: bool = True  # False when a file failed to load: unknown keys are then not reported
    sources: dict[str, list[str]] = field(default_factory=dict)  # file -> its lines, for locating fields
    files: list[str] = field(default_factory=list)  # every file read (project-relative), for the manifest
    store: str = ""  # the reference store's project-relative path, for messages
    tags: dict[str, TagDefinition] = field(default_factory=dict)  # citation tags by name

    @property
    def keys(self) -> KeysView[str]:
        return self.locations.keys()

    def work(self, key: str) -> str | None:
        """The id of the entry a citation key cites, or None (then `problem` says why)."""
        if key in self.locations:  # an entry with this very key wins: a .bib may well have `arxiv:1234`
            return key
        target = self.target(key)
        if target is None or target in self.locations:
            return target
        try:
            found = identify(target)
        except InvalidIdentifier:
            return None
        return found.key if found is not None and found.key in self.locations else None

    def problem(self, key: str) -> tuple[Rule, str] | None:
        """Why a tag or identifier cites nothing; None for an ordinary key, which is just unknown."""
        target = self.target(key)
        tag = key[len(TAG_PREFIX) :] if key.startswith(TAG_PREFIX) else ""
        if target is None:
            return rules.CITATION_TAG_UNKNOWN, f"tag '{tag}' is defined nowhere: add a line `[@{key}]: doi:…` to a chapter, or a row to citation-tags.tsv"
        try:
            found = identify(target)
        except InvalidIdentifier as exc:
            return rules.CITATION_IDENTIFIER_INVALID, f"'{key}' cites no work: {exc}"
        via = f" (tag '{tag}')" if tag else ""
        if found is None:
            return (rules.CITATION_UNKNOWN, f"unknown citation key '{target}'{via}: not in the bibliography") if tag else None
        return rules.CITATION_UNRESOLVED, f"'{found.key}'{via} is not in the reference store {self.store} yet: run `whitepaper cite resolve`"

    def target(self, key: str) -> str | None:
        """The key a tag stands for (None for an undefined tag); any other key itself."""
        if not key.startswith(TAG_PREFIX):
            return key
        definition = self.tags.get(key[len(TAG_PREFIX) :])
        return definition.target if definition else None

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.items, sort_keys=True).encode()).hexdigest()[:16]


def load_bibliography(
    project: Project, loaded: LoadedConfig, diagnostics: Diagnostics, cache: Cache, chapters: list[Chapter] | None = None
) -> Bibliography:
    """Every bibliography file, then the manual file and the store; and the citation tags of
    `chapters` and citation-tags.tsv."""
    bibliography = load_files(project, loaded, diagnostics, cache)
    add_tags(bibliography, project, chapters or [], diagnostics)
    return bibliography


def load_files(project: Project, loaded: LoadedConfig, diagnostics: Diagnostics, cache: Cache) -> Bibliography:
    """`load_bibliography` without the citation tags: it needs no chapter, so it can run (pandoc
    reading BibTeX) while the chapters are read and parsed."""
    cite = loaded.config.cite
    bibliography = Bibliography(store=cite.resolved)
    own = {project.path(cite.manual).resolve(), project.path(cite.resolved).resolve()}
    for index, entry in enumerate(loaded.config.bibliography):
        if project.path(entry).resolve() in own:
            continue  # read below, in its turn
        where = loaded.location("bibliography", index)
        if not project.path(entry).is_file():
            diagnostics.add(rules.BIBLIOGRAPHY_MISSING, where, f"bibliography file '{entry}' does not exist")
            continue
        _load_file(bibliography, project, entry, where, diagnostics, cache)
    for entry in (cite.manual, cite.resolved):
        if project.path(entry).is_file():
            _load_file(bibliography, project, entry, loaded.location("cite"), diagnostics, cache, by_identifier=True)
    return bibliography


def add_tags(bibliography: Bibliography, project: Project, chapters: list[Chapter], diagnostics: Diagnostics) -> None:
    """The citation tags of `chapters` and citation-tags.tsv."""
    definitions = [d for chapter in chapters for d in chapter_definitions(chapter)]
    bibliography.tags = tag_table([*definitions, *file_definitions(project, diagnostics)], diagnostics)


def _load_file(
    bibliography: Bibliography,
    project: Project,
    entry: str,
    where: Location,
    diagnostics: Diagnostics,
    cache: Cache,
    *,
    by_identifier: bool = False,
) -> None:
    """One file's entries into the bibliography; `by_identifier` for the manual file and the store,
    whose ids are identifiers, spelt as the store spells them."""
    path = project.path(entry)
    if path.suffix not in (".bib", ".json", ".yaml", ".yml") or (by_identifier and path.suffix != ".json"):
        diagnostics.add(rules.BIBLIOGRAPHY_TYPE, where, f"'{entry}': use a .bib, .json (CSL JSON) or .yaml bibliography{'; the manual file and the store are CSL JSON (.json)' if by_identifier else ''}")
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        diagnostics.add(rules.BIBLIOGRAPHY_ENCODING, Location(entry, 1, 1), "bibliography is not valid UTF-8")
        return
    bibliography.sources[entry] = text.split("\n")
    bibliography.files.append(entry)
    errors_before = len(diagnostics.errors)
    items = _read_items(path, entry, text, diagnostics, cache)
    bibliography.complete = bibliography.complete and len(diagnostics.errors) == errors_before
    if by_identifier:
        for item in items:
            item["id"] = canonical_id(item["id"])
    _add_items(bibliography, items, entry, text, diagnostics, store=by_identifier and entry == bibliography.store)


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


def _add_items(
    bibliography: Bibliography, items: list[dict[str, Any]], rel: str, text: str, diagnostics: Diagnostics, *, store: bool = False
) -> None:
    lines = {canonical_id(key): line for key, line in _key_lines(text).items()}
    for item in items:
        key = item["id"]
        line = lines.get(key, 0)
        location = Location(rel, line, 1 if line else 0)
        if store and key in bibliography.locations:
            continue  # an entry written by hand for this work wins over the one looked up
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
