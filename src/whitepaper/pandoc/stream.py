"""Pandoc's parse handed on chapter by chapter, as pandoc writes each one.

`check` and a cold build spend as long in Python after pandoc as pandoc takes to parse, so the
caller resolves each chapter while pandoc still reads the later ones. The texts are shared among
one `pandoc lua` process per core, dealt round-robin as `in_processes` deals them
(__init__.py's `dealt`): every process then writes its next document at about the same time,
and the documents arrive in about reading order.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import threading
from typing import Any

from . import READ_MANY, RUNTIME, PandocFailed, dealt, failed, pandoc_path

try:
    import fcntl
except ImportError:  # not on Windows: pipes keep their size there
    fcntl = None  # type: ignore[assignment]


# A chapter's AST is some 160 kB of JSON. Through a pipe of the default 64 kB, pandoc waits on
# every chapter until the reading thread gets the GIL back from the thread that resolves (up to
# 5 ms a time, for each 8 kB the reader's buffer takes): the chapters then arrived slower than
# pandoc parsed them. A pipe and a buffer of 1 MB let pandoc run ahead of the reader.
PIPE_SIZE = 1 << 20


def _widen(pipe: Any) -> None:
    """Make the pipe hold PIPE_SIZE bytes, where the system allows (Linux); else leave it."""
    try:
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except (AttributeError, OSError):
        pass


class Stream:
    """Pandoc processes started at once on `texts`; `document(i)` waits for text i's AST.
    `close()` ends them: the owner calls it when it leaves early (an exception, a consumer
    that stops), so none outlives the call."""

    def __init__(self, texts: list[str], reader: str):
        self._texts = texts
        self._documents: dict[int, dict[str, Any]] = {}
        self._failure: Exception | None = None
        self._ready = threading.Condition()
        self._processes: list[subprocess.Popen[bytes]] = []
        for batch in dealt(len(texts)):
            thread = threading.Thread(target=self._run, args=(batch, reader), daemon=True)
            thread.start()

    def document(self, index: int) -> dict[str, Any]:
        """Text `index`'s AST, once pandoc has written it; pandoc's failure, if it failed first."""
        with self._ready:
            while index not in self._documents:
                if self._failure is not None:
                    raise self._failure
                self._ready.wait()
            return self._documents.pop(index)  # handed on once: the stream keeps no copy

    def close(self) -> None:
        with self._ready:
            self._failure = self._failure or PandocFailed("pandoc parse abandoned")
            processes = list(self._processes)
        for process in processes:
            if process.poll() is None:
                process.kill()

    # One thread per process ---------------------------------------------------------------

    def _run(self, batch: list[int], reader: str) -> None:
        try:
            self._read(batch, reader)
        except Exception as exc:  # handed to the caller, where run() would have raised it
            with self._ready:
                self._failure = self._failure or exc
                self._ready.notify_all()

    def _read(self, batch: list[int], reader: str) -> None:
        args = ["lua", str(READ_MANY)]
        request = json.dumps({"reader": reader, "texts": [self._texts[i] for i in batch]}).encode("utf-8")
        with tempfile.TemporaryFile() as errors:  # a file, not a pipe: nobody has to drain it meanwhile
            process = self._start([pandoc_path(), *RUNTIME, *args], errors)
            if process is None:
                return
            assert process.stdin is not None and process.stdout is not None
            with process:
                try:
                    process.stdin.write(request)  # READ_MANY reads all of it before it writes anything
                    process.stdin.close()
                except BrokenPipeError:
                    pass  # pandoc stopped early: its exit status and stderr say why, below
                count = 0
                for line in process.stdout:
                    if count < len(batch):  # more documents than texts is a failure, reported below
                        self._deliver(batch[count], json.loads(line))
                    count += 1
                returncode = process.wait()
            if returncode != 0:
                errors.seek(0)
                raise failed(args, errors.read())
            if count != len(batch):
                raise PandocFailed(f"pandoc returned {count} documents for {len(batch)} texts")

    def _deliver(self, index: int, document: dict[str, Any]) -> None:
        with self._ready:
            self._documents[index] = document
            self._ready.notify_all()

    def _start(self, command: list[str], errors: Any) -> subprocess.Popen[bytes] | None:
        """The process, unless the stream was closed first (then none is started)."""
        with self._ready:
            if self._failure is not None:
                return None
            process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, bufsize=PIPE_SIZE
            )
            _widen(process.stdout)
            self._processes.append(process)
            return process
