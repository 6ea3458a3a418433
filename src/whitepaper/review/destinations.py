"""The review edition's source-line destinations (`L:<file>:<line>`, see edition.py), read back
from a PDF: where on which page each block starts."""

from __future__ import annotations

from dataclasses import dataclass

from pypdf import PdfReader

from .edition import parse_destination


@dataclass
class Destination:
    page: int
    top: float
    file: str
    line: int


def destinations_of(reader: PdfReader) -> list[Destination]:
    found = []
    for name, destination in reader.named_destinations.items():
        parsed = parse_destination(str(name))
        if parsed is None:
            continue
        try:
            page = reader.get_destination_page_number(destination)
            top = float(destination.get("/Top") or 0)
        except (KeyError, ValueError, TypeError):
            continue
        found.append(Destination(page, top, parsed[0], parsed[1]))
    found.sort(key=lambda d: (d.page, -d.top))
    return found


def nearest(destinations: list[Destination], page: int, top: float) -> Destination | None:
    """The last block that starts above the point (on this page, or before it)."""
    best = None
    for destination in destinations:
        if destination.page < page or (destination.page == page and destination.top >= top - 2):
            best = destination
        else:
            break
    return best
