"""A content-addressed cache under `build/.cache/`: safe to delete, never trusted blindly.

Each entry is a file of two lines: a header (format, key, checksum of the
payload) and the payload, JSON (`get`, `put`) or bytes (`get_bytes`,
`put_bytes`). An entry is used only when its header names
the key asked for and the payload matches its checksum; anything else (a
truncated write, an edit by hand, another version's format) is deleted and
rebuilt. Keys are hashes of everything that affects the value, so an entry
can be stale only by being absent.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

FORMAT = "whitepaper-cache-1"


def digest(*parts: str | bytes) -> str:
    """A key from the parts that determine a value."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


class Cache:
    def __init__(self, folder: Path, enabled: bool = True):
        self.folder = folder
        self.enabled = enabled
        self.rejected: list[Path] = []  # entries found broken and removed (for tests and --verbose)
        self.hits = 0
        self.misses = 0

    def _path(self, namespace: str, key: str, suffix: str = ".json") -> Path:
        return self.folder / namespace / key[:2] / f"{key}{suffix}"

    def get(self, namespace: str, key: str) -> Any | None:
        payload = self.get_bytes(namespace, key, ".json")
        if payload is None:
            return None
        try:
            return json.loads(payload)
        except ValueError:  # a payload that matches its checksum but is not JSON: not ours
            self.hits -= 1
            self._reject(self._path(namespace, key))
            return None

    def put(self, namespace: str, key: str, value: Any) -> None:
        self.put_bytes(namespace, key, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), ".json")

    def get_bytes(self, namespace: str, key: str, suffix: str = ".bin") -> bytes | None:
        """The payload stored under `key`, if its header names that key and it matches its checksum."""
        if not self.enabled:
            return None
        path = self._path(namespace, key, suffix)
        try:
            raw = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        header_line, _, payload = raw.partition(b"\n")
        try:
            header = json.loads(header_line)
            valid = (
                header.get("format") == FORMAT
                and header.get("key") == key
                and header.get("sha256") == hashlib.sha256(payload).hexdigest()
            )
        except (ValueError, AttributeError):
            valid = False
        if not valid:
            self._reject(path)
            return None
        self.hits += 1
        return payload

    def put_bytes(self, namespace: str, key: str, payload: bytes, suffix: str = ".bin") -> None:
        if not self.enabled:
            return
        header = json.dumps({"format": FORMAT, "key": key, "sha256": hashlib.sha256(payload).hexdigest()})
        path = self._path(namespace, key, suffix)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(header.encode("utf-8") + b"\n" + payload)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def _reject(self, path: Path) -> None:
        self.rejected.append(path)
        path.unlink(missing_ok=True)
        self.misses += 1
