"""Looking identifiers up, concurrently: each kind at its service, each answer made a store entry."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..config.schema import CiteSettings
from ..sources.identifiers import Identifier
from . import arxiv, csl, doi, isbn, pubmed, webpage
from .client import Client, ClientSettings, LookupFailed

# An environment variable per service wins over whitepaper.yaml, so a CI job or a test can
# point a paper's lookups elsewhere without editing it.
ENVIRONMENT = {
    "doi": "WHITEPAPER_CITE_DOI",
    "pubmed": "WHITEPAPER_CITE_PUBMED",
    "arxiv": "WHITEPAPER_CITE_ARXIV",
    "isbn": "WHITEPAPER_CITE_ISBN",
}
MAILTO = "WHITEPAPER_CITE_MAILTO"

Fetch = Callable[[Client, Identifier], dict[str, Any]]


def endpoints(settings: CiteSettings) -> dict[str, str]:
    configured = settings.endpoints.model_dump()
    return {name: os.environ.get(variable) or configured[name] for name, variable in ENVIRONMENT.items()}


def client_settings(settings: CiteSettings) -> ClientSettings:
    return ClientSettings(
        mailto=settings.mailto or os.environ.get(MAILTO) or None,
        per_host=settings.per_host,
        retries=settings.retries,
        backoff=settings.backoff,
        request_timeout=settings.request_timeout,
        timeout=settings.timeout,
    )


def fetchers(settings: CiteSettings) -> dict[str, Fetch]:
    where = endpoints(settings)
    return {
        "doi": lambda client, identifier: doi.fetch(client, where["doi"], identifier),
        "pmid": lambda client, identifier: pubmed.fetch(client, where["pubmed"], identifier),
        "pmcid": lambda client, identifier: pubmed.fetch(client, where["pubmed"], identifier),
        "arxiv": lambda client, identifier: arxiv.fetch(client, where["arxiv"], identifier),
        "isbn": lambda client, identifier: isbn.fetch(client, where["isbn"], identifier),
        "url": webpage.fetch,
    }


def look_up(
    identifiers: list[Identifier], settings: CiteSettings
) -> tuple[dict[str, dict[str, Any]], dict[str, LookupFailed]]:
    """Each identifier's store entry, or why it could not be had."""
    entries: dict[str, dict[str, Any]] = {}
    failures: dict[str, LookupFailed] = {}
    if not identifiers:
        return entries, failures
    table = fetchers(settings)
    # The client holds requests to each host to `per_host`; the threads only need to be
    # enough for every host to be busy.
    with Client(client_settings(settings)) as client, ThreadPoolExecutor(max_workers=min(8, len(identifiers))) as pool:
        futures = {
            identifier.key: pool.submit(_one, table[identifier.kind], client, identifier) for identifier in identifiers
        }
        for key, future in futures.items():
            try:
                entries[key] = future.result()
            except LookupFailed as exc:
                failures[key] = exc
    return entries, failures


def _one(fetch: Fetch, client: Client, identifier: Identifier) -> dict[str, Any]:
    try:
        raw = fetch(client, identifier)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # an answer of an unexpected shape
        raise LookupFailed(f"the answer was not what the service documents ({type(exc).__name__}: {exc})") from None
    item = csl.entry(raw, identifier)
    if not item.get("title"):
        raise LookupFailed("the answer has no title")
    return item
