#!/usr/bin/env python3
"""Reviewers commenting in the browser at once: `whitepaper review serve` under load.

    python bench/web_review_load.py [--reviewers 50] [--comments 20]

Starts a round of a small paper (in a temporary folder) with that many reviewers, invites
them (`review invite`), serves it on loopback and has every reviewer post their comments
concurrently (httpx), each also re-sending one of them as a browser would after a lost
answer. Prints the latency of the posts (median, p95, max), how many were acknowledged,
rejected as duplicates, refused or lost (acknowledged but not in the store afterwards).
Target: 0 lost, every re-sent comment rejected (a post re-sent after no answer may be
rejected too: it was stored before its answer was lost).

`simulate()` is also what tests/test_web_review.py runs, with fewer reviewers.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

PARAGRAPHS = 12
WORDS = ["data", "sharing", "across", "hospitals", "needs", "agreed", "rules,", "common", "formats", "and", "trust", "between", "people"]


@dataclass
class Reviewer:
    name: str
    token: str
    file: str
    lines: list[int]


@dataclass
class LoadResult:
    acknowledged: dict[str, str] = field(default_factory=dict)  # request key -> comment id
    duplicates: int = 0  # re-sent comments the server recognised
    refused: list[int] = field(default_factory=list)  # any other status
    errors: int = 0  # no answer at all (a killed server, say)
    latencies: list[float] = field(default_factory=list)

    def p(self, percent: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))] if ordered else 0.0


def paper(root: Path, reviewers: int) -> Path:
    """A two-chapter paper with `reviewers` reviewers, half on each chapter; not in git, so the
    round keeps a copy of its sources."""
    (root / "chapters").mkdir(parents=True)
    rng = random.Random(7)
    for number in (1, 2):
        body = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + "." for _ in range(PARAGRAPHS))
        (root / "chapters" / f"0{number}-part.md").write_text(f"---\ntitle: Part {number}\n---\n\n{body}\n", encoding="utf-8")
    people = [{"name": f"Reviewer {n:03d}", "chapters": [f"chapters/0{1 + n % 2}-part.md"]} for n in range(reviewers)]
    config = {"title": "Load Paper", "version": "1.0", "date": "2026-01-15", "authors": [{"name": "Ada Example"}], "reviewers": people}
    (root / "whitepaper.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return root


def round_with_reviewers(root: Path, reviewers: int) -> list[Reviewer]:
    """Start round r1 of `paper()` with two reviewers (two packets are quick to make), then give
    it `reviewers` reviewers and invite them."""
    project = paper(root, 2)
    _cli("review", "start", "r1", "-C", project, "-q")
    return crowd(project, reviewers, sorted(p.relative_to(project).as_posix() for p in (project / "chapters").glob("*.md")))


def crowd(project: Path, reviewers: int, chapters: list[str]) -> list[Reviewer]:
    """Give round r1 `reviewers` reviewers instead of its own, and invite them."""
    name_reviewers(project, reviewers, chapters)
    _cli("review", "invite", "r1", "-C", project)
    return invited(project)


def name_reviewers(project: Path, reviewers: int, chapters: list[str]) -> None:
    """Name `reviewers` reviewers in round r1's round.yaml, as `review start` would have (each on
    one of `chapters`, in turn)."""
    record = project / "review" / "r1" / "round.yaml"
    data = yaml.safe_load(record.read_text(encoding="utf-8"))
    data["reviewers"] = [{"name": f"Reviewer {n:03d}", "chapters": [chapters[n % len(chapters)]], "packet": None} for n in range(reviewers)]
    record.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def invited(project: Path) -> list[Reviewer]:
    """The reviewers and their tokens, read back from their invitations."""
    data = yaml.safe_load((project / "review" / "r1" / "round.yaml").read_text(encoding="utf-8"))
    found = []
    for path in sorted((project / "review" / "r1" / "invitations").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        name = re.search(r"^Dear (.+),$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]
        token = re.search(r"#token=([A-Za-z0-9_-]+)", text).group(1)  # type: ignore[union-attr]
        file = next(r["chapters"][0] for r in data["reviewers"] if r["name"] == name)
        source = (project / "review" / "r1" / "source" / file).read_text(encoding="utf-8").split("\n")
        lines = [n for n, line in enumerate(source, 1) if line and line[0].isupper()]  # the paragraphs' lines
        found.append(Reviewer(name, token, file, lines))
    return found


def _cli(*args: str | Path) -> None:
    subprocess.run([sys.executable, "-m", "whitepaper", *map(str, args)], check=True, capture_output=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(project: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "whitepaper", "review", "serve", "r1", "-C", str(project), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    wait_until_up(port, process)
    return process


def wait_until_up(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/r1/", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError("the server did not start")


def payload(reviewer: Reviewer, number: int, key: str) -> dict[str, object]:
    return {
        "key": key, "kind": "comment", "file": reviewer.file, "line": reviewer.lines[number % len(reviewer.lines)],
        "exact": "data", "prefix": "", "suffix": "", "start": None, "end": None,
        "body": f"{reviewer.name}: comment {number}",
    }  # fmt: skip


async def _post(client: httpx.AsyncClient, reviewer: Reviewer, number: int, key: str, result: LoadResult, retries: int) -> None:
    headers = {"x-review-token": reviewer.token, "origin": str(client.base_url).rstrip("/")}
    for attempt in range(retries + 1):
        started = time.perf_counter()
        try:
            response = await client.post("/r1/api/comments", json=payload(reviewer, number, key), headers=headers)
        except httpx.HTTPError:
            result.errors += 1
            await asyncio.sleep(min(0.2 * (attempt + 1), 1.0))  # the server may be restarting: send the same comment again
            continue
        result.latencies.append(time.perf_counter() - started)
        if response.status_code == 201:
            result.acknowledged[key] = response.json()["id"]
        elif response.status_code == 409:  # there already: acknowledged by an answer that was lost, or re-sent on purpose
            result.duplicates += 1
            result.acknowledged.setdefault(key, response.json()["id"])
        else:
            result.refused.append(response.status_code)
        return


async def _reviewer(client: httpx.AsyncClient, reviewer: Reviewer, comments: int, result: LoadResult, retries: int, resend: bool) -> None:
    keys = [f"{reviewer.name.replace(' ', '-')}-{n:04d}-{random.getrandbits(32):08x}" for n in range(comments)]
    for number, key in enumerate(keys):
        await _post(client, reviewer, number, key, result, retries)
    if resend:  # a browser that never saw the answer sends the same request again
        await _post(client, reviewer, 0, keys[0], result, retries)


async def _simulate(port: int, reviewers: list[Reviewer], comments: int, retries: int, resend: bool) -> LoadResult:
    result = LoadResult()
    limits = httpx.Limits(max_connections=len(reviewers), max_keepalive_connections=len(reviewers))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30, limits=limits) as client:
        await asyncio.gather(*(_reviewer(client, r, comments, result, retries, resend) for r in reviewers))
    return result


def simulate(port: int, reviewers: list[Reviewer], comments: int, *, retries: int = 0, resend: bool = True) -> LoadResult:
    """Every reviewer posts `comments` comments at once with the others (and re-sends one). In a
    thread of its own, so it runs beside another event loop (Playwright's, in the tests)."""
    outcome: list[LoadResult] = []
    thread = threading.Thread(target=lambda: outcome.append(asyncio.run(_simulate(port, reviewers, comments, retries, resend))))
    thread.start()
    thread.join()
    if not outcome:
        raise RuntimeError("the simulated reviewers failed")
    return outcome[0]


def stored_ids(project: Path) -> set[str]:
    """The ids in the round's store, read from the file as `review collect --web` reads it."""
    from whitepaper.review.webstore import WebStore

    store = WebStore(project / "review" / "r1" / "web.sqlite")
    try:
        return {c.id for c in store.all()}
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--comments", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "paper"
        reviewers = round_with_reviewers(project, args.reviewers)
        port = free_port()
        server = start_server(project, port)
        try:
            started = time.perf_counter()
            result = simulate(port, reviewers, args.comments, retries=3)  # as a browser would, on no answer
            took = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=10)
        lost = set(result.acknowledged.values()) - stored_ids(project)
    sent = args.reviewers * args.comments
    print(
        textwrap.dedent(f"""\
        {args.reviewers} reviewers x {args.comments} comments = {sent} posts (+{args.reviewers} re-sent) in {took:.1f} s ({sent / took:.0f}/s)
        latency: median {statistics.median(result.latencies) * 1000:.0f} ms, p95 {result.p(95) * 1000:.0f} ms, max {max(result.latencies) * 1000:.0f} ms
        acknowledged {len(result.acknowledged)}, duplicates rejected {result.duplicates}, refused {len(result.refused)}, no answer {result.errors}, lost {len(lost)}""")
    )
    if lost or result.refused or len(result.acknowledged) != sent or result.duplicates < args.reviewers:
        sys.exit(1)


if __name__ == "__main__":
    main()
