"""Where each character of a PDF page is: enough to read the text under a reviewer's highlight.

pypdf extracts text by runs (often a whole line), with no positions inside
them. Here a page's content stream is interpreted with the text operators
(BT, Tf, Tm, Td, TJ, ...) and the fonts' widths and ToUnicode maps, which
gives every glyph's box. Written for the PDFs WeasyPrint makes (Type 0 fonts
with Identity-H encoding, and simple fonts), and forgiving of anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pypdf import PageObject
from pypdf.generic import DictionaryObject, IndirectObject


@dataclass(frozen=True)
class Glyph:
    char: str
    x0: float
    x1: float
    y: float  # baseline
    size: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, self.y + self.size * 0.3


class _Font:
    """Widths and Unicode of one font's character codes."""

    def __init__(self, font: DictionaryObject):
        self.two_byte = font.get("/Subtype") == "/Type0"
        self.widths: dict[int, float] = {}
        self.default = 500.0
        self.unicode: dict[int, str] = {}
        if self.two_byte:
            descendant = resolved(font["/DescendantFonts"][0])
            self.default = float(descendant.get("/DW", 1000))
            self._cid_widths(descendant.get("/W"))
        else:
            first = int(font.get("/FirstChar", 0))
            for offset, width in enumerate(resolved(font.get("/Widths")) or []):
                self.widths[first + offset] = float(width)
        if "/ToUnicode" in font:
            self._to_unicode(resolved(font["/ToUnicode"]).get_data().decode("latin-1"))

    def _cid_widths(self, spec: Any) -> None:
        items = list(resolved(spec) or [])
        index = 0
        while index < len(items):
            first = int(items[index])
            following = resolved(items[index + 1])
            if isinstance(following, list):
                for offset, width in enumerate(following):
                    self.widths[first + offset] = float(width)
                index += 2
            else:
                last, width = int(following), float(items[index + 2])
                for code in range(first, last + 1):
                    self.widths[code] = width
                index += 3

    def _to_unicode(self, cmap: str) -> None:
        for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
            for source, target in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
                self.unicode[int(source, 16)] = _utf16(target)
        for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
            for first, last, target in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]*>|\[[^\]]*\])", block):
                start, end = int(first, 16), int(last, 16)
                if target.startswith("["):
                    for offset, value in enumerate(re.findall(r"<([0-9a-fA-F]*)>", target)):
                        self.unicode[start + offset] = _utf16(value)
                else:  # the target's last character counts up; it may follow others ("fi" for a ligature)
                    text = _utf16(target[1:-1])
                    for code in range(start, end + 1):
                        self.unicode[code] = text[:-1] + chr(ord(text[-1]) + code - start) if text else ""

    def codes(self, data: bytes) -> list[int]:
        if self.two_byte:
            return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2)]
        return list(data)

    def char(self, code: int) -> str:
        return self.unicode.get(code, chr(code) if not self.two_byte else "")


def _utf16(hex_text: str) -> str:
    try:
        return bytes.fromhex(hex_text).decode("utf-16-be")
    except ValueError:
        return ""


def resolved(value: Any) -> Any:
    """The object an indirect reference points at (anything else as it is)."""
    return value.get_object() if isinstance(value, IndirectObject) else value


def _multiply(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5],
    ]  # fmt: skip


_DELIMITERS = b"()<>[]{}/%"
_WHITESPACE = b" \t\r\n\x0c\x00"
_NUMBER = re.compile(rb"[-+]?(?:\d+\.?\d*|\.\d+)")
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}


def _operations(data: bytes) -> list[tuple[list[Any], str]]:
    """A content stream as (operands, operator) pairs: a small tokenizer, since pypdf's
    general parser costs a tenth of a second per page and only text operators matter here.
    Strings come out as bytes, arrays as lists, names as str with their slash."""
    operations: list[tuple[list[Any], str]] = []
    operands: list[Any] = []
    stack: list[list[Any]] = []
    position, size = 0, len(data)
    while position < size:
        char = data[position]
        if char in _WHITESPACE:
            position += 1
        elif char == 0x25:  # % comment
            end = data.find(b"\n", position)
            position = size if end < 0 else end + 1
        elif char == 0x28:  # ( literal string, with nesting and escapes
            depth, position, out = 1, position + 1, bytearray()
            while position < size:
                byte = data[position]
                if byte == 0x5C and position + 1 < size:  # backslash
                    following = data[position + 1]
                    if following in _ESCAPES:
                        out += _ESCAPES[following]
                        position += 2
                    elif 0x30 <= following <= 0x37:
                        digits = re.match(rb"[0-7]{1,3}", data[position + 1 : position + 4])
                        out.append(int(digits.group(0), 8) & 0xFF)  # type: ignore[union-attr]
                        position += 1 + len(digits.group(0))  # type: ignore[union-attr]
                    elif following in (0x0A, 0x0D):
                        position += 2
                    else:
                        out.append(following)
                        position += 2
                    continue
                if byte == 0x28:
                    depth += 1
                elif byte == 0x29:
                    depth -= 1
                    if depth == 0:
                        position += 1
                        break
                out.append(byte)
                position += 1
            (stack[-1] if stack else operands).append(bytes(out))
        elif char == 0x3C and data[position + 1 : position + 2] != b"<":  # <hex string>
            end = data.find(b">", position)
            hexdigits = re.sub(rb"\s", b"", data[position + 1 : end])
            (stack[-1] if stack else operands).append(bytes.fromhex((hexdigits + b"0" * (len(hexdigits) % 2)).decode()))
            position = end + 1
        elif char == 0x5B:  # [
            stack.append([])
            position += 1
        elif char == 0x5D:  # ]
            array = stack.pop() if stack else []
            (stack[-1] if stack else operands).append(array)
            position += 1
        elif char in b"<>{}":  # dictionaries (marked content) and braces: skipped, `<<` and `>>` whole
            position += 2 if data[position : position + 2] in (b"<<", b">>") else 1
        elif char == 0x2F:  # /name
            end = position + 1
            while end < size and data[end] not in _WHITESPACE and data[end] not in _DELIMITERS:
                end += 1
            (stack[-1] if stack else operands).append(data[position:end].decode("latin-1"))
            position = end
        else:
            number = _NUMBER.match(data, position)
            if number:
                (stack[-1] if stack else operands).append(float(number.group(0)))
                position = number.end()
                continue
            end = position
            while end < size and data[end] not in _WHITESPACE and data[end] not in _DELIMITERS:
                end += 1
            end = max(end, position + 1)
            operator = data[position:end].decode("latin-1")
            if operator == "BI":  # an inline image: skip to its end
                stop = data.find(b"EI", end)
                position = size if stop < 0 else stop + 2
                operands = []
                continue
            operations.append((operands, operator))
            operands = []
            position = end
    return operations


def page_glyphs(page: PageObject) -> list[Glyph]:
    """Every glyph drawn by the page's own content stream, in drawing order."""
    resources = resolved(page.get("/Resources")) or {}
    fonts_dict = resolved(resources.get("/Font")) or {}
    fonts: dict[str, _Font] = {}
    glyphs: list[Glyph] = []
    contents = page.get_contents()
    if contents is None:
        return glyphs
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    stack: list[list[float]] = []
    tm = line = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    font: _Font | None = None
    size = char_spacing = word_spacing = leading = rise = 0.0
    scale = 1.0
    for operands, op in _operations(contents.get_data()):
        if op == "q":
            stack.append(ctm)
        elif op == "Q" and stack:
            ctm = stack.pop()
        elif op == "cm":
            ctm = _multiply([float(v) for v in operands], ctm)
        elif op == "BT":
            tm = line = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
        elif op == "Tf":
            name = str(operands[0])
            if name not in fonts and name in fonts_dict:
                try:
                    fonts[name] = _Font(resolved(fonts_dict[name]))
                except (KeyError, IndexError, TypeError, ValueError):
                    fonts[name] = None  # type: ignore[assignment]
            font, size = fonts.get(name), float(operands[1])
        elif op == "Tm":
            tm = line = [float(v) for v in operands]
        elif op in ("Td", "TD"):
            if op == "TD":
                leading = -float(operands[1])
            line = _multiply([1, 0, 0, 1, float(operands[0]), float(operands[1])], line)
            tm = line
        elif op == "T*":
            line = _multiply([1, 0, 0, 1, 0, -leading], line)
            tm = line
        elif op == "Tc":
            char_spacing = float(operands[0])
        elif op == "Tw":
            word_spacing = float(operands[0])
        elif op == "Tz":
            scale = float(operands[0]) / 100
        elif op == "TL":
            leading = float(operands[0])
        elif op == "Ts":
            rise = float(operands[0])
        elif op in ("Tj", "TJ", "'", '"'):
            if op in ("'", '"'):
                line = _multiply([1, 0, 0, 1, 0, -leading], line)
                tm = line
            parts = operands[0] if op == "TJ" else [operands[-1]]
            tm = list(tm)
            # Text is upright in these PDFs: x scale is tm[0]*ctm[0], y scale tm[3]*ctm[3].
            x_scale, y_scale = tm[0] * ctm[0], tm[3] * ctm[3]
            for part in parts:
                if isinstance(part, bytes):
                    if font is None:
                        continue
                    for code in font.codes(part):
                        advance = (font.widths.get(code, font.default) / 1000 * size + char_spacing) * scale
                        if not font.two_byte and code == 32:
                            advance += word_spacing * scale
                        x0 = tm[4] * ctm[0] + tm[5] * ctm[2] + ctm[4]
                        y = tm[4] * ctm[1] + tm[5] * ctm[3] + ctm[5] + rise * y_scale
                        char = font.char(code)
                        if char:
                            glyphs.append(Glyph(char, x0, x0 + advance * x_scale, y, size * abs(y_scale) if y_scale else size))
                        tm[4] += advance * tm[0]
                        tm[5] += advance * tm[1]
                elif isinstance(part, float):
                    shift = -part / 1000 * size * scale
                    tm[4] += shift * tm[0]
                    tm[5] += shift * tm[1]
    return glyphs


def text_in_quads(glyphs: list[Glyph], quads: list[tuple[float, float, float, float]]) -> str:
    """The text whose glyphs sit inside any of the boxes (x0, y0, x1, y1), in reading order."""
    return join_glyphs(glyphs_in_quads(glyphs, quads))


def glyphs_in_quads(glyphs: list[Glyph], quads: list[tuple[float, float, float, float]]) -> list[Glyph]:
    """The glyphs inside any of the boxes, in reading order."""
    chosen = [g for box in quads for g in glyphs if box[1] - 2 <= g.y <= box[3] + 2 and _inside(g, box)]
    chosen = list(dict.fromkeys(chosen))  # a glyph under two overlapping boxes counts once
    chosen.sort(key=lambda g: (-round(g.y, 0), g.x0))
    return chosen


def join_glyphs(glyphs: list[Glyph]) -> str:
    """Characters to text: a gap or a new line between glyphs is a space."""
    out: list[str] = []
    previous: Glyph | None = None
    for glyph in glyphs:
        if previous is not None:
            new_line = abs(glyph.y - previous.y) > previous.size * 0.5
            gap = glyph.x0 - previous.x1 > previous.size * 0.15
            if (new_line or gap) and out and not out[-1].endswith(" ") and glyph.char != " ":
                # a hyphen that breaks a word at the end of a line joins the two halves
                if new_line and out[-1] in ("-", "\u2010", "\u00ad") and len(out) > 1 and out[-2][-1:].isalpha():
                    out.pop()
                else:
                    out.append(" ")
        out.append(glyph.char)
        previous = glyph
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _inside(glyph: Glyph, box: tuple[float, float, float, float]) -> bool:
    """Most of the glyph's width within the box, and its middle within the box's height."""
    _, y = glyph.centre
    x0, y0, x1, y1 = box
    overlap = min(glyph.x1, x1) - max(glyph.x0, x0)
    return overlap >= 0.4 * max(glyph.x1 - glyph.x0, 0.01) and y0 - 1 <= y <= y1 + 1
