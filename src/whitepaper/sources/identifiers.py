"""Citation keys that are identifiers: `doi:`, `pmid:`, `pmcid:`, `arxiv:`, `isbn:`, `url:`.

One work is one entry, however it is written: each identifier has one spelling (its
`key`), which is the id of its entry in the reference store. A DOI is case-insensitive
(the DOI Handbook says so), so it is folded to lower case and stripped of the
`https://doi.org/` or `doi:` an author pasted with it; an ISBN-10 becomes the ISBN-13 of
the same book; an arXiv id keeps the version it was cited at (v2 and v3 may differ).

A key with a prefix of this list that does not hold an identifier of its kind is a
mistake the author should hear about (`InvalidIdentifier`), not an unknown key.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

KINDS = ("doi", "pmid", "pmcid", "arxiv", "isbn", "url")
_ALIASES = {"pmc": "pmcid", "arxivid": "arxiv"}  # spellings Manubot users also write

# A DOI, or a shortDOI (`10/bm8dnf`, which doi.org resolves like the DOI it stands for).
_DOI = re.compile(r"^(?:10\.\d{4,9}/\S+|10/[a-z0-9]+)$", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_ARXIV_NEW = re.compile(r"^\d{4}\.\d{4,5}(?:v\d+)?$")
_ARXIV_OLD = re.compile(r"^[a-z-]+(?:\.[a-z]{2})?/\d{7}(?:v\d+)?$", re.IGNORECASE)
_ARXIV_PREFIX = re.compile(r"^(?:arxiv:|https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE)


class InvalidIdentifier(ValueError):
    """A key with an identifier's prefix whose value is not one (the message says why)."""


@dataclass(frozen=True)
class Identifier:
    kind: str  # one of KINDS
    value: str  # normalised: `10.1038/sdata.2016.18`, `26978244`, `PMC4792175`, `1602.05629v3`, ...

    @property
    def key(self) -> str:
        """Its one spelling as a citation key, and the id of its entry in the store."""
        return f"{self.kind}:{self.value}"

    def __str__(self) -> str:
        return self.key


def split_prefix(key: str) -> tuple[str, str] | None:
    """(kind, rest) when `key` starts with an identifier's prefix, else None (an ordinary key)."""
    prefix, colon, rest = key.partition(":")
    kind = _ALIASES.get(prefix.lower(), prefix.lower())
    if not colon or kind not in KINDS:
        return None
    return kind, rest


def identify(key: str) -> Identifier | None:
    """The identifier a citation key names, normalised; None for an ordinary key.

    Raises InvalidIdentifier for a key such as `doi:banana`."""
    split = split_prefix(key)
    if split is None:
        return None
    kind, rest = split
    return Identifier(kind, NORMALISERS[kind](rest.strip()))


def _doi(value: str) -> str:
    doi = _DOI_PREFIX.sub("", value).strip()
    if not _DOI.match(doi):
        raise InvalidIdentifier(
            f"'{value}' is not a DOI: a DOI starts with 10., a registrant code and a slash (or is a shortDOI, 10/…)"
        )
    return doi.lower()


def _pmid(value: str) -> str:
    if not value.isdigit() or int(value) == 0:
        raise InvalidIdentifier(f"'{value}' is not a PubMed id: a PMID is a number")
    return str(int(value))


def _pmcid(value: str) -> str:
    digits = value.upper().removeprefix("PMC")
    if not digits.isdigit() or int(digits) == 0:
        raise InvalidIdentifier(f"'{value}' is not a PubMed Central id: it is PMC and a number")
    return f"PMC{int(digits)}"


def _arxiv(value: str) -> str:
    bare = _ARXIV_PREFIX.sub("", value).strip().removesuffix(".pdf")
    if _ARXIV_NEW.match(bare):
        return bare
    if _ARXIV_OLD.match(bare):
        archive, number = bare.split("/")
        return f"{archive.lower()}/{number}"
    raise InvalidIdentifier(f"'{value}' is not an arXiv id (such as 1602.05629, 1602.05629v3 or hep-ex/0307015)")


def _isbn(value: str) -> str:
    digits = re.sub(r"[\s-]", "", value).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        if _isbn10_check(digits[:9]) != digits[9]:
            raise InvalidIdentifier(f"'{value}' is not an ISBN: its check digit is wrong")
        return isbn13(digits)
    if re.fullmatch(r"97[89]\d{10}", digits):
        if _isbn13_check(digits[:12]) != digits[12]:
            raise InvalidIdentifier(f"'{value}' is not an ISBN: its check digit is wrong")
        return digits
    raise InvalidIdentifier(f"'{value}' is not an ISBN: give its 10 or 13 digits")


def isbn13(isbn10: str) -> str:
    """The ISBN-13 of the book an ISBN-10 names (978 and the first nine digits, checked anew)."""
    body = "978" + isbn10[:9]
    return body + _isbn13_check(body)


def _isbn10_check(nine: str) -> str:
    total = sum((10 - position) * int(digit) for position, digit in enumerate(nine))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _isbn13_check(twelve: str) -> str:
    total = sum(int(digit) * (3 if position % 2 else 1) for position, digit in enumerate(twelve))
    return str((10 - total % 10) % 10)


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InvalidIdentifier(f"'{value}' is not a web address: it starts with https:// or http://")
    # Scheme and host are case-insensitive; the path and query are not.
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, parts.fragment))


NORMALISERS = {"doi": _doi, "pmid": _pmid, "pmcid": _pmcid, "arxiv": _arxiv, "isbn": _isbn, "url": _url}


def written_key(citation: dict[str, Any], keys: Container[str] = ()) -> str:
    """The key a citation was written with, mended where pandoc cut it short.

    Pandoc ends a key at characters such as `=`, `(` or a final `.` or `/`, which URLs and
    some DOIs have: `[@url:https://x.org/a?b=1]` reaches us as the key `url:https://x.org/a?b`
    with `=1` as its suffix. A suffix glued to a `url:` or `doi:` key (no space, no comma
    between them) is given back to the key, and taken off the suffix; unless the key as pandoc
    read it is one of `keys` (a Manubot build's references.json has such ids)."""
    key: str = citation["citationId"]
    split = split_prefix(key)
    suffix = citation["citationSuffix"]
    if key in keys or split is None or split[0] not in ("url", "doi") or not suffix or suffix[0].get("t") != "Str":
        return key
    text: str = suffix[0]["c"]
    if text[:1] in (",", ";"):
        return key
    glued, comma, rest = text.partition(",")
    citation["citationId"] = key + glued
    citation["citationSuffix"] = ([{"t": "Str", "c": comma + rest}] if comma else []) + suffix[1:]
    return str(citation["citationId"])
