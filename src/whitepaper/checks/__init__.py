"""The checks beyond what resolving needs: things an editor wants fixed before a draft goes out.

Each function adds located diagnostics for one family of rules; `check()`
runs them all after the document is resolved.
"""

from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..sources.bibliography import Bibliography
from ..diagnostics import Diagnostics, Location
from ..sources.chapters import Chapter

if TYPE_CHECKING:
    from ..resolve import Document

MARKERS = re.compile(r"\b(TODO|FIXME|XXX)\b|\[citation needed\]", re.I)
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
MEGABYTE = 1_000_000


def bibliography_rules(bibliography: Bibliography, document: Document, diagnostics: Diagnostics) -> None:
    """Entries missing what styles print, malformed DOIs, one work under two keys, entries never cited."""
    by_doi: dict[str, str] = {}
    cited = set(document.cited)
    for item in bibliography.items:
        key = item["id"]
        where = bibliography.locations[key]
        missing = [name for name, present in _required_fields(item) if not present]
        if missing:
            diagnostics.warning(where, f"entry '{key}' has no {', no '.join(missing)}", "bibliography-missing-field")
        doi = _doi(item)
        if doi and not DOI.match(doi):
            diagnostics.warning(_field_line(where, bibliography, "doi"), f"entry '{key}' has a malformed DOI '{item['DOI']}'", "bibliography-bad-doi")
        elif doi:
            by_doi.setdefault(doi, key)
        if key not in cited:
            diagnostics.warning(where, f"entry '{key}' is never cited", "unused-reference")
    _same_work(bibliography, by_doi, document, diagnostics)


def _doi(item: dict[str, Any]) -> str:
    doi = str(item.get("DOI", "")).strip()
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi, flags=re.I).lower()


def _same_work(bibliography: Bibliography, by_doi: dict[str, str], document: Document, diagnostics: Diagnostics) -> None:
    """Two keys for one work: the same DOI, or a component DOI of it (eLife's `10.7554/eLife.26726.001`)."""
    for item in bibliography.items:
        key, doi = item["id"], _doi(item)
        if not doi or not DOI.match(doi):
            continue
        parent = re.sub(r"\.\d{1,4}$", "", doi)
        first = by_doi.get(doi) if by_doi.get(doi) != key else (by_doi.get(parent) if parent != doi else None)
        if not first or first == key:
            continue
        sites = document.citation_sites(key) or [bibliography.locations[key]]
        for where in sites:
            diagnostics.warning(
                where,
                f"'{key}' is the same work as '{first}' (DOI {doi}); cite one key for it",
                "bibliography-duplicate-work",
            )


def _required_fields(item: dict[str, Any]) -> list[tuple[str, bool]]:
    online = bool(item.get("URL")) and not item.get("DOI")
    fields = [
        ("title", bool(item.get("title"))),
        # An online resource without a date of issue is dated by when it was consulted.
        ("year (issued)" if not online else "year (issued) or date accessed (urldate)", bool(item.get("issued") or (online and item.get("accessed")))),
        ("author or editor", bool(item.get("author") or item.get("editor"))),
    ]
    if item.get("type") == "article-journal":
        fields.append(("journal (container-title)", bool(item.get("container-title"))))
    # Web pages, laws and standards are routinely cited without a person as author.
    if item.get("type") in ("webpage", "legislation", "legal_case", "standard", "software", "dataset"):
        fields = [f for f in fields if f[0] != "author or editor"]
    return fields


def _field_line(where: Location, bibliography: Bibliography, name: str) -> Location:
    """The line of a field inside an entry (`doi = {...}`), when the file can be read."""
    lines = bibliography.sources.get(where.path, [])
    for number in range(where.line, min(where.line + 40, len(lines)) + 1):
        match = re.search(rf"\b{name}\b", lines[number - 1], re.I)
        if match:
            return Location(where.path, number, match.start() + 1)
    return where


def image_rules(document: Document, max_megabytes: float, diagnostics: Diagnostics) -> None:
    for resolved in document.chapters:
        for written, path in resolved.survey.images:
            where = resolved.source.locate(written)
            problem = _unreadable(path)
            if problem:
                diagnostics.error(where, f"image '{written}' cannot be used: {problem}", "image-unreadable")
            elif path.suffix.lower() == ".svg" and (danger := _svg_external(path)):
                diagnostics.error(where, f"SVG image '{written}' {danger}; it is never fetched, remove it", "image-svg-external")
            elif path.stat().st_size > max_megabytes * MEGABYTE:
                size = path.stat().st_size / MEGABYTE
                diagnostics.warning(
                    where, f"image '{written}' is {size:.1f} MB (over {max_megabytes:g} MB); the PDF will be heavy", "image-large"
                )


SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
    ".pdf": (b"%PDF",),
}


def _unreadable(path: Path) -> str:
    """Why an image file cannot be used ("" when it looks fine): unreadable, or not what its name says."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        return exc.strerror or "cannot be read"
    suffix = path.suffix.lower()
    if suffix in SIGNATURES and not head.startswith(SIGNATURES[suffix]):
        return f"the file is not a {suffix[1:].upper()} image"
    if suffix == ".svg" and b"<svg" not in head and b"<?xml" not in head:
        return "the file is not an SVG image"
    return ""


SVG_ENTITY = re.compile(rb"<!ENTITY[^>]*\b(SYSTEM|PUBLIC)\b", re.I)
SVG_REFERENCE = re.compile(rb"""(?:href|src)\s*=\s*["']\s*((?:https?|ftp|file):[^"']*|/[^"']*)["']""", re.I)


def _svg_external(path: Path) -> str:
    """What an SVG refers to outside itself (external entities, remote or absolute files), or ""."""
    data = path.read_bytes()
    if SVG_ENTITY.search(data):
        return "declares an external XML entity"
    match = SVG_REFERENCE.search(data)
    if match:
        return f"refers to '{match.group(1).decode(errors='replace')}'"
    return ""


def link_rules(document: Document, diagnostics: Diagnostics) -> None:
    """Internal links `[text](#anchor)` must land on something."""
    ids = set(document.targets.by_id) | {f"ref-{key}" for key in document.cited} | {"refs", "references", "toc", "abstract"}
    for resolved in document.chapters:
        ids |= resolved.survey.ids
    for resolved in document.chapters:
        for url in resolved.survey.links:
            if url[1:] not in ids:
                chapter = resolved.source
                diagnostics.error(
                    chapter.locate(f"({url})") if f"({url})" in chapter.text else chapter.locate(url),
                    f"link to '{url}', which is not an id in the paper",
                    "link-broken",
                )


def span_id_rules(document: Document, diagnostics: Diagnostics) -> None:
    """Ids on inline spans (`[text]{#id}`) must be unique too; numbering sees only blocks."""
    seen: dict[str, Location] = {t.id: t.location for t in document.targets.by_id.values()}
    for resolved in document.chapters:
        chapter = resolved.source
        count: dict[str, int] = {}
        for identifier in resolved.survey.span_ids:
            nth = count[identifier] = count.get(identifier, -1) + 1
            found = chapter.locate_all(re.compile("#" + re.escape(identifier) + r"(?=[\s}])"))
            where = found[min(nth, len(found) - 1)] if found else Location(chapter.rel)
            if identifier in seen:
                diagnostics.error(where, f"duplicate id '{identifier}' (first used at {seen[identifier]})", "duplicate-id")
            else:
                seen[identifier] = where


def chapter_rules(document: Document, diagnostics: Diagnostics) -> None:
    """Empty chapters, and headings that skip a level (## then ####)."""
    for resolved in document.chapters:
        chapter = resolved.source
        if len(resolved.blocks) <= 1:
            diagnostics.warning(Location(chapter.rel, chapter.body_line, 1), "chapter is empty", "chapter-empty")
        previous = 1
        for level, text in resolved.survey.headings:
            if level > previous + 1:
                where = chapter.locate(text) if text else Location(chapter.rel)
                diagnostics.warning(
                    Location(where.path, where.line, 1),
                    f"heading level {level} follows level {previous}: a level is skipped",
                    "heading-skip",
                )
            previous = level


PRINT_FONTS = ("Noto Serif", "Noto Sans")  # the families the print stylesheet asks for first


@functools.cache
def installed_families() -> frozenset[str] | None:
    """Font families fontconfig knows, or None when it cannot be asked."""
    try:
        listing = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return frozenset(name.strip() for line in listing.stdout.splitlines() for name in line.split(","))


def font_rules(css: str | None, diagnostics: Diagnostics) -> None:
    """The PDF's fonts must be installed, or it silently looks different on this machine."""
    families = installed_families()
    if families is None:
        return
    for family in PRINT_FONTS:
        if family not in families:
            diagnostics.warning(
                Location("whitepaper.yaml"),
                f"font '{family}' is not installed, so the PDF uses DejaVu instead (Debian: apt-get install fonts-noto-core)",
                "font-missing",
            )


def marker_rules(chapters: list[Chapter], diagnostics: Diagnostics) -> None:
    """TODO, FIXME, XXX and [citation needed] left in the text (not in code blocks)."""
    for chapter in chapters:
        fenced = False
        for number in range(chapter.body_line, len(chapter.lines) + 1):
            line = chapter.lines[number - 1]
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
                continue
            if fenced:
                continue
            for match in MARKERS.finditer(line):
                diagnostics.warning(
                    Location(chapter.rel, number, match.start() + 1), f"'{match.group(0)}' marker left in the text", "todo-marker"
                )
