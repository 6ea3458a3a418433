"""ISBNs, from Open Library's books API (`{base}?bibkeys=ISBN:…&format=json&jscmd=data`),
which answers `{}` for a book it does not know."""

from __future__ import annotations

from typing import Any

from ..sources.identifiers import Identifier
from .client import Client, LookupFailed, NotFound, host_of
from .csl import date_parts, person
from .doi import csl_object


def fetch(client: Client, base: str, identifier: Identifier) -> dict[str, Any]:
    bibkey = f"ISBN:{identifier.value}"
    response = client.get(base, params={"bibkeys": bibkey, "format": "json", "jscmd": "data"})
    data = csl_object(response.text, host_of(response))
    book = data.get(bibkey)
    if not data:
        raise NotFound("Open Library has no record of it")
    if not isinstance(book, dict):
        raise LookupFailed(f"{host_of(response)} answered for other books than {bibkey}")
    return _item(book, identifier)


def _item(book: dict[str, Any], identifier: Identifier) -> dict[str, Any]:
    title = book.get("title", "")
    if book.get("subtitle"):
        title = f"{title}: {book['subtitle']}"
    item: dict[str, Any] = {
        "type": "book",
        "title": title,
        "author": [person(a["name"]) for a in book.get("authors", []) if isinstance(a, dict) and a.get("name")],
        "publisher": _first_name(book.get("publishers")),
        "publisher-place": _first_name(book.get("publish_places")),
        "issued": date_parts(str(book.get("publish_date", ""))),
        "number-of-pages": book.get("number_of_pages"),
        "ISBN": identifier.value,
        "URL": book.get("url"),
    }
    return item


def _first_name(values: Any) -> str | None:
    if isinstance(values, list) and values and isinstance(values[0], dict):
        return values[0].get("name")
    return None
