"""Link text must say where a link goes: screen-reader users jump from link to link, hearing
only their text, and a printed "here" says nothing at all. Reported: text from a short list
of phrases that name no destination, links without text, and a bare URL as the text of a
link in prose (read out character by character). Links in a reference list are left alone,
and so are e-mail addresses and cross-references (`@fig-x` reads "Figure 3")."""

from __future__ import annotations

import re
from typing import Any

from .. import rules
from ..diagnostics import Diagnostics
from ..pandoc import nodes
from .places import Site

# Said as a whole link's text (case, spaces and end punctuation aside); English, as WCAG's own
# examples of link purpose are (technique F84).
VAGUE = frozenset(
    {
        "here", "click here", "click", "this", "this link", "link", "read more", "more", "learn more",
        "more info", "more information", "see here", "go here", "this page", "this website", "website",
    }
)  # fmt: skip
URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+", re.IGNORECASE)
MARKUP = r"[\s*_`]*"  # emphasis and spaces around a link's words
BETWEEN = r"[\s*_`]+"  # and between them


def check(link: dict[str, Any], site: Site, diagnostics: Diagnostics) -> None:
    classes = link["c"][0][1]
    if site.references or "xref" in classes or "email" in classes:
        return
    text = " ".join(nodes.stringify(link["c"][1]).split())
    said = text.strip(".,:;!?()'\"“”‘’").lower()
    target = link["c"][2][0]
    if said in VAGUE:
        problem = f"link text '{text}' says nothing of where the link goes: let its words name what it leads to"
    elif URL.fullmatch(said) and site.block == "Para":
        problem = f"the bare URL '{text}' as link text is read out character by character: link words that name what it leads to"
    elif not said and not any(node["t"] == "Image" for node in nodes.walk(link["c"][1])):
        problem = f"link to '{target}' has no text: a screen reader can only read out its address"
    else:
        return
    diagnostics.add(rules.LINK_TEXT_VAGUE, site.places.find(site.line, *_openings(text, target, classes)), problem)


def _openings(text: str, target: str, classes: list[str]) -> list[re.Pattern[str]]:
    """How the link may be written, most exact first: `<url>`, `[its words]`, `[its first word`, its target."""
    patterns = [re.compile(r"<\s*" + re.escape(target))] if "uri" in classes else []
    words = [re.escape(word) for word in text.split()]
    if words:
        patterns.append(re.compile(r"(?<!!)\[" + MARKUP + BETWEEN.join(words) + MARKUP + r"\]"))
        patterns.append(re.compile(r"(?<!!)\[" + MARKUP + words[0]))
    else:
        patterns.append(re.compile(r"(?<!!)\[" + MARKUP + r"\]"))
    patterns.append(re.compile(re.escape(target)))
    return patterns
