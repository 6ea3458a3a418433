"""The print page rewritten for the parallel engine's parts, whatever print stylesheet made it.

A part is laid out on its own, so what depends on the whole document is taken out of it
and put back after assembly:

- the page of a target in another part (`target-counter(attr(href url), page)`) comes as
  a `data-page` attribute the engine writes in, and is shown with `attr(data-page)`;
- the margin boxes that show page numbers (`counter(page)`, `counter(pages)`) are left
  empty in the parts, and laid out alone, with the real numbers, on blank pages that are
  laid over the assembled PDF (`stamp`);
- a part that does not start the paper starts with a page that is dropped when the parts
  are assembled, so that the stylesheet's `@page :first` applies to the paper's first
  page only.

Only the page's own `<style>` elements are rewritten; the templates need to know nothing
of this, so a project's print.html is laid out in parts as it is in one pass.
"""

from __future__ import annotations

import re

STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S)
BODY = re.compile(r"<body\b[^>]*>")
TARGET_PAGE = re.compile(r"target-counter\(\s*attr\(\s*[\w-]+(?:\s+url)?\s*\)\s*,\s*page\s*\)")
MARGIN_BOX = re.compile(r"(@(?:top|bottom|left|right)-[a-z-]+\s*\{)([^{}]*)(\})")
CONTENT = re.compile(r"(?<![\w-])content\s*:[^;}]*")
PAGE_NUMBER = re.compile(r"counter\(\s*pages?\s*\)")
TOTAL = re.compile(r"counter\(\s*pages\s*\)")

SKIPPED = "wp-skipped-page"  # the first page of a part that does not start the paper
SKIP = f'<div class="{SKIPPED}"></div>'
SKIP_CSS = f".{SKIPPED} {{ break-after: page; height: 1px; }}"


def _styles(page: str, rewrite) -> str:  # type: ignore[no-untyped-def]
    return STYLE.sub(lambda m: m.group(1) + rewrite(m.group(2)) + m.group(3), page)


def _boxes(css: str, keep_numbers: bool, total: int | None = None) -> str:
    """Margin boxes with page numbers emptied (`keep_numbers=False`), or everything else emptied
    and the total number of pages written in (`keep_numbers=True`)."""

    def box(match: re.Match[str]) -> str:
        declarations = match.group(2)
        if not CONTENT.search(declarations):
            return match.group(0)  # only styles: what it shows is said elsewhere
        numbered = bool(PAGE_NUMBER.search(declarations))
        if numbered == keep_numbers:
            return match.group(0) if total is None else match.group(1) + TOTAL.sub(f'"{total}"', declarations) + match.group(3)
        return match.group(1) + CONTENT.sub("content: none", declarations) + match.group(3)

    return MARGIN_BOX.sub(box, css)


def for_part(page: str, skip_first: bool) -> str:
    """A part's page: no page numbers, other parts' pages from `data-page`, maybe a page to drop."""
    page = _styles(page, lambda css: _boxes(TARGET_PAGE.sub("attr(data-page)", css), keep_numbers=False))
    return _skipping(page) if skip_first else page


def for_stamp(page: str, total: int, first_number: int) -> str:
    """The blank pages of a stamp: only the margin boxes with page numbers, numbered from
    `first_number` out of `total`; a stamp that does not start at page 1 starts with a page to drop."""
    page = _styles(page, lambda css: _boxes(css, keep_numbers=True, total=total))
    # Blank pages, whatever the stylesheet paints on pages (a watermark is drawn by the parts).
    reset = f"@page :first {{ counter-reset: page {first_number - 1}; }}" if first_number > 1 else ""
    page = page.replace("</style>", f"@page {{ background: none !important; }}\n{reset}\n</style>", 1)
    return _skipping(page) if first_number > 1 else page


def _skipping(page: str) -> str:
    page = page.replace("</style>", SKIP_CSS + "\n</style>", 1)
    match = BODY.search(page)
    return page if match is None else page[: match.end()] + SKIP + page[match.end() :]
