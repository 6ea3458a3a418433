"""Watching a paper project: every saved change rebuilds the drafts; errors never stop the watch."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import watchfiles

from .. import rules
from ..diagnostics import DiagnosticError, EnvironmentProblem
from ..pipeline import BuildOptions, build
from ..project import IGNORED_FOLDERS, REVIEW_DIR, Project

IGNORED = IGNORED_FOLDERS | {REVIEW_DIR}  # rounds write there; saving a comment register is no edit of the paper
TEMPORARY = (".swp", ".swx", "~", ".tmp", ".part")


@dataclass
class BuildState:
    """The outcome of the latest build, shared with the server and its browsers."""

    generation: int = 0
    ok: bool = True
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    outputs: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def publish(self, ok: bool, diagnostics: list[dict[str, Any]], seconds: float, outputs: list[str]) -> None:
        with self.changed:
            self.generation += 1
            self.ok, self.diagnostics, self.seconds, self.outputs = ok, diagnostics, seconds, outputs
            self.changed.notify_all()

    def as_dict(self) -> dict[str, Any]:
        return {"generation": self.generation, "ok": self.ok, "diagnostics": self.diagnostics, "seconds": round(self.seconds, 3)}


def _relevant(project: Project) -> Callable[[watchfiles.Change, str], bool]:
    root = project.root.resolve()

    def keep(change: watchfiles.Change, path: str) -> bool:
        try:
            parts = Path(path).resolve().relative_to(root).parts
        except ValueError:
            return False
        return bool(parts) and not (IGNORED & set(parts[:-1])) and parts[0] not in IGNORED and not parts[-1].endswith(TEMPORARY)

    return keep


def rebuild(project: Project, options: BuildOptions, state: BuildState) -> BuildState:
    started = time.perf_counter()
    try:
        result = build(project, options)
    except DiagnosticError as exc:
        state.publish(False, [d.to_dict() for d in exc.diagnostics], time.perf_counter() - started, [])
    except EnvironmentProblem as exc:
        problem = {"path": "", "line": 0, "col": 0, "severity": "error", "message": str(exc), "rule": rules.ENVIRONMENT.id}
        state.publish(False, [problem], 0.0, [])
    else:
        diagnostics = [d.to_dict() for d in result.diagnostics]
        state.publish(True, diagnostics, time.perf_counter() - started, [p.name for p in result.outputs])
    return state


def watch(
    project: Project,
    options: BuildOptions,
    state: BuildState,
    on_build: Callable[[BuildState, set[str]], None],
    stop: threading.Event | None = None,
) -> None:
    """Build now, then after every batch of changes (quick successions coalesce) until `stop` is set.

    The watcher starts before the first build, so a file saved while that build
    runs is not missed.
    """
    changes_seen = watchfiles.watch(
        project.root, watch_filter=_relevant(project), debounce=300, step=50, stop_event=stop,
        raise_interrupt=False, yield_on_timeout=True, rust_timeout=200,
    )  # fmt: skip
    next(changes_seen, None)  # starts watching (returns at the first timeout)
    on_build(rebuild(project, options, state), set())
    for changes in changes_seen:
        if not changes:
            continue  # a timeout, with nothing changed
        changed = {project.rel(Path(path)) for _, path in changes}
        on_build(rebuild(project, options, state), changed)
