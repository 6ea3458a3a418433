"""The comments reviewers make in the browser (`review serve`): `review/ROUND/web.sqlite`.

SQLite in WAL mode with `synchronous=FULL`: a comment is acknowledged only after its
transaction is on disk, so a server killed right after answering has lost nothing. Each
reviewer's token is kept only as its SHA-256; the tokens themselves are in the invitations
`review invite` writes, and nowhere else.

A comment is anchored as the W3C Web Annotation model does it (a TextQuoteSelector:
`exact`, `prefix`, `suffix`; a TextPositionSelector: `start`, `end` in the block's text),
inside the block whose source `file:line` the round's HTML edition names, and where its
words start in that Markdown (`at_line`, `at_col`) when they are found there.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..diagnostics import EnvironmentProblem

STORE_NAME = "web.sqlite"  # in review/ROUND/
KINDS = ("comment", "replacement", "typo", "reply")

SCHEMA = """
CREATE TABLE IF NOT EXISTS reviewers (
    name TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,  -- SHA-256 of the token, hex
    invited TEXT NOT NULL,
    submitted TEXT                    -- when they pressed "Submit review"; their comments are final then
);
CREATE TABLE IF NOT EXISTS comments (
    id TEXT PRIMARY KEY,
    reviewer TEXT NOT NULL REFERENCES reviewers(name),
    key TEXT NOT NULL,                -- the browser's id for the request: a retried POST is one comment
    digest TEXT NOT NULL,             -- what it says and where: the same comment twice is one
    kind TEXT NOT NULL,
    file TEXT, line INTEGER,          -- the block it was made on
    at_line INTEGER, at_col INTEGER,  -- where the quoted words start in the Markdown
    exact TEXT NOT NULL, prefix TEXT NOT NULL, suffix TEXT NOT NULL,
    start INTEGER, "end" INTEGER,
    body TEXT NOT NULL, replacement TEXT,
    in_reply_to TEXT REFERENCES comments(id),
    created TEXT NOT NULL, updated TEXT NOT NULL,
    UNIQUE (reviewer, key), UNIQUE (reviewer, digest)
);
"""


@dataclass
class WebComment:
    id: str
    reviewer: str
    key: str
    kind: str
    file: str | None
    line: int | None
    at_line: int | None
    at_col: int | None
    exact: str
    prefix: str
    suffix: str
    start: int | None
    end: int | None
    body: str
    replacement: str | None
    in_reply_to: str | None
    created: str
    updated: str

    def public(self, viewer: str) -> dict[str, Any]:
        """What the browser is told: everything but the request key, and whether it is the viewer's."""
        data = {k: v for k, v in asdict(self).items() if k != "key"}
        data["mine"] = self.reviewer == viewer
        return data


COLUMNS = [f.name for f in fields(WebComment)]


class Duplicate(Exception):
    """The comment is there already (the same request key, or the same words at the same place)."""

    def __init__(self, existing: str):
        super().__init__(existing)
        self.existing = existing


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits: not guessable, so a plain SHA-256 at rest is enough


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class WebStore:
    """One connection to a round's store, for one thread."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")  # the WAL is synced at every commit: acknowledged means on disk
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise EnvironmentProblem(f"{path} cannot be used as the round's comments store: {exc}") from None

    @classmethod
    def of_round(cls, folder: Path) -> WebStore:
        return cls(folder / STORE_NAME)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write, whole or not at all: a transaction of its own, or a savepoint inside the
        batch a server commits at once (`batch`)."""
        if self.db.in_transaction:
            self.db.execute("SAVEPOINT one")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK TO one")
                self.db.execute("RELEASE one")
                raise
            self.db.execute("RELEASE one")
            return
        self.db.execute("BEGIN IMMEDIATE")  # take the write lock first: no upgrade deadlock between writers
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def batch(self, writes: list[Callable[[WebStore], Any]]) -> list[tuple[bool, Any]]:
        """Carry out several writes in one transaction, so one sync to disk makes them all durable;
        each write's own failure (a duplicate, say) undoes that write only. Each write's outcome:
        (True, its result) or (False, the exception it raised)."""
        outcomes: list[tuple[bool, Any]] = []
        with self._transaction():
            for write in writes:
                try:
                    outcomes.append((True, write(self)))
                except Exception as exc:  # noqa: BLE001  (handed back to the request that asked for this write)
                    outcomes.append((False, exc))
        return outcomes

    # reviewers -----------------------------------------------------------------------------

    def invite(self, name: str, token: str) -> None:
        """Give `name` this token (a new one revokes the old); what they wrote stays theirs."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO reviewers (name, token_hash, invited) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET token_hash = excluded.token_hash, invited = excluded.invited",
                (name, hash_token(token), now()),
            )

    def invited(self) -> dict[str, str | None]:
        """Every invited reviewer, and when they submitted (None: not yet)."""
        return {row["name"]: row["submitted"] for row in self.db.execute("SELECT name, submitted FROM reviewers ORDER BY name")}

    def reviewer_of(self, token: str) -> str | None:
        """The reviewer whose token this is. Every stored hash is compared, in constant time,
        so the answer takes as long whoever asks."""
        presented = hash_token(token).encode("ascii")
        found = None
        for row in self.db.execute("SELECT name, token_hash FROM reviewers"):
            if hmac.compare_digest(presented, row["token_hash"].encode("ascii")):
                found = row["name"]
        return found

    def submitted(self, reviewer: str) -> str | None:
        row = self.db.execute("SELECT submitted FROM reviewers WHERE name = ?", (reviewer,)).fetchone()
        return row["submitted"] if row else None

    def submit(self, reviewer: str) -> str:
        with self._transaction() as db:
            db.execute("UPDATE reviewers SET submitted = coalesce(submitted, ?) WHERE name = ?", (now(), reviewer))
            row = db.execute("SELECT submitted FROM reviewers WHERE name = ?", (reviewer,)).fetchone()
        return str(row["submitted"])

    # comments ------------------------------------------------------------------------------

    def add(self, comment: WebComment) -> WebComment:
        """Store a new comment; Duplicate when its key or its words at its place are taken."""
        digest = _digest(comment)
        with self._transaction() as db:
            row = db.execute(
                "SELECT id FROM comments WHERE reviewer = ? AND (key = ? OR digest = ?)", (comment.reviewer, comment.key, digest)
            ).fetchone()
            if row:
                raise Duplicate(row["id"])
            names = ", ".join(f'"{c}"' for c in COLUMNS)
            values = [getattr(comment, c) for c in COLUMNS]
            db.execute(f"INSERT INTO comments ({names}, digest) VALUES ({', '.join('?' * (len(COLUMNS) + 1))})", [*values, digest])
        return comment

    def get(self, comment_id: str) -> WebComment | None:
        row = self.db.execute(f"SELECT {_select()} FROM comments WHERE id = ?", (comment_id,)).fetchone()
        return WebComment(**dict(row)) if row else None

    def edit(self, comment: WebComment, body: str, replacement: str | None) -> WebComment:
        comment.body, comment.replacement, comment.updated = body, replacement, now()
        with self._transaction() as db:
            db.execute(
                "UPDATE comments SET body = ?, replacement = ?, updated = ?, digest = ? WHERE id = ?",
                (body, replacement, comment.updated, _digest(comment), comment.id),
            )
        return comment

    def delete(self, comment_id: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM comments WHERE id = ?", (comment_id,))

    def visible_to(self, reviewer: str, shared: bool) -> list[WebComment]:
        """A reviewer's own comments and, when the round shares them, others' submitted ones."""
        query = f"SELECT {_select('c.')} FROM comments c JOIN reviewers r ON r.name = c.reviewer WHERE c.reviewer = ?"
        if shared:
            query += " OR r.submitted IS NOT NULL"
        rows = self.db.execute(query + " ORDER BY c.created, c.id", (reviewer,))
        return [WebComment(**dict(row)) for row in rows]

    def all(self) -> list[WebComment]:
        return [WebComment(**dict(row)) for row in self.db.execute(f"SELECT {_select()} FROM comments ORDER BY created, id")]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM comments").fetchone()[0])


def new_comment_id() -> str:
    return "w-" + secrets.token_hex(8)


def _select(prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{c}"' for c in COLUMNS)


def _digest(comment: WebComment) -> str:
    parts = [comment.kind, comment.file, comment.line, comment.exact, comment.start, comment.end, comment.body, comment.replacement, comment.in_reply_to]
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()
