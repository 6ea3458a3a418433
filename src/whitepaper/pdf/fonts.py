"""Each font embedded once in an assembled PDF.

Every part laid out on its own embeds its own subset of each font it uses, so a paper
laid out in 40 parts carries 40 copies of its body font (about twice the file of a single
pass). WeasyPrint subsets fonts keeping glyph ids (HarfBuzz's RETAIN_GIDS: unused glyphs
are left empty), and its text shows glyphs by id; so the subsets of one font fit into one
another: a glyph one part lacks is empty there and drawn in another. The subsets of a font
are merged into one font program that every part's font points to; each part keeps its own
widths and ToUnicode map, which name only glyphs that program has.

Two subsets are taken for one font only when they have the same font name and every glyph
id both draw is drawn alike, with the same width. Glyph names are no guide (fontTools names
glyphs from each subset's own cmap): everything goes by glyph id. Anything else (CFF fonts,
a font fontTools cannot read) is left as it is.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from typing import Any

from pikepdf import Dictionary, Name, Object, Pdf, Stream

FONT_FILE = "/FontFile2"  # TrueType programs: what WeasyPrint embeds for TTF fonts (CFF ones are left alone)


@dataclass
class _Merged:
    """One font program that subsets are merged into, and the descriptors that use it."""

    font: Any  # fontTools TTFont
    stream: Stream
    descriptors: list[Any] = field(default_factory=list)
    changed: bool = False


def embed_once(pdf: Pdf) -> int:
    """Point every part's subset of a font at one merged program; returns how many programs were dropped."""
    from fontTools.ttLib import TTFont, TTLibError  # type: ignore[import-untyped]

    merged: dict[str, list[_Merged]] = {}
    dropped = 0
    for descriptor in _descriptors(pdf):
        program = descriptor[FONT_FILE]
        try:
            font = TTFont(io.BytesIO(program.read_bytes()))
            font["glyf"]  # read now: a program fontTools cannot read, or a CFF one, is left as it is
        except (TTLibError, ValueError, KeyError, AssertionError, OSError, struct.error):
            continue
        name = str(descriptor.get("/FontName", "")).split("+", 1)[-1]
        candidates = merged.setdefault(name, [])
        target = next((c for c in candidates if _fits(c.font, font)), None)
        if target is None:
            candidates.append(_Merged(font, program, [descriptor]))
            continue
        target.changed |= _merge_into(target.font, font)
        target.descriptors.append(descriptor)
        dropped += 1
    for candidate in (c for group in merged.values() for c in group):
        if candidate.changed:
            data = _saved(candidate.font)
            candidate.stream.write(data)  # compressed again when the file is saved
            candidate.stream.Length1 = len(data)  # a TrueType program's own length
        for descriptor in candidate.descriptors:
            descriptor[FONT_FILE] = candidate.stream
    return dropped  # the programs no font uses now are left out when the file is packed (packing.py)


def _descriptors(pdf: Pdf) -> list[Object]:
    """The font descriptors with an embedded TrueType program, each once, in page order."""
    found: dict[tuple[int, int], Object] = {}
    resources_seen: set[tuple[int, int]] = set()  # WeasyPrint's pages share one resource dictionary
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        if not isinstance(resources, Dictionary) or (resources.is_indirect and resources.objgen in resources_seen):
            continue
        if resources.is_indirect:
            resources_seen.add(resources.objgen)
        fonts = resources.get("/Font")
        for font in fonts.values() if isinstance(fonts, Dictionary) else []:
            for descendant in font.get("/DescendantFonts", None) or [font]:
                descriptor = descendant.get("/FontDescriptor")
                if isinstance(descriptor, Dictionary) and isinstance(descriptor.get(FONT_FILE), Stream) and descriptor.is_indirect:
                    found.setdefault(descriptor.objgen, descriptor)
    return list(found.values())


def _drawn(font: Any) -> dict[int, bytes]:
    """The glyphs a subset draws (not left empty), by glyph id, as their bytes in the font
    (a composite glyph names its parts by glyph id, so the bytes hold in any subset)."""
    glyf = font["glyf"]
    glyphs = glyf.glyphs
    drawn = {}
    for gid, name in enumerate(font.getGlyphOrder()):
        data = _data(glyf, glyphs[name])
        if data:
            drawn[gid] = data
    return drawn


def _data(glyf: Any, glyph: Any) -> bytes:
    """A glyph's bytes, read as they are (fontTools leaves glyphs unparsed until asked; an
    empty one has none)."""
    data = getattr(glyph, "data", None)
    if data is not None:
        return bytes(data)
    return b"" if getattr(glyph, "numberOfContours", 0) == 0 else bytes(glyph.compile(glyf))


def _fits(base: Any, other: Any) -> bool:
    """Whether `other` is a subset of the same font as `base`: every glyph both draw is the same,
    with the same width."""
    base_order, other_order = base.getGlyphOrder(), other.getGlyphOrder()
    base_glyf = base["glyf"]
    for gid, data in _drawn(other).items():
        if gid >= len(base_order):
            continue
        mine = _data(base_glyf, base_glyf.glyphs[base_order[gid]])
        if mine and (mine != data or base["hmtx"][base_order[gid]] != other["hmtx"][other_order[gid]]):
            return False
    return True


def _merge_into(base: Any, other: Any) -> bool:
    """Copy into `base` the glyphs (and their widths) only `other` draws; whether any was copied."""
    from fontTools.ttLib.tables._g_l_y_f import Glyph  # type: ignore[import-untyped]

    other_order = other.getGlyphOrder()
    if len(other_order) > len(base.getGlyphOrder()):
        _extend(base, other_order)
    base_order, base_glyf = base.getGlyphOrder(), base["glyf"]
    base_glyphs = base_glyf.glyphs
    copied = False
    for gid, data in _drawn(other).items():
        name = base_order[gid]
        if not _data(base_glyf, base_glyphs[name]):
            base_glyphs[name] = Glyph(data)
            base["hmtx"][name] = other["hmtx"][other_order[gid]]
            copied = True
    return copied


def _extend(base: Any, order: list[str]) -> None:
    """Grow `base` to the glyph ids of a subset with more (empty glyphs, as the subsetter leaves them)."""
    from fontTools.ttLib.tables._g_l_y_f import Glyph  # type: ignore[import-untyped]

    glyf, hmtx = base["glyf"], base["hmtx"]
    grown = list(base.getGlyphOrder())
    names = set(grown)
    for gid in range(len(grown), len(order)):
        name = order[gid] if order[gid] not in names else f"glyph{gid:05d}"  # names are base's own
        grown.append(name)
        names.add(name)
        glyf.glyphs[name] = Glyph()
        hmtx[name] = (0, 0)
    base.setGlyphOrder(grown)
    glyf.glyphOrder = grown
    base["maxp"].numGlyphs = len(grown)


def _saved(font: Any) -> bytes:
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
