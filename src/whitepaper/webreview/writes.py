"""The server's writes to the comments store, committed in groups.

A comment is acknowledged only once it is on disk (`synchronous=FULL`), and that sync is most
of what a write costs: done one request at a time, it capped the server at a few dozen
comments a second, and the reviewers waiting behind each other saw seconds of latency
(bench/web_review_load.py). So the writes that arrive while a commit is being synced wait
for the next one and go to disk together, in one transaction and one sync, each undone on
its own should it fail (WebStore.batch). The commits run in one thread of their own, on a
connection of their own, so the event loop goes on reading and answering meanwhile (SQLite's
WAL lets readers read while the writer writes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from ..review.webstore import WebStore

T = TypeVar("T")


class GroupCommit:
    """Writes to one store, each answered once the transaction that holds it is committed."""

    def __init__(self, path: Path):
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whitepaper-store")
        self.store = self.thread.submit(WebStore, path).result()  # the connection belongs to that thread
        self.waiting: list[tuple[Callable[[WebStore], Any], asyncio.Future[Any]]] = []
        self.committing = False

    async def write(self, change: Callable[[WebStore], T]) -> T:
        """Carry out `change` on the store; return once it is durable (or raise what it raised)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[T] = loop.create_future()
        self.waiting.append((change, done))
        if not self.committing:
            self.committing = True
            loop.create_task(self._commit_all())
        return await done

    async def _commit_all(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self.waiting:
                group, self.waiting = self.waiting, []
                try:
                    outcomes = await loop.run_in_executor(self.thread, self.store.batch, [change for change, _ in group])
                except Exception as exc:  # noqa: BLE001  (the commit itself failed: nothing of the group was stored)
                    outcomes = [(False, exc)] * len(group)
                for (_, done), (ok, value) in zip(group, outcomes, strict=True):
                    if done.done():  # its request was given up (the client went away)
                        continue
                    if ok:
                        done.set_result(value)
                    else:
                        done.set_exception(value)
        finally:
            self.committing = False

    def close(self) -> None:
        self.thread.submit(self.store.close).result()
        self.thread.shutdown()
