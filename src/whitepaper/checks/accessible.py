"""What keeps a chapter readable by everyone (WCAG 2.1 AA, PDF/UA): images with alternative
text, tables with a header row, link text that names where it goes, valid `lang` tags.

One walk over the chapter (places.py) hands each element to the check of its concept,
so a large paper is walked once more, not once per rule. Headings that skip a level are
chapters.py's; the project's colours, contrast.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import rules
from ..diagnostics import Diagnostics
from ..resolve import ResolvedChapter
from . import alttext, language, linktext, tablehead
from .base import ChapterCheck, Paper
from .places import Places, Site, sites

ElementCheck = Callable[[dict[str, Any], Site, Diagnostics], None]
BY_KIND: dict[str, tuple[ElementCheck, ...]] = {
    "Image": (alttext.check, language.check),
    "Table": (tablehead.check,),
    "Link": (linktext.check,),
    "Span": (language.check,),
    "Div": (language.check,),
    "Header": (language.check,),
}
KINDS = frozenset(BY_KIND)


def check(resolved: ResolvedChapter, paper: Paper, diagnostics: Diagnostics) -> None:
    places = Places(resolved.source)
    language.check_front_matter(resolved.source, places, diagnostics)
    for node, site in sites(resolved, places, KINDS):
        for element_check in BY_KIND[node["t"]]:
            element_check(node, site, diagnostics)


CHECK = ChapterCheck(
    (rules.IMAGE_ALT_MISSING, rules.TABLE_HEADER_MISSING, rules.LINK_TEXT_VAGUE, rules.LANG_INVALID), check
)
