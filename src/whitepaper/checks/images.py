"""Images: unreadable, not what their name says, SVGs that refer outside themselves, very large ones."""

from __future__ import annotations

import re
from pathlib import Path

from .. import rules
from ..diagnostics import Diagnostics
from .base import Paper, PaperCheck

MEGABYTE = 1_000_000


def check(paper: Paper, diagnostics: Diagnostics) -> None:
    max_megabytes = paper.config.max_image_size
    for resolved in paper.document.chapters:
        for written, path in resolved.survey.images:
            where = resolved.source.locate(written)
            problem = _unreadable(path)
            if problem:
                diagnostics.add(rules.IMAGE_UNREADABLE, where, f"image '{written}' cannot be used: {problem}")
            elif path.suffix.lower() == ".svg" and (danger := _svg_external(path)):
                diagnostics.add(rules.IMAGE_SVG_EXTERNAL, where, f"SVG image '{written}' {danger}; it is never fetched, remove it")
            elif path.stat().st_size > max_megabytes * MEGABYTE:
                size = path.stat().st_size / MEGABYTE
                diagnostics.add(
                    rules.IMAGE_LARGE,
                    where,
                    f"image '{written}' is {size:.1f} MB (over {max_megabytes:g} MB); the PDF will be heavy",
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


CHECK = PaperCheck((rules.IMAGE_UNREADABLE, rules.IMAGE_SVG_EXTERNAL, rules.IMAGE_LARGE), check)
