"""Stage 7, write: outputs land whole or not at all.

Each file is written to a temporary file beside its target and renamed over
it, so a reader (or a build killed half-way) never sees a truncated file, and
a failed build leaves the last good outputs in place.
"""

from __future__ import annotations

import fcntl
import functools
import glob
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..project import Project


def write_atomic(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Write whole or not at all; `sync=False` for files that are checked when read (caches),
    which need not wait for the disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _mode(path))  # mkstemp makes it private: keep the file's own permissions
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sweep_abandoned(path)


ABANDONED = 60.0  # seconds: a write takes milliseconds, so an older temporary file was left by a killed process


def _sweep_abandoned(path: Path) -> None:
    """Remove temporary files of `path` that a process killed mid-write left behind (SIGKILL runs no
    cleanup); young ones may belong to a writer still at work, so they stay."""
    now = time.time()
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            if now - leftover.stat().st_mtime > ABANDONED:
                leftover.unlink()
        except OSError:
            pass  # gone already, or not ours to remove


def _mode(path: Path) -> int:
    """The permissions `path` has, or a new file would have (as `open` makes it, under the umask)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


@functools.cache
def _umask() -> int:
    """The process's umask, read once: reading it means setting it, which no thread should see."""
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def write_outputs(folder: Path, outputs: dict[str, bytes]) -> list[Path]:
    written = []
    for name, data in outputs.items():
        target = folder / name
        write_atomic(target, data)
        written.append(target)
    return written


@contextmanager
def build_lock(project: Project) -> Iterator[None]:
    """An exclusive lock on the project's build folder: a second build waits for the first."""
    folder = project.build_dir
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
