"""Reviewing in the browser: `review invite`, `review serve` in the real Chromium, `review collect
--web`, `review export --format w3c`; the server's guards; load and SIGKILL, bounded.

One round of a small paper, started and invited once through the real CLI, served by the real
server in a subprocess on loopback; each reviewer has a part to play (Rita comments by mouse
and submits, Sam tries to reach others' comments and replies, Kim comments by keyboard and
posts XSS payloads, Lee spends his rate limit).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from conftest import CHROMIUM, REPO, run_cli, write_project

sys.path.insert(0, str(REPO / "bench"))
import web_review_load as load  # the bench's load generator, run here smaller

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
sync_api = pytest.importorskip("playwright.sync_api")
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")
DESKTOP, PHONE = {"width": 1400, "height": 900}, {"width": 390, "height": 844}

ONE = "chapters/01-one.md"
TWO = "chapters/02-two.md"
PARAGRAPH = "A second paragraph talks about federated analysis of clinical data, and federated analysis again."
CHAPTERS = {
    "01-one.md": f"---\ntitle: One\nowners: [Ada Example]\n---\n\nThe quick brown fox jumps over the lazy dog near the river bank.\n\n{PARAGRAPH}\n\n- A list item about data stewardship.\n",
    "02-two.md": "---\ntitle: Two\nowners: [Ada Example]\n---\n\nChapter two has its own sentence about privacy and trust [@topol2019].\n",
}
CONFIG = """\
title: Fixture Paper
version: "1.2"
date: 2026-01-15
authors:
  - name: Ada Example
bibliography: bibliography/references.bib
review: {shared-comments: true}
reviewers:
  - {name: Rita Reviewer, organisation: Example Hospital, chapters: [chapters/01-one.md], due: 2026-03-01}
  - {name: Sam Second, chapters: [chapters/02-two.md]}
  - {name: Kim Keys, chapters: [chapters/01-one.md]}
  - {name: Lee Limit, chapters: [chapters/02-two.md]}
"""
FIND = """([id, phrase, which]) => {
  const block = document.getElementById(id);
  block.scrollIntoView({block: "center"});
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  let node, seen = 0;
  while ((node = walker.nextNode())) {
    let at = node.data.indexOf(phrase);
    while (at >= 0 && seen < which) { seen++; at = node.data.indexOf(phrase, at + 1); }
    if (at >= 0) {
      const range = document.createRange(); range.setStart(node, at); range.setEnd(node, at + phrase.length);
      const rects = range.getClientRects(), a = rects[0], z = rects[rects.length - 1];
      return [a.left + 1, a.top + a.height / 2, z.right - 1, z.top + z.height / 2];
    }
  }
  return null;
}"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The round r1 of a two-chapter paper (outside git: the round keeps a copy of its sources), invited."""
    root = write_project(tmp_path_factory.mktemp("web") / "paper", CHAPTERS, CONFIG)
    for args in (("review", "start", "r1", "-C", root, "-q"), ("review", "invite", "r1", "-C", root)):
        result = run_cli(*args)
        assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def tokens(project: Path) -> dict[str, str]:
    return {r.name: r.token for r in load.invited(project)}


@pytest.fixture(scope="module")
def server(project: Path) -> Iterator[str]:
    port = load.free_port()
    process = load.start_server(project, port)
    yield f"http://127.0.0.1:{port}"
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def open_review(browser: Any, server: str, token: str, viewport: dict[str, int] = DESKTOP) -> Any:
    page = browser.new_page(viewport=viewport)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(f"{server}/r1/#token={token}")
    page.wait_for_selector("body[data-review-ready]", timeout=20_000)
    return page


def select(page: Any, block: str, phrase: str, which: int = 0) -> None:
    """Select `phrase` (its `which`-th time in the block) with the mouse, as a reviewer drags over it."""
    x0, y0, x1, y1 = page.evaluate(FIND, [block, phrase, which])
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=4)
    page.mouse.up()
    page.wait_for_selector(".wp-pop")


def api(server: str, token: str, method: str, path: str, **options: Any) -> httpx.Response:
    headers = {"x-review-token": token, "origin": server, **options.pop("headers", {})}
    return httpx.request(method, f"{server}/r1/api/{path}", headers=headers, timeout=10, **options)


def new_comment(file: str, line: int, exact: str, body: str, **fields: Any) -> dict[str, Any]:
    return {"key": f"k{random.getrandbits(64):016x}", "kind": "comment", "file": file, "line": line, "exact": exact, "body": body, **fields}


def register(project: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load((project / "review" / "r1" / "comments.yaml").read_text(encoding="utf-8"))["comments"])


def test_invitations_carry_links_whose_tokens_are_kept_only_hashed(project: Path, tokens: dict[str, str]) -> None:
    folder = project / "review" / "r1"
    text = (folder / "invitations" / "01-rita-reviewer.txt").read_text(encoding="utf-8")
    assert f"http://127.0.0.1:8765/r1/#token={tokens['Rita Reviewer']}" in text
    assert "One (chapters/01-one.md)" in text and "by 1 March 2026" in text and "Submit review" in text
    assert (folder / "invitations" / "01-rita-reviewer.txt").stat().st_mode & 0o077 == 0  # its owner's only
    stored = (folder / "web.sqlite").read_bytes()
    assert all(token.encode() not in stored for token in tokens.values())
    assert "web.sqlite" in (folder / ".gitignore").read_text() and "invitations/" in (folder / ".gitignore").read_text()
    again = run_cli("review", "invite", "r1", "-C", project)  # those who have a link keep it
    assert again.exit_code == 0 and "Rita Reviewer: has a link already" in again.output
    copy = shutil.copytree(project, project.parent / "renewed")
    renewed = run_cli("review", "invite", "r1", "-C", copy, "--renew", "--base-url", "https://review.example.org/")
    assert renewed.exit_code == 0
    link = re.search(r"https://review\.example\.org/r1/#token=(\S+)", (copy / "review/r1/invitations/01-rita-reviewer.txt").read_text())
    assert link and link.group(1) != tokens["Rita Reviewer"]
    bad = run_cli("review", "invite", "r1", "-C", copy, "--base-url", "review.example.org")
    assert bad.exit_code == 2 and "must start with http:// or https://" in bad.output


def test_a_review_in_the_browser_lands_in_the_register(project: Path, server: str, tokens: dict[str, str], browser: Any) -> None:
    page = open_review(browser, server, tokens["Rita Reviewer"])
    select(page, f"L:{ONE}:6", "brown fox")  # comment
    page.get_by_role("button", name="Comment", exact=True).click()
    page.get_by_label("Comment", exact=True).fill("Which fox? Say which.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".wp-kind-comment")
    select(page, f"L:{ONE}:8", "federated analysis", which=1)  # suggest, on the second of the same words
    page.get_by_role("button", name="Suggest a change").click()
    assert page.get_by_label("Replace with").input_value() == "federated analysis"  # the old words, prefilled
    page.get_by_label("Replace with").fill("federated learning")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".wp-kind-replacement")
    select(page, f"L:{ONE}:6", "river bank")  # a typo
    page.get_by_role("button", name="Typo").click()
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".wp-kind-typo")

    page.reload()  # kept by the server, shown again: highlights and notes
    page.wait_for_selector("body[data-review-ready]")
    assert page.locator("mark.wp-hl").all_inner_texts() == ["brown fox", "river bank", "federated analysis"]
    assert "Which fox? Say which." in page.locator(".wp-kind-comment").inner_text()
    assert "federated learning" in page.locator(".wp-kind-replacement ins").inner_text()
    page.locator(".wp-kind-comment").get_by_role("button", name="Edit this comment").click()  # edit your own
    page.locator(".wp-kind-comment textarea").fill("Which fox? Name the species.")
    page.locator(".wp-kind-comment").get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Name the species.")

    page.get_by_role("button", name="Submit review").click()  # then it is final
    page.get_by_role("dialog").get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_selector("text=Your review is submitted")
    assert page.get_by_role("button", name="Edit this comment").count() == 0
    assert page.errors == []
    page.close()
    late = api(server, tokens["Rita Reviewer"], "POST", "comments", json=new_comment(ONE, 6, "quick", "Too late"))
    assert late.status_code == 403

    # The round shares comments: Sam sees Rita's, now submitted, and replies.
    seen = api(server, tokens["Sam Second"], "GET", "comments").json()
    fox = next(c for c in seen if c["exact"] == "brown fox")
    reply = api(server, tokens["Sam Second"], "POST", "comments", json={"key": "reply-000001", "kind": "reply", "in_reply_to": fox["id"], "body": "Agreed."})
    assert reply.status_code == 201, reply.text
    assert api(server, tokens["Sam Second"], "POST", "submit", json={}).status_code == 200

    collected = run_cli("review", "collect", "r1", "--web", "-C", project)
    assert collected.exit_code == 0, collected.output
    assert "4 new comments" in collected.output
    entries = {c["kind"]: c for c in register(project)}
    comment, suggestion, typo, answer = entries["comment"], entries["replacement"], entries["typo"], entries["reply"]
    assert (comment["file"], comment["line"], comment["col"], comment["quote"]) == (ONE, 6, 11, "brown fox")
    assert comment["comment"] == "Which fox? Name the species." and comment["reviewer"] == "Rita Reviewer"
    assert comment["organisation"] == "Example Hospital" and comment["assignee"] == "Ada Example"
    col = PARAGRAPH.rfind("federated analysis") + 1
    assert suggestion["suggestion"] == {"old": "federated analysis", "new": "federated learning", "file": ONE, "line": 8, "col": col}
    assert (typo["quote"], typo["comment"]) == ("river bank", "typo: “river bank”")
    assert answer["in_reply_to"] == comment["id"] and answer["reviewer"] == "Sam Second"

    # Collecting again adds nothing and keeps the editors' triage.
    path = project / "review" / "r1" / "comments.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: open", "status: accepted", 1), encoding="utf-8")
    again = run_cli("review", "collect", "r1", "--web", "-C", project)
    assert again.exit_code == 0 and "0 new comments" in again.output
    assert register(project)[0]["status"] == "accepted"

    # ... and the suggestion is one `review apply` writes.
    applied = run_cli("review", "apply", "r1", suggestion["id"], "--dry-run", "-C", project)
    assert "+A second paragraph talks about federated analysis of clinical data, and federated learning again." in applied.output

    exported = run_cli("review", "export", "r1", "--format", "w3c", "-C", project)
    assert exported.exit_code == 0, exported.output
    collection = json.loads((project / "review" / "r1" / "comments.jsonld").read_text(encoding="utf-8"))
    assert collection["@context"][0] == "http://www.w3.org/ns/anno.jsonld" and collection["type"] == "AnnotationCollection"
    items = {item["id"].rsplit(":", 1)[1]: item for item in collection["first"]["items"]}
    fox_note = items[comment["id"]]
    assert fox_note["type"] == "Annotation" and fox_note["motivation"] == "commenting"
    assert fox_note["body"]["value"] == "Which fox? Name the species." and fox_note["target"]["source"] == ONE
    selectors = {s["type"]: s for s in fox_note["target"]["selector"]}
    source = (project / "review" / "r1" / "source" / ONE).read_text(encoding="utf-8")
    position, quote = selectors["TextPositionSelector"], selectors["TextQuoteSelector"]
    assert source[position["start"] : position["end"]] == quote["exact"] == "brown fox"
    assert source[: position["start"]].endswith(quote["prefix"]) and quote["prefix"].endswith("The quick ")
    assert selectors["FragmentSelector"]["value"] == "line=5,6"
    edit = items[suggestion["id"]]
    assert edit["motivation"] == "editing" and {"type": "TextualBody", "value": "federated learning", "format": "text/markdown", "purpose": "editing"} in edit["body"]
    assert items[answer["id"]]["target"] == fox_note["id"] and items[answer["id"]]["motivation"] == "replying"


def test_replying_in_the_browser_to_a_submitted_comment(server: str, tokens: dict[str, str], browser: Any) -> None:
    """The round shares comments: Kim, on the same chapter, sees Rita's submitted ones (read-only) and replies."""
    page = open_review(browser, server, tokens["Kim Keys"])
    fox = page.locator(".wp-note", has_text="Name the species.")
    assert fox.get_by_role("button", name="Edit this comment").count() == 0  # another's: never editable
    fox.get_by_role("button", name="Reply to Rita Reviewer").click()
    page.get_by_label("Your reply to Rita Reviewer").fill("A red fox, surely.")
    fox.get_by_role("button", name="Reply", exact=True).click()
    page.wait_for_function("() => document.getElementById('wp-live').textContent === 'Reply saved'")
    page.reload()
    page.wait_for_selector("body[data-review-ready]")
    assert "A red fox, surely." in page.locator(".wp-note", has_text="Name the species.").inner_text()  # under the comment it answers
    assert page.errors == []
    page.close()


def test_a_reviewer_reaches_only_their_own(project: Path, server: str, tokens: dict[str, str]) -> None:
    kim, sam = tokens["Kim Keys"], tokens["Sam Second"]
    made = api(server, kim, "POST", "comments", json=new_comment(ONE, 6, "lazy dog", "Kim's own"))
    assert made.status_code == 201, made.text
    mine = made.json()["id"]
    assert mine not in {c["id"] for c in api(server, sam, "GET", "comments").json()}  # not shared: not submitted
    assert api(server, sam, "GET", f"comments/{mine}").status_code == 404
    assert api(server, sam, "PUT", f"comments/{mine}", json={"body": "changed by Sam"}).status_code == 404
    assert api(server, sam, "DELETE", f"comments/{mine}").status_code == 404
    assert api(server, sam, "POST", "comments", json=new_comment(ONE, 6, "lazy dog", "on Kim's chapter")).status_code == 403
    assert api(server, kim, "GET", f"comments/{mine}").json()["body"] == "Kim's own"  # unchanged
    # Without a token, or with a wrong one: nothing, the paper's text included.
    assert httpx.get(f"{server}/r1/api/edition", timeout=10).status_code == 401
    assert api(server, "not-a-token", "GET", "comments").status_code == 401
    assert "brown fox" not in httpx.get(f"{server}/r1/", timeout=10).text
    # A change from another origin, or with no origin at all, is refused even with a good token.
    body = new_comment(ONE, 6, "quick", "cross-site")
    assert api(server, kim, "POST", "comments", json=body, headers={"origin": "http://evil.example"}).status_code == 403
    assert api(server, kim, "POST", "comments", json=body, headers={"sec-fetch-site": "cross-site"}).status_code == 403
    assert httpx.post(f"{server}/r1/api/comments", json=body, headers={"x-review-token": kim}, timeout=10).status_code == 403
    # Limits: the body, each text, the fields.
    assert api(server, kim, "POST", "comments", content=b"{" + b" " * 40_000 + b"}", headers={"content-type": "application/json"}).status_code == 413
    assert api(server, kim, "POST", "comments", json=new_comment(ONE, 6, "quick", "x" * 5001)).status_code == 413
    assert api(server, kim, "POST", "comments", json={**new_comment(ONE, 6, "quick", "hi"), "admin": True}).status_code == 400
    assert api(server, kim, "POST", "comments", json=new_comment(ONE, 99, "quick", "no such block")).status_code == 403
    # The same comment twice is one.
    twice = new_comment(ONE, 8, "clinical data", "once")
    assert api(server, kim, "POST", "comments", json=twice).status_code == 201
    repeated = api(server, kim, "POST", "comments", json=twice)
    assert repeated.status_code == 409 and repeated.json()["id"]
    # Only the page's own files are served; nothing else of the round, nothing above it.
    for path in ("edition.json", "web.sqlite", "round.yaml", "..%2Fround.yaml", "%2e%2e/round.yaml", "invitations/01-rita-reviewer.txt", "..%2f..%2fwhitepaper.yaml"):
        assert httpx.get(f"{server}/r1/{path}", timeout=10).status_code == 404, path
    page = httpx.get(f"{server}/r1/review.js", timeout=10)
    assert page.status_code == 200 and "script-src 'self';" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"].split("script-src", 1)[1].split(";")[0]


def test_a_burst_of_requests_meets_the_rate_limit(server: str, tokens: dict[str, str]) -> None:
    with httpx.Client(base_url=f"{server}/r1/api/", headers={"x-review-token": tokens["Lee Limit"]}, timeout=10) as client:
        codes = [client.get("comments").status_code for _ in range(200)]
        limited = client.get("comments")
    assert codes[:100] == [200] * 100 and 429 in codes
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


XSS = ['<script>window.__xss = "script"</script>', '"><img src=x onerror="window.__xss = \'img\'">', "<svg onload=\"window.__xss='svg'\">"]


def test_comments_are_shown_as_text_never_run(server: str, tokens: dict[str, str], browser: Any) -> None:
    kim = tokens["Kim Keys"]
    for number, payload in enumerate(XSS):
        made = api(server, kim, "POST", "comments", json=new_comment(ONE, 6, "jumps", payload, replacement=None, key=f"xss-{number:08d}"))
        assert made.status_code == 201, made.text
    page = open_review(browser, server, kim)
    page.wait_for_timeout(300)  # an image's error handler, had one been made, has fired by now
    assert page.evaluate("window.__xss") is None
    bodies = page.locator(".wp-body").all_inner_texts()
    assert all(payload in bodies for payload in XSS)
    assert page.locator(".wp-notes img, .wp-notes script, .wp-notes svg").count() == 0
    page.close()


def test_commenting_by_keyboard_alone(server: str, tokens: dict[str, str], browser: Any) -> None:
    page = open_review(browser, server, tokens["Kim Keys"])
    for _ in range(12):  # Tab from the top of the page to the keyboard mode's button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "wp-walk":
            break
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == f"L:{ONE}:2"  # the chapter's heading first
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == f"L:{ONE}:6"
    assert "line 6" in page.evaluate("document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("Enter")  # the box, its first button focused
    assert page.evaluate("document.activeElement.textContent") == "Comment"
    page.keyboard.press("Enter")
    page.keyboard.type("Dogs are not lazy.")  # the comment field has the focus
    page.keyboard.press("Shift+Tab")  # back to the words it is about, which start as the whole paragraph
    assert page.evaluate("document.activeElement.id") == "wp-quote"
    page.keyboard.press("Control+A")
    page.keyboard.type("lazy dog")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Save"
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Dogs are not lazy.")
    assert page.evaluate("document.activeElement.id") == f"L:{ONE}:6"  # back where the reviewer was
    page.wait_for_function("() => document.getElementById('wp-live').textContent === 'Comment saved'")  # what a screen reader hears
    note = page.locator(".wp-note", has_text="Dogs are not lazy.")
    assert "“lazy dog”" in note.inner_text()
    page.close()


def test_a_comment_whose_answer_was_lost_is_saved_once(project: Path, server: str, tokens: dict[str, str], browser: Any) -> None:
    """The server stores the comment but its answer never reaches the browser: Save again shows it, stored once."""
    page = open_review(browser, server, tokens["Kim Keys"])
    lost: list[int] = []

    def drop_the_answer(route: Any) -> None:
        if route.request.method == "POST" and not lost:
            lost.append(route.fetch().status)  # it reaches the server ...
            route.abort()  # ... and the browser sees the connection fail
        else:
            route.continue_()

    page.route("**/api/comments", drop_the_answer)
    select(page, f"L:{ONE}:6", "near the")
    page.get_by_role("button", name="Comment", exact=True).click()
    page.get_by_label("Comment", exact=True).fill("Lost answer, kept comment.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_function("() => document.getElementById('wp-live').textContent.startsWith('Not saved')")
    assert lost == [201]
    page.get_by_role("button", name="Save").click()  # the box is still open: try again
    page.wait_for_function("() => document.getElementById('wp-live').textContent === 'Comment saved'")
    assert page.locator(".wp-note", has_text="Lost answer, kept comment.").count() == 1
    page.close()
    with sqlite3.connect(project / "review" / "r1" / "web.sqlite") as db:
        assert db.execute("SELECT count(*) FROM comments WHERE body = 'Lost answer, kept comment.'").fetchone() == (1,)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_nothing_serious_on_the_review_page(server: str, tokens: dict[str, str], browser: Any, viewport: dict[str, int]) -> None:
    page = open_review(browser, server, tokens["Kim Keys"], viewport)
    select(page, f"L:{ONE}:8", "clinical data")  # with the box open too
    results = axe_playwright.Axe().run(page).response
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(f"{v['id']} ({v['impact']}): {v['help']}: " + "; ".join(str(n["target"]) for n in v["nodes"][:5]) for v in serious)
    page.close()


def test_collect_web_names_who_has_not_submitted(project: Path) -> None:
    result = run_cli("review", "collect", "r1", "--web", "-C", project)
    assert result.exit_code == 0
    assert re.search(r"review/r1/web\.sqlite: warning: Kim Keys has not submitted their review yet: their \d+ comments are collected once they do \[collect-web-unsubmitted\]", result.output)
    usage = run_cli("review", "collect", "r1", "-C", project)
    assert usage.exit_code == 2 and "or give --web" in usage.output


def test_serve_usage_problems(project: Path, server: str, tmp_path: Path) -> None:
    port = int(server.rsplit(":", 1)[1])
    busy = run_cli("review", "serve", "r1", "-C", project, "--port", str(port))
    assert busy.exit_code == 2 and f"cannot listen on 127.0.0.1:{port}" in busy.output
    unknown = run_cli("review", "serve", "r9", "-C", project)
    assert unknown.exit_code == 2 and "no review round 'r9'" in unknown.output
    empty = write_project(tmp_path / "p", CHAPTERS, CONFIG)
    (empty / "review" / "r1").mkdir(parents=True)
    (empty / "review" / "r1" / "round.yaml").write_text("round: r1\nreviewers: []\n")
    nothing = run_cli("review", "collect", "r1", "--web", "-C", empty)
    assert nothing.exit_code == 2 and "review invite r1" in nothing.output
    (empty / "review" / "r1" / "web.sqlite").write_bytes(b"not a database " * 100)
    broken = run_cli("review", "collect", "r1", "--web", "-C", empty)
    assert broken.exit_code == 2 and "cannot be used as the round's comments store: file is not a database" in broken.output


# ---- load and faults, bounded --------------------------------------------------------------------


class Served:
    """A review server in a subprocess, which a test may kill and start again on the same port."""

    def __init__(self, project: Path):
        self.project, self.port = project, load.free_port()
        self.process = load.start_server(project, self.port)

    def kill_and_restart(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = load.start_server(self.project, self.port)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def crowd(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, list[load.Reviewer]]]:
    """A copy of the round (its HTML edition built already) with 30 reviewers in place of its own, served."""
    copy = Path(shutil.copytree(project, tmp_path_factory.mktemp("crowd") / "paper"))
    shutil.rmtree(copy / "review" / "r1" / "invitations")
    for stale in (copy / "review" / "r1").glob("web.sqlite*"):
        stale.unlink()
    load.name_reviewers(copy, 30, [ONE, TWO])
    assert run_cli("review", "invite", "r1", "-C", copy).exit_code == 0
    reviewers = load.invited(copy)
    served = Served(copy)
    yield served, reviewers
    served.stop()


def test_reviewers_posting_at_once_lose_nothing(crowd: tuple[Served, list[load.Reviewer]]) -> None:
    """20 reviewers x 8 comments at once, each re-sending one (bench/web_review_load.py runs 50 x 20)."""
    served, reviewers = crowd
    result = load.simulate(served.port, reviewers[:20], 8)
    print(f"\n160 posts: p95 {result.p(95) * 1000:.0f} ms, max {max(result.latencies) * 1000:.0f} ms")
    assert result.refused == [] and result.errors == 0
    assert len(result.acknowledged) == 160 and result.duplicates == 20
    assert set(result.acknowledged.values()) <= load.stored_ids(served.project)


def test_comments_posted_together_share_one_commit(crowd: tuple[Served, list[load.Reviewer]], monkeypatch: pytest.MonkeyPatch) -> None:
    """The application in this process, on the crowd's store: 24 posts at once are committed in a
    few transactions, not 24 (webreview/writes.py), and each is answered as itself."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from whitepaper.config.schema import ReviewSettings
    from whitepaper.project import Project
    from whitepaper.review.frozen import FrozenSources, load_round
    from whitepaper.review.webstore import WebStore
    from whitepaper.webreview.app import create_app, open_round
    from whitepaper.webreview.edition import load_page, web_folder

    served, reviewers = crowd
    paper = Project(served.project)
    info = load_round(paper, "r1")
    groups: list[int] = []
    batch = WebStore.batch
    monkeypatch.setattr(WebStore, "batch", lambda store, writes: groups.append(len(writes)) or batch(store, writes))

    async def post_all() -> list[httpx.Response]:
        app = create_app(open_round(info, load_page(web_folder(paper, "r1")), FrozenSources(paper, info), ReviewSettings()))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://review.test") as client:
            posts = [
                client.post("/r1/api/comments", json=load.payload(r, n, f"together-{r.name[-3:]}-{n:02d}"), headers={"x-review-token": r.token, "origin": "http://review.test"})
                for r in reviewers[28:30]
                for n in range(12)
            ]
            return list(await asyncio.gather(*posts))

    with ThreadPoolExecutor(1) as thread:  # Playwright's event loop runs in this one; the app reads the store in that one
        answers = thread.submit(asyncio.run, post_all()).result()
    assert [a.status_code for a in answers] == [201] * 24
    assert len({a.json()["id"] for a in answers}) == 24 and {a.json()["body"] for a in answers} == {load.payload(r, n, "")["body"] for r in reviewers[28:30] for n in range(12)}
    assert sum(groups) == 24 and len(groups) < 12, groups
    assert {a.json()["id"] for a in answers} <= load.stored_ids(served.project)


def test_a_killed_server_keeps_every_acknowledged_comment(crowd: tuple[Served, list[load.Reviewer]]) -> None:
    """SIGKILL at random moments (twice) while 8 reviewers post, restart, and post on: every comment
    the server acknowledged is still there, and re-sent ones are not stored twice."""
    served, reviewers = crowd
    outcome: dict[str, load.LoadResult] = {}
    posting = threading.Thread(
        target=lambda: outcome.setdefault("r", load.simulate(served.port, reviewers[20:28], 10, retries=40, resend=False))
    )
    posting.start()
    kills, rng = 0, random.Random()
    while posting.is_alive() and kills < 2:
        time.sleep(rng.uniform(0.1, 0.8))
        served.kill_and_restart()
        kills += 1
    posting.join(timeout=120)
    result = outcome["r"]
    assert kills >= 1 and not posting.is_alive()
    assert len(result.acknowledged) == 80 and result.refused == []
    assert set(result.acknowledged.values()) <= load.stored_ids(served.project)
    with sqlite3.connect(served.project / "review" / "r1" / "web.sqlite") as db:  # one row per comment, whatever was re-sent
        rows = db.execute("SELECT count(*), count(DISTINCT body) FROM comments WHERE reviewer BETWEEN 'Reviewer 020' AND 'Reviewer 027'").fetchone()
    assert rows == (80, 80)


def test_chapters_not_assigned_are_read_only_or_not_sent(project: Path, server: str) -> None:
    """As `review: {other-chapters: …}` says; the server builds each reviewer's page so (app.page_for)."""
    from whitepaper.config.schema import ReviewSettings
    from whitepaper.project import Project
    from whitepaper.review.frozen import FrozenSources, load_round
    from whitepaper.webreview.app import open_round, page_for
    from whitepaper.webreview.edition import load_page, web_folder

    paper = Project(project)
    info = load_round(paper, "r1")
    page, sources = load_page(web_folder(paper, "r1")), FrozenSources(paper, info)
    shown = page_for(open_round(info, page, sources, ReviewSettings()), "Rita Reviewer")
    assert 'data-review="open" class="chapter"' in shown and 'data-review="read-only" class="chapter"' in shown
    assert "privacy and trust" in shown
    hidden = page_for(open_round(info, page, sources, ReviewSettings.model_validate({"other-chapters": "hidden"})), "Rita Reviewer")
    assert "brown fox" in hidden and "References" in hidden  # their chapter, and the back matter
    assert "privacy and trust" not in hidden
    assert not re.search(r'<li class="toc-level-\d"><a href="#sec-two">', hidden)  # nor in the contents
