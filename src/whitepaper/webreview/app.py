"""The review server: a Starlette application over one round's HTML edition and comments store.

Routes, all under `/ROUND/`:

- `GET /ROUND/` and the page's five files (edition.py `SERVED`): the same for everyone, and
  none of them holds the paper's text, only the page around it;
- `GET api/me`, `GET api/edition`: who the token is, and the page body they may see (their
  chapters open for comments, the others read-only or left out, as `whitepaper.yaml` says);
- `GET|POST api/comments`, `GET|PUT|DELETE api/comments/ID`, `POST api/submit`.

The store is read on the event loop, on a connection of its own (each read takes well under
a millisecond), and written in groups by a thread of its own (writes.py): most of a write is
the sync to disk that makes an acknowledged comment durable, and writes that arrive together
share one.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ..config.schema import ReviewSettings
from ..review.frozen import FrozenSources, RoundInfo
from ..review.webstore import Duplicate, WebComment, WebStore
from .comments import MAX_BODY, Refused, Scope, edited, new_comment
from .edition import SERVED, Page
from .guard import SAFE_METHODS, TOKEN_HEADER, RateLimit, SecurityHeaders, same_origin
from .writes import GroupCommit

_TOC_ENTRY = r'<li class="toc-level-\d+"><a href="#{id}">.*?</a></li>\n?'
_IDS = re.compile(r'\sid="([^"]+)"')


@dataclass
class ServedRound:
    """What the server serves: a round, its page, its frozen sources and its store."""

    info: RoundInfo
    page: Page
    sources: FrozenSources
    store: WebStore  # for reading
    settings: ReviewSettings
    writes: GroupCommit

    def chapters_of(self, name: str) -> list[str]:
        return list((self.info.reviewer(name) or {}).get("chapters") or [])

    def scope(self, name: str) -> Scope:
        blocks = {c.file: frozenset(c.blocks) for c in self.page.chapters if c.file in self.chapters_of(name)}
        return Scope(name, blocks, self.settings.shared_comments)


def create_app(round_: ServedRound, limits: RateLimit | None = None) -> Starlette:
    limits = limits or RateLimit()
    name = round_.info.name
    folder = round_.page.folder

    async def authenticated(request: Request) -> str:
        """The reviewer the request's token is, after the rate limit and, for a change, the origin check."""
        token = request.headers.get(TOKEN_HEADER, "")
        reviewer = round_.store.reviewer_of(token) if token else None
        client = request.client.host if request.client else "?"
        # a reviewer's own budget; requests without a valid token share their address's, so
        # trying one made-up token after another is as slow as trying none
        wait = limits.allow(f"reviewer:{reviewer}" if reviewer else f"address:{client}")
        if wait:
            raise Refused(429, f"too many requests; try again in {math.ceil(wait)} s", retry_after=math.ceil(wait))
        if reviewer is None:
            raise Refused(401, "open the review page with the personal link of your invitation")
        if request.method not in SAFE_METHODS and not same_origin(request):
            raise Refused(403, "changes are accepted only from the review page itself")
        return reviewer

    async def body_of(request: Request) -> Any:
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise Refused(415, "send JSON")
        try:
            return json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            raise Refused(400, "the request is not valid JSON") from None

    def handler(endpoint: Callable[..., Any]) -> Callable[[Request], Any]:
        async def run(request: Request) -> Response:
            try:
                reviewer = await authenticated(request)
                return await endpoint(request, reviewer)
            except Refused as refused:
                headers = {"retry-after": str(refused.retry_after)} if refused.retry_after else None
                return JSONResponse({"error": refused.message}, status_code=refused.status, headers=headers)

        return run

    async def me(request: Request, reviewer: str) -> Response:
        record = round_.info.reviewer(reviewer) or {}
        submitted = round_.store.submitted(reviewer)
        return _json(
            {
                "reviewer": reviewer,
                "round": name,
                "title": round_.page.title,
                "stamp": round_.page.stamp,
                "chapters": round_.chapters_of(reviewer),
                "due": record.get("due"),
                "submitted": submitted,
                "shared": round_.settings.shared_comments,
                "others": round_.settings.other_chapters,
            }
        )

    async def edition(request: Request, reviewer: str) -> Response:
        return Response(page_for(round_, reviewer), media_type="text/html; charset=utf-8", headers={"cache-control": "no-store"})

    async def comments(request: Request, reviewer: str) -> Response:
        if request.method == "GET":
            shown = round_.store.visible_to(reviewer, round_.settings.shared_comments)
            return _json([c.public(reviewer) for c in shown])
        data = await body_of(request)
        return await _create(round_, reviewer, data)

    async def one(request: Request, reviewer: str) -> Response:
        comment_id = request.path_params["id"]
        data = await body_of(request) if request.method == "PUT" else None
        return await _one(round_, reviewer, comment_id, request.method, data)

    async def submit(request: Request, reviewer: str) -> Response:
        when = await round_.writes.write(lambda store: store.submit(reviewer))
        return _json({"submitted": when})

    async def static(request: Request) -> Response:
        file = request.path_params.get("file") or "index.html"
        if file not in SERVED:  # a fixed list of names: nothing else in the folder, nothing outside it
            return PlainTextResponse("not found", status_code=404)
        path = (folder / file).resolve()
        if not path.is_relative_to(folder.resolve()) or not path.is_file():
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(path, headers={"cache-control": "no-cache"})

    async def home(request: Request) -> Response:
        return RedirectResponse(f"/{name}/", status_code=307)

    api = f"/{name}/api"
    routes = [
        Route("/", home),
        Route(f"{api}/me", handler(me)),
        Route(f"{api}/edition", handler(edition)),
        Route(f"{api}/comments", handler(comments), methods=["GET", "POST"]),
        Route(api + "/comments/{id}", handler(one), methods=["GET", "PUT", "DELETE"]),
        Route(f"{api}/submit", handler(submit), methods=["POST"]),
        Route(f"/{name}/", static),
        Route(f"/{name}/" + "{file}", static),
    ]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)], max_body_size=MAX_BODY)


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers={"cache-control": "no-store"})


def _still_open(store: WebStore, reviewer: str) -> None:
    """Refuse a change once the review is submitted; checked again in the write itself, which
    a submit sent at the same moment may have come just before."""
    if store.submitted(reviewer):
        raise Refused(403, "your review is submitted: it can no longer be changed")


def _add(comment: WebComment) -> Callable[[WebStore], WebComment]:
    def change(store: WebStore) -> WebComment:
        _still_open(store, comment.reviewer)
        return store.add(comment)

    return change


async def _create(round_: ServedRound, reviewer: str, data: Any) -> Response:
    _still_open(round_.store, reviewer)
    parent = None
    if isinstance(data, dict) and isinstance(data.get("in_reply_to"), str):
        parent = _visible(round_, reviewer, data["in_reply_to"])
    comment = new_comment(data, round_.scope(reviewer), round_.sources, parent)
    try:
        await round_.writes.write(_add(comment))
    except Duplicate as duplicate:
        return _json({"error": "this comment is there already", "id": duplicate.existing}, 409)
    return _json(comment.public(reviewer), 201)


async def _one(round_: ServedRound, reviewer: str, comment_id: str, method: str, data: Any) -> Response:
    comment = _visible(round_, reviewer, comment_id)
    if comment is None:
        raise Refused(404, "no such comment")
    if method == "GET":
        return _json(comment.public(reviewer))
    if comment.reviewer != reviewer:
        raise Refused(403, "only its reviewer can change a comment")
    _still_open(round_.store, reviewer)
    if method == "DELETE":

        def delete(store: WebStore) -> None:
            _still_open(store, reviewer)
            store.delete(comment.id)

        await round_.writes.write(delete)
        return Response(status_code=204)
    body, replacement = edited(data, comment)

    def edit(store: WebStore) -> WebComment:
        _still_open(store, reviewer)
        return store.edit(comment, body, replacement)

    return _json((await round_.writes.write(edit)).public(reviewer))


def _visible(round_: ServedRound, reviewer: str, comment_id: str) -> WebComment | None:
    """The comment, when this reviewer may see it: their own, or a submitted one the round shares."""
    comment = round_.store.get(comment_id)
    if comment is None or comment.reviewer == reviewer:
        return comment
    if round_.settings.shared_comments and round_.store.submitted(comment.reviewer):
        return comment
    return None


def page_for(round_: ServedRound, reviewer: str) -> str:
    """The page body this reviewer is sent: their chapters open for comments, the back matter
    and (unless hidden) the others read-only; the contents name only what is sent."""
    mine = set(round_.chapters_of(reviewer))
    hidden = round_.settings.other_chapters == "hidden"
    parts, left_out = [], []
    for chapter in round_.page.chapters:
        state = "open" if chapter.file in mine else "read-only"
        if hidden and chapter.file is not None and chapter.file not in mine:
            left_out += _IDS.findall(chapter.html)
            continue
        parts.append(chapter.html.replace(' class="chapter', f' data-review="{state}" class="chapter', 1))
    head = round_.page.head
    for identifier in left_out:
        head = re.sub(_TOC_ENTRY.format(id=re.escape(identifier)), "", head)
    return head + "".join(parts) + round_.page.tail


def open_round(info: RoundInfo, page: Page, sources: FrozenSources, settings: ReviewSettings) -> ServedRound:
    store = WebStore.of_round(info.folder)
    return ServedRound(info, page, sources, store, settings, GroupCommit(store.path))
