"""`whitepaper cite`: identifiers looked up once, into the reference store the builds read.

Built beside review and redline, never imported by the stages: a build or a check reads
only the store (sources/store.py) and never touches the network. `resolve_references`
looks up what the paper cites and the store lacks; `add_references` looks up what an
editor names, to paste. Entries written by hand (in the manual file or any bibliography
file) are never fetched, and their store entries are dropped; the store is written only
when its text changes, so resolving twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import rules
from ..cache import Cache
from ..config import LoadedConfig, load_config
from ..diagnostics import DiagnosticError, Diagnostics, Location, UsageProblem
from ..project import Project
from ..sources.bibliography import Bibliography, load_bibliography
from ..sources.chapters import Chapter, read_chapters
from ..sources.identifiers import Identifier, InvalidIdentifier, identify
from ..sources.store import canonical_id, dumps
from ..write import write_atomic
from .cited import Cited, cited_identifiers
from .client import NotFound
from .lookup import look_up

__all__ = ["Resolution", "add_references", "resolve_references"]


@dataclass
class Resolution:
    """What a `cite` command did to the store, and what failed (located diagnostics)."""

    store: str  # project-relative
    fetched: list[str] = field(default_factory=list)  # looked up and added (or replaced, with --refresh)
    present: list[str] = field(default_factory=list)  # cited and in the store already
    manual: list[str] = field(default_factory=list)  # cited, with an entry written by hand
    removed: list[str] = field(default_factory=list)  # taken out of the store
    failed: dict[str, str] = field(default_factory=dict)  # key -> why
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # the store's entries after
    written: bool = False  # whether the store's file changed
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


def resolve_references(
    project: Project | Path | str, *, refresh: Sequence[str] = (), prune: bool = False
) -> Resolution:
    """Look up every identifier the paper cites that the store lacks (and those of `refresh`
    again), and write the store; `prune` drops the store's entries nothing cites."""
    project = Project.at(project)
    loaded, chapters, bibliography, diagnostics = _sources(project)
    cache = Cache(project.cache_dir)
    cited = cited_identifiers(chapters, loaded.config.abstract or "", bibliography, cache, diagnostics)
    again = {identifier.key for identifier in _identifiers(refresh, bibliography)}
    return _update(project, loaded, bibliography, cited, again, prune, diagnostics)


def add_references(project: Project | Path | str, ids: Sequence[str]) -> tuple[list[Identifier], Resolution]:
    """Look up the identifiers an editor names (those not in the store yet) into the store."""
    project = Project.at(project)
    loaded, _, bibliography, diagnostics = _sources(project)
    named = _identifiers(ids, bibliography)
    cited = {i.key: Cited(i, Location("<command line>"), _entry_file(bibliography, i)) for i in named}
    return named, _update(project, loaded, bibliography, cited, set(), False, diagnostics)


def _sources(project: Project) -> tuple[LoadedConfig, list[Chapter], Bibliography, Diagnostics]:
    """The config, the chapters and the bibliography with its tags; an error in the store or the
    manual file stops here: a broken store is never overwritten (other problems are `check`'s)."""
    diagnostics = Diagnostics()
    loaded = load_config(project, diagnostics)
    read = Diagnostics()
    chapters = read_chapters(project, loaded, read)
    bibliography = load_bibliography(project, loaded, read, Cache(project.cache_dir), chapters)
    own = {loaded.config.cite.resolved, loaded.config.cite.manual}
    diagnostics.extend(Diagnostics([d for d in read.errors if d.location.path in own]))
    if diagnostics.has_errors():
        raise DiagnosticError(diagnostics)
    return loaded, chapters, bibliography, diagnostics


def _identifiers(keys: Sequence[str], bibliography: Bibliography) -> list[Identifier]:
    """The identifiers named on the command line (`doi:…`, or a tag), normalised."""
    found = []
    for key in keys:
        target = bibliography.target(key.removeprefix("@"))
        try:
            identifier = identify(target) if target else None
        except InvalidIdentifier as exc:
            raise UsageProblem(f"'{key}': {exc}") from None
        if identifier is None:
            raise UsageProblem(
                f"'{key}' is not an identifier: give doi:…, pmid:…, pmcid:PMC…, arxiv:…, isbn:… or url:…"
            )
        found.append(identifier)
    return list(dict.fromkeys(found))


def _entry_file(bibliography: Bibliography, identifier: Identifier) -> str:
    work = bibliography.work(identifier.key)
    return bibliography.locations[work].path if work is not None else ""


def _update(
    project: Project,
    loaded: LoadedConfig,
    bibliography: Bibliography,
    cited: dict[str, Cited],
    again: set[str],
    prune: bool,
    diagnostics: Diagnostics,
) -> Resolution:
    store = loaded.config.cite.resolved
    result = Resolution(store, diagnostics=diagnostics)
    entries = _read_store(project.path(store))
    # Entries written by hand, by the id the store would give them (a Manubot references.json
    # has `doi:10.7554/eLife.26726`, which the paper cites as written).
    by_hand = {canonical_id(key) for key, where in bibliography.locations.items() if where.path != store}
    by_hand |= {key for key, site in cited.items() if site.entry and site.entry != store}
    wanted = []
    for key, site in cited.items():
        if key in by_hand:
            result.manual.append(key)
        elif key in entries and key not in again:
            result.present.append(key)
        else:
            wanted.append(site.identifier)
    for key in sorted(again - set(cited)):  # refreshed, though not cited (any more)
        if key in by_hand:
            result.manual.append(key)
        else:
            wanted.append(Identifier(*key.split(":", 1)))
    found, failures = look_up(wanted, loaded.config.cite)
    entries.update(found)
    result.fetched = list(found)
    for key, failure in failures.items():
        result.failed[key] = str(failure)
        rule = rules.CITE_NOT_FOUND if isinstance(failure, NotFound) else rules.CITE_FAILED
        where = cited[key].location if key in cited else Location(store)
        diagnostics.add(rule, where, f"'{key}' was not looked up: {failure}")
    for key in sorted(entries):
        if key in by_hand or (prune and key not in cited):
            result.removed.append(key)
            del entries[key]
    result.entries = entries
    result.written = _write_store(project.path(store), entries)
    return result


def _read_store(path: Path) -> dict[str, dict[str, Any]]:
    """The store's entries by id (checked when the bibliography was loaded)."""
    if not path.is_file():
        return {}
    items = json.loads(path.read_text(encoding="utf-8-sig"))
    return {canonical_id(str(item["id"])): {**item, "id": canonical_id(str(item["id"]))} for item in items}


def _write_store(path: Path, entries: dict[str, dict[str, Any]]) -> bool:
    """Write the store if its text changes (a store that was never written and stays empty is not)."""
    text = dumps(list(entries.values()))
    old = path.read_text(encoding="utf-8-sig") if path.is_file() else ("" if entries else text)
    if text == old:
        return False
    write_atomic(path, text.encode("utf-8"))
    return True
