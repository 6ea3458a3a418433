"""`lang` must be a BCP 47 tag: screen readers pick their voice and browsers their hyphenation
by it, and the tagged PDF carries it. Checked where an author sets it: a chapter's front
matter (`lang: fr`), a span (`[bonjour]{lang=fr}`), a div (`::: {lang=de}`) or a heading.
The paper's own `lang:` is checked with its config (config/schema.py), by the same rule."""

from __future__ import annotations

import re
from typing import Any

from .. import rules
from ..config.schema import language_tag_problem
from ..diagnostics import Diagnostics
from ..sources.chapters import Chapter
from .places import Places, Site, attribute


def check_front_matter(chapter: Chapter, places: Places, diagnostics: Diagnostics) -> None:
    tag = chapter.meta.lang
    if tag is not None and (problem := language_tag_problem(tag)):
        diagnostics.add(rules.LANG_INVALID, places.front_matter("lang"), problem)


def check(node: dict[str, Any], site: Site, diagnostics: Diagnostics) -> None:
    tag = attribute(node, "lang")
    if tag is None or not (problem := language_tag_problem(tag)):
        return
    written = re.compile(r"\blang\s*=\s*[\"']?(" + re.escape(tag) + ")")
    diagnostics.add(rules.LANG_INVALID, site.places.find(site.line, written, group=1), problem)
