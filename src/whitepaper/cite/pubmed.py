"""PubMed and PubMed Central ids, from NCBI's literature citation exporter, which answers CSL JSON:
`{base}/pubmed/?format=csl&id=26978244`, `{base}/pmc/?format=csl&id=PMC4792175`."""

from __future__ import annotations

from typing import Any

from ..sources.identifiers import Identifier
from .client import Client, NotFound, host_of
from .doi import csl_object

DATABASES = {"pmid": "pubmed", "pmcid": "pmc"}


def fetch(client: Client, base: str, identifier: Identifier) -> dict[str, Any]:
    database = DATABASES[identifier.kind]
    number = identifier.value.removeprefix("PMC")  # the exporter takes a PMCID by its number
    response = client.get(f"{base.rstrip('/')}/{database}/", params={"format": "csl", "id": number})
    item = csl_object(response.text, host_of(response))
    if item.get("status") == "error":  # an unknown id is a 200 with an error in the body
        raise NotFound(f"NCBI has no record of it ({item.get('message') or item.get('error') or 'no message'})")
    item.pop("accessed", None)  # when NCBI was asked, not when the work was read
    if identifier.kind == "pmcid" and not item.get("URL"):
        item["URL"] = f"https://www.ncbi.nlm.nih.gov/pmc/articles/{identifier.value}/"
    if identifier.kind == "pmid" and not item.get("URL"):
        item["URL"] = f"https://pubmed.ncbi.nlm.nih.gov/{identifier.value}/"
    return item
