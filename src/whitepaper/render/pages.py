"""Stage 5b, render the pages: jinja2 templates around the body (body.py).

The screen template and the print template wrap the same body; the screen page
stands alone (CSS inline, images embedded), the print page is WeasyPrint's.
"""

from __future__ import annotations

import base64
import copy
import html
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from ..project import Project
from .context import TemplateContext
from .environment import environment
from .mathsvg import math_to_svg


@dataclass(frozen=True)
class Pages:
    screen: str  # self-contained: CSS inline, images embedded, math as MathML
    print: str  # for WeasyPrint: images by path, math as SVG
    math_failed: list[str]  # TeX that could not be drawn for print


def render_pages(project: Project, ctx: TemplateContext, images: dict[str, Path], print_page: bool = True) -> Pages:
    """The screen page, and the print page unless `print_page` is False (drawing math for print
    is also how math that cannot be drawn is found)."""
    env = environment(project)
    print_html, failed = "", []
    if print_page:
        ctx.media = "print"
        print_html, failed = math_to_svg(env.get_template("print.html").render(ctx=ctx))
    ctx.media = "screen"
    screen_html = env.get_template("screen.html").render(ctx=ctx)
    return Pages(embed_images(screen_html, images), print_html, failed)


PART_BLOCKS = {"front", "content"}  # what the parallel engine lays out apart (see print.html)


def can_lay_out_in_parts(project: Project) -> bool:
    """Whether the print page (the project's own, maybe) has the blocks the parallel engine lays out apart."""
    return PART_BLOCKS <= set(environment(project).get_template("print.html").blocks)


def render_print_part(project: Project, ctx: TemplateContext, kind: str, body_html: str, pages: int) -> str:
    """The print HTML of one part, for the parallel PDF engine (templates parts/*.html)."""
    view = copy.copy(ctx)
    view.media, view.body_html = "print", body_html
    page, _ = math_to_svg(environment(project).get_template(f"parts/{kind}.html").render(ctx=view, pages=pages))
    return page


def embed_images(page: str, images: dict[str, Path]) -> str:
    """Replace the `src` of each local image by a data URI, so the page stands alone."""
    for target, path in images.items():
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        page = page.replace(f'src="{html.escape(target)}"', f'src="data:{mime};base64,{data}"')
    return page
