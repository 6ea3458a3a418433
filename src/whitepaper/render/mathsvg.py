"""Math for the PDF: WeasyPrint neither lays out MathML nor runs MathJax, so each
formula of the print HTML is drawn as SVG by ziamath (pure Python, its own
STIX Two Math font), from the TeX source pandoc keeps in the MathML.
The HTML draft keeps MathML, which browsers lay out natively.
"""

from __future__ import annotations

import base64
import functools
import html
import re

_MATH = re.compile(r'<math display="(inline|block)"[^>]*>.*?</math>', re.S)
_TEX = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)
_SIZE = re.compile(r'width="([\d.]+)" height="([\d.]+)" viewBox="([-\d.]+) ([-\d.]+)')
FONT_PX = 14.0  # the print body size, 10.5pt


def math_to_svg(page: str) -> tuple[str, list[str]]:
    """Replace each <math> element by an SVG image; returns the page and the TeX that failed."""
    failed: list[str] = []

    def replace(match: re.Match[str]) -> str:
        tex_match = _TEX.search(match.group(0))
        if not tex_match:
            return match.group(0)
        tex = html.unescape(tex_match.group(1)).strip()
        try:
            return _image(tex, match.group(1) == "inline")
        except Exception:  # ziamath cannot draw it: show the source rather than nothing
            failed.append(tex)
            return f'<code class="math-source">{html.escape(tex)}</code>'

    return _MATH.sub(replace, page), failed


@functools.lru_cache(maxsize=4096)
def _image(tex: str, inline: bool) -> str:
    import ziamath

    svg = ziamath.Latex(tex, size=FONT_PX, inline=inline).svg()
    size = _SIZE.search(svg)
    width, height, top = (float(size.group(1)), float(size.group(2)), float(size.group(4))) if size else (0, 0, 0)
    descent = height + top  # the part below the baseline
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    alt = html.escape(tex, quote=True)
    style = f"width:{width:.2f}px;height:{height:.2f}px;vertical-align:{-descent:.2f}px"
    css_class = "math inline" if inline else "math display"
    return f'<img class="{css_class}" alt="{alt}" style="{style}" src="data:image/svg+xml;base64,{data}">'
