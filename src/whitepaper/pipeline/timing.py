"""Progress: the stages as they start, and how long each took. The CLI shows them; the library
stays silent unless given a reporter."""

from __future__ import annotations

import time
from typing import Protocol


class Reporter(Protocol):
    """Told of each stage as it starts."""

    def stage(self, name: str, detail: str = "") -> None: ...


class Silent:
    def stage(self, name: str, detail: str = "") -> None:
        pass


class Timed:
    """Forwards stages to a reporter and remembers how long each one took."""

    def __init__(self, reporter: Reporter | None = None):
        self.reporter: Reporter = reporter or Silent()
        self.timings: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    @classmethod
    def of(cls, reporter: Reporter | None) -> Timed:
        return reporter if isinstance(reporter, Timed) else cls(reporter)

    def stage(self, name: str, detail: str = "") -> None:
        self.finish()
        self._current = (name, time.perf_counter())
        self.reporter.stage(name, detail)

    def finish(self) -> None:
        if self._current:
            name, started = self._current
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started
            self._current = None
