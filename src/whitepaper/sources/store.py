"""The reference store: CSL JSON that `whitepaper cite resolve` wrote, read like any bibliography.

It is committed with the paper and diffed in review, so its form is fixed here, once:
entries sorted by id, keys sorted, two-space indents, a final newline. Its ids are the
identifiers' one spelling (`doi:10.1038/sdata.2016.18`, identifiers.py). Entries a person
wrote go into the manual file beside it, which wins: the store is the tool's, and is
rewritten; the manual file is the editors', and is never written.
"""

from __future__ import annotations

import json
from typing import Any

from .identifiers import InvalidIdentifier, identify


def dumps(items: list[dict[str, Any]]) -> str:
    """The store's text: stable, so that resolving again changes nothing and a change is one hunk."""
    ordered = sorted(items, key=lambda item: str(item["id"]))
    return json.dumps(ordered, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def canonical_id(key: str) -> str:
    """An entry's id as the store spells it: an identifier normalised, anything else as it is."""
    try:
        found = identify(key)
    except InvalidIdentifier:
        return key
    return found.key if found else key
