"""DOIs, by content negotiation: doi.org hands the request to the DOI's registration agency
(Crossref, DataCite, mEDRA, ...), which answers CSL JSON when asked for it."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from ..sources.identifiers import Identifier
from .client import Client, LookupFailed, host_of

ACCEPT = "application/vnd.citationstyles.csl+json"


def fetch(client: Client, base: str, identifier: Identifier) -> dict[str, Any]:
    response = client.get(f"{base.rstrip('/')}/{quote(identifier.value, safe='/')}", accept=ACCEPT)
    if "json" not in response.headers.get("Content-Type", ""):
        kind = response.headers.get("Content-Type", "no type").split(";")[0]
        raise LookupFailed(
            f"the DOI's registration agency answered {kind}, not CSL JSON; write its entry in the manual file"
        )
    return csl_object(response.text, host_of(response))


def csl_object(text: str, host: str) -> dict[str, Any]:
    """The one CSL item of a JSON answer (an object, or a list of one)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LookupFailed(
            f"{host} answered malformed JSON ({exc.msg}: line {exc.lineno}, column {exc.colno})"
        ) from None
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        raise LookupFailed(f"{host} answered JSON that is not a CSL item")
    return data
