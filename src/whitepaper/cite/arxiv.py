"""arXiv ids, from the arXiv API's Atom feed (`{base}?id_list=1602.05629v3`).

arXiv answers some failures with a 200: an entry titled "Error" for a malformed id, a feed
with no entry for an unknown one, and the bare text "Rate exceeded." when throttling."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from ..sources.identifiers import Identifier
from .client import Client, LookupFailed, NotFound, host_of
from .csl import date_parts, person

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"


def fetch(client: Client, base: str, identifier: Identifier) -> dict[str, Any]:
    response = client.get(base, params={"id_list": identifier.value, "max_results": "1"})
    try:
        feed = ET.fromstring(response.content)
    except ET.ParseError:
        said = " ".join(response.text.split())[:60]
        raise LookupFailed(f"{host_of(response)} answered no Atom feed ({said!r})") from None
    entries = feed.findall(f"{ATOM}entry")
    if not entries or entries[0].findtext(f"{ATOM}title", "").strip() == "Error":
        raise NotFound(f"arXiv has no record of it ({_text(entries[0], 'summary') if entries else 'no entry'})")
    return _item(entries[0], identifier)


def _item(entry: ET.Element, identifier: Identifier) -> dict[str, Any]:
    abstract = _text(entry, "id")
    versioned = re.sub(r"^.*arxiv\.org/abs/", "", abstract)
    number = identifier.value if re.search(r"v\d+$", identifier.value) else versioned
    item: dict[str, Any] = {
        "type": "article",
        "title": _text(entry, "title"),
        "author": [person(_text(author, "name")) for author in entry.findall(f"{ATOM}author")],
        "issued": date_parts(_text(entry, "published")),
        "container-title": "arXiv",
        "publisher": "arXiv",
        "number": number,
        "URL": f"https://arxiv.org/abs/{number}",
    }
    version = re.search(r"v(\d+)$", number)
    if version:
        item["version"] = version.group(1)
    return item


def _text(element: ET.Element, name: str) -> str:
    return " ".join((element.findtext(f"{ATOM}{name}") or "").split())
