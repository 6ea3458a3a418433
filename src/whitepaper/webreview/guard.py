"""What keeps the review server safe to put on a network.

- Every response carries a strict Content-Security-Policy: scripts and styles only from
  the server's own files (no inline script, no `eval`), nothing from elsewhere, no framing.
  A comment is only ever put in the page as text (review.js), and the policy is the
  second wall should that ever fail.
- A reviewer is known by the token of their invitation, sent in the `X-Review-Token`
  header: never in a cookie, so the browser sends it only when our own script does, and
  a page on another site cannot make a request that carries it (no CSRF).
- State-changing requests must also come from this very origin (`Origin` and, where the
  browser sends it, `Sec-Fetch-Site`).
- Each token, and each address without one, has a budget of requests (a token bucket):
  enough for a reviewer's pace, not for a script's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_HEADER = "x-review-token"
CSP = "; ".join(  # noqa: FLY002  (one directive a line)
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",  # the paper's own figure widths (`style="width: 90%"`); styles run no code
        "img-src 'self' data:",  # the paper's figures are inlined as data: URIs
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class SecurityHeaders:
    """Adds the headers above to every response, errors included."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def same_origin(request: Request) -> bool:
    """Whether a state-changing request comes from a page of this server: a browser says where
    it comes from in `Origin` (and `Sec-Fetch-Site`); a request that says neither is refused."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site != "same-origin":
        return False
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return False
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()


@dataclass
class Bucket:
    tokens: float
    at: float


@dataclass
class RateLimit:
    """A token bucket per key: `burst` requests at once, then `rate` a second."""

    burst: float = 120.0
    rate: float = 4.0
    buckets: dict[str, Bucket] = field(default_factory=dict)

    def allow(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds to wait."""
        now = time.monotonic()
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) > 10_000:  # forget idle clients rather than grow without end
                self.buckets.clear()
            bucket = self.buckets[key] = Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate
