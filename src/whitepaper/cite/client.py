"""A polite HTTP client for looking identifiers up (httpx underneath).

What the services ask of clients, and what makes a lookup survive a flaky API:
a User-Agent naming the tool, its version and a contact address (Crossref's "polite
pool", NCBI's rules); at most `per_host` requests in flight to one host; retries on
time-outs, 429 and 5xx with exponential backoff and jitter, waiting as long as a
`Retry-After` says (and holding back every request to that host meanwhile); and one
deadline for the whole lookup, so that `cite resolve` ends in bounded time whatever the
network does. Every failure is an exception whose message says why, for the summary.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Self
from urllib.parse import urlsplit

import httpx

from ..version import __version__


class LookupFailed(Exception):
    """The lookup of one identifier failed; the message says why."""


class NotFound(LookupFailed):
    """The service answered that it has no such record."""


@dataclass(frozen=True)
class ClientSettings:
    mailto: str | None = None
    per_host: int = 2
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry, doubled after each
    request_timeout: float = 20.0
    timeout: float = 120.0  # for everything

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.mailto}" if self.mailto else ""
        return f"whitepaper/{__version__} (citation lookup{contact})"


@dataclass
class _Host:
    slots: threading.Semaphore
    resume_at: float = 0.0  # monotonic time before which no request goes to the host (Retry-After)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    """One lookup session: its connections, its per-host limits and its deadline."""

    def __init__(self, settings: ClientSettings):
        self.settings = settings
        self.deadline = time.monotonic() + settings.timeout
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._http = httpx.Client(
            headers={"User-Agent": settings.user_agent},
            follow_redirects=True,
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=8),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, *, params: dict[str, str] | None = None, accept: str | None = None) -> httpx.Response:
        """A successful (2xx) answer to GET `url`, after retries; NotFound on 404 or 410,
        LookupFailed on anything else that does not succeed in the tries and the time given."""
        host = urlsplit(url).netloc
        headers = {"Accept": accept} if accept else {}
        tries = self.settings.retries + 1
        for attempt in range(tries):
            reason, wait = self._try(url, host, params, headers, attempt)
            if isinstance(reason, httpx.Response):
                return reason
            if attempt == tries - 1:
                raise LookupFailed(f"{reason} ({tries} tries)" if tries > 1 else reason)
            if time.monotonic() + wait > self.deadline:
                raise LookupFailed(
                    f"{reason}; a retry in {wait:.0f} s would pass the time-out of {self.settings.timeout:g} s"
                )
            time.sleep(wait)
        raise AssertionError("unreachable")

    def _try(
        self, url: str, host: str, params: dict[str, str] | None, headers: dict[str, str], attempt: int
    ) -> tuple[httpx.Response | str, float]:
        """One request: the answer, or why it failed and how long to wait before the next try."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise LookupFailed(f"the time-out of {self.settings.timeout:g} s for the whole lookup was reached")
        timeout = min(self.settings.request_timeout, remaining)
        try:
            with self._slot(host):
                response = self._http.get(url, params=params, headers=headers, timeout=timeout)
        except httpx.TimeoutException:
            return f"{host} did not answer within {timeout:.3g} s", self._backoff(attempt)
        except httpx.ConnectError as exc:  # no such host, refused, no network: trying again will not help
            raise LookupFailed(f"could not reach {host} ({exc or type(exc).__name__})") from None
        except httpx.TransportError as exc:  # a connection dropped midway: that may pass
            return f"the connection to {host} failed ({exc or type(exc).__name__})", self._backoff(attempt)
        status = response.status_code
        if 200 <= status < 300:
            return response, 0.0
        if status in (404, 410):
            raise NotFound(f"{host_of(response)} has no record of it ({status} {response.reason_phrase})")
        if status == 429 or status >= 500:
            asked = _retry_after(response)
            if asked is not None:
                self._hold(host, asked)
            return f"{host} answered {status} {response.reason_phrase}", asked if asked is not None else self._backoff(
                attempt
            )
        raise LookupFailed(f"{host} answered {status} {response.reason_phrase}")

    def _backoff(self, attempt: int) -> float:
        """Exponential, with jitter so that parallel retries do not arrive together again."""
        return self.settings.backoff * (2**attempt) * random.uniform(0.5, 1.5)

    def _host(self, host: str) -> _Host:
        with self._hosts_lock:
            if host not in self._hosts:
                self._hosts[host] = _Host(threading.Semaphore(self.settings.per_host))
            return self._hosts[host]

    def _hold(self, host: str, seconds: float) -> None:
        """Retry-After concerns the host, not one request: hold every request to it back."""
        state = self._host(host)
        with state.lock:
            state.resume_at = max(state.resume_at, time.monotonic() + seconds)

    @contextmanager
    def _slot(self, host: str) -> Iterator[None]:
        state = self._host(host)
        with state.slots:
            pause = state.resume_at - time.monotonic()
            if pause > 0:
                if time.monotonic() + pause > self.deadline:
                    raise LookupFailed(
                        f"{host} asked to wait {pause:.0f} s, past the time-out of {self.settings.timeout:g} s"
                    )
                time.sleep(pause)
            yield


def host_of(response: httpx.Response) -> str:
    """Who answered (after redirects), as messages name it."""
    return urlsplit(str(response.url)).netloc


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds a `Retry-After` header asks for (a number of seconds or an HTTP date), if any."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
